"""Services of the equipment request process: the service request and the asset register.

Each service checks what it needs before it writes, and a refusal raises: the
engine then rolls the service's writes back and leaves the instance in error.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, insert, select, update

from engine import ServiceContext, ServiceRegistry
from engine.directory_store import DirectoryRepository

from ..customers import get_customer
from ..equipment_rules import (
    ASSET_TYPES,
    add_note,
    add_working_days,
    check_due_date,
    describe_request,
    least_loaded,
    local_today,
    sla_deadline,
)
from ..tables import assets, service_requests

OPEN = ("requested", "approved", "scheduled", "overdue")
ON_THE_JOB = ("scheduled", "overdue")
TRAILED = {"status", "technician", "due_on", "asset_serial"}  # on the audit trail
TECHNICIAN_ROLE = "technician"
DEFAULT_LOCATION = "Σημείο πώλησης"  # the point of sale, as the asset register says it


def register(registry: ServiceRegistry) -> None:
    """Register this area's services."""
    registry.register("register_equipment_request")(register_equipment_request)
    registry.register("record_equipment_decision")(record_equipment_decision)
    registry.register("propose_equipment_schedule")(propose_equipment_schedule)
    registry.register("schedule_equipment_technician")(schedule_equipment_technician)
    registry.register("mark_equipment_request_overdue")(mark_equipment_request_overdue)
    registry.register("complete_equipment_request")(complete_equipment_request)
    registry.on_cancel("equipment_request")(withdraw_equipment_request)


def register_equipment_request(
    ctx: ServiceContext,
    kind: str,
    customer_id: int,
    asset_type: str | None,
    asset_serial: str | None,
    new_location: str | None,
    description: str,
) -> dict[str, Any]:
    """Open the service request; return what the approver and the dispatcher need."""
    customer = get_customer(ctx.session, int(customer_id))
    if kind == "placement" and asset_type not in ASSET_TYPES:
        raise ValueError(f"equipment of type '{asset_type}' cannot be placed")
    if kind != "placement":
        asset = _asset(ctx, asset_serial)
        if asset["status"] != "placed" or asset["customer_id"] != customer["id"]:
            raise ValueError(f"{asset_serial} is not placed at customer {customer['id']}")
        _refuse_a_second_open_request(ctx, asset_serial)
        if kind == "relocation" and new_location == asset["location"]:
            raise ValueError(f"{asset_serial} is at {new_location} already")
        asset_type = asset["type"]
    if kind == "repair":  # a faulty asset is out of order until the technician has fixed it
        _set_asset(ctx, asset_serial, {"status": "in_repair"}, status="placed")
    summary = describe_request(kind, asset_type, asset_serial, new_location)
    request_id = ctx.session.execute(
        insert(service_requests)
        .values(
            kind=kind,
            customer_id=customer["id"],
            asset_serial=asset_serial,
            status="requested",
            requested_by=ctx.actor,
            requested_at=ctx.now,
            notes=f"{summary}: {description}",
            instance_id=ctx.instance_id,
        )
        .returning(service_requests.c.id)
    ).scalar_one()
    ctx.record_change("service_request", request_id, "status", None, "requested")
    return {
        "id": request_id,
        "kind": kind,
        "asset_type": asset_type,
        "asset_serial": asset_serial,
        "customer_name": customer["name"],
        "customer_status": customer["status"],
        "segment": customer["segment"],
        "average_order_value": customer["average_order_value"],
        "visit_frequency": customer["visit_frequency"],
        "bd": customer["bd"],
    }


def record_equipment_decision(
    ctx: ServiceContext,
    request_id: int,
    decision: str,
    reason: str,
    eligible: bool,
    eligibility_reason: str,
) -> dict[str, Any]:
    """Record trade marketing's decision beside the eligibility rule's advice."""
    if decision not in ("approve", "decline"):
        raise ValueError(f"unknown decision '{decision}'")
    request = _request(ctx, request_id, "requested")
    status = "approved" if decision == "approve" else "declined"
    advice = "eligible" if eligible else "not eligible"
    notes = add_note(request["notes"], f"Eligibility rule: {advice} ({eligibility_reason})")
    notes = add_note(notes, f"{status.capitalize()} by {ctx.actor}: {reason}")
    _set_request(ctx, request_id, {"status": status, "notes": notes})
    return {"status": status, "eligible": bool(eligible)}


def propose_equipment_schedule(
    ctx: ServiceContext, request_id: int, working_days: int
) -> dict[str, Any]:
    """Set the due date the service level gives; propose the least loaded technician."""
    _request(ctx, request_id, "requested", "approved")
    due_on = add_working_days(local_today(ctx.now), int(working_days))
    jobs = dict(
        ctx.session.execute(
            select(service_requests.c.technician, func.count())
            .where(service_requests.c.status.in_(ON_THE_JOB))
            .group_by(service_requests.c.technician)
        ).all()
    )
    technicians = DirectoryRepository(ctx.session).load().members(TECHNICIAN_ROLE)
    _set_request(ctx, request_id, {"due_on": due_on})
    return {
        "technician": least_loaded(technicians, jobs),
        "due_on": due_on.isoformat(),
        "working_days": int(working_days),
        "open_jobs": {name: jobs.get(name, 0) for name in technicians},
    }


def schedule_equipment_technician(
    ctx: ServiceContext, request_id: int, technician: str, due_on: str
) -> dict[str, Any]:
    """Give the job to a technician by a due date; return when it becomes overdue."""
    _request(ctx, request_id, "requested", "approved")
    if not DirectoryRepository(ctx.session).load().is_member(technician, TECHNICIAN_ROLE):
        raise ValueError(f"{technician} is not an active technician")
    day = check_due_date(date.fromisoformat(due_on), ctx.now)
    _set_request(ctx, request_id, {"technician": technician, "due_on": day, "status": "scheduled"})
    return {
        "technician": technician,
        "due_on": day.isoformat(),
        "sla_deadline": sla_deadline(day).isoformat(),
    }


def mark_equipment_request_overdue(ctx: ServiceContext, request_id: int) -> dict[str, Any]:
    """Flag the request as overdue (the work itself goes on)."""
    request = _request(ctx, request_id, *ON_THE_JOB)
    notes = add_note(request["notes"], f"Overdue at {ctx.now.isoformat(timespec='minutes')}")
    _set_request(ctx, request_id, {"status": "overdue", "notes": notes})
    return {
        "technician": request["technician"],
        "due_on": request["due_on"].isoformat(),
        "status": "overdue",
    }


def complete_equipment_request(
    ctx: ServiceContext,
    request_id: int,
    serial: str,
    location: str | None,
    work_notes: str,
    technician: str,
    asset_type: str | None,
    new_location: str | None,
) -> dict[str, Any]:
    """Bring the asset register up to date with the job done, and close the request."""
    request = _request(ctx, request_id, *ON_THE_JOB)
    kind, customer_id = request["kind"], request["customer_id"]
    if kind != "placement" and serial != request["asset_serial"]:
        raise ValueError(f"the request is about {request['asset_serial']}, not {serial}")
    if kind == "placement":
        asset = _asset(ctx, serial)
        if asset["status"] != "in_stock":
            raise ValueError(f"{serial} is not in stock (it is {asset['status']})")
        if asset["type"] != asset_type:
            raise ValueError(f"{serial} is a {asset['type']}, not a {asset_type}")
        changes = {
            "status": "placed",
            "customer_id": customer_id,
            "location": location or DEFAULT_LOCATION,
            "placed_on": local_today(ctx.now),
        }
        _set_asset(ctx, serial, changes, status="in_stock")
    elif kind == "relocation":
        changes = {"location": location or new_location}
        _set_asset(ctx, serial, changes, status="placed", customer_id=customer_id)
    else:
        changes = {"status": "placed", **({"location": location} if location else {})}
        _set_asset(ctx, serial, changes, status="in_repair", customer_id=customer_id)
    notes = add_note(request["notes"], f"Done by {technician}: {work_notes}")
    _set_request(
        ctx,
        request_id,
        {
            "status": "completed",
            "asset_serial": serial,
            "technician": technician,
            "completed_at": ctx.now,
            "notes": notes,
        },
    )
    return {"status": "completed", "asset_serial": serial}


def _asset(ctx: ServiceContext, serial: str | None) -> dict[str, Any]:
    row = ctx.session.execute(select(assets).where(assets.c.serial == serial)).mappings().first()
    if row is None:
        raise LookupError(f"asset {serial} does not exist")
    return dict(row)


def withdraw_equipment_request(
    ctx: ServiceContext, data: dict[str, Any], reason: str
) -> dict[str, Any]:
    """Its process was cancelled: an open service request is cancelled, and an asset taken
    out of service for the repair is back in service (the job was never done)."""
    request = (
        ctx.session.execute(
            select(service_requests).where(
                service_requests.c.instance_id == ctx.instance_id,
                service_requests.c.status.in_(OPEN),
            )
        )
        .mappings()
        .first()
    )
    if request is None:
        return {"cancelled": None}
    notes = add_note(request["notes"], f"Cancelled by {ctx.actor}: {reason}")
    _set_request(ctx, request["id"], {"status": "cancelled", "notes": notes})
    serial = request["asset_serial"]
    if request["kind"] == "repair" and _asset(ctx, serial)["status"] == "in_repair":
        _set_asset(ctx, serial, {"status": "placed"}, status="in_repair")
    return {"cancelled": request["id"]}


def _set_asset(ctx: ServiceContext, serial: str | None, values: dict, **expected: Any) -> None:
    """Change an asset only if it still is as `expected` (a concurrent job may have taken it);
    each field that moves is on the audit trail."""
    query = update(assets).where(assets.c.serial == serial)
    for column, value in expected.items():
        query = query.where(assets.c[column] == value)
    before = _asset(ctx, serial) if serial is not None else {}
    if ctx.session.execute(query.values(values)).rowcount != 1:
        wanted = ", ".join(f"{column} {value}" for column, value in expected.items())
        raise ValueError(f"asset {serial} is no longer as the request expects ({wanted})")
    for column, value in values.items():
        ctx.record_change("asset", serial, column, before[column], value)


def _refuse_a_second_open_request(ctx: ServiceContext, serial: str | None) -> None:
    found = ctx.session.scalar(
        select(service_requests.c.id).where(
            service_requests.c.asset_serial == serial, service_requests.c.status.in_(OPEN)
        )
    )
    if found is not None:
        raise ValueError(f"{serial} already has an open service request (#{found})")


def _request(ctx: ServiceContext, request_id: int, *statuses: str) -> dict[str, Any]:
    """The service request, which must be in one of `statuses` (if any are given)."""
    row = (
        ctx.session.execute(select(service_requests).where(service_requests.c.id == request_id))
        .mappings()
        .first()
    )
    if row is None:
        raise LookupError(f"service request {request_id} does not exist")
    if statuses and row["status"] not in statuses:
        raise ValueError(f"service request {request_id} is {row['status']}")
    return dict(row)


def _set_request(ctx: ServiceContext, request_id: int, values: dict[str, Any]) -> None:
    """Change the service request; who does it, by when and its status are on the trail."""
    before = _request(ctx, request_id)
    ctx.session.execute(
        update(service_requests).where(service_requests.c.id == request_id).values(values)
    )
    for column in TRAILED & values.keys():
        ctx.record_change("service_request", request_id, column, before[column], values[column])
