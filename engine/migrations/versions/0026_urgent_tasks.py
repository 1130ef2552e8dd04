"""Tasks: whether their case is urgent, on the task and on its inbox rows.

"Urgent" was a process id the web kept (emergency_order); the release an emergency order
sends lost it, and credit control saw an ordinary order. A case's summary now says it
(ProcessInstance.urgent) and each settle copies it to the case's open tasks; the inbox
index carries it, so that "Emergencies, then due" is read from task_roles alone.

Open tasks of emergency orders are marked as the web marked them. The release of an
emergency order already on its way cannot be told from another (its start data did not
carry the order's flag): it stays unmarked.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

INBOX_INDEX = [
    "role",
    "letter",
    "status",
    "due_at",
    "created_at",
    "task_id",
    "assignee",
    "signoff_due_at",
    "process_id",
    "business_key",
    "performer",
    "performer_for",
]
WAS_URGENT = "emergency_order"


def upgrade() -> None:
    # Plain ADD COLUMNs: SQLite takes them as they are, where a batch would copy the
    # tables, which the foreign keys of role rows and consultations forbid.
    for table in ("human_tasks", "task_roles"):
        op.add_column(
            table, sa.Column("urgent", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        rows = sa.table(table, sa.column("process_id"), sa.column("urgent"))
        op.execute(rows.update().where(rows.c.process_id == WAS_URGENT).values(urgent=True))
    op.drop_index("ix_task_roles_inbox", table_name="task_roles")
    op.create_index("ix_task_roles_inbox", "task_roles", [*INBOX_INDEX, "urgent"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_task_roles_inbox", table_name="task_roles")
    op.create_index("ix_task_roles_inbox", "task_roles", INBOX_INDEX, unique=False)
    for table in ("task_roles", "human_tasks"):
        op.drop_column(table, "urgent")
