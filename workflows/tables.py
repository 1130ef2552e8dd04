"""The CRM domain's tables: customers, products, stock, orders, equipment, complaints.

They share the engine's database, metadata and migration history, so that a
service task's business writes commit in the same transaction as the process.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from engine.orm import UTCDateTime, metadata

from .duplicates import fold

MONEY = Numeric(12, 2)
AUDIT_EVENT_ID = BigInteger().with_variant(Integer, "sqlite")  # audit_events.id


def folded_name(context: Any) -> str:
    """A new customer's name as searches compare it (see workflows/customer_search.py)."""
    return fold(context.get_current_parameters()["name"])


customers = Table(
    "crm_customers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(20), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    # The name lower-cased without accents or punctuation, for searches done in SQL the
    # same on SQLite and PostgreSQL: set on insert here, on a rename by change_customer.
    Column("name_folded", String(400), default=folded_name),
    Column("afm", String(9), nullable=False, unique=True),  # Greek tax id
    Column("segment", String(1), nullable=False),  # A, B or C (Pareto)
    Column("status", String(20), nullable=False),  # prospect, active, blocked, inactive
    Column("visit_frequency", Integer, nullable=False),  # visits a month
    Column("average_order_value", MONEY, nullable=False),
    Column("bd", String(64)),  # the owning business developer (username)
    Column("purchasing_manager", String(200)),
    Column("payments_manager", String(200)),
    Column("phone", String(40)),
    Column("email", String(320)),
    Column("credit_limit", MONEY, nullable=False),
    Column("exposure", MONEY, nullable=False),  # open orders and unpaid invoices
    Column("overdue_balance", MONEY, nullable=False),
    Column("overdue_days", Integer, nullable=False),
    Column("payment_terms_days", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    CheckConstraint("segment IN ('A', 'B', 'C')", name="segment"),
    Index(None, "bd"),
    Index(None, "name"),
)

customer_addresses = Table(
    "crm_customer_addresses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", ForeignKey("crm_customers.id"), nullable=False),
    Column("kind", String(20), nullable=False),  # billing, delivery
    Column("street", String(200), nullable=False),
    Column("city", String(100), nullable=False),
    Column("postcode", String(10), nullable=False),
    Index(None, "customer_id"),
)

customer_contacts = Table(
    "crm_customer_contacts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", ForeignKey("crm_customers.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("role", String(100)),
    Column("phone", String(40)),
    Column("email", String(320)),
    Index(None, "customer_id"),
)

customer_changes = Table(
    "crm_customer_changes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", ForeignKey("crm_customers.id"), nullable=False),
    Column("field", String(60), nullable=False),
    Column("old_value", Text),
    Column("new_value", Text),
    Column("changed_by", String(64), nullable=False),
    Column("changed_at", UTCDateTime, nullable=False),
    Column("instance_id", String(36)),
    Column("on_behalf_of", String(64)),
    Column("reason", Text),
    Column("audit_event_id", AUDIT_EVENT_ID),  # the data_changed event this row shows
    Index(None, "customer_id"),
)

# The changes to every other CRM record (stock, orders, assets, credit notes, ...):
# a read model of the data_changed events, like crm_customer_changes (workflows/history.py).
record_changes = Table(
    "crm_record_changes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("entity", String(30), nullable=False),
    Column("key", String(80), nullable=False),
    Column("field", String(60), nullable=False),
    Column("old_value", Text),
    Column("new_value", Text),
    Column("changed_by", String(64), nullable=False),
    Column("on_behalf_of", String(64)),
    Column("reason", Text),
    Column("changed_at", UTCDateTime, nullable=False),
    Column("instance_id", String(36)),
    Column("audit_event_id", AUDIT_EVENT_ID),
    Index(None, "entity", "key"),
)

products = Table(
    "crm_products",
    metadata,
    Column("code", String(20), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("unit", String(20), nullable=False),
    Column("price", MONEY, nullable=False),
    Column("vat_rate", Numeric(4, 2), nullable=False),  # e.g. 24.00, 13.00
    Column("discontinued", Boolean, nullable=False),
)

product_substitutes = Table(
    "crm_product_substitutes",
    metadata,
    Column("product_code", ForeignKey("crm_products.code"), primary_key=True),
    Column("substitute_code", ForeignKey("crm_products.code"), primary_key=True),
    Column("rank", Integer, nullable=False),
)

warehouses = Table(
    "crm_warehouses",
    metadata,
    Column("code", String(20), primary_key=True),
    Column("name", String(200), nullable=False),
)

stock = Table(
    "crm_stock",
    metadata,
    Column("warehouse_code", ForeignKey("crm_warehouses.code"), primary_key=True),
    Column("product_code", ForeignKey("crm_products.code"), primary_key=True),
    Column("on_hand", Integer, nullable=False),
    Column("reserved", Integer, nullable=False),
    Column("allocated", Integer, nullable=False),
    CheckConstraint("on_hand >= 0 AND reserved >= 0 AND allocated >= 0", name="not_negative"),
    CheckConstraint("reserved + allocated <= on_hand", name="not_overcommitted"),
)

orders = Table(
    "crm_orders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(30), nullable=False, unique=True),
    Column("customer_id", ForeignKey("crm_customers.id"), nullable=False),
    Column("channel", String(20), nullable=False),  # hht, call_agent, phone
    Column("emergency", Boolean, nullable=False),
    # received, needs_cleaning, clean, cancelled, blocked_credit, blocked_stock,
    # on_hold, confirmed, released
    Column("status", String(20), nullable=False),
    Column("warehouse_code", ForeignKey("crm_warehouses.code"), nullable=False),
    Column("total", MONEY, nullable=False),
    Column("notes", Text),
    Column("created_by", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("instance_id", String(36)),
    Index(None, "customer_id", "created_at"),
    Index(None, "status"),
)

order_lines = Table(
    "crm_order_lines",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("order_id", ForeignKey("crm_orders.id"), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("product_code", ForeignKey("crm_products.code"), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price", MONEY, nullable=False),
    Column("discount_pct", Numeric(5, 2), nullable=False),
    Column("reserved", Integer, nullable=False),
    Column("allocated", Integer, nullable=False),
    Column("substitute_for", String(20)),  # the product this line replaced
    UniqueConstraint("order_id", "line_no"),
)

assets = Table(
    "crm_assets",
    metadata,
    Column("serial", String(40), primary_key=True),
    Column("type", String(20), nullable=False),  # cooler, freezer, dispenser
    Column("status", String(20), nullable=False),  # in_stock, placed, in_repair, retired
    Column("customer_id", ForeignKey("crm_customers.id")),
    Column("location", String(200)),
    Column("placed_on", Date),
    Index(None, "customer_id"),
)

service_requests = Table(
    "crm_service_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(20), nullable=False),  # placement, relocation, repair
    Column("customer_id", ForeignKey("crm_customers.id"), nullable=False),
    Column("asset_serial", ForeignKey("crm_assets.serial")),
    Column("status", String(20), nullable=False),
    Column("requested_by", String(64), nullable=False),
    Column("requested_at", UTCDateTime, nullable=False),
    Column("technician", String(64)),
    Column("due_on", Date),
    Column("completed_at", UTCDateTime),
    Column("notes", Text),
    Column("instance_id", String(36)),
    Index(None, "customer_id"),
)

complaints = Table(
    "crm_complaints",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", ForeignKey("crm_customers.id"), nullable=False),
    Column("kind", String(30), nullable=False),  # broken_product, bad_taste, invoice_difference
    Column("description", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("invoice_number", String(30)),
    Column("claimed_amount", MONEY),
    Column("resolution", Text),
    Column("credit_note_amount", MONEY),
    Column("customer_contact", Text),
    Column("opened_by", String(64), nullable=False),
    Column("opened_at", UTCDateTime, nullable=False),
    Column("closed_at", UTCDateTime),
    Column("instance_id", String(36)),
    Index(None, "customer_id"),
)

credit_notes = Table(
    "crm_credit_notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(30), nullable=False, unique=True),
    Column("customer_id", ForeignKey("crm_customers.id"), nullable=False),
    Column("complaint_id", ForeignKey("crm_complaints.id")),
    Column("amount", MONEY, nullable=False),
    Column("issued_at", UTCDateTime, nullable=False),
    Column("issued_by", String(64), nullable=False),
)
