"""Start timers: processes whose start event is a timer, and when the worker next starts one.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "start_timers",
        sa.Column("process_id", sa.String(200), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cycles_left", sa.Integer, nullable=False),
        sa.Column("every_seconds", sa.Float),
        sa.PrimaryKeyConstraint("process_id", name=op.f("pk_start_timers")),
    )
    op.create_index(op.f("ix_start_timers_due_at"), "start_timers", ["due_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_start_timers_due_at"), "start_timers")
    op.drop_table("start_timers")
