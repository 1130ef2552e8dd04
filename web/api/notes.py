"""Comments and files on an instance (a case): list, add, download.

Reading them: whoever may see the instance (raci.visibility.may_see_case); adding:
whoever takes part in it, a process owner or an admin, never an auditor by
oversight alone (raci.visibility.may_add_to_case). Nothing added can be changed.
A file is refused (422) unless its content is a photo or a PDF within the size
limits; a refused upload stores nothing (docs/attachments.md).
"""

from __future__ import annotations

from typing import Any

from flask_smorest.fields import Upload as UploadField
from marshmallow import Schema, fields
from werkzeug.wrappers import Response

from engine.attachments import ALLOWED, Upload
from web.case_notes import DOWNLOAD_POLICY, send_file
from web.services import engine

from .access import visible_instance
from .auth import api_blueprint, api_user
from .errors import documented
from .schemas import nullable, time_field
from .schemas import text as bounded_text

bp = api_blueprint("api_notes", __name__, "Comments and files on instances.")


class Comment(Schema):
    id = fields.Integer(required=True)
    instance_id = fields.String(required=True)
    task_id = nullable()
    author = fields.String(required=True)
    written_at = time_field(required=True)
    text = fields.String(required=True)


class NewComment(Schema):
    text = bounded_text(4000, blank=False, required=True)
    task_id = bounded_text(36, metadata={"description": "a task of the instance it is about"})


class Attachment(Schema):
    id = fields.Integer(required=True)
    instance_id = fields.String(required=True)
    task_id = nullable()
    name = fields.String(required=True)
    kind = nullable()
    media_type = fields.String(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    uploaded_by = fields.String(required=True)
    uploaded_at = time_field(required=True)


class NewFiles(Schema):
    files = fields.List(UploadField(), required=True)


class NewFilesFacts(Schema):
    kind = bounded_text(
        100, metadata={"description": "what the files are for a form, e.g. signed_contract"}
    )
    task_id = bounded_text(36, metadata={"description": "a task of the instance they are about"})


@bp.route("/instances/<id:instance_id>/comments")
@bp.response(200, Comment(many=True))
@documented(bp, 403, 404)
def comments(instance_id: str) -> list[dict[str, Any]]:
    """List the instance's comments, oldest first."""
    visible_instance(instance_id)
    return _timed(engine().comments(instance_id, user=api_user().username), "written_at")


@bp.route("/instances/<id:instance_id>/comments", methods=["POST"])
@bp.arguments(NewComment)
@bp.response(201, Comment)
@documented(bp, 400, 403, 404, 409, 413, 422)
def add_comment(args: dict[str, Any], instance_id: str) -> dict[str, Any]:
    """Add a comment to the instance (optionally about one of its tasks); it cannot be edited."""
    visible_instance(instance_id)
    user = api_user().username
    new_id = engine().add_comment(
        instance_id, user=user, text=args["text"], task_id=args.get("task_id") or None
    )
    [found] = [c for c in engine().comments(instance_id, user=user) if c["id"] == new_id]
    return _timed([found], "written_at")[0]


@bp.route("/instances/<id:instance_id>/attachments")
@bp.response(200, Attachment(many=True))
@documented(bp, 403, 404)
def attachments(instance_id: str) -> list[dict[str, Any]]:
    """List the instance's files (not their bytes), oldest first, each with its SHA-256."""
    visible_instance(instance_id)
    return _timed(engine().attachments(instance_id, user=api_user().username), "uploaded_at")


@bp.route("/instances/<id:instance_id>/attachments", methods=["POST"])
@bp.arguments(NewFiles, location="files")
@bp.arguments(NewFilesFacts, location="form")
@bp.response(201, Attachment(many=True))
@documented(bp, 400, 403, 404, 409, 413, 422)
def attach(files: dict[str, Any], facts: dict[str, Any], instance_id: str) -> list[dict[str, Any]]:
    """Upload files (multipart, field `files`): photos (JPEG, PNG, WebP, HEIC) or PDF, the
    type read from the content; all are stored, or none."""
    visible_instance(instance_id)
    kind = facts.get("kind") or None
    uploads = [Upload(f.filename or "", f.stream, kind) for f in files["files"]]
    stored = engine().attach(
        instance_id, uploads, user=api_user().username, task_id=facts.get("task_id") or None
    )
    return _timed(stored, "uploaded_at")


@bp.route("/attachments/<int:attachment_id>/content")
@bp.doc(
    responses={
        "200": {
            "description": "The file as it was uploaded (Content-Disposition: attachment)",
            "content": {
                media_type: {"schema": {"type": "string", "format": "binary"}}
                for media_type in ALLOWED
            },
        }
    }
)
@documented(bp, 403, 404)
def content(attachment_id: int) -> Response:
    """Download a file, if you may see its instance."""
    found = engine().open_attachment(attachment_id, user=api_user().username)
    return send_file(found, "attachment", DOWNLOAD_POLICY)


def _timed(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    return [{**row, key: row[key].isoformat()} for row in rows]
