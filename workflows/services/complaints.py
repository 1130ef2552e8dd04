"""Services of the customer complaint process (bpmn/complaint.bpmn).

They keep crm_complaints in step with the process: registered (open), maybe
escalated, accepted or rejected, closed; and issue the credit note of a
confirmed invoice difference.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select, update

from engine import ServiceContext, ServiceRegistry
from engine.directory_store import DirectoryRepository

from .. import complaint_rules as rules
from ..customers import get_customer
from ..tables import complaints, credit_notes

# The complaint's fields whose changes are put on the audit trail.
TRAILED = {"status", "resolution", "credit_note_amount"}


def register(registry: ServiceRegistry) -> None:
    """Register this area's services."""
    registry.register("load_complaint_customer")(load_complaint_customer)
    registry.register("register_complaint")(register_complaint)
    registry.register("escalate_complaint")(escalate_complaint)
    registry.register("record_complaint_resolution")(record_complaint_resolution)
    registry.register("issue_complaint_credit_note")(issue_complaint_credit_note)
    registry.register("close_complaint")(close_complaint)
    registry.on_cancel("complaint")(withdraw_complaint)


def load_complaint_customer(ctx: ServiceContext, customer_id: int) -> dict[str, Any]:
    """Return who complains: what the route decision and the handlers need to see."""
    customer = get_customer(ctx.session, int(customer_id))
    fields = ("code", "name", "segment", "status", "bd", "phone", "purchasing_manager")
    return {field: customer[field] for field in fields}


def register_complaint(
    ctx: ServiceContext,
    customer_id: int,
    kind: str,
    description: str,
    invoice_number: str | None,
    claimed_amount: float | None,
    route: str,
    sla: str,
) -> dict[str, Any]:
    """Insert the complaint (status open) and return its id and when its SLA runs out."""
    _check_opener(ctx)
    if kind not in rules.KINDS:
        raise ValueError(f"unknown kind of complaint {kind!r}")
    if route not in rules.ROUTES:
        raise ValueError(f"the route table names an unknown route {route!r}")
    if route == "finance_check" and claimed_amount is None:
        raise ValueError(f"the route table sends a {kind} complaint, with no amount, to finance")
    due = ctx.now + rules.parse_sla(sla)  # checked before the boundary timer needs it
    inserted = ctx.session.execute(
        insert(complaints).values(
            customer_id=int(customer_id),
            kind=kind,
            description=description,
            status="open",
            invoice_number=invoice_number,
            claimed_amount=_money(claimed_amount),
            opened_by=ctx.actor,
            opened_at=ctx.now,
            instance_id=ctx.instance_id,
        )
    )
    complaint_id = inserted.inserted_primary_key[0]
    ctx.record_change("complaint", complaint_id, "status", None, "open", reason="registered")
    return {
        "id": complaint_id,
        "opened_by": ctx.actor,
        "sla_due": due.isoformat(),
        "credited_on_invoice": _credited_on(ctx, int(customer_id), invoice_number),
    }


def _credited_on(ctx: ServiceContext, customer_id: int, invoice_number: str | None) -> float:
    """What the customer's earlier complaints on this invoice were credited: the sign-off
    level is judged on it with the new claim, so a claim split in two stays at its level."""
    if not invoice_number or not invoice_number.strip():
        return 0.0
    total = ctx.session.scalar(
        select(func.coalesce(func.sum(credit_notes.c.amount), 0))
        .select_from(credit_notes.join(complaints, credit_notes.c.complaint_id == complaints.c.id))
        .where(
            complaints.c.customer_id == customer_id,
            func.upper(func.trim(complaints.c.invoice_number)) == invoice_number.strip().upper(),
        )
    )
    return float(total or 0)


def escalate_complaint(ctx: ServiceContext, complaint_id: int) -> dict[str, Any]:
    """Mark an open complaint escalated: its SLA passed before it was handled."""
    status = _complaint(ctx, complaint_id)["status"]
    if status == "open":  # only unresolved work is overdue; a resolved complaint keeps its status
        status = "escalated"
        _update(ctx, complaint_id, status=status)
    return {"status": status, "escalated_at": ctx.now.isoformat()}


def record_complaint_resolution(
    ctx: ServiceContext, complaint_id: int, outcome: str, resolution: str
) -> dict[str, Any]:
    """Store the handler's verdict: status accepted or rejected, and the resolution text."""
    complaint = _complaint(ctx, complaint_id)
    if complaint["status"] not in ("open", "escalated"):
        raise ValueError(f"complaint {complaint_id} is {complaint['status']}, not open")
    text = rules.resolution_text(outcome, resolution)
    _update(ctx, complaint_id, status=outcome, resolution=text)
    return {"status": outcome, "resolution": text}


def issue_complaint_credit_note(
    ctx: ServiceContext, complaint_id: int, amount: float
) -> dict[str, Any]:
    """Issue the credit note of a confirmed invoice difference, numbered CN-<year>-<seq>.

    `ctx.actor` is whoever signed the check off, so they are the issuer.
    """
    complaint = _complaint(ctx, complaint_id)
    if (complaint["kind"], complaint["status"]) != ("invoice_difference", "accepted"):
        raise ValueError(
            f"complaint {complaint_id} is a {complaint['status']} {complaint['kind']};"
            " only a confirmed invoice difference is credited"
        )
    claimed = complaint["claimed_amount"]
    rules.check_credit(float(amount), None if claimed is None else float(claimed))
    already = ctx.session.scalar(
        select(credit_notes.c.number).where(credit_notes.c.complaint_id == complaint_id)
    )
    if already is not None:
        raise ValueError(f"complaint {complaint_id} was already credited by {already}")
    number = _next_number(ctx)
    ctx.session.execute(
        insert(credit_notes).values(
            number=number,
            customer_id=complaint["customer_id"],
            complaint_id=complaint_id,
            amount=_money(amount),
            issued_at=ctx.now,
            issued_by=ctx.actor,
        )
    )
    _update(ctx, complaint_id, credit_note_amount=_money(amount))
    reason = "confirmed invoice difference"
    ctx.record_change("credit_note", number, "amount", None, _money(amount), reason=reason)
    return {
        "credit_note_number": number,
        "amount": round(float(amount), 2),
        "issued_by": ctx.actor,
    }


def close_complaint(
    ctx: ServiceContext,
    complaint_id: int,
    channel: str,
    contacted_at: str,
    contact_person: str,
    summary: str,
) -> dict[str, Any]:
    """Record how and when the customer was told, then close the complaint."""
    complaint = _complaint(ctx, complaint_id)
    if complaint["status"] not in rules.OUTCOMES:
        raise ValueError(f"complaint {complaint_id} is {complaint['status']}: not resolved yet")
    told_at = datetime.fromisoformat(contacted_at)
    rules.check_contact_time(told_at, complaint["opened_at"], ctx.now)
    contact = rules.contact_text(channel, told_at, contact_person, summary, ctx.actor)
    _update(ctx, complaint_id, customer_contact=contact, status="closed", closed_at=ctx.now)
    return {"status": "closed", "closed_at": ctx.now.isoformat(), "customer_contact": contact}


def withdraw_complaint(ctx: ServiceContext, data: dict[str, Any], reason: str) -> dict[str, Any]:
    """Its process was cancelled: a complaint still unresolved is withdrawn (and closed)."""
    open_ones = ctx.session.scalars(
        select(complaints.c.id).where(
            complaints.c.instance_id == ctx.instance_id,
            complaints.c.status.in_(("open", "escalated")),
        )
    ).all()
    for complaint_id in open_ones:
        _update(
            ctx,
            complaint_id,
            status="withdrawn",
            closed_at=ctx.now,
            resolution=reason,
        )
    return {"withdrawn": len(open_ones)}


def _check_opener(ctx: ServiceContext) -> None:
    # The engine lets anyone start a process; complaints are taken by the customer-facing roles.
    directory = DirectoryRepository(ctx.session).load()
    if directory.acting_as(ctx.actor, rules.OPENER_ROLES, ctx.now.date()) is None:
        raise PermissionError(
            f"{ctx.actor} may not open a complaint ({', '.join(rules.OPENER_ROLES)} may)"
        )


def _complaint(ctx: ServiceContext, complaint_id: int) -> dict[str, Any]:
    row = (
        ctx.session.execute(select(complaints).where(complaints.c.id == int(complaint_id)))
        .mappings()
        .first()
    )
    if row is None:
        raise LookupError(f"complaint {complaint_id} does not exist")
    return dict(row)


def _update(ctx: ServiceContext, complaint_id: int, **values: Any) -> None:
    """Change the complaint; its status, resolution and credit are on the audit trail."""
    before = _complaint(ctx, complaint_id)
    ctx.session.execute(
        update(complaints).where(complaints.c.id == int(complaint_id)).values(**values)
    )
    for column in TRAILED & values.keys():
        ctx.record_change("complaint", complaint_id, column, before[column], values[column])


def _next_number(ctx: ServiceContext) -> str:
    # Two credit notes issued at the same moment may pick the same number; the unique
    # constraint then fails one of them, which is left in error and can be retried.
    year = ctx.now.year
    last = ctx.session.scalar(
        select(func.max(credit_notes.c.number)).where(
            credit_notes.c.number.like(f"{rules.CREDIT_NOTE_PREFIX}-{year}-%")
        )
    )
    return rules.next_credit_note_number(year, last)


def _money(amount: float | None) -> Decimal | None:
    return None if amount is None else Decimal(str(round(float(amount), 2)))
