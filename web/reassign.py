"""The reassign page of a task: hand it to someone else who may work it.

Who may reassign, and to whom, is raci.policy's rule (may_hand_over and
may_reassign), applied by the service layer; this page offers only the people
that rule allows and shows a refusal in the reader's language.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.errors import EngineError, NotAllowed

from . import task_page
from .people_words import status
from .services import engine

bp = Blueprint("reassign", __name__, url_prefix="/tasks")


@bp.route("/<task_id>/reassign", methods=["GET", "POST"])
@login_required
def reassign(task_id: str) -> Any:
    page = task_page.load(task_id, current_user)  # 403 to those who may not see it
    try:
        choices = engine().reassign_choices(task_id, user=current_user.username)
    except EngineError as error:
        return _page(page, [], error=_refusal(error), status_code=status(error))
    if request.method == "GET":
        return _page(page, choices)
    to = request.form.get("to", "")
    reason = request.form.get("reason", "").strip()[:500] or None
    if to not in {u.username for u in choices}:
        message = _("Choose one of the people listed: only they may work this task.")
        return _page(page, choices, error=message, status_code=422)
    try:
        engine().reassign(task_id, user=current_user.username, to=to, reason=reason)
    except EngineError as error:
        return _page(page, choices, error=_refusal(error), status_code=status(error))
    name = next(u.name for u in choices if u.username == to)
    flash(_("Reassigned to %(name)s.", name=name), "ok")
    return redirect(url_for("tasks.show", task_id=task_id))


def _refusal(error: EngineError) -> str:
    if isinstance(error, NotAllowed):
        return _(
            "You may not reassign this task: only members of its responsible roles "
            "and administrators may."
        )
    return _("This task can no longer be reassigned: it is not open.")


def _page(
    page: task_page.TaskPage,
    choices: list[Any],
    *,
    error: str | None = None,
    status_code: int = 200,
) -> tuple[str, int]:
    html = render_template(
        "people/reassign.html",
        task=page.task,
        choices=choices,
        error=error,
        form=request.form,
    )
    return html, status_code
