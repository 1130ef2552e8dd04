"""Sign-off (A) and consultation (C) of a task.

The engine decides by the task's RACI row: approve, reject and override need
the task's A role (or standing in for it), and four eyes holds: whoever did
the work, or the person they stood in for, never signs it (403 RaciRefusal,
recorded in the trail). Answering a consultation needs its C role.

Every act of the A role re-authenticates, as on the web pages: approve, reject
and override carry the signer's own password in the body, so a lost token
alone cannot sign, send back or wave through anything. Wrong passwords are 403
ReauthenticationFailed; the three acts share a limit of 10 a minute per user.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from web.extensions import password_guesses
from web.services import engine

from .auth import api_blueprint, api_user
from .errors import ReauthenticationFailed, documented
from .schemas import MAX_ID, InstanceState, TaskDetail, reason_text
from .tasks import state, task_detail

bp = api_blueprint("api_signoff", __name__, "Sign off tasks; answer consultations.")


class SignArgs(Schema):
    password = fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(max=1000),
        metadata={"description": "Your own password: every act of the A role re-authenticates"},
    )


class ReasonArgs(SignArgs):
    reason = reason_text(required=True)


class AnswerArgs(Schema):
    comment = reason_text(required=True)


def _signer_key() -> str:
    # Checked inside the view, after authentication: per signer, whatever their address.
    return f"api-sign-off:{api_user().username}"


# One budget of password guesses per signer, whichever of the three acts they try.
sign_off_limit = password_guesses("api-sign-off", key_func=_signer_key)


def signer(args: dict[str, Any]) -> str:
    """The caller, once the password in `args` proves it is them; else 403."""
    user = api_user().username
    if not engine().authenticate(user, args["password"]):
        raise ReauthenticationFailed()
    return user


@bp.route("/tasks/<id:task_id>/approve", methods=["POST"])
@sign_off_limit
@bp.arguments(SignArgs)
@bp.response(200, InstanceState)
@documented(bp, 404, 400, 403, 409, 413, 429)
def approve(args: dict[str, Any], task_id: str) -> dict[str, Any]:
    """Sign off submitted work (A, never your own): the process runs on with it."""
    return state(engine().approve(task_id, user=signer(args)))


@bp.route("/tasks/<id:task_id>/reject", methods=["POST"])
@sign_off_limit
@bp.arguments(ReasonArgs)
@bp.response(200, TaskDetail)
@documented(bp, 404, 400, 403, 409, 413, 429)
def reject(args: dict[str, Any], task_id: str) -> dict[str, Any]:
    """Send submitted work back to its performer with a reason (A)."""
    engine().reject(task_id, user=signer(args), reason=args["reason"])
    return task_detail(task_id)


@bp.route("/tasks/<id:task_id>/consultations/override", methods=["POST"])
@sign_off_limit
@bp.arguments(ReasonArgs)
@bp.response(200, TaskDetail)
@documented(bp, 404, 400, 403, 409, 413, 429)
def override(args: dict[str, Any], task_id: str) -> dict[str, Any]:
    """Let the work go on without the consultations still unanswered (A), with a reason."""
    engine().override_consultation(task_id, user=signer(args), reason=args["reason"])
    return task_detail(task_id)


@bp.route(f"/consultations/<int(max={MAX_ID}):consultation_id>/answer", methods=["POST"])
@bp.arguments(AnswerArgs)
@bp.response(204)
@documented(bp, 404, 400, 403, 409, 413)
def answer(args: dict[str, Any], consultation_id: int) -> None:
    """Answer a consultation for your consulted role (C); the performer sees the comment."""
    engine().answer_consultation(consultation_id, user=api_user().username, comment=args["comment"])
