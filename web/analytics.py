"""Process analytics pages: how a process performed over a period, with its Six Sigma
figures, charts, a heat map of waiting times and a CSV of every table (docs/analytics.md).

Who may read them is the service's rule (`ProcessEngine.analytics`): admins, process
owners, analysts and the A of the process; anyone else gets a 403 page saying so.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from threading import Lock
from time import monotonic
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict
from wtforms import IntegerField
from wtforms.validators import NumberRange, Optional

from engine import views
from engine.analytics import tables as flat
from engine.analytics.period import days
from engine.errors import NotAllowed
from engine.views import oversight

from . import analytics_charts as pictures
from . import names
from .analytics_tables import DEFECTS, figures, tables
from .audit_views import csv_response
from .bpmn_viewer import in_reader_language, version_drawn_with_di
from .diagram import DiagramUnavailable, process_svg
from .diagram_response import diagram_language, diagram_limits
from .heatmap import painted
from .instances import PeriodForm
from .services import engine

bp = Blueprint("analytics", __name__)
WEEKS = 12  # the period shown by default: this week and the eleven before it
LONGEST = timedelta(days=3 * 366)  # the longest period one page adds up
MENU_MEMORY = 60.0  # seconds the menu remembers whether a user may read some analytics
REFUSED = _l(
    "The analytics of a process are for its owners, its managers (the A of its activities)"
    " and analysts."
)
MENU_KEY = "raciflow.analytics_menu"  # app.extensions: username -> (until, processes)
_menu_lock = Lock()


class AnalyticsFilters(PeriodForm):
    version = IntegerField(validators=[Optional(), NumberRange(min=1, max=2**31 - 1)])

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators):
            return False
        since, until = self.since.data, self.until.data  # in order: PeriodForm checks it
        if until - since > LONGEST:
            self.until.errors.append(_l("Choose a period of at most three years."))
            return False
        return True


def _filters() -> AnalyticsFilters:
    """The period and version asked for; by default the last twelve weeks (to today)."""
    today = datetime.now(UTC).date()  # the period's days are UTC days (see _report)
    monday = today - timedelta(days=today.weekday()) - timedelta(weeks=WEEKS - 1)
    args = MultiDict(request.args)
    for key, value in (("since", monday.isoformat()), ("until", today.isoformat())):
        if not args.get(key):
            args[key] = value
    return AnalyticsFilters(args)


def _report(process_id: str, filters: AnalyticsFilters) -> Any:
    # Whole days in UTC, as the API and the CLI take them: the same days give the same
    # figures everywhere, and the weeks start on the engine's Mondays.
    since, until = days(filters.since.data, filters.until.data)
    try:
        return engine().analytics(
            process_id,
            since=since,
            until=until,
            version=filters.version.data,
            user=current_user.username,
        )
    except NotAllowed:
        abort(403, str(REFUSED))


@bp.get("/analytics/")
@login_required
def index() -> str:
    """The processes whose analytics the user may read (403 if none)."""
    processes = engine().analysable_processes(user=current_user.username)
    if not processes:
        abort(403, str(REFUSED))
    return render_template("analytics/index.html", processes=processes)


@bp.app_template_global()
def analysable(process_id: str | None = None) -> bool:
    """Whether to offer a link to the analytics (of `process_id`, or of any process): to
    whoever may read them. Kept a minute per user, so that no page pays a query for a
    link; the pages themselves ask the service, which decides."""
    memory = current_app.extensions.setdefault(MENU_KEY, {})
    user, now = current_user.username, monotonic()
    with _menu_lock:
        known = memory.get(user)
    if known is None or known[0] < now:
        known = (now + MENU_MEMORY, frozenset(engine().analysable_processes(user=user)))
        with _menu_lock:
            memory[user] = known
    return process_id in known[1] if process_id else bool(known[1])


def _drawn(versions: list[dict[str, Any]], number: int | None) -> dict[str, Any]:
    """The version the heat map draws: the one chosen, or the latest for every version."""
    return next((v for v in versions if v["version"] == number), versions[-1])


def _activity_name(process_id: str) -> Any:
    return lambda element, name: names.task_name(process_id, element, name)


@bp.get("/processes/<process_id>/analytics")
@login_required
def page(process_id: str) -> Any:
    versions = views.process_versions(engine().uow(), process_id)
    if not versions:
        abort(404)
    filters = _filters()
    if not filters.validate():
        html = render_template(
            "analytics/page.html", process_id=process_id, filters=filters, versions=versions
        )
        return html, 422
    report = _report(process_id, filters)
    name = _activity_name(process_id)
    drawn = _drawn(versions, report.version)
    heat = pictures.heat_map(report, name, _waiting_now(process_id, drawn["version"]))
    return render_template(
        "analytics/page.html",
        process_id=process_id,
        filters=filters,
        versions=versions,
        report=report,
        figures=figures(report),
        tables=tables(report, name),
        throughput=pictures.throughput_chart(report),
        control=pictures.control_charts(report.control_chart),
        heat=heat,
        diagram=_diagram(process_id, drawn, heat),
        query=request.args.to_dict(),
        defect_words=lambda kinds: ", ".join(str(DEFECTS[kind]) for kind in sorted(kinds)),
    )


@bp.get("/processes/<process_id>/analytics/<table>.csv")
@login_required
def csv(process_id: str, table: str) -> Response:
    """One of the report's tables as the API gives it (engine/analytics/tables.py)."""
    if table not in flat.TABLES:
        abort(404)
    filters = _filters()
    if not filters.validate():
        abort(400)
    found = flat.table(_report(process_id, filters), table)
    return csv_response(f"{process_id}-{table}", found.columns, [list(r) for r in found.rows])


def _waiting_now(process_id: str, number: int) -> dict[str, tuple[int, float]]:
    """The drawn version's open tasks per activity and their median wait so far."""
    load = engine().activity_load(process_id, number)
    return {k: (v.open, v.median_wait.total_seconds()) for k, v in load.items()}


def _diagram(process_id: str, version: dict[str, Any], heat: pictures.HeatMap) -> dict[str, Any]:
    """The version's drawing for the heat map: bpmn-js's data where the file has DI, else
    graphviz's SVG painted here (its drawing cached: the files are read only to draw it);
    or that it cannot be drawn."""
    number = version["version"]

    def sources() -> dict[str, str]:
        uow = engine().uow()
        return oversight.version_sources(uow, oversight.version_id(uow, process_id, number))

    if version_drawn_with_di(process_id, number):
        bpmn = next(text for file, text in sorted(sources().items()) if file.endswith(".bpmn"))
        return {"bpmn_js": pictures.bpmn_js_data(in_reader_language(bpmn), heat)}
    try:
        svg = process_svg(
            version["content_hash"], process_id, sources, diagram_limits(), diagram_language()
        )
    except DiagramUnavailable:
        return {"unavailable": True}
    return {"svg": painted(svg, heat.levels, heat.titles)}
