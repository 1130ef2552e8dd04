"""My account: my password, my deputies (out of office), my language.

Every act is the service layer's (engine/commands/people.py), which checks the
rules and records the audit event; a refusal shows this page again with the
reason and changes nothing. A user holding a one-time password is sent here
until they choose their own.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.errors import EngineError

from .auth import MUST_CHANGE_PASSWORD as MUST_CHANGE
from .auth import SESSION_GENERATION
from .extensions import password_guesses
from .people_words import day, say, status
from .services import engine

bp = Blueprint("account", __name__, url_prefix="/account")

_OPEN_WHILE_MUST_CHANGE = {"account.index", "account.password", "auth.logout", "static"}


@bp.before_app_request
def one_time_password_first() -> Any:
    """Until a one-time password is replaced, every page leads to the password form."""
    if (
        session.get(MUST_CHANGE)
        and current_user.is_authenticated
        and request.endpoint not in _OPEN_WHILE_MUST_CHANGE
    ):
        flash(_("Choose your own password before you go on."), "error")
        return redirect(url_for("account.index"))
    return None


@bp.get("/")
@login_required
def index() -> Any:
    return _page()


@bp.post("/password")
@login_required
@password_guesses("account-password")  # the current password is checked here
def password() -> Any:
    new, again = request.form.get("new_password", ""), request.form.get("new_password_again", "")
    if new != again:
        return _page(password_error=_("The two new passwords differ."), status_code=422)
    try:
        engine().change_password(
            current_user.username, current=request.form.get("current_password", ""), new=new
        )
    except EngineError as error:
        return _page(password_error=say(error), status_code=status(error))
    # Every session of the user ended with the change; this one goes on under the new one.
    session[SESSION_GENERATION] = engine().session_generation(current_user.username)
    session.pop(MUST_CHANGE, None)
    flash(_("Password changed. You were signed out everywhere else."), "ok")
    return redirect(url_for("account.index"))


@bp.post("/deputies")
@login_required
def add_deputy() -> Any:
    starts, ends = day(request.form.get("starts")), day(request.form.get("ends"))
    deputy = request.form.get("deputy", "")
    if not deputy or starts is None or ends is None:
        message = _("Choose a deputy and the first and last day.")
        return _page(deputy_error=message, status_code=422)
    try:
        engine().set_deputy(current_user.username, deputy, starts=starts, ends=ends)
    except EngineError as error:
        return _page(deputy_error=say(error), status_code=status(error))
    flash(_("Deputy set."), "ok")
    return redirect(url_for("account.index"))


@bp.post("/deputies/<int:deputy_id>/remove")
@login_required
def remove_deputy(deputy_id: int) -> Any:
    engine().remove_deputy(current_user.username, deputy_id)  # NotFound: not one of mine
    flash(_("Deputy removed."), "ok")
    return redirect(url_for("account.index"))


def _page(
    *, password_error: str | None = None, deputy_error: str | None = None, status_code: int = 200
) -> tuple[str, int]:
    username = current_user.username
    account = engine().account(username)
    names = {u.username: u.name for u in engine().directory().users.values()}
    html = render_template(
        "people/account.html",
        account=account,
        names=names,
        choices=engine().deputy_choices(username),
        password_error=password_error,
        deputy_error=deputy_error,
        form=request.form if status_code != 200 else {},
    )
    return html, status_code
