"""RACI governance: directory, task roles, sign-off columns, consultations, notifications, outbox.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=400), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=True),
        sa.Column("task_id", sa.String(length=36), nullable=True),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notifications_username_read_at_created_at"),
            ["username", "read_at", "created_at"],
            unique=False,
        )

    op.create_table(
        "roles",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_roles")),
    )
    op.create_table(
        "users",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_users")),
    )
    op.create_table(
        "deputies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deputy", sa.String(length=64), nullable=False),
        sa.Column("principal", sa.String(length=64), nullable=False),
        sa.Column("starts", sa.Date(), nullable=False),
        sa.Column("ends", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["deputy"], ["users.username"], name=op.f("fk_deputies_deputy_users")
        ),
        sa.ForeignKeyConstraint(
            ["principal"], ["users.username"], name=op.f("fk_deputies_principal_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deputies")),
    )
    with op.batch_alter_table("deputies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deputies_deputy"), ["deputy"], unique=False)

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=400), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
            name=op.f("fk_outbox_notification_id_notifications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_sent_at_attempts"), ["sent_at", "attempts"], unique=False
        )

    op.create_table(
        "role_members",
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["role"], ["roles.name"], name=op.f("fk_role_members_role_roles")),
        sa.ForeignKeyConstraint(
            ["username"], ["users.username"], name=op.f("fk_role_members_username_users")
        ),
        sa.PrimaryKeyConstraint("role", "username", name=op.f("pk_role_members")),
    )
    with op.batch_alter_table("role_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_role_members_username"), ["username"], unique=False)

    op.create_table(
        "consultations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_by", sa.String(length=200), nullable=True),
        sa.Column("answered_for", sa.String(length=200), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("overridden_by", sa.String(length=200), nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["task_id"], ["human_tasks.id"], name=op.f("fk_consultations_task_id_human_tasks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultations")),
    )
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consultations_role_answered_at"), ["role", "answered_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_consultations_task_id"), ["task_id"], unique=False)

    op.create_table(
        "task_roles",
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("letter", sa.String(length=1), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"], ["human_tasks.id"], name=op.f("fk_task_roles_task_id_human_tasks")
        ),
        sa.PrimaryKeyConstraint("task_id", "role", "letter", name=op.f("pk_task_roles")),
    )
    with op.batch_alter_table("task_roles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_task_roles_role_letter_task_id"),
            ["role", "letter", "task_id"],
            unique=False,
        )

    with op.batch_alter_table("human_tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("performer", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("performer_for", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("submitted_data", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("signoff_due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("signed_off_by", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("signed_off_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("rework_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("rejection_reason", sa.Text(), nullable=True))


def downgrade() -> None:

    with op.batch_alter_table("human_tasks", schema=None) as batch_op:
        batch_op.drop_column("rejection_reason")
        batch_op.drop_column("rework_count")
        batch_op.drop_column("signed_off_at")
        batch_op.drop_column("signed_off_by")
        batch_op.drop_column("signoff_due_at")
        batch_op.drop_column("submitted_at")
        batch_op.drop_column("submitted_data")
        batch_op.drop_column("performer_for")
        batch_op.drop_column("performer")

    with op.batch_alter_table("task_roles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_roles_role_letter_task_id"))

    op.drop_table("task_roles")
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultations_task_id"))
        batch_op.drop_index(batch_op.f("ix_consultations_role_answered_at"))

    op.drop_table("consultations")
    with op.batch_alter_table("role_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_role_members_username"))

    op.drop_table("role_members")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_sent_at_attempts"))

    op.drop_table("outbox")
    with op.batch_alter_table("deputies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deputies_deputy"))

    op.drop_table("deputies")
    op.drop_table("users")
    op.drop_table("roles")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_username_read_at_created_at"))

    op.drop_table("notifications")
