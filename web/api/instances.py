"""Instances: the list, one instance with its open tasks, its audit timeline, cancelling.

Auditors, process owners and admins see every instance; anyone else the ones
they take part in (started, acted in, were notified about, or hold a letter on
one of its open tasks: raci/visibility.py). Cancelling: the starter, a process
owner or an admin (the engine's rule).
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from engine import InstanceStatus, views
from engine.views import oversight
from engine.views.oversight import InstanceQuery
from web.services import engine

from .access import sees_everything, visible_instance
from .auth import api_blueprint, api_user
from .errors import documented
from .schemas import (
    Event,
    Instance,
    InstancePage,
    InstanceState,
    PageArgs,
    reason_text,
    text,
)
from .tasks import state

bp = api_blueprint("api_instances", __name__, "Process instances and their timelines.")


class InstanceArgs(PageArgs):
    process = text(200, metadata={"description": "A process id"})
    status = fields.String(validate=validate.OneOf([s.value for s in InstanceStatus]))
    business_key = text(200, metadata={"description": "The start of a business key"})


class CancelArgs(Schema):
    reason = reason_text(required=True)


@bp.route("/instances")
@bp.arguments(InstanceArgs, location="query")
@bp.response(200, InstancePage)
@documented(bp)
def instances(args: dict[str, Any]) -> dict[str, Any]:
    """List the instances you take part in (all of them for oversight roles), newest first."""
    viewer = None if sees_everything() else api_user().username
    query = InstanceQuery(
        process_id=args.get("process"),
        status=args.get("status"),
        business_key=args.get("business_key"),
    )
    window = {"limit": args["limit"], "offset": args["offset"]}
    return {**oversight.instances(engine().uow(), query, viewer=viewer, **window), **window}


@bp.route("/instances/<id:instance_id>")
@bp.response(200, Instance)
@documented(bp, 403, 404)
def instance(instance_id: str) -> dict[str, Any]:
    """Show an instance, with its open tasks (ready or awaiting sign-off)."""
    return visible_instance(instance_id)


@bp.route("/instances/<id:instance_id>/events")
@bp.response(200, Event(many=True))
@documented(bp, 403, 404)
def events(instance_id: str) -> list[dict[str, Any]]:
    """Show the instance's audit timeline, in the order things happened."""
    visible_instance(instance_id)
    return views.audit_events(engine().uow(), instance_id=instance_id)


@bp.route("/instances/<id:instance_id>/cancel", methods=["POST"])
@bp.arguments(CancelArgs)
@bp.response(200, InstanceState)
@documented(bp, 400, 403, 404, 409, 413)
def cancel(args: dict[str, Any], instance_id: str) -> dict[str, Any]:
    """Stop an instance for good, with a reason; its open tasks are cancelled."""
    visible_instance(instance_id)  # then the engine refuses whom raci.visibility.may_cancel bars
    return state(engine().cancel(instance_id, user=api_user().username, reason=args["reason"]))
