"""Start requests: the key a start was asked with, and the case it started.

A terminal that resends an order after a time-out, or a Start pressed twice, carries the
same key: the second request gets the first one's case (engine/start_requests.py).

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "start_requests",
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("request_key", sa.String(length=100), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("username", "request_key", name=op.f("pk_start_requests")),
    )
    op.create_index(op.f("ix_start_requests_created_at"), "start_requests", ["created_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_start_requests_created_at"), "start_requests")
    op.drop_table("start_requests")
