"""Drafts of processes and their governed deployment (docs/deployment.md).

A process owner (or an admin) opens a draft of a process, from its latest version or
blank, saves its files (BPMN, DMN, the RACI matrix), validates it (every problem
pinned to its file and BPMN element) and submits it with a comment. A member of the
approver role, never the draft's owner, reads the diff and signs it (it becomes the
next version) or rejects it with a reason; like every act of the A role, both carry
the signer's own password. Drafts are their owner's: others get 404, except that
approvers read the drafts submitted to them. A draft that may not be submitted or
signed is 422 `InvalidDraft`, with `problems`.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import jsonify
from marshmallow import Schema, fields, validate

from engine.drafts import Draft
from engine.errors import InvalidDraft
from web.errors import error_body
from web.i18n import error_text
from web.services import engine

from .auth import api_blueprint, api_user
from .errors import Error, ErrorDetail, documented
from .schemas import NO_NUL, nullable, reason_text, time_field
from .signoff import SignArgs, sign_off_limit, signer

bp = api_blueprint("api_drafts", __name__, "Drafts of processes: validate, submit, sign.")

PROCESS_ID = validate.Regexp(r"^[A-Za-z_][A-Za-z0-9_\-]{0,199}$", error="not a process id")
FILE_NAME = validate.Regexp(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,199}$", error="not a file name")
MAX_FILE = 2 * 1024 * 1024


def files_field(**kwargs: Any) -> fields.Dict:
    """File name -> text: the BPMN, its DMN tables, its RACI matrix."""
    return fields.Dict(
        keys=fields.String(validate=FILE_NAME),
        values=fields.String(validate=[validate.Length(max=MAX_FILE), NO_NUL]),
        validate=validate.Length(min=1, max=20),
        **kwargs,
    )


class OpenArgs(Schema):
    process_id = fields.String(required=True, validate=PROCESS_ID)
    version = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(1, 1_000_000)
    )
    files = files_field(
        load_default=None,
        allow_none=True,
        metadata={"description": "Omitted: the files of the version (latest), or a blank one"},
    )
    name = fields.String(
        load_default="",
        validate=validate.Length(max=200),
        metadata={"description": "A blank new process's name, as staff read it (else its id)"},
    )


class SaveArgs(Schema):
    files = files_field(required=True)
    edition = fields.String(
        load_default=None,
        validate=validate.Length(max=64),
        metadata={"description": "the draft's updated_at as read: 409 if it was saved since"},
    )


class SubmitArgs(Schema):
    comment = reason_text(required=True)


class RejectArgs(SignArgs):
    reason = reason_text(required=True)


class DraftSummary(Schema):
    id = fields.String(required=True)
    process_id = fields.String(required=True)
    owner = fields.String(required=True)
    status = fields.String(
        required=True, metadata={"enum": ["editing", "submitted", "approved", "rejected"]}
    )
    base_version = fields.Integer(allow_none=True, required=True)
    created_at = time_field(required=True)
    updated_at = time_field(required=True)
    comment = nullable(required=True)
    submitted_at = time_field(required=True)
    decided_by = nullable(required=True)
    decided_at = time_field(required=True)
    reason = nullable(required=True)
    deployed_version = fields.Integer(allow_none=True, required=True)


class DraftRecord(DraftSummary):
    files = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class DraftLists(Schema):
    own = fields.List(fields.Nested(DraftSummary), required=True)
    to_approve = fields.List(fields.Nested(DraftSummary), required=True)


class Problem(Schema):
    kind = fields.String(
        required=True,
        metadata={"enum": ["parse", "bpmn", "script", "service", "dmn", "raci", "form"]},
    )
    severity = fields.String(required=True, metadata={"enum": ["error", "warning"]})
    message = fields.String(required=True)
    file = nullable(required=True)
    element_id = nullable(required=True, metadata={"description": "The BPMN element"})
    line = fields.Integer(allow_none=True, required=True)


class Validation(Schema):
    ok = fields.Boolean(required=True, metadata={"description": "No errors: it may be submitted"})
    problems = fields.List(fields.Nested(Problem), required=True)


class InvalidDraftDetail(ErrorDetail):
    problems = fields.List(fields.Nested(Problem))


class InvalidDraftError(Error):
    error = fields.Nested(InvalidDraftDetail, required=True)


class Diff(Schema):
    base_version = fields.Integer(allow_none=True, required=True)
    files = fields.Dict(required=True)
    elements = fields.Dict(required=True, metadata={"description": "added, removed, changed"})
    decisions = fields.List(fields.Dict(), required=True, metadata={"description": "cell by cell"})
    raci = fields.Dict(required=True, metadata={"description": "rows added, removed, changed"})


class Deployed(Schema):
    process_id = fields.String(required=True)
    version = fields.Integer(required=True)
    created = fields.Boolean(required=True)
    warnings = fields.List(fields.String(), required=True)


@bp.errorhandler(InvalidDraft)
def invalid_draft(error: InvalidDraft) -> Any:
    body = error_body(422, "InvalidDraft", error_text(error))
    body["error"]["problems"] = [p.as_dict() for p in error.problems]
    return jsonify(body), 422


def summary(draft: Draft) -> dict[str, Any]:
    return {
        name: getattr(draft, name)
        for name in DraftSummary().fields
        if name not in ("created_at", "updated_at", "submitted_at", "decided_at")
    } | {
        name: (getattr(draft, name).isoformat() if getattr(draft, name) else None)
        for name in ("created_at", "updated_at", "submitted_at", "decided_at")
    }


def record(draft: Draft) -> dict[str, Any]:
    return {**summary(draft), "files": draft.files}


def _me() -> str:
    return api_user().username


@bp.route("/drafts")
@bp.response(200, DraftLists)
@documented(bp)
def drafts() -> dict[str, Any]:
    """Your drafts, and (for an approver) the drafts submitted for you to sign."""
    found = engine().drafts(user=_me())
    return {key: [summary(d) for d in listed] for key, listed in found.items()}


@bp.route("/drafts", methods=["POST"])
@bp.arguments(OpenArgs)
@bp.response(201, DraftRecord)
@documented(bp, 400, 403, 404, 409, 413)
def open_draft(args: dict[str, Any]) -> dict[str, Any]:
    """Open a draft of a process: from the files given, a version (the latest), or blank."""
    return record(
        engine().open_draft(
            args["process_id"],
            user=_me(),
            files=args["files"],
            version=args["version"],
            name=args["name"],
        )
    )


@bp.route("/drafts/<id:draft_id>")
@bp.response(200, DraftRecord)
@documented(bp, 404)
def draft(draft_id: str) -> dict[str, Any]:
    """One draft with its files."""
    return record(engine().draft(draft_id, user=_me()))


@bp.route("/drafts/<id:draft_id>", methods=["PUT"])
@bp.arguments(SaveArgs)
@bp.response(200, DraftRecord)
@documented(bp, 400, 404, 409, 413)
def save(args: dict[str, Any], draft_id: str) -> dict[str, Any]:
    """Replace the files of your draft."""
    saved = engine().save_draft(draft_id, args["files"], user=_me(), edition=args["edition"])
    return record(saved)


@bp.route("/drafts/<id:draft_id>", methods=["DELETE"])
@bp.response(204)
@documented(bp, 404, 409)
def delete(draft_id: str) -> None:
    """Delete your draft (not one submitted or signed)."""
    engine().delete_draft(draft_id, user=_me())


@bp.route("/drafts/<id:draft_id>/validation")
@bp.response(200, Validation)
@documented(bp, 404)
def validation(draft_id: str) -> dict[str, Any]:
    """Check the draft as a deploy would; every problem is pinned to its element."""
    review = engine().validate_draft(draft_id, user=_me())
    return {"ok": review.ok, "problems": [p.as_dict() for p in review.problems]}


@bp.route("/drafts/<id:draft_id>/diff")
@bp.response(200, Diff)
@documented(bp, 404)
def diff(draft_id: str) -> dict[str, Any]:
    """What the draft changes against the version it was opened from."""
    return engine().draft_diff(draft_id, user=_me())


@bp.route("/drafts/<id:draft_id>/submit", methods=["POST"])
@bp.arguments(SubmitArgs)
@bp.response(200, DraftRecord)
@bp.alt_response(422, schema=InvalidDraftError)
@documented(bp, 400, 403, 404, 409, 413)
def submit(args: dict[str, Any], draft_id: str) -> dict[str, Any]:
    """Send your valid draft to the approvers, with a comment saying what and why."""
    return record(engine().submit_draft(draft_id, user=_me(), comment=args["comment"]))


@bp.route("/drafts/<id:draft_id>/approve", methods=["POST"])
@sign_off_limit
@bp.arguments(SignArgs)
@bp.response(200, Deployed)
@bp.alt_response(422, schema=InvalidDraftError)
@documented(bp, 400, 403, 404, 409, 413, 429)
def approve(args: dict[str, Any], draft_id: str) -> dict[str, Any]:
    """Sign a submitted draft (approver role, never your own): it becomes a version."""
    deployed = engine().approve_draft(draft_id, user=signer(args))
    return asdict(deployed)


@bp.route("/drafts/<id:draft_id>/reject", methods=["POST"])
@sign_off_limit
@bp.arguments(RejectArgs)
@bp.response(200, DraftRecord)
@documented(bp, 400, 403, 404, 409, 413, 429)
def reject(args: dict[str, Any], draft_id: str) -> dict[str, Any]:
    """Send a submitted draft back to its owner with a reason (approver role)."""
    return record(engine().reject_draft(draft_id, user=signer(args), reason=args["reason"]))
