"""The task page: do the work (R), sign it off (A), answer a consultation (C).

Every route loads the task through task_page.load, which answers 403 to users
who may not see it (see web/task_page.py); the engine then applies the RACI
rules to each act. A refused or invalid act is shown on the task page with
its status (403, 409, 422), never as a bare error page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from engine import views
from engine.errors import EngineError, InvalidState, InvalidTaskData
from engine.views.inbox import workable
from raci.matrix import case_value
from workflows.forms import schema_for
from workflows.key_figures import figure_signed
from workflows.signed_changes import (
    before_and_after,
    beyond_asked,
    signed_change,
    submitted_change,
)

from . import case_warnings, display, form_render, form_values, task_page
from .errors import status_of
from .extensions import password_guesses
from .form_prefill import starting_values
from .i18n import error_text
from .people_fields import with_people
from .services import engine
from .vocabulary import role_name

bp = Blueprint("tasks", __name__, url_prefix="/tasks")
# The password is re-entered to sign: one budget of guesses for approve and reject.
sign_off_guesses = password_guesses("web-sign-off")


@bp.get("/")
@login_required
def index() -> Response:
    return redirect(url_for("inbox.index"))


@bp.get("/<task_id>")
@login_required
def show(task_id: str) -> Any:
    return _render(task_page.load(task_id, current_user))


@bp.get("/<task_id>/<any(claim, release, complete, approve, reject):act>")
@login_required
def back_to_task(task_id: str, act: str) -> Response:
    # After a refused form the address bar shows the act's URL; reloading it goes back to
    # the task instead of answering 405.
    return redirect(url_for("tasks.show", task_id=task_id))


@bp.post("/<task_id>/claim")
@login_required
def claim(task_id: str) -> Any:
    page = task_page.load(task_id, current_user)
    return _act(page, partial(engine().claim, task_id, user=current_user.username), _("Claimed."))


@bp.post("/<task_id>/release")
@login_required
def release(task_id: str) -> Any:
    page = task_page.load(task_id, current_user)
    done = _("The task is back in its roles' queue.")
    return _act(page, partial(engine().release, task_id, user=current_user.username), done)


@bp.post("/<task_id>/complete")
@login_required
def complete(task_id: str) -> Any:
    page = task_page.load(task_id, current_user)
    schema = schema_for(page.task["process_id"], page.task["element"])
    inputs = form_render.form_fields(schema) if schema is not None else []
    data, unreadable = form_values.parse_form(inputs, request.form)
    try:
        if unreadable and page.can_work:  # else the engine says why they may not, first
            raise InvalidTaskData(unreadable)
        state = engine().complete(task_id, user=current_user.username, data=data)
    except InvalidTaskData as invalid:
        form = form_render.bind(schema, form=request.form, errors=invalid.errors)
        return _render(page, form=form, error=_("Please correct the marked fields."), status=422)
    except EngineError as error:  # the typed values stay; the page shows the task as it is now
        form = form_render.bind(schema, form=request.form)
        return _refused(page, error, form=form)
    if views.task_detail(engine().uow(), task_id)["status"] == "awaiting_signoff":
        flash(_("Submitted: the work now waits for sign-off."), "ok")
        return redirect(url_for("tasks.show", task_id=task_id))
    if state.status == "error":
        return _failed_after(state, _("Done, but the step after it failed."))
    flash(_("Done: the process has moved on."), "ok")
    return _next_work(state.ready_tasks)


@bp.post("/<task_id>/approve")
@login_required
@sign_off_guesses
def approve(task_id: str) -> Any:
    page = task_page.load(task_id, current_user)
    if not engine().authenticate(current_user.username, request.form.get("password", "")):
        # Said at the top too: on a phone the field is far below where the page opens.
        error, field = _("Not signed off: the password was wrong."), [_("Wrong password.")]
        return _render(page, error=error, sign_errors={"approve": field}, status=403)
    try:
        state = engine().approve(task_id, user=current_user.username)
    except EngineError as error:
        return _refused(page, error)
    if state.status == "error":
        return _failed_after(state, _("Signed off, but the step after it failed."))
    flash(_("Signed off: the process has moved on."), "ok")
    return _next_work(state.ready_tasks)


@bp.post("/<task_id>/reject")
@login_required
@sign_off_guesses
def reject(task_id: str) -> Any:
    page = task_page.load(task_id, current_user)
    reason, refused = _reason_signed(
        page,
        fields=("reason", "reject"),
        missing=_("Give the reason the work is sent back."),
        not_done=_("Not sent back: please correct the marked fields."),
    )
    if refused is not None:
        return refused
    who = display.person(page.task["returns_to"])
    if _back_to_queue(page.task):
        done = _(
            "Sent back to its role's queue with your reason: %(who)s is no longer active.", who=who
        )
    else:
        done = _("Sent back to %(who)s with your reason.", who=who)
    action = partial(engine().reject, task_id, user=current_user.username, reason=reason)
    return _act(page, action, done, to_inbox=True)


@bp.post("/<task_id>/consultations/override")
@login_required
@sign_off_guesses
def override(task_id: str) -> Any:
    """A lets the work go on without the consultations it waits for, with a reason."""
    page = task_page.load(task_id, current_user)
    reason, refused = _reason_signed(
        page,
        fields=("override-reason", "override"),
        missing=_("Give the reason the work goes on without them."),
        not_done=_("Not done: please correct the marked fields."),
    )
    if refused is not None:
        return refused
    action = partial(
        engine().override_consultation, task_id, user=current_user.username, reason=reason
    )
    return _act(page, action, _("The work may go on without the answers; your reason is recorded."))


def _reason_signed(
    page: task_page.TaskPage, *, fields: tuple[str, str], missing: str, not_done: str
) -> tuple[str, Any | None]:
    """The reason typed for an A act signed with the password, and the page again with
    its problems if either is wanting (`fields`: where each problem is said; 403 for a
    wrong password, 422 for a missing reason). The reason typed is kept either way."""
    reason_field, password_field = fields
    reason = request.form.get("reason", "").strip()
    problems: dict[str, list[str]] = {}
    if not reason:
        problems[reason_field] = [missing]
    if not engine().authenticate(current_user.username, request.form.get("password", "")):
        problems[password_field] = [_("Wrong password.")]
    if not problems:
        return reason, None
    status = 403 if password_field in problems else 422
    page_again = _render(page, error=not_done, sign_errors=problems, reason=reason, status=status)
    return reason, page_again


@bp.post("/<task_id>/consultations/<int:consultation_id>/answer")
@login_required
def answer(task_id: str, consultation_id: int) -> Any:
    page = task_page.load(task_id, current_user)
    if consultation_id not in {c["id"] for c in page.task["consultations"]}:
        return _render(page, error=_("No such consultation on this task."), status=404)
    comment = request.form.get("comment", "").strip()
    if not comment:
        errors = {f"answer-{consultation_id}": [_("Write your answer.")]}
        return _render(page, sign_errors=errors, status=422)
    action = partial(
        engine().answer_consultation, consultation_id, user=current_user.username, comment=comment
    )
    return _act(page, action, _("Answer recorded: the performer sees it."))


def _act(
    page: task_page.TaskPage, action: Callable[[], Any], done: str, *, to_inbox: bool = False
) -> Any:
    """Run an engine act; on refusal show the page with the reason, else go on."""
    try:
        action()
    except EngineError as error:
        return _refused(page, error)
    flash(done, "ok")
    if to_inbox:
        return redirect(url_for("inbox.index"))
    return redirect(url_for("tasks.show", task_id=page.task["id"]))


def _refused(
    page: task_page.TaskPage, error: EngineError, *, form: form_render.BoundForm | None = None
) -> tuple[str, int]:
    """The task page after a refused act: the task as it is now, the reason at the top."""
    now = _as_now(page)
    reason = error_text(error, standalone=True)
    done_by = now.task.get("completed_by") if now.task["status"] == "completed" else None
    if isinstance(error, InvalidState) and done_by:  # lost to a colleague, or another tab
        reason = _(
            "%(who)s completed this task at %(when)s: nothing was sent from here.",
            who=display.person(done_by),
            when=display.local_time(now.task["completed_at"]),
        )
    return _render(now, form=form, error=reason, status=status_of(error))


def _as_now(page: task_page.TaskPage) -> task_page.TaskPage:
    """The page as its task stands after a refused act. A refusal often means another
    person acted first; the page loaded before the act would contradict the reason
    (a claim button, and "claimed by nobody", beside "a colleague has claimed it")."""
    try:
        return task_page.load(page.task["id"], current_user)
    except (EngineError, HTTPException):  # gone, or no longer the user's to see
        return page


def _failed_after(state: Any, message: str) -> Response:
    """The act is recorded but the step after it failed: say so, and show the incident
    (its page names the step; the error's technical words are folded away there)."""
    flash(message, "error")
    flash(_("The process waits for an administrator; they and the task's roles were told."))
    return redirect(url_for("instances.detail", instance_id=state.instance_id))


def _next_work(ready: tuple[str, ...]) -> Response:
    """The user's next task in the same instance if they may work it, else their inbox."""
    mine = workable(engine().uow(), current_user.username, list(ready))
    if mine:
        return redirect(url_for("tasks.show", task_id=mine[0]))
    return redirect(url_for("inbox.index"))


def _render(
    page: task_page.TaskPage,
    *,
    form: form_render.BoundForm | None = None,
    error: str | None = None,
    sign_errors: dict[str, list[str]] | None = None,
    reason: str = "",
    status: int = 200,
) -> tuple[str, int]:
    task = page.task
    schema = schema_for(task["process_id"], task["element"])
    case = task_page.case_data(page)
    # Work typed into a form the user may no longer submit (a colleague claimed the task
    # meanwhile) is shown back as text, not lost.
    unsaved = _typed(form) if form is not None and not page.can_work else []
    if form is None:
        form = form_render.bind(schema, data=task["submitted_data"])  # rework starts from it
        form = starting_values(form, schema, case)
    form = with_people(form, schema, case, engine().directory())
    labels = {f.name: f.label for f in form.fields}
    customer = task_page.customer_of(page, case)
    html = render_template(
        "tasks/show.html",
        page=page,
        task=task,
        form=form,
        labels=labels,
        warnings=case_warnings.warnings(case),
        case=task_page.worth_reading(case_warnings.without_warnings(case)),
        customer=customer,
        site_brief=task_page.site_brief(page, case),
        signed_change=(change := _signed_change(task, case, customer)),
        beyond_asked=beyond_asked(task["process_id"], case, change or []),
        signer_role=role_name(page.accountable),
        sent_back_because=_sent_back_because(schema, case) if page.can_work else None,
        signing_for=_signing_for(page, task),
        back_to_queue=_back_to_queue(task),
        nobody_signs=task["status"] == "awaiting_signoff"
        and engine().signers_left(task["id"]) == [],
        error=error,
        unsaved=unsaved,
        sign_errors=sign_errors or {},
        reason=reason,
    )
    return html, status


def _signed_change(
    task: dict[str, Any], case: dict[str, Any], customer: dict[str, Any] | None
) -> list[tuple[str, Any, Any]] | None:
    """What the signer lets through, each as it is now and once signed: a record's fields
    the case found changed, the record's fields the submitted work sets (a recommended
    credit limit), or the key figure it changes (the total of corrected order lines: the
    supervisor saw only the order's old amount)."""
    change = signed_change(task["process_id"], task["element"], case)
    if change:
        return before_and_after(change, customer)
    if task["status"] != "awaiting_signoff":
        return None
    submitted = task["submitted_data"] or {}
    change = submitted_change(task["process_id"], task["element"], submitted)
    if change:  # a record's field the work sets (a recommended limit): as it is, and after
        return before_and_after(change, customer)
    figure = figure_signed(task["process_id"], case, submitted)
    return [figure] if figure else None


def _sent_back_because(schema: Any, case: dict[str, Any]) -> str | None:
    """Why a task that answers a return came back, where its form says the case holds it
    (a form's `sent_back_because`: a decision sent it back, not a RACI rejection)."""
    path = getattr(schema, "sent_back_because", None)
    reason = case_value(case, path) if path else None
    return reason if isinstance(reason, str) and reason.strip() else None


def _back_to_queue(task: dict[str, Any]) -> bool:
    """Whether sending the work back puts it in its role's queue: whom it would return to
    was deactivated since (engine: reject)."""
    who = task.get("returns_to")
    return who is not None and not engine().directory().is_active(who)


def _signing_for(page: task_page.TaskPage, task: dict[str, Any]) -> str | None:
    """Whom the user would sign for, standing in (a deputy): named on the sign form, as
    the trail will record it. None when they sign in their own name."""
    if not page.can_sign or page.accountable is None:
        return None
    not_for = [p for p in (task["performer"], task["performer_for"], page.requested_by) if p]
    today = engine().clock_now().date()
    acting = engine().directory().acting_as(page.user, [page.accountable], today, not_for=not_for)
    return acting.on_behalf_of if acting is not None else None


render_page = _render  # the task page with an error, for the forms of web/case_notes.py


def _typed(form: form_render.BoundForm) -> list[tuple[str, str]]:
    """The labels and values a user typed into `form`, a choice by its label."""
    typed = []
    for field in form.fields:
        value = form.value(field.name).strip()
        if not value:
            continue
        if field.kind == "checkbox":  # a ticked box sends "on": it reads as "yes"
            shown = display.yesno(True)
        elif field.choices:
            shown = _(form.choice_labels(field.name, (value,))[0])
        else:
            shown = value
        typed.append((_(field.label), shown))
    return typed
