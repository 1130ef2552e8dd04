"""Inbox: open tasks by due time, and (PostgreSQL) by customer code prefix.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

OPEN = "status = 'ready'"


def upgrade() -> None:
    with op.batch_alter_table("human_tasks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_human_tasks_open_by_due",
            ["due_at", "created_at", "id"],
            unique=False,
            postgresql_where=sa.text(OPEN),
            sqlite_where=sa.text(OPEN),
        )
    if op.get_bind().dialect.name == "postgresql":
        # The customer filter is a case-insensitive prefix match on the business key; an
        # expression index (which the ORM metadata cannot describe) serves it.
        op.execute(
            "CREATE INDEX ix_human_tasks_open_by_key ON human_tasks"
            f" (lower(business_key) text_pattern_ops) WHERE {OPEN}"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_human_tasks_open_by_key")
    with op.batch_alter_table("human_tasks", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_human_tasks_open_by_due",
            postgresql_where=sa.text(OPEN),
            sqlite_where=sa.text(OPEN),
        )
