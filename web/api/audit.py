"""The audit trail: search it, export it as CSV, verify its hash chains, report compliance.

Auditors, process owners and admins only (403 for everyone else).
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from typing import Any

from flask import Response
from marshmallow import Schema, fields, validate

from engine.errors import NotFound
from engine.views import api_lists
from web.csv_cells import cell
from web.services import engine

from .auth import OVERSIGHT, api_blueprint, require_role
from .errors import documented
from .schemas import EventPage, PageArgs, text, when

bp = api_blueprint("api_audit", __name__, "The audit trail (oversight roles).")

CSV_COLUMNS = (
    "id", "stream", "seq", "occurred_at", "actor", "action", "instance_id", "process_id",
    "task_id", "raci_role", "on_behalf_of", "reason", "details",
)  # fmt: skip


class EventArgs(PageArgs):
    user = text(200, metadata={"description": "Who acted"})
    process = text(200)
    instance = text(200)
    action = text(60)
    since = when(metadata={"description": "From this time on (included)"})
    until = when(metadata={"description": "Before this time"})


class CsvArgs(EventArgs):
    limit = fields.Integer(load_default=100_000, validate=validate.Range(1, 100_000))


class SinceArgs(Schema):
    since = when()
    until = when()


class Verification(Schema):
    """One recorded check of every hash chain (and the history tables shown from them)."""

    id = fields.Integer(required=True)
    ok = fields.Boolean(required=True)
    started_at = fields.DateTime(required=True)
    finished_at = fields.DateTime(required=True)
    run_by = fields.String(required=True, metadata={"description": "A user, or `worker`"})
    streams = fields.Integer(required=True)
    events = fields.Integer(required=True)
    problems = fields.Integer(required=True, metadata={"description": "How many were found"})
    first_problem = fields.String(allow_none=True)
    first_bad_event_id = fields.Integer(allow_none=True)
    first_bad_stream = fields.String(allow_none=True)


class Act(Schema):
    user = fields.String(required=True)
    at = fields.String(required=True)
    on_behalf_of = fields.String(allow_none=True)
    note = fields.String(allow_none=True)


class Execution(Schema):
    """One run of one activity, with who did R, signed A, answered C and was told I."""

    instance_id = fields.String(required=True)
    process_id = fields.String(required=True)
    task_id = fields.String(required=True)
    activity = fields.String(required=True)
    name = fields.String(required=True)
    responsible = fields.List(fields.Nested(Act), required=True)
    accountable = fields.Nested(Act, allow_none=True)
    rejected = fields.List(fields.Nested(Act), required=True)
    consulted = fields.List(fields.Nested(Act), required=True)
    informed = fields.List(fields.Nested(Act), required=True)
    violations = fields.List(fields.Nested(Act), required=True)
    overrides = fields.List(fields.Nested(Act), required=True)


def _search(args: dict[str, Any]) -> dict[str, Any]:
    require_role(*OVERSIGHT)
    filters = {
        "actor": args.get("user"),
        "process_id": args.get("process"),
        "instance_id": args.get("instance"),
        "action": args.get("action"),
    }
    return api_lists.audit_page(
        engine().uow(),
        filters=filters,
        since=args.get("since"),
        until=args.get("until"),
        limit=args["limit"],
        offset=args["offset"],
    )


@bp.route("/audit/events")
@bp.arguments(EventArgs, location="query")
@bp.response(200, EventPage)
@documented(bp, 403)
def events(args: dict[str, Any]) -> dict[str, Any]:
    """Search the audit trail, in the order things happened."""
    return _search(args)


@bp.route("/audit/events.csv")
@bp.arguments(CsvArgs, location="query")
@bp.response(200, content_type="text/csv", description="The matching events as CSV")
@documented(bp, 403)
def events_csv(args: dict[str, Any]) -> Response:
    """Export matching audit events as CSV (up to 100,000; details as JSON text).

    Cells that a spreadsheet would run as a formula start with a quote.
    """
    found = _search(args)["items"]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for event in found:
        writer.writerow(cell(event[column]) for column in CSV_COLUMNS)
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=audit-events.csv"},
    )


@bp.get("/audit/verify")
@bp.response(200, Verification)
@documented(bp, 403, 404)
def last_verification() -> dict[str, Any]:
    """The last recorded check of the hash chains (the worker checks periodically).

    Reading it costs nothing; a full check of a large trail takes seconds (POST runs one).
    """
    require_role(*OVERSIGHT)
    record = engine().last_verification()
    if record is None:
        raise NotFound("the audit trail has not been verified yet; POST /audit/verify runs a check")
    return _verification(record)


@bp.post("/audit/verify")
@bp.response(200, Verification)
@documented(bp, 403)
def verify_now() -> dict[str, Any]:
    """Check every hash chain now and record the result (auditors and admins)."""
    user = require_role("auditor")  # as the audit page's "verify now"
    return _verification(engine().record_verification(by=user.username))


def _verification(record: Any) -> dict[str, Any]:
    return {**asdict(record), "ok": record.ok}


@bp.route("/audit/compliance/<id:process_id>")
@bp.arguments(SinceArgs, location="query")
@bp.response(200, Execution(many=True))
@documented(bp, 403, 404)
def compliance(args: dict[str, Any], process_id: str) -> list[dict[str, Any]]:
    """Report how a process's matrix was followed: each activity run with its R, A, C, I acts."""
    require_role(*OVERSIGHT)
    engine().matrix(process_id)  # NotFound (404) for a process never deployed
    executions = engine().compliance_report(
        process_id=process_id, since=args.get("since"), until=args.get("until")
    )
    return [asdict(execution) for execution in executions]
