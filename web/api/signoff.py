"""Sign-off (A) and consultation (C) of a task.

The engine decides by the task's RACI row: approve, reject and override need
the task's A role (or standing in for it), and four eyes holds: whoever did
the work, or the person they stood in for, never signs it (403 RaciRefusal,
recorded in the trail). Answering a consultation needs its C role.

Approving re-authenticates: the body carries the signer's own password, so a
lost token alone cannot sign anything. Wrong passwords are 403
ReauthenticationFailed, and limited to 10 a minute per user.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from web.extensions import limiter
from web.services import engine

from .auth import api_blueprint, api_user
from .errors import ReauthenticationFailed, documented
from .schemas import MAX_ID, InstanceState, TaskDetail, reason_text
from .tasks import state, task_detail

bp = api_blueprint("api_signoff", __name__, "Sign off tasks; answer consultations.")


class ApproveArgs(Schema):
    password = fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(max=1000),
        metadata={"description": "Your own password: signing off re-authenticates"},
    )


class ReasonArgs(Schema):
    reason = reason_text(required=True)


class AnswerArgs(Schema):
    comment = reason_text(required=True)


def _signer_key() -> str:
    # Checked inside the view, after authentication: per signer, whatever their address.
    return f"api-approve:{api_user().username}"


@bp.route("/tasks/<id:task_id>/approve", methods=["POST"])
@limiter.limit("10 per minute", key_func=_signer_key)
@bp.arguments(ApproveArgs)
@bp.response(200, InstanceState)
@documented(bp, 404, 400, 403, 409, 413, 429)
def approve(args: dict[str, Any], task_id: str) -> dict[str, Any]:
    """Sign off submitted work (A, never your own): the process runs on with it."""
    user = api_user().username
    if not engine().authenticate(user, args["password"]):
        raise ReauthenticationFailed()
    return state(engine().approve(task_id, user=user))


@bp.route("/tasks/<id:task_id>/reject", methods=["POST"])
@bp.arguments(ReasonArgs)
@bp.response(200, TaskDetail)
@documented(bp, 404, 400, 403, 409, 413)
def reject(args: dict[str, Any], task_id: str) -> dict[str, Any]:
    """Send submitted work back to its performer with a reason (A)."""
    engine().reject(task_id, user=api_user().username, reason=args["reason"])
    return task_detail(task_id)


@bp.route("/tasks/<id:task_id>/consultations/override", methods=["POST"])
@bp.arguments(ReasonArgs)
@bp.response(200, TaskDetail)
@documented(bp, 404, 400, 403, 409, 413)
def override(args: dict[str, Any], task_id: str) -> dict[str, Any]:
    """Let the work go on without the consultations still unanswered (A), with a reason."""
    engine().override_consultation(task_id, user=api_user().username, reason=args["reason"])
    return task_detail(task_id)


@bp.route(f"/consultations/<int(max={MAX_ID}):consultation_id>/answer", methods=["POST"])
@bp.arguments(AnswerArgs)
@bp.response(204)
@documented(bp, 404, 400, 403, 409, 413)
def answer(args: dict[str, Any], consultation_id: int) -> None:
    """Answer a consultation for your consulted role (C); the performer sees the comment."""
    engine().answer_consultation(consultation_id, user=api_user().username, comment=args["comment"])
