"""The audit explorer: search and export the trail, check its chains, the compliance report.

Every page is for auditors, process owners and admins only (403 for anyone else):
the trail shows every user's acts and every instance's data.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import current_user
from wtforms import BooleanField, StringField
from wtforms.validators import Length, Optional

from engine import views
from engine.views import oversight
from raci import report
from raci.messages import from_said

from .action_labels import action_words
from .auth import roles_required
from .csv_cells import cell
from .customer_card import match_customers
from .display import file_stamp, local_time, person, process_name
from .i18n import render
from .instances import OVERSEERS, PeriodForm, pager, people_called
from .query_args import page_number
from .services import engine

bp = Blueprint("audit", __name__, url_prefix="/audit")
PAGE_SIZE = 50
EXPORT_LIMIT = 100_000  # events per CSV file; narrow the search for more
CUSTOMER_MATCHES = 50  # customers one search may cover; narrow the name for more
EVENT_COLUMNS = (
    "id", "occurred_at", "stream", "seq", "actor", "on_behalf_of", "raci_role", "action",
    "process_id", "instance_id", "task_id", "reason", "details",
)  # fmt: skip
# After the stored fields, the same event as the pages word it, headed in the reader's
# language: the codes are for a program re-checking the trail, the words for a person.
WORDED_HEADER = (
    lazy_gettext("when"), lazy_gettext("who"), lazy_gettext("on behalf of"),
    lazy_gettext("what"), lazy_gettext("process"),
)  # fmt: skip


class AuditFilters(PeriodForm):
    user = StringField(validators=[Optional(), Length(max=200)])
    process_id = StringField(name="process", validators=[Optional(), Length(max=200)])
    instance = StringField(validators=[Optional(), Length(max=64)])  # a prefix will do
    customer = StringField(validators=[Optional(), Length(max=200)])  # code or name
    action = StringField(validators=[Optional(), Length(max=60)])
    notices = BooleanField()  # the notices (RACI I) too; the case file folds them instead

    def customers(self) -> list[dict[str, Any]]:
        """The customers the customer filter matches (any case, with or without accents)."""
        text = (self.customer.data or "").strip()
        return match_customers(engine().uow(), text, limit=CUSTOMER_MATCHES) if text else []

    def query(self, customers: list[dict[str, Any]] | None = None) -> oversight.AuditQuery:
        since, until = self.bounds()
        keys = None
        if (self.customer.data or "").strip():
            keys = tuple(c["code"] for c in (customers or []))
        return oversight.AuditQuery(
            users=people_called(self.user.data),
            process_id=self.process_id.data or None,
            instance_id=(self.instance.data or "").strip().lower() or None,
            action=self.action.data or None,
            business_keys=keys,
            without_actions=() if self.notices.data or self.action.data else ("notified",),
            since=since,
            until=until,
        )


class ComplianceFilters(PeriodForm):
    process_id = StringField(name="process", validators=[Optional(), Length(max=200)])


@bp.get("/")
@roles_required(*OVERSEERS)
def index() -> str:
    filters = AuditFilters(request.args)
    found: dict[str, Any] = {"items": [], "total": 0}
    customers: list[dict[str, Any]] = []
    page = page_number()
    if filters.validate():
        customers = filters.customers()
        offset = (page - 1) * PAGE_SIZE
        found = oversight.audit_search(
            engine().uow(), filters.query(customers), limit=PAGE_SIZE, offset=offset
        )
    return render_template(
        "audit/index.html",
        filters=filters,
        events=found["items"],
        cases=oversight.case_labels(
            engine().uow(), {e["instance_id"] for e in found["items"] if e["instance_id"]}
        ),
        pages=pager(found["total"], page, PAGE_SIZE),
        processes=_processes(),
        actions=oversight.audit_actions(engine().uow()),
        verification=engine().last_verification(),  # recorded: a full check takes seconds
        describe_problem=describe_problem,
        customers=customers,
        export_limit=EXPORT_LIMIT,
    )


# What a problem found by verification means (engine/audit.py words them in English).
_PROBLEMS = (
    ("does not match its hash", lazy_gettext("its content does not match its hash: edited")),
    ("not valid JSON", lazy_gettext("its details are not valid JSON: edited")),
    ("no valid seq", lazy_gettext("its position in the chain is not a number: edited")),
    ("does not link", lazy_gettext("it does not link to the event before it")),
    ("missing before it", lazy_gettext("an event before it is missing: deleted")),
    ("duplicated or inserted", lazy_gettext("it was duplicated or inserted")),
    ("head records", lazy_gettext("the chain does not end where its head says: cut off")),
    ("no head", lazy_gettext("events exist for a chain with no head")),
)


def describe_problem(problem: str | None) -> str:
    """The first problem of a verification, in the reader's language."""
    for marker, meaning in _PROBLEMS:
        if problem and marker in problem:
            return str(meaning)
    return problem or ""


@bp.post("/verify")
@roles_required("auditor")  # and admins
def verify() -> Response:
    """Check every chain now and record the result (the worker also does, periodically)."""
    record = engine().record_verification(by=current_user.username)
    if record.ok:
        flash(_("Verified: the trail is intact (%(events)s events).", events=record.events), "ok")
    else:
        flash(_("Verified: the trail has been tampered with."), "error")
    return redirect(url_for(".index"))


@bp.get("/events.csv")
@roles_required(*OVERSEERS)
def events_csv() -> Response:
    filters = AuditFilters(request.args)
    if not filters.validate():  # the search page shows what is wrong
        return redirect(url_for(".index", **request.args.to_dict()))
    found = oversight.audit_search(
        engine().uow(), filters.query(filters.customers()), limit=EXPORT_LIMIT, newest_first=False
    )
    rows = ([event[c] for c in EVENT_COLUMNS] + _worded(event) for event in found["items"])
    header = [*EVENT_COLUMNS, *map(str, WORDED_HEADER)]
    return csv_response("audit-events", header, rows)


def _worded(event: dict[str, Any]) -> list[str]:
    """An event's when, who, for whom, what and process, as the search page shows them."""
    return [
        local_time(event["occurred_at"]),
        person(event["actor"]),
        person(event["on_behalf_of"]) if event["on_behalf_of"] else "",
        " ".join([action_words(event["action"]), *_concerning(event["details"])]),
        process_name(event["process_id"]) if event["process_id"] else "",
    ]


def _concerning(details: Any) -> list[str]:
    """Whom an act concerns, as the search page names them beside it: the user a change
    was made to, a deputy and whom they stand in for, a notice's recipient."""
    if not isinstance(details, dict):
        return []
    named = []
    for key in ("user", "recipient"):
        if isinstance(details.get(key), str):
            named.append(person(details[key]))
    deputy, principal = details.get("deputy"), details.get("principal")
    if isinstance(deputy, str) and isinstance(principal, str):
        named.append(
            _("%(deputy)s for %(principal)s", deputy=person(deputy), principal=person(principal))
        )
    return named


@bp.get("/compliance")
@roles_required(*OVERSEERS)
def compliance() -> str:
    filters, executions = _compliance(request.args)
    return render_template(
        "audit/compliance.html", filters=filters, executions=executions, processes=_processes()
    )


@bp.get("/compliance.csv")
@roles_required(*OVERSEERS)
def compliance_csv() -> Response:
    filters, executions = _compliance(request.args)
    if executions is None:
        return redirect(url_for(".compliance", **request.args.to_dict()))
    rows = ([_flat(getattr(e, column)) for column in report.COLUMNS] for e in executions)
    return csv_response(f"compliance-{filters.process_id.data}", report.COLUMNS, rows)


def _compliance(args: Any) -> tuple[ComplianceFilters, list[report.Execution] | None]:
    """The filters, and the report once a process is chosen (None until then)."""
    filters = ComplianceFilters(args)
    if not filters.validate() or not filters.process_id.data:
        return filters, None
    since, until = filters.bounds()
    executions = engine().compliance_report(
        process_id=filters.process_id.data, since=since, until=until
    )
    return filters, executions


def csv_response(name: str, header: Iterable[str], rows: Iterable[list[Any]]) -> Response:
    """A CSV download: UTF-8 with a BOM so that Excel reads Greek; formula-safe cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([cell(value) for value in row] for row in rows)
    stamp = file_stamp()
    name = re.sub(r"[^\w.-]", "_", name, flags=re.ASCII)
    return Response(
        "\ufeff" + buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}-{stamp}.csv"'},
    )


def _flat(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return "" if value is None else str(value)


def _processes() -> list[str]:
    return sorted({v["process_id"] for v in views.process_versions(engine().uow())})


@bp.app_template_filter("act_note")
def act_note(act: report.Act) -> str | None:
    """What the compliance report says of an act, in the reader's language: a refusal by
    its kept message, a self-approval in words, anything else as written."""
    said = from_said({"said": act.said}) if act.said else None
    if said is not None:
        return render(said)
    if act.note == "self-approval":
        return _("self approval")
    return act.note
