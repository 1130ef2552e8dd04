"""A process's analytics: counts, times, Six Sigma figures and workload (issue 16).

GET /processes/{id}/analytics?since=&until=&version= answers the whole report as
JSON; GET /processes/{id}/analytics/{table}.csv one of its tables as CSV (every
table the pages show: summary, activities, throughput, control_chart, defects,
workload_roles, workload_people, sign_off_delays). Both take the same period and
the same rule (raci.visibility.may_analyse, in the engine): admins, process
owners, analysts and the process's managing A roles; 403 for anyone else.
Durations are seconds; since and until are days (UTC), both included.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from engine.analytics import tables
from engine.analytics.period import days
from engine.analytics.report import ProcessReport
from web.audit_views import csv_response
from web.services import engine

from .auth import api_blueprint, api_user
from .errors import documented

bp = api_blueprint("api_analytics", __name__, "Process analytics with Six Sigma figures.")
SECONDS = {"description": "Seconds; null when nothing was measured"}


class PeriodArgs(Schema):
    since = fields.Date(required=True, metadata={"description": "First day (UTC), included"})
    until = fields.Date(required=True, metadata={"description": "Last day (UTC), included"})
    version = fields.Integer(validate=validate.Range(1, 1_000_000), load_default=None)

    @validates_schema
    def _ordered(self, data: dict[str, Any], **_: Any) -> None:
        if data["until"] < data["since"]:
            raise ValidationError("must not be before since", "until")
        if (data["until"] - data["since"]).days > 3660:
            raise ValidationError("the period is at most ten years", "until")


def _seconds() -> fields.Float:
    return fields.Float(allow_none=True, metadata=SECONDS)


class SpreadRecord(Schema):
    median = _seconds()
    p90 = _seconds()
    count = fields.Integer(required=True)


class CountsRecord(Schema):
    started = fields.Integer(required=True)
    completed = fields.Integer(required=True)
    cancelled = fields.Integer(required=True)
    in_error = fields.Integer(required=True)
    running = fields.Integer(required=True)


class SixSigmaRecord(Schema):
    defects = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    units = fields.Integer(required=True)
    opportunities = fields.Integer(required=True)
    dpmo = fields.Float(allow_none=True)
    sigma = fields.Float(
        allow_none=True, metadata={"description": "Short-term, with the 1.5 sigma shift"}
    )
    first_pass_yield = fields.Float(allow_none=True)


class WeekRecord(Schema):
    week = fields.Date(required=True, metadata={"description": "Its Monday"})
    completed = fields.Integer(required=True)
    mean_cycle_time = _seconds()


class ChartPointRecord(Schema):
    week = fields.Date(required=True)
    value = fields.Float(required=True)
    moving_range = fields.Float(allow_none=True)
    outside = fields.Boolean(required=True)


class ControlChartRecord(Schema):
    centre = fields.Float(required=True)
    lower = fields.Float(required=True)
    upper = fields.Float(required=True)
    mr_centre = fields.Float(required=True)
    mr_upper = fields.Float(required=True)
    points = fields.List(fields.Nested(ChartPointRecord), required=True)


class ActivityRecord(Schema):
    element = fields.String(required=True)
    name = fields.String(required=True)
    tasks = fields.Integer(required=True)
    completed = fields.Integer(required=True)
    open = fields.Integer(required=True)
    waiting = fields.Nested(SpreadRecord, required=True)
    working = fields.Nested(SpreadRecord, required=True)
    sign_off = fields.Nested(SpreadRecord, required=True)
    consultation = fields.Nested(SpreadRecord, required=True)
    reworks = fields.Integer(required=True)
    rework_rate = fields.Float(allow_none=True)
    sla_breaches = fields.Integer(required=True)
    six_sigma = fields.Nested(SixSigmaRecord, required=True)


class WorkloadRecord(Schema):
    who = fields.String(required=True)
    open = fields.Integer(required=True)
    done = fields.Integer(required=True)
    overdue = fields.Integer(required=True)


class SignOffRecord(Schema):
    person = fields.String(required=True)
    signed = fields.Integer(required=True)
    delay = fields.Nested(SpreadRecord, required=True)


class Report(Schema):
    process_id = fields.String(required=True)
    version = fields.Integer(allow_none=True, metadata={"description": "null: every version"})
    since = fields.AwareDateTime(required=True)
    until = fields.AwareDateTime(required=True, metadata={"description": "Excluded"})
    defect_kinds = fields.Function(
        lambda report: sorted(kind.value for kind in report.defect_kinds),
        metadata={"description": "What this process counts as defects (its RACI matrix)"},
    )
    counts = fields.Nested(CountsRecord, required=True)
    cycle_time = fields.Nested(SpreadRecord, required=True)
    throughput = fields.List(fields.Nested(WeekRecord), required=True)
    six_sigma = fields.Nested(SixSigmaRecord, required=True)
    rolled_throughput_yield = fields.Float(allow_none=True)
    control_chart = fields.Nested(ControlChartRecord, allow_none=True)
    activities = fields.List(fields.Nested(ActivityRecord), required=True)
    workload_by_role = fields.List(fields.Nested(WorkloadRecord), required=True)
    workload_by_person = fields.List(fields.Nested(WorkloadRecord), required=True)
    sign_off_delays = fields.List(fields.Nested(SignOffRecord), required=True)


def as_json(report: ProcessReport) -> dict[str, Any]:
    """The report as the API answers it (the CLI's --json prints the same)."""
    return Report().dump(report)


def _report(process_id: str, args: dict[str, Any]) -> ProcessReport:
    since, until = days(args["since"], args["until"])
    return engine().analytics(
        process_id,
        since=since,
        until=until,
        version=args["version"],
        user=api_user().username,
    )


@bp.route("/processes/<id:process_id>/analytics")
@bp.arguments(PeriodArgs, location="query")
@bp.response(200, Report)
@documented(bp, 403, 404, 422)
def analytics(args: dict[str, Any], process_id: str) -> ProcessReport:
    """The analytics of a process over the days given (one version, or every one)."""
    return _report(process_id, args)


@bp.route("/processes/<id:process_id>/analytics/<id:table>.csv")
@bp.arguments(PeriodArgs, location="query")
@bp.response(200, content_type="text/csv", description="UTF-8 with a BOM")
@documented(bp, 403, 404, 422)
def analytics_csv(args: dict[str, Any], process_id: str, table: str) -> Response:
    """One table of the analytics as CSV (summary, activities, throughput, ...)."""
    if table not in tables.TABLES:
        abort(404)
    found = tables.table(_report(process_id, args), table)
    name = f"{process_id}-{table}-{args['since']:%Y%m%d}-{args['until']:%Y%m%d}"
    return csv_response(name, found.columns, [list(row) for row in found.rows])
