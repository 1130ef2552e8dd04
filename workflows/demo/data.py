"""A deterministic, realistic CRM data set: customers, products, warehouses, stock, equipment.

The same seed always gives the same data, so demos and screenshots are repeatable.
"""

from __future__ import annotations

import random
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from ..afm import complete_afm
from ..tables import (
    assets,
    customer_addresses,
    customer_contacts,
    customers,
    product_substitutes,
    products,
    stock,
    warehouses,
)

SEED = 2026
BDS = ("giorgos.bd", "eleni.bd", "nikos.bd")
WAREHOUSES = (("ATH", "Αποθήκη Αθήνας (Ασπρόπυργος)"), ("SKG", "Αποθήκη Θεσσαλονίκης (Σίνδος)"))
KINDS = (
    "Καφενείο",
    "Μίνι Μάρκετ",
    "Σούπερ Μάρκετ",
    "Περίπτερο",
    "Ταβέρνα",
    "Καφετέρια",
    "Ψητοπωλείο",
    "Κάβα",
    "Φούρνος",
    "Ξενοδοχείο",
)
SURNAMES = (
    "Παπαδόπουλος",
    "Γεωργίου",
    "Νικολάου",
    "Ιωάννου",
    "Δημητρίου",
    "Κωνσταντίνου",
    "Βασιλείου",
    "Αντωνίου",
    "Οικονόμου",
    "Μακρής",
    "Λαμπράκης",
    "Σιδέρης",
    "Αλεξίου",
    "Ζαχαρίου",
    "Καραγιάννης",
    "Πετρόπουλος",
)
FIRST_NAMES = ("Γιώργος", "Μαρία", "Νίκος", "Ελένη", "Κώστας", "Σοφία", "Δημήτρης", "Άννα")
CITIES = (
    ("Αθήνα", "104"),
    ("Πειραιάς", "185"),
    ("Θεσσαλονίκη", "546"),
    ("Πάτρα", "262"),
    ("Ηράκλειο", "712"),
    ("Λάρισα", "412"),
    ("Βόλος", "382"),
    ("Ιωάννινα", "453"),
)
STREETS = ("Ερμού", "Αθηνάς", "Πατησίων", "Εγνατίας", "Τσιμισκή", "Κορίνθου", "Ελευθερίας")
PRODUCT_LINES = (
    ("Νερό 0,5L", "κιβώτιο 24", 4.80, 13),
    ("Νερό 1,5L", "κιβώτιο 6", 2.90, 13),
    ("Πορτοκαλάδα 330ml", "κιβώτιο 24", 11.50, 24),
    ("Λεμονάδα 330ml", "κιβώτιο 24", 11.50, 24),
    ("Cola 330ml", "κιβώτιο 24", 12.90, 24),
    ("Cola Zero 330ml", "κιβώτιο 24", 12.90, 24),
    ("Σόδα 330ml", "κιβώτιο 24", 9.60, 24),
    ("Χυμός πορτοκάλι 1L", "κιβώτιο 12", 18.00, 13),
    ("Ice tea ροδάκινο 500ml", "κιβώτιο 12", 10.80, 24),
    ("Μπύρα lager 330ml", "κιβώτιο 24", 19.90, 24),
    ("Μπύρα pils 500ml", "κιβώτιο 20", 21.00, 24),
    ("Ενεργειακό ποτό 250ml", "κιβώτιο 24", 26.40, 24),
)
SIZES = ("", " (πολυσυσκευασία)", " (εποχικό)", " (promo)", " (HoReCa)")


def load_demo_data(session: Session, now: datetime) -> dict[str, int]:
    """Insert the demo data set unless customers exist already; return what was inserted."""
    if session.scalar(select(func.count()).select_from(customers)):
        return {}
    rng = random.Random(SEED)  # noqa: S311  (repeatable demo data, not secrets)
    session.execute(insert(warehouses), [{"code": c, "name": n} for c, n in WAREHOUSES])
    product_rows = _products(rng)
    session.execute(insert(products), product_rows)
    session.execute(insert(product_substitutes), _substitutes(product_rows))
    session.execute(insert(stock), _stock(rng, product_rows))
    customer_rows = _customers(rng, now)
    session.execute(insert(customers), customer_rows)
    session.execute(insert(customer_addresses), _addresses(rng, customer_rows))
    session.execute(insert(customer_contacts), _contacts(rng, customer_rows))
    asset_rows = _assets(rng, customer_rows, now)
    session.execute(insert(assets), asset_rows)
    if session.get_bind().dialect.name == "postgresql":
        # Rows were inserted with their ids: move the id sequence past them.
        session.execute(
            text("SELECT setval(pg_get_serial_sequence('crm_customers', 'id'), :last)"),
            {"last": len(customer_rows)},
        )
    return {
        "customers": len(customer_rows),
        "products": len(product_rows),
        "warehouses": len(WAREHOUSES),
        "assets": len(asset_rows),
    }


def _products(rng: random.Random) -> list[dict[str, Any]]:
    rows = []
    for index in range(60):
        name, unit, price, vat = PRODUCT_LINES[index % len(PRODUCT_LINES)]
        variant = SIZES[index // len(PRODUCT_LINES)]
        rows.append(
            {
                "code": f"P{index + 1:04d}",
                "name": name + variant,
                "unit": unit,
                "price": Decimal(str(round(price * rng.uniform(0.95, 1.1), 2))),
                "vat_rate": Decimal(vat),
                "discontinued": index % 17 == 16,  # a few, for order cleaning
            }
        )
    return rows


def _substitutes(product_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Each product's variants are substitutes for one another (same drink, other pack).
    rows = []
    for product in product_rows:
        base = int(product["code"][1:]) - 1
        siblings = [
            other["code"]
            for other in product_rows
            if (int(other["code"][1:]) - 1) % len(PRODUCT_LINES) == base % len(PRODUCT_LINES)
            and other["code"] != product["code"]
            and not other["discontinued"]
        ]
        rows.extend(
            {"product_code": product["code"], "substitute_code": code, "rank": rank}
            for rank, code in enumerate(siblings[:2], start=1)
        )
    return rows


def _stock(rng: random.Random, product_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for warehouse, _ in WAREHOUSES:
        for product in product_rows:
            scarce = rng.random() < 0.12  # some products run short, for ATP and allocation
            rows.append(
                {
                    "warehouse_code": warehouse,
                    "product_code": product["code"],
                    "on_hand": 0
                    if product["discontinued"]
                    else rng.randint(0, 12)
                    if scarce
                    else rng.randint(80, 900),
                    "reserved": 0,
                    "allocated": 0,
                }
            )
    return rows


def _customers(rng: random.Random, now: datetime) -> list[dict[str, Any]]:
    rows, afms = [], set()
    for index in range(200):
        segment = "A" if index < 40 else "B" if index < 100 else "C"  # Pareto: 20% are A
        while (afm := complete_afm(f"{rng.randint(0, 99_999_999):08d}")) in afms:
            pass
        afms.add(afm)
        limit = {"A": 30000, "B": 12000, "C": 4000}[segment] * rng.choice((0.5, 1, 1, 1.5))
        overdue = rng.random() < 0.15
        rows.append(
            {
                "id": index + 1,
                "code": f"C{index + 1:05d}",
                "name": f"{rng.choice(KINDS)} {rng.choice(SURNAMES)}",
                "afm": afm,
                "segment": segment,
                "status": "blocked" if index % 53 == 52 else "active",
                "visit_frequency": {"A": 4, "B": 2, "C": 1}[segment],
                "average_order_value": Decimal(str(round(limit * rng.uniform(0.05, 0.2), 2))),
                "bd": BDS[index % len(BDS)],
                "purchasing_manager": f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}",
                "payments_manager": f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}",
                "phone": f"21{rng.randint(0, 99_999_999):08d}",
                "email": f"orders{index + 1}@customer.example.com",
                "credit_limit": Decimal(str(round(limit, 2))),
                "exposure": Decimal(str(round(limit * rng.uniform(0.1, 0.8), 2))),
                "overdue_balance": Decimal(str(round(limit * rng.uniform(0.05, 0.3), 2)))
                if overdue
                else Decimal("0"),
                "overdue_days": rng.randint(15, 90) if overdue else 0,
                "payment_terms_days": {"A": 60, "B": 45, "C": 30}[segment],
                "created_at": now,
            }
        )
    return rows


def _addresses(rng: random.Random, customer_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for customer in customer_rows:
        city, postcode = rng.choice(CITIES)
        street = f"{rng.choice(STREETS)} {rng.randint(1, 180)}"
        for kind in ("billing", "delivery"):
            rows.append(
                {
                    "customer_id": customer["id"],
                    "kind": kind,
                    "street": street,
                    "city": city,
                    "postcode": f"{postcode}{rng.randint(10, 99)}",
                }
            )
    return rows


def _contacts(rng: random.Random, customer_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "customer_id": customer["id"],
            "name": customer["purchasing_manager"],
            "role": "Υπεύθυνος αγορών",
            "phone": f"69{rng.randint(0, 99_999_999):08d}",
            "email": None,
        }
        for customer in customer_rows
    ]


def _assets(
    rng: random.Random, customer_rows: list[dict[str, Any]], now: datetime
) -> list[dict[str, Any]]:
    rows = []
    for index in range(80):
        placed = index < 50
        customer = customer_rows[index * 3] if placed else None
        rows.append(
            {
                "serial": f"EQ-{index + 1:05d}",
                "type": ("cooler", "freezer", "dispenser")[index % 3],
                "status": "placed" if placed else "in_stock",
                "customer_id": customer["id"] if customer else None,
                "location": "Σημείο πώλησης" if placed else "Αποθήκη ATH",
                "placed_on": now.date() if placed else None,
            }
        )
    return rows
