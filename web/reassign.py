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

from engine.commands.tasks import INACTIVE
from engine.errors import EngineError, NotAllowed
from raci.messages import Message

from . import task_page
from .i18n import error_text, render
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
        return _page(page, choices, error=_not_listed(to, choices), status_code=422)
    try:
        engine().reassign(task_id, user=current_user.username, to=to, reason=reason)
    except EngineError as error:
        return _page(page, choices, error=_refusal(error), status_code=status(error))
    name = next(u.name for u in choices if u.username == to)
    flash(_("Reassigned to %(name)s.", name=name), "ok")
    return redirect(url_for("tasks.show", task_id=task_id))


def _not_listed(to: str, choices: list[Any]) -> str:
    """Why the person sent is not one to choose: deactivated (perhaps since the page was
    drawn), nobody at all may take it, or a name that was never on the list."""
    person = engine().directory().users.get(to)
    if person is not None and not person.active:
        return render(Message(INACTIVE, user=to))
    if not choices:
        return _("Nobody else may work this task today.")
    return _("Choose one of the people listed: only they may work this task.")


def _refusal(error: EngineError) -> str:
    message = getattr(error, "msg", None)
    if isinstance(message, Message) and message.msgid == INACTIVE:  # deactivated meanwhile
        return error_text(error, standalone=True)
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
