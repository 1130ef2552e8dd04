"""Analytics: a process's tasks by creation time (the period's range scan), instead of
by element (every task of the process was read).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04
"""

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index(op.f("ix_human_tasks_process_id_spec_id"), "human_tasks")
    op.create_index(
        op.f("ix_human_tasks_process_id_created_at"), "human_tasks", ["process_id", "created_at"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_human_tasks_process_id_created_at"), "human_tasks")
    op.create_index(
        op.f("ix_human_tasks_process_id_spec_id"), "human_tasks", ["process_id", "spec_id"]
    )
