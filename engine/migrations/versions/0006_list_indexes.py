"""Indexes for instance lists, sign-off lists and the audit search by user.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_events_on_behalf_of_occurred_at"),
            ["on_behalf_of", "occurred_at"],
            unique=False,
        )

    with op.batch_alter_table("human_tasks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_human_tasks_performer_status"), ["performer", "status"], unique=False
        )

    with op.batch_alter_table("process_instances", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_process_instances_started_at"), ["started_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_process_instances_started_by_started_at"),
            ["started_by", "started_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("process_instances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_process_instances_started_by_started_at"))
        batch_op.drop_index(batch_op.f("ix_process_instances_started_at"))

    with op.batch_alter_table("human_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_human_tasks_performer_status"))

    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_on_behalf_of_occurred_at"))
