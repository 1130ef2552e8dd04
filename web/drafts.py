"""The process owner's pages: drafts in the modeler, validation, submission; the
approver's review of the diff, and the signature (docs/deployment.md).

Who may do what is the service layer's rule (raci/deployment.py); these pages show
its refusals in the reader's language.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required

from engine import views
from engine.commands.drafts import BlankWords
from engine.draft_checks import Problem
from engine.drafts import DraftStatus
from engine.errors import EngineError, InvalidDraft, InvalidText
from raci.messages import Message

from . import display
from .diagram import EVENTS, GATEWAYS, TASKS
from .draft_files import activity_names, edited_files, editor_data, form_name, process_title
from .i18n import error_text, render
from .modeler_words import modeler_words
from .people_words import status
from .services import engine
from .vendor import installed
from .vocabulary import role_name, term

bp = Blueprint("drafts", __name__, url_prefix="/drafts")


# bpmn-js and dmn-js draw with inline style attributes: the modeler's pages allow those
# (scripts stay as strict as everywhere: this site's files only).
MODELER_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "font-src 'self'; frame-ancestors 'none'"
)


@bp.after_request
def modeler_policy(response: Any) -> Any:
    response.headers.setdefault("Content-Security-Policy", MODELER_POLICY)
    return response


def _me() -> str:
    return current_user.username


@bp.get("/")
@login_required
def index() -> Any:
    return _index_page()


def _index_page(*, typed: dict[str, str] | None = None, error: str = "", status: int = 200) -> Any:
    """The drafts; `typed`: a new process's id and name as typed before `error` refused them."""
    found = engine().drafts(user=_me())
    versions = views.process_versions(engine().uow())  # in order: the latest of each last
    processes = {v["process_id"]: v["name"] for v in versions}
    latest = {v["process_id"]: v["version"] for v in versions}
    if error:
        flash(error, "error")
    # A new process has no deployed name yet: its draft's own.
    new_titles = {
        d.id: process_title(d.process_id, d.files)
        for listed in found.values()
        for d in listed
        if d.process_id not in processes
    }
    page = render_template(
        "drafts/index.html",
        drafts=found,
        processes=processes,
        latest=latest,
        new_titles=new_titles,
        typed=typed or {},
    )
    return page, status


@bp.post("/")
@login_required
def open_draft() -> Any:
    # A new process's id and name, when an id is typed; else the deployed process chosen.
    new_id, new_name = request.form.get("new_id", "").strip(), request.form.get("new_name", "")
    process_id = new_id or request.form.get("process_id", "").strip()
    typed = {"new_id": new_id, "new_name": new_name}
    if new_id and not new_name.strip():  # else staff would read its id on the start page
        error = _("Give the new process a name, as staff will read it.")
        return _index_page(typed=typed, error=error, status=422)
    if new_id and views.process_versions(engine().uow(), new_id):  # not new: say so
        error = _(
            "A process with the id %(id)s exists already: choose it in the list to change it.",
            id=new_id,
        )
        return _index_page(typed=typed, error=error, status=409)
    try:
        draft = engine().open_draft(
            process_id,
            user=_me(),
            name=new_name,
            blank_words=BlankWords(
                first_task=_("First task"), start=_("Started"), end=_("Handled")
            ),
        )
    except EngineError as error:
        return _index_page(typed=typed, error=error_text(error), status=422)
    return redirect(url_for("drafts.edit", draft_id=draft.id))


@bp.get("/<draft_id>")
@login_required
def edit(draft_id: str) -> Any:
    draft = engine().draft(draft_id, user=_me())
    if not draft.may_edit or draft.owner != _me():
        return redirect(url_for("drafts.review", draft_id=draft_id))
    return _edit_page(draft)


def _edit_page(draft: Any, *, comment: str = "", status: int = 200) -> Any:
    """The modeler on `draft`; `comment`: the submission's, typed before a refusal."""
    roles = list(engine().directory().roles)
    data = editor_data(draft.process_id, draft.files, roles, engine().known_scopes())
    versions = views.process_versions(engine().uow(), draft.process_id)
    return render_template(
        "drafts/edit.html",
        draft=draft,
        title=process_title(draft.process_id, draft.files),
        outdated_by=draft.outdated_by(versions[-1]["version"] if versions else 0),
        data=data,
        assets=installed(),
        role_names_json={role: role_name(role) for role in roles},
        library_words=modeler_words(),
        # An element drawn without a name is called by its kind ("user task (no name)").
        type_words={kind: term(kind) for kind in sorted(TASKS | EVENTS | set(GATEWAYS))},
        comment=comment,
    ), status


@bp.post("/<draft_id>/save")
@login_required
def save(draft_id: str) -> Any:
    draft = engine().draft(draft_id, user=_me())
    try:
        payload = request.get_json(silent=True) or {}
        files = edited_files(draft.process_id, draft.files, payload)
        edition = payload.get("edition")
        saved = engine().save_draft(
            draft_id, files, user=_me(), edition=edition if isinstance(edition, str) else None
        )
    except EngineError as error:
        return jsonify({"saved": False, "message": error_text(error)}), status(error)
    return jsonify({"saved": True, "edition": saved.edition, **_validation(draft_id)})


@bp.get("/<draft_id>/validation")
@login_required
def validation(draft_id: str) -> Any:
    return jsonify(_validation(draft_id))


def _validation(draft_id: str) -> dict[str, Any]:
    review = engine().validate_draft(draft_id, user=_me())
    draft = engine().draft(draft_id, user=_me())
    # A new process has no deployed name to say it by: its draft's own.
    named = {draft.process_id: process_title(draft.process_id, draft.files)}
    return {"ok": review.ok, "problems": [_worded(p, named) for p in review.problems]}


def _worded(problem: Problem, named: dict[str, str]) -> dict[str, Any]:
    """A problem for the modeler, in the reader's language where the checks word it;
    `named`: the draft's process by its id."""
    found = problem.as_dict()
    said = problem.said
    if said is not None:
        if said.params.get("process") in named:
            said = Message(said.msgid, **{**said.params, "process": named[said.params["process"]]})
        found["message"] = render(said)
    return found


# The parts of a BPMN element the diff names (engine/draft_diff.py: its attributes and
# the children without ids of their own), in the approver's words.
DIFF_PARTS = {
    "name": _l("name"),
    "incoming": _l("the flows into it"),
    "outgoing": _l("the flows out of it"),
    "flowNodeRef": _l("the steps in the lane"),
    "sourceRef": _l("where it starts"),
    "targetRef": _l("where it leads"),
    "conditionExpression": _l("its condition"),
    "default": _l("the default path"),
    "script": _l("its script"),
    "extensionElements": _l("its settings (form, service or decision table)"),
    "documentation": _l("its description"),
    "timerEventDefinition": _l("its timer"),
    "messageEventDefinition": _l("its message"),
    "signalEventDefinition": _l("its signal"),
    "errorEventDefinition": _l("its error"),
    "attachedToRef": _l("the step it is attached to"),
    "cancelActivity": _l("whether it interrupts"),
}


@bp.app_template_filter("diff_part")
def diff_part(part: str) -> str:
    """A changed part of a diagram element, as the review names it."""
    found = DIFF_PARTS.get(part)
    return str(found) if found is not None else str(term(part))


@bp.app_template_filter("flag_value")
def flag_value(value: Any, flag: str) -> str:
    """A RACI flag's value in the diff as people read it: a duration in words, yes or no,
    — for none (the diff itself keeps ISO durations, as the matrix files write them)."""
    if value is None or value == "":
        return display.MISSING
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if flag == "signoff_due":
        return display.duration(value)
    if flag == "scopes":  # [[role, scope], ...]: "Sales rep (BD): the customer's own BD"
        return ", ".join(f"{role_name(role)}: {term(scope)}" for role, scope in value) or (
            display.MISSING
        )
    return str(value)


@bp.get("/<draft_id>/<any(submit, delete, approve, reject):act>")
@login_required
def back_to_draft(draft_id: str, act: str) -> Any:
    # After a refused act the address bar shows its URL; reloading or reopening it goes
    # back to the draft (its editor, or its review for whoever may not edit it).
    return redirect(url_for("drafts.edit", draft_id=draft_id))


@bp.post("/<draft_id>/submit")
@login_required
def submit(draft_id: str) -> Any:
    comment = request.form.get("comment", "")
    try:
        engine().submit_draft(draft_id, user=_me(), comment=comment)
    except InvalidDraft as error:
        flash(
            ngettext(
                "The draft has %(num)s problem: fix it first.",
                "The draft has %(num)s problems: fix them first.",
                len(error.problems),
            ),
            "error",
        )
        # The page again, not a redirect: the comment typed is kept (the checks list the
        # problems as the page loads).
        return _edit_page(engine().draft(draft_id, user=_me()), comment=comment, status=422)
    except InvalidText as error:  # blank or too long: the page again, the comment as typed
        flash(error_text(error), "error")
        return _edit_page(engine().draft(draft_id, user=_me()), comment=comment, status=422)
    except EngineError as error:
        flash(error_text(error), "error")
        return redirect(url_for("drafts.edit", draft_id=draft_id)), 303
    flash(_("Submitted for approval."), "ok")
    return redirect(url_for("drafts.review", draft_id=draft_id)), 303


@bp.post("/<draft_id>/delete")
@login_required
def delete(draft_id: str) -> Any:
    if request.form.get("confirm") != "yes":  # the box the page asks to tick, unticked
        flash(_("Tick the box to confirm the deletion."), "error")
        return redirect(url_for("drafts.edit", draft_id=draft_id)), 303
    engine().delete_draft(draft_id, user=_me())
    flash(_("Draft deleted."), "ok")
    return redirect(url_for("drafts.index")), 303


@bp.get("/<draft_id>/review")
@login_required
def review(draft_id: str) -> Any:
    return _review_page(draft_id)


def _review_page(
    draft_id: str, *, error: str | None = None, reason: str = "", code: int = 403
) -> Any:
    draft = engine().draft(draft_id, user=_me())
    diff = engine().draft_diff(draft_id, user=_me())
    signer = draft.status == DraftStatus.SUBMITTED and draft.owner != _me()
    names = activity_names(draft.process_id, draft.files)
    html = render_template(
        "drafts/review.html",
        draft=draft,
        title=process_title(draft.process_id, draft.files),
        form_name=form_name,
        diff=diff,
        signer=signer,
        names=names,
        error=error,
        reason=reason,
    )
    return (html, code) if error else html


@bp.post("/<draft_id>/<any(approve, reject):act>")
@login_required
def decide(draft_id: str, act: str) -> Any:
    if not engine().authenticate(_me(), request.form.get("password", "")):
        # The page again, with the reason as typed: a mistyped password loses nothing.
        said = _("Signing needs your own password: it was not right.")
        return _review_page(draft_id, error=said, reason=request.form.get("reason", ""))
    try:
        if act == "approve":
            deployed = engine().approve_draft(draft_id, user=_me())
            flash(_("Approved: version %(version)s is deployed.", version=deployed.version), "ok")
        else:
            engine().reject_draft(draft_id, user=_me(), reason=request.form.get("reason", ""))
            flash(_("Sent back to its owner."), "ok")
    except InvalidText as error:  # blank or too long: the page again, the reason as typed
        reason = request.form.get("reason", "")
        return _review_page(draft_id, error=error_text(error), reason=reason, code=422)
    except EngineError as error:
        flash(error_text(error), "error")
    return redirect(url_for("drafts.review", draft_id=draft_id)), 303
