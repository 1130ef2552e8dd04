"""Audit verifications: the result of each full check of the hash chains.

The audit page shows the last verification (run by the worker or on demand)
instead of re-checking every chain on each view.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "audit_verifications",
        sa.Column("id", ID, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_by", sa.String(200), nullable=False),
        sa.Column("streams", sa.Integer, nullable=False),
        sa.Column("events", sa.Integer, nullable=False),
        sa.Column("problems", sa.Integer, nullable=False),
        sa.Column("first_problem", sa.Text),
        sa.Column("first_bad_event_id", sa.BigInteger),
        sa.Column("first_bad_stream", sa.String(46)),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_verifications")),
    )
    op.create_index(
        op.f("ix_audit_verifications_finished_at"), "audit_verifications", ["finished_at"]
    )


def downgrade() -> None:
    op.drop_table("audit_verifications")
