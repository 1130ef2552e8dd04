"""Inbox: open tasks indexed by age; ungoverned open tasks open to anyone (role *).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("human_tasks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_human_tasks_open_by_age",
            ["created_at", "id"],
            unique=False,
            postgresql_where=sa.text("status = 'ready'"),
            sqlite_where=sa.text("status = 'ready'"),
        )
    # Open tasks of processes without a matrix become visible to everyone's inbox.
    op.execute(
        "INSERT INTO task_roles (task_id, role, letter) SELECT id, '*', 'R' FROM human_tasks"
        " WHERE status = 'ready' AND NOT EXISTS"
        " (SELECT 1 FROM task_roles WHERE task_roles.task_id = human_tasks.id)"
    )


def downgrade() -> None:
    op.execute("DELETE FROM task_roles WHERE role = '*'")
    with op.batch_alter_table("human_tasks", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_human_tasks_open_by_age",
            postgresql_where=sa.text("status = 'ready'"),
            sqlite_where=sa.text("status = 'ready'"),
        )
