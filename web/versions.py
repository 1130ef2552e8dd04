"""The versions of a process: who deployed and signed each, what still runs on it, and
moving running instances to the latest where it is safe (docs/deployment.md).

Every signed-in user may read the list (as the RACI pages); previewing and migrating is
the process owner's (or an admin's), as the service layer decides.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import ngettext
from flask_login import current_user, login_required

from engine import views
from engine.errors import EngineError
from raci import visibility
from raci.deployment import PROCESS_OWNER

from .i18n import error_text, render
from .people_words import status
from .services import engine
from .version_files import zip_download

bp = Blueprint("versions", __name__, url_prefix="/processes")


@bp.get("/<process_id>/versions")
@login_required
def index(process_id: str) -> Any:
    return _page(process_id)


@bp.post("/<process_id>/versions/migrate")
@login_required
def migrate(process_id: str) -> Any:
    chosen = request.form.getlist("instance")
    try:
        moved = engine().migrate_instances(process_id, chosen, user=current_user.username)
    except EngineError as error:
        return _page(process_id, error=error_text(error), status_code=status(error))
    flash(
        ngettext(
            "%(num)s instance moved to the latest version.",
            "%(num)s instances moved to the latest version.",
            len(moved),
        ),
        "ok",
    )
    stopped = [i for i in moved if views.instance(engine().uow(), i)["status"] == "error"]
    if stopped:  # moved, not mended: the failed step runs again only when retried
        flash(
            ngettext(
                "%(num)s of them stopped on an error: retry its failed step from its page.",
                "%(num)s of them stopped on an error: retry each one's failed step from its page.",
                len(stopped),
            )
        )
    return redirect(url_for("versions.index", process_id=process_id))


@bp.get("/<process_id>/versions/<int:number>/files.zip")
@login_required
def files(process_id: str, number: int) -> Any:
    """The version's files, to keep, review, or redeploy (`raciflow deploy`)."""
    return zip_download(process_id, number, current_user.username)


def _page(process_id: str, *, error: str | None = None, status_code: int = 200) -> Any:
    versions = engine().versions(process_id)  # NotFound: 404
    target, candidates = None, []
    if current_user.has_role(PROCESS_OWNER):
        target, candidates = engine().migration_preview(process_id, user=current_user.username)
    html = render_template(
        "versions/index.html",
        process_id=process_id,
        name=versions[0]["name"],
        versions=versions,
        target=target,
        candidates=[
            {**c.__dict__, "movable": c.movable, "reasons": [render(r) for r in c.reasons]}
            for c in candidates
        ],
        error=error,
        may_export=visibility.may_export_definitions(current_user.roles),
    )
    return html, status_code
