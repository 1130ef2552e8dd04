"""Engine core schema: process versions, instances, task projection, timers, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("stream", sa.String(length=46), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=True),
        sa.Column("process_id", sa.String(length=200), nullable=True),
        sa.Column("task_id", sa.String(length=36), nullable=True),
        sa.Column("raci_role", sa.String(length=8), nullable=True),
        sa.Column("on_behalf_of", sa.String(length=200), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
        sa.UniqueConstraint("stream", "seq", name=op.f("uq_audit_events_stream_seq")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_events_action_occurred_at"),
            ["action", "occurred_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_audit_events_actor_occurred_at"), ["actor", "occurred_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_audit_events_instance_id"), ["instance_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_audit_events_occurred_at"), ["occurred_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_audit_events_process_id_occurred_at"),
            ["process_id", "occurred_at"],
            unique=False,
        )

    op.create_table(
        "audit_streams",
        sa.Column("stream", sa.String(length=46), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("stream", name=op.f("pk_audit_streams")),
    )
    op.create_table(
        "process_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=400), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("deployed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deployed_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_process_versions")),
        sa.UniqueConstraint(
            "process_id", "content_hash", name=op.f("uq_process_versions_process_id_content_hash")
        ),
        sa.UniqueConstraint(
            "process_id", "version", name=op.f("uq_process_versions_process_id_version")
        ),
    )
    op.create_table(
        "process_instances",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.String(length=200), nullable=False),
        sa.Column("business_key", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("state", sa.LargeBinary(), nullable=False),
        sa.Column("started_by", sa.String(length=200), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error_task", sa.String(length=200), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["process_versions.id"],
            name=op.f("fk_process_instances_version_id_process_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_process_instances")),
    )
    with op.batch_alter_table("process_instances", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_process_instances_business_key"), ["business_key"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_process_instances_process_id_status"),
            ["process_id", "status"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_process_instances_status_updated_at"),
            ["status", "updated_at"],
            unique=False,
        )

    op.create_table(
        "human_tasks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("process_id", sa.String(length=200), nullable=False),
        sa.Column("spec_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=400), nullable=False),
        sa.Column("lane", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("business_key", sa.String(length=200), nullable=True),
        sa.Column("assignee", sa.String(length=200), nullable=True),
        sa.Column("completed_by", sa.String(length=200), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instances.id"],
            name=op.f("fk_human_tasks_instance_id_process_instances"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_human_tasks")),
    )
    with op.batch_alter_table("human_tasks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_human_tasks_assignee_status_created_at"),
            ["assignee", "status", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_human_tasks_instance_id"), ["instance_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_human_tasks_status_due_at"), ["status", "due_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_human_tasks_status_lane_created_at"),
            ["status", "lane", "created_at"],
            unique=False,
        )

    op.create_table(
        "pending_timers",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("spec_id", sa.String(length=200), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instances.id"],
            name=op.f("fk_pending_timers_instance_id_process_instances"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_timers")),
    )
    with op.batch_alter_table("pending_timers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pending_timers_due_at"), ["due_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_pending_timers_instance_id"), ["instance_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("pending_timers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_timers_instance_id"))
        batch_op.drop_index(batch_op.f("ix_pending_timers_due_at"))

    op.drop_table("pending_timers")
    with op.batch_alter_table("human_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_human_tasks_status_lane_created_at"))
        batch_op.drop_index(batch_op.f("ix_human_tasks_status_due_at"))
        batch_op.drop_index(batch_op.f("ix_human_tasks_instance_id"))
        batch_op.drop_index(batch_op.f("ix_human_tasks_assignee_status_created_at"))

    op.drop_table("human_tasks")
    with op.batch_alter_table("process_instances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_process_instances_status_updated_at"))
        batch_op.drop_index(batch_op.f("ix_process_instances_process_id_status"))
        batch_op.drop_index(batch_op.f("ix_process_instances_business_key"))

    op.drop_table("process_instances")
    op.drop_table("process_versions")
    op.drop_table("audit_streams")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_process_id_occurred_at"))
        batch_op.drop_index(batch_op.f("ix_audit_events_occurred_at"))
        batch_op.drop_index(batch_op.f("ix_audit_events_instance_id"))
        batch_op.drop_index(batch_op.f("ix_audit_events_actor_occurred_at"))
        batch_op.drop_index(batch_op.f("ix_audit_events_action_occurred_at"))

    op.drop_table("audit_events")
