"""Form checks that need the CRM records: a serial or a username must name something real.

The forms (workflows/forms) judge what was typed; these judge it against the tables, so
that a serial that does not exist is an error beside its input rather than a service task
failing after the form was accepted. The services keep their own checks (the CLI, the API
and races still reach them); these run first where a page has the records at hand.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.directory_store import DirectoryRepository

from .tables import assets

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


def problems(
    session: Session, process_id: str, task_id: str, data: dict[str, Any], case: dict[str, Any]
) -> Problems:
    """What the records say against `data` submitted to the task (case: the task's data)."""
    function = _CHECKS.get((process_id, task_id))
    return function(session, data, case) if function else {}


def _serial(value: Any) -> str | None:
    return value.strip().upper() if isinstance(value, str) and value.strip() else None


def _asset(session: Session, serial: str) -> dict[str, Any] | None:
    row = session.execute(select(assets).where(assets.c.serial == serial)).mappings().first()
    return dict(row) if row else None


@check("equipment_request", "start")
def _the_customers_asset(session: Session, data: dict[str, Any], _: dict[str, Any]) -> Problems:
    serial = _serial(data.get("asset_serial"))
    if serial is None or data.get("kind") not in ("relocation", "repair"):
        return {}
    asset = _asset(session, serial)
    if asset is None:
        return {"asset_serial": ["there is no asset with this serial"]}
    if asset["status"] != "placed" or asset["customer_id"] != data.get("customer_id"):
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
