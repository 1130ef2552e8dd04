"""Cache revisions: one row the directory's changes and every deploy raise.

Each process caches the directory and the catalogue of deployed versions, keyed by
these numbers (engine/caches.py); a change in any process is seen by every other
at its next transaction.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "cache_revisions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("directory", sa.BigInteger, nullable=False),
        sa.Column("definitions", sa.BigInteger, nullable=False),
        sa.CheckConstraint("id = 1", name="cache_revisions_one_row"),
    )
    op.bulk_insert(table, [{"id": 1, "directory": 1, "definitions": 1}])


def downgrade() -> None:
    op.drop_table("cache_revisions")
