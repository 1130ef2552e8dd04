"""Business changes on the audit trail: history rows point at their audit events.

crm_customer_changes gains who acted for whom, why, and its event's id; the
changes to other CRM records (stock, order lines, orders, assets, credit notes,
complaints, service requests) are shown in crm_record_changes. Both are read
models of the `data_changed` events (docs/audit.md); `raciflow audit verify`
checks them against the chains.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

EVENT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("crm_customer_changes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("on_behalf_of", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("audit_event_id", EVENT_ID, nullable=True))
    op.create_table(
        "crm_record_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=30), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("field", sa.String(length=60), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("changed_by", sa.String(length=64), nullable=False),
        sa.Column("on_behalf_of", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=True),
        sa.Column("audit_event_id", EVENT_ID, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_record_changes")),
    )
    with op.batch_alter_table("crm_record_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_crm_record_changes_entity_key"), ["entity", "key"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("crm_record_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crm_record_changes_entity_key"))
    op.drop_table("crm_record_changes")
    with op.batch_alter_table("crm_customer_changes", schema=None) as batch_op:
        batch_op.drop_column("audit_event_id")
        batch_op.drop_column("reason")
        batch_op.drop_column("on_behalf_of")
