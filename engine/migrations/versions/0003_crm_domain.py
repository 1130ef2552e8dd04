"""CRM domain: customers, products, stock, orders, equipment, complaints, credit notes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "crm_customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("afm", sa.String(length=9), nullable=False),
        sa.Column("segment", sa.String(length=1), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("visit_frequency", sa.Integer(), nullable=False),
        sa.Column("average_order_value", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("bd", sa.String(length=64), nullable=True),
        sa.Column("purchasing_manager", sa.String(length=200), nullable=True),
        sa.Column("payments_manager", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("credit_limit", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("exposure", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("overdue_balance", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("overdue_days", sa.Integer(), nullable=False),
        sa.Column("payment_terms_days", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("segment IN ('A', 'B', 'C')", name="segment"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_customers")),
        sa.UniqueConstraint("afm", name=op.f("uq_crm_customers_afm")),
        sa.UniqueConstraint("code", name=op.f("uq_crm_customers_code")),
    )
    with op.batch_alter_table("crm_customers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_crm_customers_bd"), ["bd"], unique=False)
        batch_op.create_index(batch_op.f("ix_crm_customers_name"), ["name"], unique=False)

    op.create_table(
        "crm_products",
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("price", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("vat_rate", sa.Numeric(precision=4, scale=2), nullable=False),
        sa.Column("discontinued", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_crm_products")),
    )
    op.create_table(
        "crm_warehouses",
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_crm_warehouses")),
    )
    op.create_table(
        "crm_assets",
        sa.Column("serial", sa.String(length=40), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("placed_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["crm_customers.id"],
            name=op.f("fk_crm_assets_customer_id_crm_customers"),
        ),
        sa.PrimaryKeyConstraint("serial", name=op.f("pk_crm_assets")),
    )
    with op.batch_alter_table("crm_assets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_crm_assets_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "crm_complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("invoice_number", sa.String(length=30), nullable=True),
        sa.Column("claimed_amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("credit_note_amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("customer_contact", sa.Text(), nullable=True),
        sa.Column("opened_by", sa.String(length=64), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("instance_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["crm_customers.id"],
            name=op.f("fk_crm_complaints_customer_id_crm_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_complaints")),
    )
    with op.batch_alter_table("crm_complaints", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_crm_complaints_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "crm_customer_addresses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("street", sa.String(length=200), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("postcode", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["crm_customers.id"],
            name=op.f("fk_crm_customer_addresses_customer_id_crm_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_customer_addresses")),
    )
    with op.batch_alter_table("crm_customer_addresses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_crm_customer_addresses_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "crm_customer_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=60), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("changed_by", sa.String(length=64), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["crm_customers.id"],
            name=op.f("fk_crm_customer_changes_customer_id_crm_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_customer_changes")),
    )
    with op.batch_alter_table("crm_customer_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_crm_customer_changes_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "crm_customer_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=100), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["crm_customers.id"],
            name=op.f("fk_crm_customer_contacts_customer_id_crm_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_customer_contacts")),
    )
    with op.batch_alter_table("crm_customer_contacts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_crm_customer_contacts_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "crm_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=30), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("emergency", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("warehouse_code", sa.String(length=20), nullable=False),
        sa.Column("total", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["crm_customers.id"],
            name=op.f("fk_crm_orders_customer_id_crm_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_code"],
            ["crm_warehouses.code"],
            name=op.f("fk_crm_orders_warehouse_code_crm_warehouses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_orders")),
        sa.UniqueConstraint("number", name=op.f("uq_crm_orders_number")),
    )
    with op.batch_alter_table("crm_orders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_crm_orders_customer_id_created_at"),
            ["customer_id", "created_at"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_crm_orders_status"), ["status"], unique=False)

    op.create_table(
        "crm_product_substitutes",
        sa.Column("product_code", sa.String(length=20), nullable=False),
        sa.Column("substitute_code", sa.String(length=20), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_code"],
            ["crm_products.code"],
            name=op.f("fk_crm_product_substitutes_product_code_crm_products"),
        ),
        sa.ForeignKeyConstraint(
            ["substitute_code"],
            ["crm_products.code"],
            name=op.f("fk_crm_product_substitutes_substitute_code_crm_products"),
        ),
        sa.PrimaryKeyConstraint(
            "product_code", "substitute_code", name=op.f("pk_crm_product_substitutes")
        ),
    )
    op.create_table(
        "crm_stock",
        sa.Column("warehouse_code", sa.String(length=20), nullable=False),
        sa.Column("product_code", sa.String(length=20), nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.Column("allocated", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "on_hand >= 0 AND reserved >= 0 AND allocated >= 0", name="not_negative"
        ),
        sa.CheckConstraint("reserved + allocated <= on_hand", name="not_overcommitted"),
        sa.ForeignKeyConstraint(
            ["product_code"],
            ["crm_products.code"],
            name=op.f("fk_crm_stock_product_code_crm_products"),
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_code"],
            ["crm_warehouses.code"],
            name=op.f("fk_crm_stock_warehouse_code_crm_warehouses"),
        ),
        sa.PrimaryKeyConstraint("warehouse_code", "product_code", name=op.f("pk_crm_stock")),
    )
    op.create_table(
        "crm_credit_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=30), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["crm_complaints.id"],
            name=op.f("fk_crm_credit_notes_complaint_id_crm_complaints"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["crm_customers.id"],
            name=op.f("fk_crm_credit_notes_customer_id_crm_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_credit_notes")),
        sa.UniqueConstraint("number", name=op.f("uq_crm_credit_notes_number")),
    )
    op.create_table(
        "crm_order_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("product_code", sa.String(length=20), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("discount_pct", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.Column("allocated", sa.Integer(), nullable=False),
        sa.Column("substitute_for", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["crm_orders.id"], name=op.f("fk_crm_order_lines_order_id_crm_orders")
        ),
        sa.ForeignKeyConstraint(
            ["product_code"],
            ["crm_products.code"],
            name=op.f("fk_crm_order_lines_product_code_crm_products"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_order_lines")),
        sa.UniqueConstraint(
            "order_id", "line_no", name=op.f("uq_crm_order_lines_order_id_line_no")
        ),
    )
    op.create_table(
        "crm_service_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("asset_serial", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("technician", sa.String(length=64), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("instance_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["asset_serial"],
            ["crm_assets.serial"],
            name=op.f("fk_crm_service_requests_asset_serial_crm_assets"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["crm_customers.id"],
            name=op.f("fk_crm_service_requests_customer_id_crm_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_service_requests")),
    )
    with op.batch_alter_table("crm_service_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_crm_service_requests_customer_id"), ["customer_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("crm_service_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crm_service_requests_customer_id"))

    op.drop_table("crm_service_requests")
    op.drop_table("crm_order_lines")
    op.drop_table("crm_credit_notes")
    op.drop_table("crm_stock")
    op.drop_table("crm_product_substitutes")
    with op.batch_alter_table("crm_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crm_orders_status"))
        batch_op.drop_index(batch_op.f("ix_crm_orders_customer_id_created_at"))

    op.drop_table("crm_orders")
    with op.batch_alter_table("crm_customer_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crm_customer_contacts_customer_id"))

    op.drop_table("crm_customer_contacts")
    with op.batch_alter_table("crm_customer_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crm_customer_changes_customer_id"))

    op.drop_table("crm_customer_changes")
    with op.batch_alter_table("crm_customer_addresses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crm_customer_addresses_customer_id"))

    op.drop_table("crm_customer_addresses")
    with op.batch_alter_table("crm_complaints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crm_complaints_customer_id"))

    op.drop_table("crm_complaints")
    with op.batch_alter_table("crm_assets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crm_assets_customer_id"))

    op.drop_table("crm_assets")
    op.drop_table("crm_warehouses")
    op.drop_table("crm_products")
    with op.batch_alter_table("crm_customers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crm_customers_name"))
        batch_op.drop_index(batch_op.f("ix_crm_customers_bd"))

    op.drop_table("crm_customers")
