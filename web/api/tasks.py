"""One task: read it, claim, release, complete, reassign (the R side of a task).

GET /tasks/{id} follows web/api/access.py (R, A, C roles, those who acted,
oversight). Acting is decided by the engine from the task's RACI row: claim and
complete need an R role (or standing in for one) and, once claimed, to be the
claimant; release needs to be the claimant; reassign an R member or an admin.
Completion data is validated by the task's form, through the engine: 422 with
the messages by form field.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from engine import InstanceState as EngineInstanceState
from engine import views
from engine.views import incidents
from web.services import engine

from .access import visible_task
from .auth import api_blueprint, api_user
from .errors import documented
from .forms import form_fields
from .schemas import InstanceState, TaskDetail, reason_text, text

bp = api_blueprint("api_tasks", __name__, "Work on one task.")


class CompleteArgs(Schema):
    data = fields.Dict(
        keys=fields.String(),
        required=True,
        metadata={"description": "The form's fields (see `form` in GET /tasks/{id})"},
    )


class ReassignArgs(Schema):
    to = text(200, blank=False, required=True, metadata={"description": "A username"})
    reason = reason_text(load_default=None)


def task_detail(task_id: str, letters: set[str] | None = None) -> dict[str, Any]:
    """The task as GET /tasks/{id} shows it."""
    if letters is None:
        letters = visible_task(task_id)
    detail = views.task_detail(engine().uow(), task_id)
    return {
        **detail,
        "form": form_fields(detail["process_id"], detail["element"]),
        "my_letters": sorted(letters),
    }


def state(result: EngineInstanceState) -> dict[str, Any]:
    """The instance after an act; in error, with its incident (never a silent "moved on")."""
    failed = str(result.status) == "error"
    return {
        "instance_id": result.instance_id,
        "process_id": result.process_id,
        "version": result.version,
        "status": str(result.status),
        "error": result.error,
        "ready_tasks": list(result.ready_tasks),
        "incident": incidents.incident(engine().uow(), result.instance_id) if failed else None,
    }


@bp.route("/tasks/<id:task_id>")
@bp.response(200, TaskDetail)
@documented(bp, 404, 403)
def get_task(task_id: str) -> dict[str, Any]:
    """Show a task: its state, sign-off, consultations, submitted data and form."""
    return task_detail(task_id)


@bp.route("/tasks/<id:task_id>/claim", methods=["POST"])
@bp.response(200, TaskDetail)
@documented(bp, 404, 403, 409)
def claim(task_id: str) -> dict[str, Any]:
    """Take an open task so that nobody else works on it (R)."""
    engine().claim(task_id, user=api_user().username)
    return task_detail(task_id)


@bp.route("/tasks/<id:task_id>/release", methods=["POST"])
@bp.response(200, TaskDetail)
@documented(bp, 404, 403, 409)
def release(task_id: str) -> dict[str, Any]:
    """Give back a task you claimed."""
    engine().release(task_id, user=api_user().username)
    return task_detail(task_id)


@bp.route("/tasks/<id:task_id>/complete", methods=["POST"])
@bp.arguments(CompleteArgs)
@bp.response(200, InstanceState)
@documented(bp, 404, 400, 403, 409, 413)
def complete(args: dict[str, Any], task_id: str) -> dict[str, Any]:
    """Complete a task with its form's data; under a matrix it then waits for sign-off (A)."""
    return state(engine().complete(task_id, user=api_user().username, data=args["data"]))


@bp.route("/tasks/<id:task_id>/reassign", methods=["POST"])
@bp.arguments(ReassignArgs)
@bp.response(200, TaskDetail)
@documented(bp, 404, 400, 403, 409, 413)
def reassign(args: dict[str, Any], task_id: str) -> dict[str, Any]:
    """Hand an open task to another member of its R role (R member or admin)."""
    user = api_user().username
    engine().reassign(task_id, user=user, to=args["to"].strip(), reason=args["reason"])
    return task_detail(task_id)
