"""Process instances: the end event a completed case reached (its outcome), so that lists
and the case page say how it ended ("Refused: customer blocked"), not only "completed".

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: SQLite takes it as it is, where a batch would copy the table,
    # which the foreign keys of tasks and timers forbid.
    op.add_column("process_instances", sa.Column("outcome", sa.String(200), nullable=True))


def downgrade() -> None:
    op.drop_column("process_instances", "outcome")
