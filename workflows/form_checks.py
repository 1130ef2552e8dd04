"""Form checks that need the CRM records: a serial or a username must name something real.

The forms (workflows/forms) judge what was typed; these judge it against the tables, so
that a serial that does not exist is an error beside its input rather than a service task
failing after the form was accepted. The engine runs them with the form, in the
transaction that completes the task, for pages, the API and the CLI alike (web/bootstrap.py
hands it `check_for`). The services keep their own checks: a record may still change
between the work and its sign-off.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.clock import form_time
from engine.directory_store import DirectoryRepository

from . import complaint_rules
from .forms import schema_for
from .orders.records import OrderNotFound, get_order
from .tables import assets, complaints, products, warehouses

Problems = dict[str, list[str]]
Check = Callable[[Session, dict[str, Any], dict[str, Any]], Problems]
TECHNICIAN_ROLE = "technician"
_CHECKS: dict[tuple[str, str], Check] = {}


def check(process_id: str, *task_ids: str) -> Callable[[Check], Check]:
    """Register the decorated function as the record check of `task_ids` in `process_id`."""

    def decorator(function: Check) -> Check:
        for task_id in task_ids:
            _CHECKS[process_id, task_id] = function
        return function

    return decorator


def check_for(process_id: str, task_id: str) -> Check | None:
    """The record check of a task (or a start form), for the engine to run: it calls it
    with the session, the data submitted and the data the task sees."""
    return _CHECKS.get((process_id, task_id))


def _serial(value: Any) -> str | None:
    return value.strip().upper() if isinstance(value, str) and value.strip() else None


def _asset(session: Session, serial: str) -> dict[str, Any] | None:
    row = session.execute(select(assets).where(assets.c.serial == serial)).mappings().first()
    return dict(row) if row else None


@check("equipment_request", "start")
def _the_customers_asset(session: Session, data: dict[str, Any], _: dict[str, Any]) -> Problems:
    serial, customer = _serial(data.get("asset_serial")), data.get("customer_id")
    if serial is None or data.get("kind") not in ("relocation", "repair"):
        return {}
    if not isinstance(customer, int) or isinstance(customer, bool):
        return {}  # no customer to judge against: the form says so
    asset = _asset(session, serial)
    if asset is None:
        return {"asset_serial": ["there is no asset with this serial"]}
    if asset["status"] != "placed" or asset["customer_id"] != customer:
        return {"asset_serial": ["this asset is not placed at this customer"]}
    return {}


@check("equipment_request", "schedule")
def _a_technician(session: Session, data: dict[str, Any], _: dict[str, Any]) -> Problems:
    name = data.get("technician")
    if not isinstance(name, str) or not name:
        return {}
    if not DirectoryRepository(session).load().is_member(name.strip(), TECHNICIAN_ROLE):
        return {"technician": ["not an active technician"]}
    return {}


@check("equipment_request", "work")
def _the_asset_worked_on(session: Session, data: dict[str, Any], case: dict[str, Any]) -> Problems:
    serial = _serial(data.get("serial"))
    request = case.get("request") or {}
    if serial is None:
        return {}
    asset = _asset(session, serial)
    if asset is None:
        return {"serial": ["there is no asset with this serial"]}
    if request.get("kind") == "placement":
        if asset["status"] != "in_stock":
            return {"serial": ["this asset is not in stock"]}
        if request.get("asset_type") and asset["type"] != request["asset_type"]:
            return {"serial": ["this asset is of another type than the one requested"]}
    elif request.get("asset_serial") and serial != request["asset_serial"]:
        return {"serial": ["this job is about another asset: see the request"]}
    return {}


def _loaded(process_id: str, task_id: str, data: dict[str, Any]) -> dict[str, Any] | None:
    """`data` as the task's form loads it; where the form refuses some fields, the fields
    it could load (so that one submit is told of the records' mistakes beside the form's).
    None: the task has no form."""
    schema = schema_for(process_id, task_id)
    if schema is None:
        return None
    try:
        return schema.load(data)
    except ValidationError as err:
        return err.valid_data if isinstance(err.valid_data, dict) else {}


def _complaint(session: Session, case: dict[str, Any]) -> dict[str, Any] | None:
    complaint_id = (case.get("complaint") or {}).get("id")
    if not isinstance(complaint_id, int):
        return None
    row = session.execute(select(complaints).where(complaints.c.id == complaint_id))
    found = row.mappings().first()
    return dict(found) if found else None


@check("complaint", "inform_customer")
def _told_after_opening(session: Session, data: dict[str, Any], case: dict[str, Any]) -> Problems:
    """The closing service refuses a contact before the opening or in the future: say so
    beside the input, instead of the case stopping after the form was accepted."""
    loaded = _loaded("complaint", "inform_customer", data) or {}
    complaint = _complaint(session, case)
    if complaint is None or not isinstance(loaded.get("contacted_at"), str):
        return {}
    told_at = datetime.fromisoformat(loaded["contacted_at"])
    opened_at = complaint["opened_at"]
    if opened_at.tzinfo is None:  # SQLite gives the stored UTC back without its zone
        opened_at = opened_at.replace(tzinfo=UTC)
    now = form_time()
    try:
        complaint_rules.check_contact_time(told_at, opened_at, now)
    except ValueError:
        if told_at > now:
            return {"contacted_at": ["the contact time is in the future"]}
        return {"contacted_at": ["this is before the complaint was opened"]}
    return {}


@check("complaint", "check_invoice", "check_invoice_cfo")
def _credit_within_claim(session: Session, data: dict[str, Any], case: dict[str, Any]) -> Problems:
    """The credit note may not exceed what the customer claimed (its signer's level was
    chosen on the claim): said beside the amount, before the work goes to sign-off."""
    loaded = _loaded("complaint", "check_invoice", data)
    complaint = _complaint(session, case)
    if loaded is None or complaint is None or loaded.get("credit_amount") is None:
        return {}
    claimed = complaint["claimed_amount"]
    try:
        complaint_rules.check_credit(
            float(loaded["credit_amount"]), None if claimed is None else float(claimed)
        )
    except ValueError:
        return {"credit_amount": ["more than the customer claimed: credit at most the claim"]}
    return {}


@check("order_cleaning", "start")
@check("emergency_order", "start")
def _a_warehouse(session: Session, data: dict[str, Any], case: dict[str, Any]) -> Problems:
    """An unknown warehouse would stop the order right after it is taken: say it here."""
    code = _serial(data.get("warehouse_code"))
    if code is None:
        return {}
    if session.scalar(select(warehouses.c.code).where(warehouses.c.code == code)) is None:
        return {"warehouse_code": ["there is no warehouse with this code"]}
    return {}


def unknown_order_products(session: Session, data: dict[str, Any]) -> Problems:
    """The order form's lines of products the catalogue does not hold, by field: a page
    says so while the customer is still on the phone. Not a check of the engine: an
    order a terminal sends keeps its lines, and order cleaning reports the unknown
    codes to customer service (its policy's anomaly), as the process is drawn."""
    return _known_products(session, data.get("lines"), "lines")


@check("order_cleaning", "review_order")
def _a_review_that_can_work(
    session: Session, data: dict[str, Any], case: dict[str, Any]
) -> Problems:
    """Corrected lines of known products; and no confirmation of problems it cannot
    accept (an unknown or discontinued product, a blocked customer): signed, the order
    came straight back for cleaning, the supervisor's signature wasted."""
    found = _known_products(session, data.get("corrected_lines"), "corrected_lines")
    anomalies = (case.get("check") or {}).get("anomalies") or []
    if data.get("outcome") == "confirm" and any(a.get("hard") for a in anomalies):
        found["outcome"] = [
            "a confirmation cannot accept the problems marked as blocking:"
            " fix the lines or cancel the order"
        ]
    return found


def _known_products(session: Session, lines: Any, field: str) -> Problems:
    """A line of a product the catalogue does not hold cannot be stored: it was dropped
    from the order without a word. Said beside its code instead."""
    if not isinstance(lines, list):
        return {}
    codes = {
        i: _serial(line.get("product_code"))
        for i, line in enumerate(lines)
        if isinstance(line, dict)
    }
    wanted = {c for c in codes.values() if c}
    known = set(session.scalars(select(products.c.code).where(products.c.code.in_(wanted))))
    return {
        f"{field}.{i}.product_code": ["there is no product with this code"]
        for i, code in codes.items()
        if code and code not in known
    }


@check("order_release", "offer_substitutes")
def _offered_lines(_session: Session, data: dict[str, Any], case: dict[str, Any]) -> Problems:
    """A line accepted must be one offered a substitute: the service refuses any other,
    after the form, and the case stops."""
    loaded = _loaded("order_release", "offer_substitutes", data)
    if loaded is None:
        return {}
    offered = {offer.get("line_no") for offer in (case.get("stock") or {}).get("offers") or []}
    decisions = loaded.get("decisions")
    accepted = {
        d.get("line_no")
        for d in (decisions if isinstance(decisions, list) else ())
        if isinstance(d, dict) and d.get("decision") == "accept" and "line_no" in d
    }
    if accepted - offered:
        return {"decisions": ["no substitute was offered for this line number: see the offers"]}
    return {}


@check("order_release", "credit_review_controller", "credit_review_finance")
def _reserved_lines(session: Session, data: dict[str, Any], case: dict[str, Any]) -> Problems:
    """A partial release names lines the order holds reserved; another number would stop
    the case after the sign-off."""
    loaded = _loaded("order_release", "credit_review_controller", data)
    order_id = case.get("order_id")
    if (
        loaded is None
        or loaded.get("credit_decision") != "partial"
        or not isinstance(order_id, int)
    ):
        return {}
    try:
        lines = get_order(session, order_id)["lines"]
    except OrderNotFound:
        return {}
    holding = {line["line_no"] for line in lines if line["reserved"]}
    named = loaded.get("release_lines")
    if set(named if isinstance(named, list) else ()) - holding:
        return {"release_lines": ["the order holds no reserved line with this number"]}
    return {}
