"""A process's versions, and migrating running instances to a newer one.

Every signed-in user may list the versions (who deployed, who approved, how many
unfinished instances on each). The migration preview and the migration are the
process owner's (or an admin's): 403 otherwise. A migration is all or nothing: an
instance that cannot move refuses the whole request (409) and nothing moves.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from marshmallow import Schema, fields, validate

from web.i18n import render
from web.services import engine
from web.version_files import zip_download

from .auth import api_blueprint, api_user
from .errors import documented
from .schemas import nullable, time_field

bp = api_blueprint("api_versions", __name__, "Process versions and migration of instances.")


class VersionRecord(Schema):
    version = fields.Integer(required=True)
    name = fields.String(required=True)
    deployed_at = time_field(required=True)
    deployed_by = fields.String(required=True)
    approved_by = nullable(required=True, metadata={"description": "None: at set-up"})
    approved_at = time_field(required=True)
    comment = nullable(required=True)
    draft = nullable(required=True)
    unfinished = fields.Integer(required=True)


class Candidate(Schema):
    instance_id = fields.String(required=True)
    business_key = nullable(required=True)
    status = fields.String(required=True)
    from_version = fields.Integer(required=True)
    movable = fields.Boolean(required=True)
    reasons = fields.List(fields.String(), required=True)


class Preview(Schema):
    to_version = fields.Integer(required=True)
    instances = fields.List(fields.Nested(Candidate), required=True)


class MigrateArgs(Schema):
    instances = fields.List(
        fields.String(validate=validate.Length(max=36)),
        required=True,
        validate=validate.Length(min=1, max=500),
    )


class Migrated(Schema):
    to_version = fields.Integer(required=True)
    instances = fields.List(fields.String(), required=True)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


@bp.route("/processes/<id:process_id>/versions")
@bp.response(200, VersionRecord(many=True))
@documented(bp, 404)
def versions(process_id: str) -> list[dict[str, Any]]:
    """Every version, newest first, with who deployed and approved it."""
    return [
        {**v, "deployed_at": _iso(v["deployed_at"]), "approved_at": _iso(v["approved_at"])}
        for v in engine().versions(process_id)
    ]


@bp.route("/processes/<id:process_id>/versions/<int:number>/files")
@bp.doc(
    responses={
        "200": {
            "description": "The version's BPMN, DMN and RACI files as a zip (`deploy` takes them)",
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
)
@documented(bp, 403, 404)
def files(process_id: str, number: int) -> Response:
    """Download a version's files: process owners, approvers, auditors and admins."""
    return zip_download(process_id, number, api_user().username)


@bp.route("/processes/<id:process_id>/migration")
@bp.response(200, Preview)
@documented(bp, 403, 404)
def preview(process_id: str) -> dict[str, Any]:
    """Which unfinished instances on older versions can move to the latest, and why not."""
    target, candidates = engine().migration_preview(process_id, user=api_user().username)
    return {
        "to_version": target,
        "instances": [
            {**c.__dict__, "movable": c.movable, "reasons": [render(r) for r in c.reasons]}
            for c in candidates
        ],
    }


@bp.route("/processes/<id:process_id>/migration", methods=["POST"])
@bp.arguments(MigrateArgs)
@bp.response(200, Migrated)
@documented(bp, 400, 403, 404, 409, 413)
def migrate(args: dict[str, Any], process_id: str) -> dict[str, Any]:
    """Move the instances named to the latest version, all or none; audited."""
    moved = engine().migrate_instances(process_id, args["instances"], user=api_user().username)
    return {"to_version": engine().versions(process_id)[0]["version"], "instances": moved}
