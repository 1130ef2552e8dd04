"""Comments and attachments on a case; a file's bytes in chunks when kept in the database.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("instance_id", sa.String(36), nullable=False),
        sa.Column("task_id", sa.String(36)),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instances.id"],
            name=op.f("fk_comments_instance_id_process_instances"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
    )
    op.create_index(op.f("ix_comments_instance_id_id"), "comments", ["instance_id", "id"])
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("instance_id", sa.String(36), nullable=False),
        sa.Column("task_id", sa.String(36)),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(100)),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("uploaded_by", sa.String(200), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("location", sa.String(300)),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instances.id"],
            name=op.f("fk_attachments_instance_id_process_instances"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
    )
    op.create_index(op.f("ix_attachments_instance_id_id"), "attachments", ["instance_id", "id"])
    op.create_table(
        "attachment_chunks",
        sa.Column("attachment_id", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.ForeignKeyConstraint(
            ["attachment_id"],
            ["attachments.id"],
            name=op.f("fk_attachment_chunks_attachment_id_attachments"),
        ),
        sa.PrimaryKeyConstraint("attachment_id", "seq", name=op.f("pk_attachment_chunks")),
    )


def downgrade() -> None:
    op.drop_table("attachment_chunks")
    op.drop_table("attachments")
    op.drop_index(op.f("ix_comments_instance_id_id"), table_name="comments")
    op.drop_table("comments")
