"""Instances: the list, one instance (data, timeline, open tasks, diagram), cancel and retry.

Who sees what is raci/visibility.py's rule, the one the JSON API and the CLI
apply: auditors, process owners and admins see every instance; anyone else the
instances they take part in. Other instances answer 403, as in the API.
Cancelling (with a reason) is for admins, process owners and the instance's
starter (the engine refuses anyone else); retrying for admins and process owners.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import DateField, Form, StringField, ValidationError
from wtforms.i18n import get_translations
from wtforms.validators import AnyOf, Length, Optional

from engine import InstanceStatus, views
from engine.errors import EngineError, InvalidState, InvalidTaskData
from engine.views import incidents, oversight, visibility
from raci import visibility as rules
from workflows.customer_search import cases_named
from workflows.outcomes import fell_short, short_ends

from . import display, form_render, form_values, incident_page
from .diagram import instance_svg
from .diagram_response import diagram_language, diagram_limits, svg_response
from .errors import status_of
from .i18n import error_text
from .query_args import page_number
from .services import engine
from .trail_views import change_view, decision_view, reason_view

bp = Blueprint("instances", __name__, url_prefix="/instances")
OVERSEERS = rules.OVERSIGHT_ROLES  # and admins: they see every instance
PAGE_SIZE = 25
OPEN = ("ready", "awaiting_signoff")


class PeriodForm(Form):
    """A range of whole days (UTC), both included; the search pages share it."""

    class Meta:
        def get_translations(self, form: Form) -> Any:
            # WTForms' own messages ("Not a valid date value.") in the user's language.
            return _wtforms_messages(str(get_locale()))

    since = DateField(validators=[Optional()])
    until = DateField(validators=[Optional()])

    def validate_until(self, field: DateField) -> None:
        # A range ending before it starts matches nothing: say so, not "no events".
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end of the period is before its start."))

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """The range as [start, end) datetimes for the read models."""
        since, until = self.since.data, self.until.data
        # Days are the display zone's (the zone every page shows times in), as UTC bounds.
        zone = display.zone()
        start = datetime.combine(since, time(), zone).astimezone(UTC) if since else None
        end = (
            (datetime.combine(until, time(), zone) + timedelta(days=1)).astimezone(UTC)
            if until
            else None
        )
        return start, end


# A case that ended short of its goal (an order cancelled at its end event, a request
# declined): "completed" to the engine, "closed" to people (workflows/outcomes.py).
CLOSED = "closed"
STATUSES = [
    status
    for s in InstanceStatus
    for status in ((s.value, CLOSED) if s == InstanceStatus.COMPLETED else (s.value,))
]


class InstanceFilters(PeriodForm):
    process_id = StringField(name="process", validators=[Optional(), Length(max=200)])
    status = StringField(
        validators=[Optional(), AnyOf(STATUSES, message=_l("Choose a status from the list."))]
    )
    business_key = StringField(validators=[Optional(), Length(max=200)])
    started_by = StringField(validators=[Optional(), Length(max=200)])

    def query(self) -> oversight.InstanceQuery:
        since, until = self.bounds()
        status = self.status.data or None
        ended = {}  # completed and closed: the same status, apart by where they ended
        if status in (InstanceStatus.COMPLETED.value, CLOSED):
            ended = {"ends": short_ends(), "at_ends": status == CLOSED}
            status = InstanceStatus.COMPLETED.value
        return oversight.InstanceQuery(
            process_id=self.process_id.data or None,
            status=status,
            **ended,
            business_key=(self.business_key.data or "").strip() or None,
            case_search=cases_named,  # a customer's name, phone or tax id; an order number
            started_by=people_called(self.started_by.data),
            since=since,
            until=until,
        )


@lru_cache(maxsize=8)
def _wtforms_messages(language: str) -> Any:
    return get_translations([language])


def pager(total: int, page: int, size: int) -> dict[str, Any]:
    """Page numbers and links to the neighbouring pages, keeping the current filters."""
    pages = max((total + size - 1) // size, 1)

    def link(number: int) -> str | None:
        if not 1 <= number <= pages or number == page:
            return None
        return url_for(request.endpoint, **{**request.args.to_dict(), "page": number})

    return {
        "page": page,
        "pages": pages,
        "total": total,
        "prev": link(page - 1),
        "next": link(page + 1),
    }


# Whether a completed case ended short of its goal: its badge reads "closed".
bp.add_app_template_global(fell_short)


def sees_all() -> bool:
    return rules.oversees(current_user.roles)


@bp.get("/")
@login_required
def index() -> str:
    filters = InstanceFilters(request.args)
    found: dict[str, Any] = {"items": [], "total": 0}
    page = page_number()
    if filters.validate():
        viewer = None if sees_all() else current_user.username
        found = oversight.instances(
            engine().uow(),
            filters.query(),
            viewer=viewer,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
    processes = sorted({v["process_id"] for v in views.process_versions(engine().uow())})
    return render_template(
        "instances/index.html",
        filters=filters,
        instances=found["items"],
        pages=pager(found["total"], page, PAGE_SIZE),
        processes=processes,
        statuses=STATUSES,
    )


@bp.get("/<instance_id>")
@login_required
def detail(instance_id: str) -> str:
    return _detail(visible(instance_id))


@bp.get("/<instance_id>/diagram.svg")
@login_required
def diagram(instance_id: str) -> Response:
    visible(instance_id)
    facts = oversight.diagram_facts(engine().uow(), instance_id)
    response = svg_response(
        lambda: instance_svg(
            facts,
            lambda: oversight.version_sources(engine().uow(), facts["version_id"]),
            diagram_limits(),
            diagram_language(),
        )
    )
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/<instance_id>/<any(cancel, retry):act>")
@login_required
def back_to_instance(instance_id: str, act: str) -> Response:
    # Reloading the address an act's refusal left in the bar goes back to the case.
    return redirect(url_for("instances.detail", instance_id=instance_id))


@bp.post("/<instance_id>/cancel")
@login_required
def cancel(instance_id: str) -> Any:
    instance = visible(instance_id)
    if not may_cancel(instance):  # the engine refuses too: this spares a form that cannot work
        abort(403)
    reason = request.form.get("reason", "").strip()
    if not reason or len(reason) > 2000:
        message = _("Give a reason (at most 2000 characters).")
        return _detail(instance, errors={"reason": message}), 422
    try:
        engine().cancel(instance_id, user=current_user.username, reason=reason)
    except InvalidState as err:  # finished meanwhile, or its effects could not be undone
        # Said at the top as well: the form is at the foot of a long page.
        flash(_("Not cancelled: %(why)s", why=error_text(err)), "error")
        # The case as it is now: it may have ended meanwhile (then no cancel form at all).
        return _detail(visible(instance_id), errors={"reason": error_text(err)}), 409
    flash(_("The instance was cancelled."), "info")
    return redirect(url_for(".detail", instance_id=instance_id))


@bp.post("/<instance_id>/retry")
@login_required
def retry(instance_id: str) -> Any:
    """Run the failed step again with the data of the failed task's own form, validated."""
    instance = visible(instance_id)
    if not may_retry(instance):
        abort(403)
    schema = incident_page.retry_schema(instance_id)
    inputs = form_render.form_fields(schema) if schema is not None else []
    data, unreadable = form_values.parse_form(inputs, request.form)
    try:
        if unreadable:
            raise InvalidTaskData(unreadable)
        state = engine().retry_incident(instance_id, user=current_user.username, data=data)
    except InvalidTaskData as err:
        form = form_render.bind(schema, form=request.form, errors=err.errors)
        return _detail(instance, retry_form=form), 422
    except EngineError as err:  # refused, or no longer in error
        form = form_render.bind(schema, form=request.form)
        return _detail(instance, retry_form=form, errors={"retry": error_text(err)}), status_of(err)
    if state.held_for_signoff:
        flash(_("The data changes what was signed: it waits for a new sign-off."), "info")
    elif state.status == "error":
        flash(_("The step failed again: %(error)s", error=state.error or ""), "error")
    else:
        flash(_("The failed step ran again."), "info")
    return redirect(url_for(".detail", instance_id=instance_id))


def visible(instance_id: str) -> dict[str, Any]:
    """The instance, if the signed-in user may see it; 404 if there is none, else 403."""
    instance = views.instance(engine().uow(), instance_id)
    if not may_open(instance_id):
        abort(403)
    return instance


def may_open(instance_id: str) -> bool:
    """Whether the signed-in user may see this instance's page."""
    return sees_all() or rules.may_see_case(
        current_user.roles, visibility.case_part(engine().uow(), instance_id, current_user.username)
    )


def linked_cases(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The case this one came from and those it led to, each named by its process and
    business key, and linked only if the user may open it: not to a refusal."""

    def case(instance_id: str) -> dict[str, Any]:
        found = views.instance(engine().uow(), instance_id)
        return {
            "instance": instance_id,
            "process_id": found["process_id"],
            "business_key": found["business_key"],
            "opens": may_open(instance_id),
        }

    start = next((e for e in events if e["action"] == "start"), None)
    parent = start["details"].get("started_by_instance") if start else None
    return {
        "came_from": case(parent) if parent else None,
        "came_from_actor": start["actor"] if parent else None,
        "led_to": [case(e["details"]["instance"]) for e in events if e["action"] == "case_started"],
    }


def may_cancel(instance: dict[str, Any], events: list[dict[str, Any]] | None = None) -> bool:
    """The page's rule for offering the cancel form; `events`, the case's trail if the
    caller read it already (its start event says whether another case started it)."""
    if InstanceStatus(instance["status"]).is_final:
        return False
    if events is None:
        events = views.audit_events(engine().uow(), instance_id=instance["id"], action="start")
    started = (e for e in events if e["action"] == "start")
    user = current_user
    return rules.may_cancel(
        user.username,
        user.roles,
        started_by=instance["started_by"],
        by_another_case=any(e["details"].get("started_by_instance") for e in started),
    )


def may_retry(instance: dict[str, Any]) -> bool:
    return instance["status"] == "error" and rules.may_retry(current_user.roles)


def render_case(instance_id: str, *, error: str) -> str:
    """The case page again, saying why an act on it was refused (nothing changed)."""
    return _detail(visible(instance_id), error=error)


def _detail(
    instance: dict[str, Any],
    errors: dict[str, str] | None = None,
    retry_form: form_render.BoundForm | None = None,
    error: str | None = None,
) -> str:
    events = views.audit_events(engine().uow(), instance_id=instance["id"])
    tasks = oversight.instance_tasks(engine().uow(), instance["id"])
    incident = incidents.incident(engine().uow(), instance["id"])
    # Corrected data that changed a signature waits for it: no second retry meanwhile.
    resigning = (
        engine().resignature_pending(instance["id"]) if instance["status"] == "error" else None
    )
    retrying = may_retry(instance) and resigning is None
    if retry_form is None and incident is not None and retrying:
        retry_form = incident_page.prefilled(instance["id"])
    return render_template(
        "instances/detail.html",
        instance=instance,
        events=events,
        linked=linked_cases(events),
        names={t["id"]: t["name"] for t in tasks},
        open_tasks=[t for t in tasks if t["status"] in OPEN],
        submissions=[e for e in events if e["action"] in ("start", "complete", "retry")],
        may_cancel=may_cancel(instance, events),
        may_retry=retrying,
        resigning=resigning,
        change_view=change_view,
        decision_view=decision_view,
        reason_view=reason_view,
        incident=incident,
        sees_all=sees_all(),
        retry_form=retry_form,
        error=error,
        errors=errors or {},
        form=request.form if errors else {},
    )


def people_called(typed: str | None) -> tuple[str, ...] | None:
    """The usernames a person filter names (a name or a username), None when empty."""
    return engine().directory().people_called(typed) if (typed or "").strip() else None
