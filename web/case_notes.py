"""Comments and files on a case, from the task page (and the case page): add, download, preview.

Who may add is the engine's rule (raci.visibility.may_add_to_case), who may read a
file is the case's (raci.visibility.may_see_case); the engine checks both for every
request. A file is sent back as it was stored, never as something the browser may
run in our origin: downloads are `attachment` with `nosniff`, previews are only the
types a browser shows safely (photos, PDF) under a CSP that allows no script
(docs/attachments.md).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Blueprint, Flask, abort, flash, g, redirect, request, url_for
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from engine.attachments import PREVIEWABLE, Upload
from engine.errors import EngineError, InvalidTaskData, NotFound
from engine.views.case_notes import case_notes
from raci import visibility as rules
from raci.directory import ADMIN_ROLE
from raci.visibility import PROCESS_OWNER_ROLE
from workflows.forms import files as form_files

from . import task_page
from .errors import status_of
from .i18n import error_text, semicolon
from .services import engine

bp = Blueprint("notes", __name__)
OPEN_STATUSES = ("ready", "awaiting_signoff", "running", "waiting", "error")
UPLOAD_ENDPOINTS = {
    "notes.upload",
    "start.start",
    "api_notes.attach",
}  # requests that may carry files
# Previews: shown, never run. Images and PDF draw without script of ours; `sandbox`
# (images) gives a crafted file an origin of its own. Chromium's PDF viewer does not
# open in a sandboxed document, so a PDF gets no script, no frames and no forms instead.
PREVIEW_POLICY = {
    "image": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
    "pdf": "default-src 'none'; object-src 'self'; style-src 'unsafe-inline'; form-action 'none'",
}
DOWNLOAD_POLICY = "default-src 'none'; sandbox"


def init_app(app: Flask) -> None:
    """Let the requests that carry files be larger than the app's usual limit: registered
    before CSRF protection, which reads the body first."""

    @app.before_request
    def room_for_files() -> None:
        if request.endpoint in UPLOAD_ENDPOINTS and request.method == "POST":
            limits = app.extensions["raciflow"].attachment_limits
            request.max_content_length = limits.max_files * limits.max_file_bytes + 256 * 1024

    app.register_blueprint(bp)


@bp.app_template_global()
def notes_of(instance_id: str) -> dict[str, list[dict[str, Any]]]:
    """The comments and files a page shows (it checked who may see the case already)."""
    return case_notes(engine().uow(), instance_id)


@bp.app_template_global()
def file_needs(process_id: str, element: str | None) -> list[Any]:
    """What a form needs on its case (the page names them beside the upload form)."""
    return list(engine().attachment_needs(process_id, element)) if element else []


@bp.app_template_global()
def largest_file() -> str:
    """The largest file one may attach, said before anyone tries a larger one ("10 MB")."""
    return file_size(engine().attachment_limits.max_file_bytes)


@bp.app_template_global()
def file_kinds() -> dict[str, str]:
    """The kinds a file may be uploaded as (for a form's rule), with their names."""
    return dict(form_files.KINDS)


@bp.app_template_global()
def may_add_notes(status: str) -> bool:
    """Whether the page offers the comment and upload forms: an open task or case, and a
    user who takes part in it rather than only overseeing it (the engine decides anyway,
    by raci.visibility.may_add_to_case)."""
    if status not in OPEN_STATUSES:
        return False
    roles = current_user.roles
    return not rules.oversees(roles) or bool({ADMIN_ROLE, PROCESS_OWNER_ROLE} & set(roles))


@bp.app_template_filter("file_size")
def file_size(size: int) -> str:
    """A file's size as people read it: KB below a megabyte, else MB (the reader's decimals)."""
    if size < 1024 * 1024:  # a file of a few bytes is not "0 KB"
        kilobytes = max(round(size / 1024, 1), 0.1) if size else 0
        return f"{format_decimal(kilobytes)} KB"
    return f"{format_decimal(round(size / 1024 / 1024, 1))} MB"


@bp.get("/cases/<instance_id>/<any(comments, files):part>")
@login_required
def back_to_case(instance_id: str, part: str) -> Response:
    # After a refused comment or upload the address bar shows the form's URL; reloading
    # or reopening it goes to the case instead of answering 405.
    return redirect(url_for("instances.detail", instance_id=instance_id) + f"#{part}")


@bp.post("/cases/<instance_id>/comments")
@login_required
def comment(instance_id: str) -> Any:
    task_id = request.form.get("task_id") or None
    page = _task_page(instance_id, task_id)
    text = request.form.get("text", "")
    try:
        engine().add_comment(instance_id, user=current_user.username, text=text, task_id=task_id)
    except EngineError as error:
        g.typed_comment = text  # the page again with the comment as typed, to shorten or fix
        return _refused(instance_id, page, error, _("Comment not added: %(why)s"))
    flash(_("Comment added."), "ok")
    return _back(instance_id, task_id, "comments")


@bp.post("/cases/<instance_id>/files")
@login_required
def upload(instance_id: str) -> Any:
    task_id = request.form.get("task_id") or None
    page = _task_page(instance_id, task_id)
    kind = request.form.get("file_kind") or None
    uploads = [
        Upload(f.filename or "", f.stream, kind)
        for f in request.files.getlist("files")
        if f.filename
    ]
    try:
        stored = engine().attach(instance_id, uploads, user=current_user.username, task_id=task_id)
    except EngineError as error:
        return _refused(instance_id, page, error, _("Nothing attached: %(why)s"))
    flash(ngettext("%(num)s file attached.", "%(num)s files attached.", len(stored)), "ok")
    return _back(instance_id, task_id, "files")


@bp.get("/files/<int:attachment_id>")
@login_required
def download(attachment_id: int) -> Response:
    found = _open(attachment_id)
    return send_file(found, "attachment", DOWNLOAD_POLICY)


@bp.get("/files/<int:attachment_id>/preview")
@login_required
def preview(attachment_id: int) -> Response:
    found = _open(attachment_id)
    media_type = found.row["media_type"]
    if media_type not in PREVIEWABLE:  # e.g. HEIC: browsers do not draw it; download instead
        return redirect(url_for(".download", attachment_id=attachment_id))
    policy = PREVIEW_POLICY["pdf" if media_type == "application/pdf" else "image"]
    return send_file(found, "inline", policy)


def _open(attachment_id: int) -> Any:
    try:
        return engine().open_attachment(attachment_id, user=current_user.username)
    except NotFound:
        abort(404)
    except EngineError:
        abort(403)


def send_file(found: Any, disposition: str, policy: str) -> Response:
    """A stored file, streamed a chunk at a time, with headers that keep it from running."""
    row = found.row
    response = Response(found.chunks, mimetype=row["media_type"], direct_passthrough=True)
    response.content_length = row["size"]
    ascii_name = row["name"].encode("ascii", "replace").decode().replace("?", "_").replace('"', "")
    response.headers["Content-Disposition"] = (
        f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(row['name'])}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = policy
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def _task_page(instance_id: str, task_id: str | None) -> task_page.TaskPage | None:
    """The task page the form was on (403 if the user may not see the task); the task
    must be one of the case's."""
    if task_id is None:
        return None
    page = task_page.load(task_id, current_user)
    if page.task["instance_id"] != instance_id:
        abort(404)
    return page


def _refused(
    instance_id: str, page: task_page.TaskPage | None, error: EngineError, sentence: str
) -> Any:
    """Say why, in `sentence` ("...: %(why)s"), on the page the form was on, with the
    refusal's status; nothing changed."""
    status = 422 if isinstance(error, InvalidTaskData) else status_of(error)
    if isinstance(error, InvalidTaskData):
        why = semicolon().join(_(m) for messages in error.errors.values() for m in messages)
    else:
        why = error_text(error)
    message = sentence.replace("%(why)s", why)  # the reason may hold a %
    if page is not None:
        from .tasks import render_page

        return render_page(page, error=message, status=status)
    from .instances import render_case

    return render_case(instance_id, error=message), status


def _back(instance_id: str, task_id: str | None, anchor: str) -> Response:
    if task_id is not None:
        return redirect(url_for("tasks.show", task_id=task_id) + f"#{anchor}")
    return redirect(url_for("instances.detail", instance_id=instance_id) + f"#{anchor}")
