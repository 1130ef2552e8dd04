"""Kept messages: a message nobody waited for when it was sent waits here until it expires.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kept_messages",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("correlation", sa.JSON, nullable=False),
        sa.Column("payload", sa.JSON),
        sa.Column("sent_by", sa.String(200), nullable=False),
        sa.Column("sender_instance", sa.String(36)),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kept_messages")),
    )
    op.create_index(
        op.f("ix_kept_messages_name_expires_at"), "kept_messages", ["name", "expires_at"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_kept_messages_name_expires_at"), "kept_messages")
    op.drop_table("kept_messages")
