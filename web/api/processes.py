"""Deployed processes, their RACI matrices, and starting instances.

Every signed-in user may list the processes and read their matrices (who does,
signs, is asked and is told is no secret inside the company). Starting follows
web/api/access.py: an R role anywhere in the latest matrix, an admin, or anyone
for an ungoverned process. The start data is validated by the process's start
form, through the engine: 422 with the messages by form field.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from marshmallow import EXCLUDE, Schema, fields, validate

from engine import views
from engine.errors import NotAllowed
from engine.start_requests import MAX_KEY
from engine.views import api_lists
from raci import render
from raci.messages import N_, Message
from web.services import engine

from ..customer_card import customer_code
from .access import may_start
from .auth import api_blueprint, api_user
from .errors import documented
from .forms import form_fields
from .schemas import FormField, InstanceState, nullable, text, time_field
from .tasks import state

bp = api_blueprint("api_processes", __name__, "Processes and their RACI matrices.")


class Version(Schema):
    version = fields.Integer(required=True)
    content_hash = fields.String(required=True)
    deployed_at = time_field(required=True)
    deployed_by = fields.String(required=True)


class Process(Schema):
    process_id = fields.String(required=True)
    name = fields.String(required=True, metadata={"description": "Of the latest version"})
    latest_version = fields.Integer(required=True)
    versions = fields.List(fields.Nested(Version), required=True)
    can_start = fields.Boolean(required=True, metadata={"description": "Whether you may"})
    start_form = fields.List(fields.Nested(FormField), allow_none=True)


class MatrixRow(Schema):
    activity = fields.String(required=True)
    cells = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    self_approval = fields.Boolean(required=True)
    advisory = fields.Boolean(required=True)
    signoff_due = nullable(metadata={"description": "ISO 8601 duration"})


class Matrix(Schema):
    process_id = fields.String(required=True)
    version = fields.Integer(required=True)
    governed = fields.Boolean(required=True)
    roles = fields.List(fields.String(), required=True)
    rows = fields.List(fields.Nested(MatrixRow), required=True)


class VersionArgs(Schema):
    version = fields.Integer(validate=validate.Range(1, 1_000_000))


class StartArgs(Schema):
    data = fields.Dict(
        keys=fields.String(),
        load_default=dict,
        metadata={"description": "The start form's fields (see start_form)"},
    )
    business_key = text(200, load_default=None, allow_none=True)
    version = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(1, 1_000_000)
    )


class StartHeaders(Schema):
    class Meta:
        unknown = EXCLUDE  # every other header of the request

    idempotency_key = fields.String(
        data_key="Idempotency-Key",
        load_default=None,
        validate=validate.Length(1, MAX_KEY),
        metadata={
            "description": "Your own key for this start (up to 100 characters, e.g. a UUID):"
            " sent again with the same body within a day, it starts nothing and answers with"
            " the case the first request started, as it stands now"
        },
    )


@bp.route("/processes")
@bp.response(200, Process(many=True))
@documented(bp)
def processes() -> list[dict[str, Any]]:
    """List the deployed processes with their versions, latest last."""
    versions: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for version in views.process_versions(engine().uow()):
        versions[version["process_id"]].append(version)
    roles = api_lists.roles_today(engine().uow(), api_user().username)  # read once
    return [
        {
            "process_id": process_id,
            "name": found[-1]["name"],
            "latest_version": found[-1]["version"],
            "versions": found,
            "can_start": may_start(process_id, engine().matrix(process_id)[1], roles),
            "start_form": form_fields(process_id, "start"),
        }
        for process_id, found in sorted(versions.items())
    ]


@bp.route("/processes/<id:process_id>/raci")
@bp.arguments(VersionArgs, location="query")
@bp.response(200, Matrix)
@documented(bp, 404)
def raci(args: dict[str, Any], process_id: str) -> dict[str, Any]:
    """Show a process's RACI matrix, one row per activity (latest version by default)."""
    number, matrix = engine().matrix(process_id, args.get("version"))
    return {
        "process_id": process_id,
        "version": number,
        "governed": matrix is not None,
        "roles": list(matrix.roles) if matrix else [],
        "rows": render.as_rows(matrix) if matrix else [],
    }


@bp.route("/processes/<id:process_id>/instances", methods=["POST"])
@bp.arguments(StartArgs)
@bp.arguments(StartHeaders, location="headers")
@bp.response(201, InstanceState)
@documented(bp, 400, 403, 404, 413)
def start(args: dict[str, Any], headers: dict[str, Any], process_id: str) -> Any:
    """Start an instance with the start form's data; it runs to its first wait. With an
    Idempotency-Key, a request sent again (after a time-out, say) starts no second case."""
    _, matrix = engine().matrix(process_id, args["version"])  # NotFound: 404
    if not may_start(process_id, matrix):
        raise NotAllowed(
            Message(
                N_("your roles do not work on %(process)s, so you may not start it"),
                process=process_id,
            )
        )
    business_key = args["business_key"]
    customer = args["data"].get("customer_id")
    if business_key is None and type(customer) is int:  # as the start page keys its cases
        business_key = customer_code(engine().uow(), customer)
    result = engine().start(
        process_id,
        user=api_user().username,
        data=args["data"],
        business_key=business_key,
        version=args["version"],
        request_key=headers["idempotency_key"],
    )
    if result.replayed:  # started by the first request with this key: said in a header
        return state(result), 201, {"Idempotent-Replayed": "true"}
    return state(result)
