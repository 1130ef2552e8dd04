"""Inbox: each task role row carries its task's inbox fields; the open-task indexes go.

An inbox section is "the open tasks on which one of my roles has this letter". With
the filter and sort fields on the role rows, a section is read from task_roles alone:
a join to human_tasks left the planner guessing (it cannot know that every role row
belongs to an open task) and made deep pages and counts slow on large tables.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

OPEN = "status = 'ready'"
COPIED = (
    "process_id",
    "business_key",
    "status",
    "assignee",
    "performer",
    "performer_for",
    "created_at",
    "due_at",
    "signoff_due_at",
)
NOT_NULL = ("process_id", "status", "created_at")
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


def upgrade() -> None:
    with op.batch_alter_table("task_roles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("process_id", sa.String(length=200)))
        batch_op.add_column(sa.Column("business_key", sa.String(length=200)))
        batch_op.add_column(sa.Column("status", sa.String(length=20)))
        batch_op.add_column(sa.Column("assignee", sa.String(length=200)))
        batch_op.add_column(sa.Column("performer", sa.String(length=200)))
        batch_op.add_column(sa.Column("performer_for", sa.String(length=200)))
        batch_op.add_column(sa.Column("created_at", sa.DateTime(timezone=True)))
        batch_op.add_column(sa.Column("due_at", sa.DateTime(timezone=True)))
        batch_op.add_column(sa.Column("signoff_due_at", sa.DateTime(timezone=True)))
    roles = sa.table("task_roles", sa.column("task_id"), *map(sa.column, COPIED))
    tasks = sa.table("human_tasks", sa.column("id"), *map(sa.column, COPIED))
    copied = {
        column: sa.select(tasks.c[column]).where(tasks.c.id == roles.c.task_id).scalar_subquery()
        for column in COPIED
    }
    op.execute(roles.update().values(copied))
    with op.batch_alter_table("task_roles", schema=None) as batch_op:
        for column in NOT_NULL:
            batch_op.alter_column(column, existing_type=_type(column), nullable=False)
        batch_op.drop_index("ix_task_roles_role_letter_task_id")
        batch_op.create_index("ix_task_roles_inbox", INBOX_INDEX, unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_human_tasks_open_by_key")
    with op.batch_alter_table("human_tasks", schema=None) as batch_op:
        for name in ("ix_human_tasks_open_by_due", "ix_human_tasks_open_by_age"):
            batch_op.drop_index(name, postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))


def downgrade() -> None:
    with op.batch_alter_table("human_tasks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_human_tasks_open_by_age",
            ["created_at", "id"],
            unique=False,
            postgresql_where=sa.text(OPEN),
            sqlite_where=sa.text(OPEN),
        )
        batch_op.create_index(
            "ix_human_tasks_open_by_due",
            ["due_at", "created_at", "id"],
            unique=False,
            postgresql_where=sa.text(OPEN),
            sqlite_where=sa.text(OPEN),
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_human_tasks_open_by_key ON human_tasks"
            f" (lower(business_key) text_pattern_ops) WHERE {OPEN}"
        )
    with op.batch_alter_table("task_roles", schema=None) as batch_op:
        batch_op.drop_index("ix_task_roles_inbox")
        batch_op.create_index(
            "ix_task_roles_role_letter_task_id", ["role", "letter", "task_id"], unique=False
        )
        for column in reversed(COPIED):
            batch_op.drop_column(column)


def _type(column: str) -> sa.types.TypeEngine:
    if column == "created_at":
        return sa.DateTime(timezone=True)
    return sa.String(length=20 if column == "status" else 200)
