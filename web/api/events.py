"""Messages and signals from other systems: a payment arrived, a price list changed.

Who may send: an admin, a process owner, or a user holding the `integration` role
(the account another system signs in with). Events move instances that no one
person acts on, so sending is not left to every signed-in user (docs/events.md).

A message goes to the instances waiting for it with a matching correlation, or
starts the processes whose start event is that message; if neither, it is kept
until `kept_until` (RACIFLOW_MESSAGE_TTL) for an instance that will wait for it,
or, when messages are not kept, refused with 409. A signal goes to every instance
waiting for it; nobody waiting is not an error.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from engine.errors import NotAllowed
from raci import visibility
from raci.messages import N_, Message
from web.services import engine

from .auth import api_blueprint, api_user
from .errors import documented
from .schemas import text, time_field

bp = api_blueprint("api_events", __name__, "Messages and signals from other systems.")


class SignalArgs(Schema):
    name = text(200, blank=False, required=True)
    payload = fields.Dict(
        keys=fields.String(), load_default=dict, metadata={"description": "Data it carries"}
    )


class MessageArgs(SignalArgs):
    correlation = fields.Dict(
        keys=fields.String(),
        load_default=dict,
        metadata={"description": "KEY: VALUE pairs the receiving instance must match"},
    )


class Delivery(Schema):
    kind = fields.String(required=True)
    name = fields.String(required=True)
    delivered_to = fields.List(fields.String(), required=True)
    started = fields.List(fields.String(), required=True)
    kept_until = time_field(required=True)


def _may_send() -> None:
    if not visibility.may_send_events(api_user().roles):
        raise NotAllowed(
            Message(N_("only an admin, a process owner or an integration account may send events"))
        )


def _delivery(result: Any) -> dict[str, Any]:
    return {
        "kind": result.kind,
        "name": result.name,
        "delivered_to": list(result.delivered_to),
        "started": list(result.started),
        "kept_until": result.kept_until.isoformat() if result.kept_until else None,
    }


@bp.route("/messages", methods=["POST"])
@bp.arguments(MessageArgs)
@bp.response(200, Delivery)
@documented(bp, 400, 403, 409, 413)
def message(args: dict[str, Any]) -> dict[str, Any]:
    """Send a message to the instances waiting for it (or that it starts)."""
    _may_send()
    return _delivery(
        engine().send_message(
            args["name"],
            user=api_user().username,
            correlation=args["correlation"],
            payload=args["payload"],
        )
    )


@bp.route("/signals", methods=["POST"])
@bp.arguments(SignalArgs)
@bp.response(200, Delivery)
@documented(bp, 400, 403, 413)
def signal(args: dict[str, Any]) -> dict[str, Any]:
    """Broadcast a signal to every instance waiting for it (and start those it starts)."""
    _may_send()
    return _delivery(
        engine().send_signal(args["name"], user=api_user().username, payload=args["payload"])
    )
