"""The start pages: the processes a user may start, and each one's start form.

Who may start a process is checked on every start page and start, by the rule the
API follows too (raci.visibility.may_start, with the CRM's workflows.starters).
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from functools import partial
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine import InstanceStatus, views
from engine.attachments import AttachmentRefused, Upload
from engine.errors import InvalidTaskData, RequestKeyReused
from engine.start_requests import usable_key
from engine.views import api_lists
from engine.views.inbox import workable
from raci import visibility as rules
from workflows import form_checks
from workflows.forms import START, schema_for
from workflows.forms import files as form_files
from workflows.starters import STARTERS

from . import form_render, form_values
from .customer_card import (
    CHOICES,
    CUSTOMER_FIELD,
    chosen_customer,
    customer_chooser,
    customer_code,
    find_customers,
)
from .i18n import error_text
from .names import task_name
from .services import engine

bp = Blueprint("start", __name__, url_prefix="/start")
bp.add_app_template_filter(form_values.local_time, "local_time")

SEARCH = "search_customer"  # the start form's search button: find, do not start


@bp.get("/")
@login_required
def index() -> str:
    return render_template("start/index.html", processes=_startable())


@bp.get("/<process_id>")
@login_required
def form(process_id: str) -> str:
    name = _allowed(process_id)
    prefill = {CUSTOMER_FIELD: request.args.get(CUSTOMER_FIELD)}  # from a customer's page
    return _render(process_id, name, form_render.bind(schema_for(process_id, START), data=prefill))


@bp.post("/<process_id>")
@login_required
def start(process_id: str) -> Any:
    name = _allowed(process_id)
    schema = schema_for(process_id, START)
    if SEARCH in request.form:  # the customer search: the page again, with what was typed
        bound = form_render.bind(schema, form=request.form)
        return _render(process_id, name, bound, query=request.form.get("q", ""))
    inputs = form_render.form_fields(schema) if schema is not None else []
    data, errors = form_values.parse_form(inputs, request.form)
    business_key = None
    if isinstance(data.get(CUSTOMER_FIELD), int):
        business_key = customer_code(engine().uow(), data[CUSTOMER_FIELD])
        if business_key is None:
            errors[CUSTOMER_FIELD] = [_("There is no such customer.")]
    for field in _own_role_fields(schema):
        if data.get(field) and data[field] not in current_user.roles:
            errors[field] = [_("Choose one of your own roles.")]
    with engine().reader() as uow:  # an order's lines: said while the customer is on the phone
        errors.update(form_checks.unknown_order_products(uow.session, data))
    try:
        if errors:  # with the engine's own: one submit names every mistake it holds
            raise InvalidTaskData({**engine().start_problems(process_id, data), **errors})
        start = partial(
            engine().start,
            process_id,
            user=current_user.username,
            data=data,
            business_key=business_key,
            files=_uploads(process_id),
        )
        try:  # a second press, a resend: the case the first one started
            state = start(request_key=_request_key())
        except RequestKeyReused:  # the page, gone back to, filled in anew: a new case
            state = start()
    except InvalidTaskData as invalid:  # the form again as sent, the customer search too
        bound = form_render.bind(schema, form=request.form, errors=invalid.errors)
        return _render(process_id, name, bound, status=422, query=request.form.get("q", ""))
    except AttachmentRefused as refused:  # nothing started: the form again, with the reason
        bound = form_render.bind(schema, form=request.form)
        return _render(
            process_id,
            name,
            bound,
            status=422,
            query=request.form.get("q", ""),
            file_error=error_text(refused),
        )
    # The starter goes on with their own first task, or else to the case they started,
    # which says where it stands and who has it now (they may always see their own case).
    case = url_for("instances.detail", instance_id=state.instance_id)
    mine = workable(engine().uow(), current_user.username, list(state.ready_tasks))
    if state.replayed:  # sent twice: nothing new started; where the first one led
        flash(_("Already started: this is the case this form started a moment ago."), "info")
        return redirect(url_for("tasks.show", task_id=mine[0]) if mine else case)
    if state.status == InstanceStatus.COMPLETED:  # decided at once: say how (a refusal, say)
        outcome = views.instance(engine().uow(), state.instance_id)["outcome"]
        ended = task_name(process_id, outcome) if outcome else _("completed")
        flash(_("The case ended at once (%(outcome)s).", outcome=ended), "info")
        return redirect(case)
    if state.status == InstanceStatus.ERROR:  # the case page names the step; the error's
        # technical words are folded away there (a record changed since the form was read)
        flash(_("The case started, but its first step failed."), "error")
        flash(_("It waits for an administrator, who can retry the step from the case page."))
        return redirect(case)
    if mine:
        flash(_("Started. This is your first task."), "ok")
        return redirect(url_for("tasks.show", task_id=mine[0]))
    number = views.instance(engine().uow(), state.instance_id)["summary"].get("order_number")
    if number:  # what the customer on the phone is told
        flash(
            _(
                "Started: order %(number)s. The next step is with the people responsible for it.",
                number=number,
            ),
            "ok",
        )
    else:
        flash(_("Started: the next step is with the people responsible for it."), "ok")
    return redirect(case)


def _uploads(process_id: str) -> list[Upload]:
    """The files sent with a start form that takes them (workflows/forms/files.py)."""
    if process_id not in form_files.AT_START:
        return []
    kind = request.form.get("file_kind") or None
    return [
        Upload(f.filename, f.stream, kind) for f in request.files.getlist("files") if f.filename
    ]


def may_start(process_id: str, roles: set[str] | None = None) -> bool:
    """Whether the signed-in user, acting for `roles` today (read if not given), may
    start `process_id` (raci.visibility.may_start)."""
    return rules.may_start(
        roles if roles is not None else _roles_today(),
        starters=STARTERS.get(process_id),
        matrix=engine().matrix(process_id)[1],
    )


def _roles_today() -> set[str]:
    return api_lists.roles_today(engine().uow(), current_user.username)


def _startable() -> list[dict[str, Any]]:
    """The latest version of each deployed process the user may start, by name."""
    latest = {v["process_id"]: v for v in views.process_versions(engine().uow())}
    roles = _roles_today()
    return sorted(
        (v for pid, v in latest.items() if may_start(pid, roles)),
        key=lambda v: v["name"].casefold(),
    )


def _allowed(process_id: str) -> str:
    """The process's name; 404 if it is not deployed, 403 if the user may not start it."""
    versions = views.process_versions(engine().uow(), process_id)
    if not versions:
        abort(404)
    if not may_start(process_id):
        abort(403)
    return versions[-1]["name"]


def _render(
    process_id: str,
    name: str,
    bound: form_render.BoundForm,
    *,
    status: int = 200,
    query: str | None = None,
    file_error: str | None = None,
) -> tuple[str, int]:
    query = (request.args.get("q", "") if query is None else query).strip()
    chooser = any(f.name == CUSTOMER_FIELD for f in bound.fields)
    found: list[dict[str, Any]] = []
    cut = False  # the list holds only the first CHOICES customers: say so
    if chooser:
        # A BD's own customers first; not an admin's (has_role answers yes to an admin).
        bd = current_user.username if "bd" in current_user.roles and not query else None
        found = find_customers(engine().uow(), query, bd=bd)
        cut = len(found) >= CHOICES
        chosen = bound.value(CUSTOMER_FIELD)
        if all(str(c["id"]) != chosen for c in found):  # the prefilled one, listed first
            found = [*chosen_customer(engine().uow(), chosen), *found]
        if query and len(found) == 1 and not chosen:
            bound.values[CUSTOMER_FIELD] = str(found[0]["id"])  # the one match: chosen
        bound.fields = customer_chooser(bound.fields, found)
    _only_own_roles(bound, _own_role_fields(schema_for(process_id, START)))
    html = render_template(
        "start/form.html",
        process_id=process_id,
        name=name,
        form=bound,
        chooser=chooser,
        query=query,
        found=found,
        cut=cut,
        choices=CHOICES,
        takes_files=process_id in form_files.AT_START,
        file_kinds=form_files.kinds_at_start(process_id),
        file_error=file_error,
        files_dropped=_files_sent(process_id) and not file_error,
        request_key=_request_key() or uuid.uuid4().hex,
    )
    return html, status


def _request_key() -> str | None:
    """The key this start page was given when it was first shown (a refused or searched
    form keeps it): sent twice, the form starts one case (engine/start_requests.py)."""
    key = request.form.get("request_key", "")
    return key if usable_key(key) else None


def _files_sent(process_id: str) -> bool:
    """Files came with a form that comes back (a search, a refusal): a browser cannot
    put them back, so the page says to choose them again."""
    return process_id in form_files.AT_START and any(
        f.filename for f in request.files.getlist("files")
    )


def _own_role_fields(schema: Any) -> set[str]:
    """The start fields that name one of the starter's own roles (metadata own_role)."""
    if schema is None:
        return set()
    return {f.data_key or n for n, f in schema.load_fields.items() if f.metadata.get("own_role")}


def _only_own_roles(bound: form_render.BoundForm, names: set[str]) -> None:
    """Offer only the roles the user holds; the one they hold is chosen for them. (Any
    role pushed the entry to that role's team, leaving the starter nothing to do.)"""
    for index, f in enumerate(bound.fields):
        if f.name not in names:
            continue
        own = tuple((value, label) for value, label in f.choices if value in current_user.roles)
        bound.fields[index] = replace(f, choices=own)
        if len(own) == 1 and not bound.value(f.name):
            bound.values[f.name] = own[0][0]
