"""Case files for auditors: an instance's, or a customer's, as a page, a CSV and a PDF.

For auditors, process owners and admins only (403 for anyone else), like the audit
explorer. The lines are web/case_file.py's; the PDF is web/case_pdf.py's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from babel.dates import get_timezone_name
from flask import Blueprint, Response, abort, render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from engine import views
from engine.audit import Problem, Verification
from engine.views import casefile

from . import case_file, case_pdf, display
from .audit_views import csv_response, describe_problem
from .auth import roles_required
from .customer_card import customer_by_code, customer_changes
from .i18n import semicolon
from .instances import OVERSEERS
from .services import engine

bp = Blueprint("cases", __name__, url_prefix="/audit")
CSV_COLUMNS = (
    "when", "who", "on_behalf_of", "raci_role", "action", "what", "task", "process",
    "instance_id", "details", "changes", "why", "meaning", "notified",
)  # fmt: skip
# The header row people read, in their language (the columns' order is CSV_COLUMNS').
CSV_HEADER = {
    "when": _l("when"), "who": _l("who"), "on_behalf_of": _l("on behalf of"),
    "raci_role": _l("RACI role"), "action": _l("action"), "what": _l("what"),
    "task": _l("task"), "process": _l("process"), "instance_id": _l("instance"),
    "details": _l("details"), "changes": _l("changes"), "why": _l("why"),
    "meaning": _l("meaning"), "notified": _l("notified"),
}  # fmt: skip


@dataclass
class Case:
    """A case file ready to show: its title, what it covers, its lines."""

    title: str
    name: str  # for file names
    header: list[str]
    instances: list[dict[str, Any]]
    entries: list[case_file.Entry]
    intact: bool = True  # its audit chains, checked as the file was made


@bp.get("/instances/<instance_id>/case")
@roles_required(*OVERSEERS)
def instance_case(instance_id: str) -> str:
    return _page(_instance(instance_id), "instance", instance_id)


@bp.get("/instances/<instance_id>/case.csv")
@roles_required(*OVERSEERS)
def instance_case_csv(instance_id: str) -> Response:
    return _csv(_instance(instance_id))


@bp.get("/instances/<instance_id>/case.pdf")
@roles_required(*OVERSEERS)
def instance_case_pdf(instance_id: str) -> Response:
    return _pdf(_instance(instance_id))


@bp.get("/customers/<code>/case")
@roles_required(*OVERSEERS)
def customer_case(code: str) -> str:
    return _page(_customer(code), "customer", code)


@bp.get("/customers/<code>/case.csv")
@roles_required(*OVERSEERS)
def customer_case_csv(code: str) -> Response:
    return _csv(_customer(code))


@bp.get("/customers/<code>/case.pdf")
@roles_required(*OVERSEERS)
def customer_case_pdf(code: str) -> Response:
    return _pdf(_customer(code))


def _instance(instance_id: str) -> Case:
    instance = views.instance(engine().uow(), instance_id)  # NotFound: 404
    records = casefile.case_records(engine().uow(), [instance_id])
    checked = engine().verify_cases([instance_id])
    process = _(records["processes"].get(instance["process_id"], instance["process_id"]))
    subject = f"{process} {instance['business_key'] or ''}".strip()
    return Case(
        title=_("Case file: %(subject)s", subject=subject),
        name=f"case-{instance_id[:8]}",
        header=_header([_("Instance %(id)s", id=instance_id)], checked),
        instances=records["instances"],
        entries=case_file.build(records),
        intact=checked.ok,
    )


def _customer(code: str) -> Case:
    customer = customer_by_code(engine().uow(), code)
    if customer is None:
        abort(404)
    ids = casefile.instances_of(engine().uow(), [code])
    records = casefile.case_records(engine().uow(), ids)
    checked = engine().verify_cases(ids)
    changes = customer_changes(engine().uow(), customer["id"])
    subject = f"{customer['name']} ({customer['code']})"
    return Case(
        title=_("Case file: %(subject)s", subject=subject),
        name=f"case-{code}",
        header=_header([_("Customer %(subject)s", subject=subject)], checked),
        instances=records["instances"],
        entries=case_file.build(records, changes),
        intact=checked.ok,
    )


def _header(lines: list[str], checked: Verification) -> list[str]:
    zone = get_timezone_name(display.zone(), locale=str(get_locale() or "en"))
    made = f"{display.local_time(datetime.now(UTC))} ({zone})"
    return [
        *([_integrity(checked)] if not checked.ok else []),
        *lines,
        _("Made %(when)s by %(user)s.", when=made, user=current_user.name),
        *([_integrity(checked)] if checked.ok else []),
    ]


def _integrity(checked: Verification) -> str:
    """What the check of the file's own audit chains found, as it was made: a reader of
    the page or the PDF learns whether what it shows is what was recorded."""
    if checked.ok:
        return _(
            "Its audit trail was checked as this file was made: %(events)s events, intact.",
            events=checked.events,
        )
    return _(
        "WARNING: its audit trail does not hold (%(problem)s): what this file shows may"
        " have been changed since it was recorded.",
        problem=_where(checked.first_problem),
    )


def _where(problem: Problem | None) -> str:
    """The first bad event, in the reader's language: which event, and what was found."""
    if problem is None:
        return ""
    said = describe_problem(problem.message)
    return f"#{problem.seq}: {said}" if problem.seq is not None else said


def _page(case: Case, kind: str, key: str) -> str:
    return render_template(
        "audit/case.html",
        case=case,
        kind=kind,
        key=key,
        notified=case_file.notified_summary,
        changes=case_file.changes_text,
    )


def _csv(case: Case) -> Response:
    rows = (
        [
            display.local_iso(e.at), e.who, e.on_behalf_of, e.raci_role, e.action, e.what,
            e.task, e.process, e.instance_id, semicolon().join(e.facts),
            semicolon().join(case_file.changes_text(e)), e.why, e.meaning,
            semicolon().join(e.notified),
        ]
        for e in case.entries
    )  # fmt: skip
    return csv_response(case.name, [str(CSV_HEADER[c]) for c in CSV_COLUMNS], rows)


def _pdf(case: Case) -> Response:
    columns = (_("When"), _("Who"), _("What"), _("Details"))
    body = case_pdf.case_pdf(case.title, case.header, columns, case.entries)
    stamp = display.file_stamp()
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{case.name}-{stamp}.pdf"'},
    )
