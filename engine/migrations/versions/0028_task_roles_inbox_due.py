"""Task roles: the inbox's due key as a column, so that inboxes read in index order.

An emergency is due at once (when it was created), a sign-off by its own deadline
before the work's: an expression the index could not follow, so each role's sign-off
list (and queue) was read whole and sorted, with the sign-off list's filters (not the
signer's own request, nor work they did before) run on every row. The rule is
HumanTask.due_in_inbox; the backfill below states it in SQL as it stood here.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

INDEX_AFTER_STATUS = [
    "created_at",
    "task_id",
    "assignee",
]
INDEX_REST = [
    "signoff_due_at",
    "process_id",
    "business_key",
    "performer",
    "performer_for",
    "urgent",
]
KEYS = ["role", "letter", "status"]


def upgrade() -> None:
    op.add_column("task_roles", sa.Column("inbox_due", sa.DateTime(timezone=True)))
    rows = sa.table(
        "task_roles",
        *(sa.column(name) for name in ("letter", "due_at", "signoff_due_at", "created_at")),
        sa.column("urgent", sa.Boolean()),
        sa.column("inbox_due"),
    )
    op.execute(
        rows.update().values(
            inbox_due=sa.case(
                (rows.c.urgent, rows.c.created_at),
                (rows.c.letter == "A", sa.func.coalesce(rows.c.signoff_due_at, rows.c.due_at)),
                else_=rows.c.due_at,
            )
        )
    )
    op.drop_index("ix_task_roles_inbox", table_name="task_roles")
    op.create_index(
        "ix_task_roles_inbox",
        "task_roles",
        [*KEYS, "inbox_due", *INDEX_AFTER_STATUS, "due_at", *INDEX_REST],
    )


def downgrade() -> None:
    op.drop_index("ix_task_roles_inbox", table_name="task_roles")
    op.create_index(
        "ix_task_roles_inbox",
        "task_roles",
        [*KEYS, "due_at", *INDEX_AFTER_STATUS, *INDEX_REST],
    )
    op.drop_column("task_roles", "inbox_due")
