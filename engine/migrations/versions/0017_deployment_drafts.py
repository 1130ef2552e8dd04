"""Drafts: a process owner's files on their way to a version, signed by an approver.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

WHEN = sa.DateTime(timezone=True)

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "drafts",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("process_id", sa.String(200), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("files", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Column("base_version", sa.Integer),
        sa.Column("comment", sa.Text),
        sa.Column("submitted_at", WHEN),
        sa.Column("decided_by", sa.String(200)),
        sa.Column("decided_at", WHEN),
        sa.Column("reason", sa.Text),
        sa.Column("deployed_version", sa.Integer),
        sa.PrimaryKeyConstraint("id", name="pk_drafts"),
    )
    op.create_index("ix_drafts_owner_updated_at", "drafts", ["owner", "updated_at"])
    op.create_index("ix_drafts_status", "drafts", ["status"])
    op.create_index(
        "ix_drafts_process_id_deployed_version", "drafts", ["process_id", "deployed_version"]
    )


def downgrade() -> None:
    op.drop_table("drafts")
