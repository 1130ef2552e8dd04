"""Analytics: when each task was first claimed, and the indexes its queries read.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("human_tasks", sa.Column("claimed_at", sa.DateTime(timezone=True)))
    # Tasks claimed before: their first claim event; taken without one: when submitted or done.
    op.execute(
        """
        UPDATE human_tasks SET claimed_at = first_claim.at
        FROM (SELECT task_id, MIN(occurred_at) AS at FROM audit_events
              WHERE action = 'claim' AND task_id IS NOT NULL GROUP BY task_id) AS first_claim
        WHERE first_claim.task_id = human_tasks.id
        """
    )
    op.execute(
        "UPDATE human_tasks SET claimed_at = COALESCE(submitted_at, completed_at)"
        " WHERE claimed_at IS NULL"
    )
    op.create_index(
        op.f("ix_human_tasks_process_id_spec_id"), "human_tasks", ["process_id", "spec_id"]
    )
    op.create_index(
        op.f("ix_process_instances_process_id_started_at"),
        "process_instances",
        ["process_id", "started_at"],
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_process_instances_process_id_started_at"), "process_instances")
    op.drop_index(op.f("ix_human_tasks_process_id_spec_id"), "human_tasks")
    # Natively on both (SQLite 3.35+): a batch copy of human_tasks would trip its foreign keys.
    op.execute("ALTER TABLE human_tasks DROP COLUMN claimed_at")
