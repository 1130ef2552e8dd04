"""Signing in and out, the signed-in user, and the role checks every view uses.

A session cookie is signed, not stored: to make one end for good it carries the
user's session generation (engine: users.session_generation) from sign-in, and
is honoured only while that is still the user's generation. Signing out and a
password change raise it, so a cookie captured earlier is void everywhere (and
signing out ends the user's other sessions too).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import UserMixin, current_user, login_required, login_user, logout_user

from engine.commands.accounts import SignedIn
from raci.directory import ADMIN_ROLE
from raci.visibility import AUDITOR_ROLE

from .extensions import limiter, login_manager
from .services import engine

bp = Blueprint("auth", __name__)


class WebUser(UserMixin):
    """The signed-in person: a user of the directory, with their roles and language."""

    def __init__(self, username: str, name: str, roles: frozenset[str], locale: str) -> None:
        self.id = username
        self.username = username
        self.name = name
        self.roles = roles
        self.locale = locale

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles)) or ADMIN_ROLE in self.roles

    @property
    def does_work(self) -> bool:
        """Whether the user may have work to do or start: not when auditing is all they do
        (an auditor holds no letter in any matrix and may be nobody's deputy)."""
        return self.roles != {AUDITOR_ROLE}


def load_user(username: str) -> WebUser | None:
    """The active directory user `username`, or None (their session then ends)."""
    account = engine().signed_in(username)
    return web_user(account) if account else None


def web_user(account: SignedIn) -> WebUser:
    user = account.user
    return WebUser(user.username, user.name, user.roles, account.locale)


SESSION_GENERATION = "raciflow_generation"
MUST_CHANGE_PASSWORD = "raciflow_must_change_password"  # noqa: S105  (a flag: web/account.py)


def load_session_user(username: str) -> WebUser | None:
    """The user of a session cookie, if it was issued under their current generation.

    One read transaction, no write: a page view never changes the database for the
    sake of signing in.
    """
    account = engine().signed_in(username)
    if account is None or session.get(SESSION_GENERATION) != account.session_generation:
        return None
    return web_user(account)


login_manager.user_loader(load_session_user)
login_manager.login_view = "auth.login"
login_manager.login_message = lazy_gettext("Please sign in to see this page.")
login_manager.session_protection = "strong"


def roles_required(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Allow the view only to signed-in holders of one of `roles` (admins always)."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        @login_required
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def _login_key() -> str:
    # Limit guesses per account as well as per address.
    return f"login:{request.form.get('username', '').strip().lower()}"


def _failed(response: Any) -> bool:
    # Only a refused sign-in costs: people sign in on their phone and desk all day, and
    # an office behind one address signs in together at nine.
    return response.status_code == 401


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"], deduct_when=_failed)
@limiter.limit("20 per hour", methods=["POST"], key_func=_login_key, deduct_when=_failed)
def login() -> Any:
    if request.method == "POST":
        username = request.form.get("username", "").strip().lower()
        password = request.form.get("password", "")
        if engine().authenticate(username, password):
            user = load_user(username)
            if user is not None:
                login_user(user)
                session[SESSION_GENERATION] = engine().session_generation(username)
                if engine().must_change_password(username):
                    session[MUST_CHANGE_PASSWORD] = True
                    return redirect(url_for("account.index"))
                return redirect(_safe_next(request.args.get("next")))
        flash(_("Wrong username or password."), "error")
        return render_template("auth/login.html", username=username), 401
    return render_template("auth/login.html", username="")


@bp.post("/logout")
@login_required
def logout() -> Any:
    engine().end_sessions(current_user.username)
    logout_user()
    return redirect(url_for("auth.login"))


@bp.post("/account/language")
@login_required
def language() -> Any:
    engine().set_locale(current_user.username, request.form.get("locale", ""))
    return redirect(_safe_next(request.form.get("next")))


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect a sign-in to another site."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("home")
