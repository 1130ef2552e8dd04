"""Users and role membership, for administrators: list, search, create, change.

Only admins reach these pages (roles_required), and the service layer checks
again (engine/commands/user_admin.py): authorisation never rests on the page.
A new user's one-time password is shown once, in the answer to the form that
made it, never stored in the session or a flash message. The reset form carries the
password's fingerprint, so a reload of that answer (which posts again) is refused
rather than replacing the password just handed over.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from engine import views
from engine.errors import EngineError

from .auth import roles_required
from .people_words import day, say, status
from .services import engine
from .vocabulary import ROLES, role_name

bp = Blueprint("users", __name__, url_prefix="/admin/users")
admin_only = roles_required("admin")


@bp.get("/")
@admin_only
def index() -> Any:
    query = request.args.get("q", "")[:100]
    found = engine().find_users(by=current_user.username, query=query)
    return render_template(
        "people/users.html", users=found, query=query, descriptions=_descriptions()
    )


@bp.route("/new", methods=["GET", "POST"])
@admin_only
def new() -> Any:
    roles = sorted(engine().directory().roles)
    if request.method == "GET":
        return render_template(
            "people/user_new.html", roles=roles, form={}, error=None, descriptions=_descriptions()
        )
    form = request.form
    username = form.get("username", "").strip().lower()
    try:
        password = engine().create_user(
            username,
            name=form.get("name", ""),
            email=form.get("email"),
            roles=form.getlist("roles"),
            by=current_user.username,
        )
    except EngineError as error:
        html = render_template(
            "people/user_new.html",
            roles=roles,
            form=form,
            error=say(error),
            descriptions=_descriptions(),
        )
        return html, status(error)
    return _one_time(username, password, 201)


@bp.get("/<username>")
@admin_only
def show(username: str) -> Any:
    return _user_page(username)


@bp.post("/<username>/details")
@admin_only
def details(username: str) -> Any:
    form = request.form
    return _act(
        username,
        lambda: engine().update_user(
            username, name=form.get("name", ""), email=form.get("email"), by=current_user.username
        ),
        _("Details saved."),
    )


@bp.post("/<username>/active")
@admin_only
def active(username: str) -> Any:
    on = request.form.get("active") == "1"
    if not on and request.form.get("confirm") != "yes":  # the page's box, ticked
        error = _("Tick the box to confirm the deactivation.")
        return _user_page(username, error=error, status_code=422)
    done = (
        _("User reactivated.")
        if on
        else _(
            "User deactivated: their sessions have ended, and any task they had claimed is"
            " back in its role's queue."
        )
    )
    return _act(
        username,
        lambda: engine().set_user_active(username, on, by=current_user.username),
        done,
    )


@bp.post("/<username>/deputies")
@admin_only
def add_deputy(username: str) -> Any:
    """Name a deputy for someone absent, who cannot name their own."""
    starts, ends = day(request.form.get("starts")), day(request.form.get("ends"))
    deputy = request.form.get("deputy", "")
    if not deputy or starts is None or ends is None:
        message = _("Choose a deputy and the first and last day.")
        return _user_page(username, deputy_error=message, status_code=422)
    try:
        engine().set_deputy(username, deputy, starts=starts, ends=ends, by=current_user.username)
    except EngineError as error:
        return _user_page(username, deputy_error=say(error), status_code=status(error))
    flash(_("Deputy set."), "ok")
    return redirect(url_for("users.show", username=username))


@bp.post("/<username>/deputies/<int:deputy_id>/remove")
@admin_only
def remove_deputy(username: str, deputy_id: int) -> Any:
    engine().remove_deputy(username, deputy_id, by=current_user.username)
    flash(_("Deputy removed."), "ok")
    return redirect(url_for("users.show", username=username))


@bp.post("/<username>/roles")
@admin_only
def add_role(username: str) -> Any:
    role = request.form.get("role", "")
    return _act(
        username,
        lambda: engine().add_role(username, role, by=current_user.username),
        _("Role %(role)s added.", role=_role_name(role)),
    )


@bp.post("/<username>/roles/<role>/remove")
@admin_only
def remove_role(username: str, role: str) -> Any:
    return _act(
        username,
        lambda: engine().remove_role(username, role, by=current_user.username),
        _("Role %(role)s removed.", role=_role_name(role)),
    )


@bp.post("/<username>/password")
@admin_only
def reset_password(username: str) -> Any:
    try:
        password = engine().reset_password(
            username,
            by=current_user.username,
            version=request.form.get("password_version", ""),  # the page's: a reload refused
        )
    except EngineError as error:
        return _user_page(username, error=say(error), status_code=status(error))
    return _one_time(username, password, 200)


def _act(username: str, action: Any, done: str) -> Any:
    try:
        action()
    except EngineError as error:
        return _user_page(username, error=say(error), status_code=status(error))
    flash(done, "ok")
    return redirect(url_for("users.show", username=username))


def _user_page(
    username: str,
    *,
    error: str | None = None,
    deputy_error: str | None = None,
    status_code: int = 200,
) -> Any:
    user, roles, password = engine().user_record(username, by=current_user.username)
    directory = engine().directory()
    html = render_template(
        "people/user.html",
        user=user,
        roles=roles,
        descriptions=_descriptions(),
        password=password,
        password_version=engine().password_version(username),
        error=error,
        # Roles nobody else holds: deactivating the user leaves their work to no one.
        sole_roles=[r for r in sorted(user.roles) if directory.members(r) == [username]],
        # Work they hold: deactivating them gives it back to the queue, said before.
        claimed=views.claimed_by(engine().uow(), username) if user.active else None,
        deputies=engine().account(username).deputies,
        names={u.username: u.name for u in directory.users.values()},
        deputy_choices=engine().deputy_choices(username) if user.active else [],
        deputy_error=deputy_error,
        form=request.form if deputy_error else {},
    )
    return html, status_code


def _descriptions() -> dict[str, str]:
    """Each role's name as every page says it (web/vocabulary.py); a role the application
    does not know by the directory's description of it."""
    return {
        r.name: role_name(r.name) if r.name in ROLES else (r.description or r.name)
        for r in engine().directory().roles.values()
    }


def _role_name(role: str) -> str:
    return _(_descriptions().get(role, role))


def _one_time(username: str, password: str, status_code: int) -> Any:
    html = render_template("people/one_time_password.html", username=username, password=password)
    return html, status_code, {"Cache-Control": "no-store"}
