"""Drafts and their governed deployment: the process owner drafts and submits (R), an
approver signs or rejects (A), and only a signed draft becomes a version.

Every act is an audit event on the system stream; a refused signature is one too.
The rules of who may do what are raci/deployment.py's (docs/deployment.md).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import quoteattr

from raci import deployment
from raci.loading import process_id_of
from raci.messages import N_, Message, message_of, said
from raci.policy import Refused
from raci.visibility import AUDITOR_ROLE, may_export_definitions

from .. import audit, draft_notices
from ..caches import DEFINITIONS
from ..definitions import InvalidFiles, SourceFile, parse_each
from ..draft_checks import Review, review_draft
from ..draft_diff import diff_files, is_empty
from ..drafts import Draft, DraftStatus
from ..errors import (
    ConcurrencyConflict,
    InvalidDefinition,
    InvalidDraft,
    InvalidState,
    NotAllowed,
    NotFound,
)
from ..unit_of_work import UnitOfWork
from .base import required
from .definitions import DefinitionCommands, Deployment

Files = dict[str, str]
MAX_FILES = 20
MAX_NAME = 200  # a process's or task's name, as a person typed it
PROCESS_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]{0,199}")  # a BPMN id, as the API's
SAVED_ELSEWHERE = N_(
    "The draft was saved from another tab or window after this page was opened: nothing "
    "was saved here. Reload the page to go on from what was saved there."
)
BOOTSTRAP_ACTOR = "bootstrap"  # who deploys while the directory has nobody in it


class DraftCommands(DefinitionCommands):
    """Open, edit, check, submit, sign or reject drafts of processes."""

    # Opening and editing ---------------------------------------------------------------

    def open_draft(
        self,
        process_id: str,
        *,
        user: str,
        files: Files | None = None,
        version: int | None = None,
        name: str = "",
        blank_words: BlankWords | None = None,
    ) -> Draft:
        """A new draft of `process_id` for `user`: the files given, or those of a deployed
        version (the latest unless `version`), or a blank process if it is not deployed,
        called `name` (else its id), its elements named by `blank_words`."""
        if not PROCESS_ID.fullmatch(process_id or ""):
            raise InvalidState(
                Message(
                    N_(
                        "'%(id)s' is not a process id: a Latin letter, then Latin letters,"
                        " digits, _ or - (for example product_returns)"
                    ),
                    id=process_id,
                )
            )
        with self.uow() as uow:
            self._may_draft(uow, user)
            base = self._latest_number(uow, process_id) if version is None else version
            if files is None:
                files = self._version_files(uow, process_id, base) if base else None
                if files is None:
                    files = blank_process(process_id, name=name, words=blank_words)
            draft = Draft(
                id=str(uuid.uuid4()),
                process_id=process_id,
                owner=user,
                files=_checked_files(files),
                status=DraftStatus.EDITING,
                created_at=uow.now,
                updated_at=uow.now,
                base_version=base or None,
            )
            uow.drafts.add(draft)
            self._record(uow, draft, "draft_opened", user, base_version=draft.base_version)
            uow.commit()
            return draft

    def save_draft(
        self, draft_id: str, files: Files, *, user: str, edition: str | None = None
    ) -> Draft:
        """Replace the files of one's own draft (a rejected draft goes back to editing).

        `edition`: the draft's edition the editor opened (Draft.edition); if it was saved
        since, from another tab or window, nothing is saved (None: no such check)."""
        with self.uow() as uow:
            draft = self._own(uow, draft_id, user, lock=True)
            if not draft.may_edit:
                raise InvalidState(
                    Message(N_("the draft is %(status)s and cannot change"), status=draft.status)
                )
            if edition is not None and edition != draft.edition:
                raise ConcurrencyConflict(Message(SAVED_ELSEWHERE))
            draft.files = _checked_files(files)
            draft.status, draft.updated_at = DraftStatus.EDITING, uow.now
            uow.drafts.save(draft)
            self._record(uow, draft, "draft_saved", user, files=sorted(draft.files))
            uow.commit()
            return draft

    def delete_draft(self, draft_id: str, *, user: str) -> None:
        """Delete one's own draft, unless it is with an approver or was signed."""
        with self.uow() as uow:
            draft = self._own(uow, draft_id, user)
            if not draft.may_delete:
                raise InvalidState(
                    Message(
                        N_("the draft is %(status)s and cannot be deleted"), status=draft.status
                    )
                )
            uow.drafts.remove(draft.id)
            self._record(uow, draft, "draft_deleted", user)
            uow.commit()

    def deploy_bootstrap(
        self,
        files: Sequence[SourceFile],
        *,
        user: str | None,
        partial: bool = False,
        refused: list[InvalidDefinition] | None = None,
    ) -> list[Deployment]:
        """Deploy without a draft or an approver, as `raciflow deploy --bootstrap` does: only
        an admin may, or anyone while the directory has nobody in it to approve (a fresh
        install). The deploy events say `bootstrap` and who."""
        with self.reader() as uow:
            directory = uow.directory.load()
        if user is None:
            if any(u.active for u in directory.users.values()):
                raise NotAllowed(
                    "a bootstrap deploy needs an admin's API token (RACIFLOW_TOKEN) once the"
                    " directory has users"
                )
            user = BOOTSTRAP_ACTOR
        elif not directory.is_admin(user):
            raise NotAllowed(f"only an admin may deploy without approval; {user} is not one")
        return self.deploy(files, user=user, partial=partial, refused=refused)

    def draft_files(
        self, files: Sequence[SourceFile], refused: list[InvalidDefinition] | None = None
    ) -> dict[str, Files]:
        """Files given together, grouped by the process each belongs to: its BPMN, the DMN
        it calls, its matrix (as a draft holds them).

        A bad or duplicate file is named with every other one (InvalidFiles); given a
        `refused` list, the bad files go there and the good ones are grouped."""
        services = self.known_services() if self.known_services else None
        definitions, bad = parse_each(
            [f for f in files if not f.is_matrix],
            known_services=services,
            limits=self.process_limits,
        )
        if bad and refused is None:
            raise bad[0] if len(bad) == 1 else InvalidFiles(bad)
        if refused is not None:
            refused.extend(bad)
        grouped = {d.process_id: {**d.sources, **d.attachments} for d in definitions}
        for source in files:
            if source.is_matrix and process_id_of(source.name) in grouped:
                grouped[process_id_of(source.name)][source.name] = source.content.decode(
                    "utf-8-sig"
                )
        return grouped

    # Reading ---------------------------------------------------------------------------

    def known_scopes(self) -> dict[str, tuple[str, ...]]:
        """The audience scopes a matrix row may narrow a role by, each with the roles it
        can narrow (none named: any; docs/raci.md)."""
        return self.runtime.services.scope_roles()

    def drafts(self, *, user: str) -> dict[str, list[Draft]]:
        """The user's own drafts, and those waiting for them to sign (for an approver)."""
        with self.reader() as uow:
            directory = uow.directory.load()
            waiting = []
            if directory.is_member(user, deployment.APPROVER):
                waiting = uow.drafts.to_sign(user)
            return {"own": uow.drafts.of_owner(user), "to_approve": waiting}

    def draft(self, draft_id: str, *, user: str) -> Draft:
        """A draft, to its owner and to approvers."""
        with self.reader() as uow:
            return self._readable(uow, draft_id, user)

    def validate_draft(self, draft_id: str, *, user: str) -> Review:
        """Check the draft as a deploy would: every problem, pinned to its element."""
        with self.reader() as uow:
            draft = self._readable(uow, draft_id, user)
            return self._review(uow, draft)

    def draft_diff(self, draft_id: str, *, user: str) -> dict[str, Any]:
        """What the draft changes against the version it was opened from."""
        with self.reader() as uow:
            draft = self._readable(uow, draft_id, user)
            base = self._base_files(uow, draft)
            return {
                "base_version": draft.base_version,
                "deployed_since": draft.outdated_by(self._latest_number(uow, draft.process_id)),
                **diff_files(base, draft.files),
            }

    def approvals(self, process_id: str) -> dict[int, Draft]:
        """The signed drafts of a process, by the version each became."""
        with self.reader() as uow:
            return uow.drafts.approvals(process_id)

    # Submitting and deciding -----------------------------------------------------------

    def submit_draft(self, draft_id: str, *, user: str, comment: str) -> Draft:
        """Send one's own valid draft to the approvers, with a comment saying why."""
        comment = required(comment, N_("A comment is required: say what changes and why."))
        with self.uow() as uow:
            self._may_draft(uow, user)
            draft = self._own(uow, draft_id, user, lock=True)
            if not draft.may_edit:
                raise InvalidState(
                    Message(N_("the draft is %(status)s and cannot change"), status=draft.status)
                )
            self._refuse_outdated(uow, draft)
            review = self._review(uow, draft)
            if not review.ok:
                raise InvalidDraft(review.errors)
            if is_empty(diff_files(self._base_files(uow, draft), draft.files)):
                raise InvalidState(
                    Message(N_("the draft changes nothing in version %(v)s"), v=draft.base_version)
                )
            draft.status, draft.comment = DraftStatus.SUBMITTED, comment
            draft.submitted_at = draft.updated_at = uow.now
            draft.decided_by = draft.decided_at = draft.reason = None
            uow.drafts.save(draft)
            self._record(uow, draft, "draft_submitted", user, raci_role="R", reason=comment)
            draft_notices.submitted(uow, draft)
            uow.commit()
            return draft

    def approve_draft(self, draft_id: str, *, user: str) -> Deployment:
        """Sign a submitted draft (A, never one's own): it becomes the process's next version."""
        with self._refusals_recorded(draft_id, user, "approve"), self.uow() as uow:
            draft = self._submitted(uow, draft_id)
            self._check(deployment.may_approve, uow.directory.load(), user, draft.owner)
            review = self._review(uow, draft)
            if not review.ok or review.definition is None:
                raise InvalidDraft(review.errors)
            # Approvals take turns (as deployments do): a draft signed at the same moment
            # as another of its process then reads that one's version, and is outdated.
            uow.revisions.bump(DEFINITIONS)
            self._refuse_outdated(uow, draft)
            self._record(uow, draft, "draft_approved", user, raci_role="A")
            warnings = [p.message for p in review.problems if p.severity == "warning"]
            deployed = self._store_version(
                uow,
                review.definition,
                warnings,
                user=draft.owner,
                draft=draft.id,
                approved_by=user,
                comment=draft.comment,
            )
            draft.status, draft.decided_by, draft.decided_at = DraftStatus.APPROVED, user, uow.now
            draft.deployed_version, draft.updated_at = deployed.version, uow.now
            uow.drafts.save(draft)
            draft_notices.decided(uow, draft)
            uow.commit()
            return deployed

    def reject_draft(self, draft_id: str, *, user: str, reason: str) -> Draft:
        """Send a submitted draft back to its owner with a reason (A, never one's own)."""
        reason = required(reason, N_("A reason is required to send it back."))
        with self._refusals_recorded(draft_id, user, "reject"), self.uow() as uow:
            draft = self._submitted(uow, draft_id)
            self._check(deployment.may_approve, uow.directory.load(), user, draft.owner)
            draft.status, draft.decided_by, draft.decided_at = DraftStatus.REJECTED, user, uow.now
            draft.reason, draft.updated_at = reason, uow.now
            uow.drafts.save(draft)
            self._record(uow, draft, "draft_rejected", user, raci_role="A", reason=reason)
            draft_notices.decided(uow, draft)
            uow.commit()
            return draft

    # Helpers ---------------------------------------------------------------------------

    def _review(self, uow: UnitOfWork, draft: Draft) -> Review:
        services = self.known_services() if self.known_services else None
        return review_draft(
            draft.process_id,
            draft.files,
            directory=uow.directory.load(),
            known_services=services,
            known_scopes=self.runtime.services.scope_roles(),
            limits=self.process_limits,
            has_form=(lambda p, t: self.forms(p, t) is not None) if self.forms else None,
        )

    def _may_draft(self, uow: UnitOfWork, user: str) -> None:
        self._check(deployment.may_draft, uow.directory.load(), user)

    @staticmethod
    def _check(rule: Any, *args: Any) -> None:
        try:
            rule(*args)
        except Refused as refused:
            raise NotAllowed(refused.msg) from refused

    def _own(self, uow: UnitOfWork, draft_id: str, user: str, *, lock: bool = False) -> Draft:
        draft = uow.drafts.get(draft_id, lock=lock)
        if draft.owner != user:
            raise NotFound(f"draft {draft_id} does not exist")  # others' drafts are not shown
        return draft

    def _readable(self, uow: UnitOfWork, draft_id: str, user: str) -> Draft:
        draft = uow.drafts.get(draft_id)
        directory = uow.directory.load()
        # Besides its owner: once submitted, approvers (who sign it) and auditors (who
        # check what was signed) read it; once approved it is the record of what changed
        # in a version, read by all who may read that version's files. Nobody reads
        # another's work in progress.
        readers = (deployment.APPROVER, AUDITOR_ROLE)
        if draft.owner == user:
            return draft
        if draft.status == DraftStatus.APPROVED and may_export_definitions(
            directory.roles_of(user)
        ):
            return draft
        if draft.status == DraftStatus.EDITING or not any(
            directory.is_member(user, role) for role in readers
        ):
            raise NotFound(f"draft {draft_id} does not exist")
        return draft

    def _submitted(self, uow: UnitOfWork, draft_id: str) -> Draft:
        draft = uow.drafts.get(draft_id, lock=True)
        if draft.status != DraftStatus.SUBMITTED:
            raise InvalidState(
                Message(
                    N_("the draft is %(status)s, not waiting for approval"), status=draft.status
                )
            )
        return draft

    def _latest_number(self, uow: UnitOfWork, process_id: str) -> int:
        return uow.versions.latest_number(process_id)

    def _refuse_outdated(self, uow: UnitOfWork, draft: Draft) -> None:
        """Neither submitted nor signed: a draft another version overtook (Draft.outdated_by)."""
        newer = draft.outdated_by(self._latest_number(uow, draft.process_id))
        if newer is not None:
            raise InvalidState(
                Message(
                    N_(
                        "version %(latest)s was deployed after this draft was opened from"
                        " version %(base)s: its owner must open the process again"
                    ),
                    latest=newer,
                    base=draft.base_version or 0,
                )
            )

    def _version_files(self, uow: UnitOfWork, process_id: str, number: int) -> Files:
        version = uow.versions.find(process_id, number)
        return {**version.sources, **version.attachments}

    def _base_files(self, uow: UnitOfWork, draft: Draft) -> Files:
        if not draft.base_version:
            return {}
        return self._version_files(uow, draft.process_id, draft.base_version)

    def _record(self, uow: UnitOfWork, draft: Draft, action: str, user: str, **fields: Any) -> None:
        details = {
            "draft": draft.id,
            **{k: v for k, v in fields.items() if k not in ("raci_role", "reason")},
        }
        uow.audit.record(
            audit.SYSTEM_STREAM,
            occurred_at=uow.now,
            actor=user,
            action=action,
            process_id=draft.process_id,
            raci_role=fields.get("raci_role"),
            reason=fields.get("reason"),
            details=details,
        )

    @contextmanager
    def _refusals_recorded(self, draft_id: str, user: str, attempted: str) -> Iterator[None]:
        """A refused signature is on the trail too (its own transaction), then raised."""
        try:
            yield
        except NotAllowed as refused:
            with self.uow() as uow:
                draft = uow.drafts.get(draft_id)
                self._record(
                    uow,
                    draft,
                    "draft_refused",
                    user,
                    raci_role="A",
                    reason=str(refused),
                    attempted=attempted,
                    **said(message_of(refused)),  # so the trail words it in its reader's language
                )
                uow.commit()
            raise


def _checked_files(files: Files) -> Files:
    if not files:
        raise InvalidState("a draft needs its files")
    if len(files) > MAX_FILES:
        raise InvalidState(f"a draft holds at most {MAX_FILES} files")
    for name, text in files.items():
        if not isinstance(name, str) or not isinstance(text, str) or "/" in name or "\0" in text:
            raise InvalidState("a draft's files are names (without folders) and their text")
    return dict(files)


@dataclass(frozen=True)
class BlankWords:
    """The names a blank process's elements start with, in the owner's language: staff
    read them (a task's name; the end's as the case's outcome), so none is left an id."""

    first_task: str = "First task"
    start: str = "Started"
    end: str = "Handled"


def blank_process(process_id: str, *, name: str = "", words: BlankWords | None = None) -> Files:
    """A new process to start drawing from: a start event, one user task, an end event.

    `name` is what staff will read for it (the start page, their tasks); its id if none."""
    words = words or BlankWords()
    named = {
        "name": _tidy(name) or process_id,
        "first_task": _tidy(words.first_task) or BlankWords.first_task,
        "start": _tidy(words.start) or BlankWords.start,
        "end": _tidy(words.end) or BlankWords.end,
    }
    attributes = {key: quoteattr(text) for key, text in named.items()}
    return {f"{process_id}.bpmn": BLANK.format(process_id=process_id, **attributes)}


def _tidy(text: str) -> str:
    return " ".join(text.split())[:MAX_NAME]


BLANK = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
  xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
  id="definitions_{process_id}" targetNamespace="http://raciflow.example/bpmn">
  <bpmn:process id="{process_id}" name={name} isExecutable="true">
    <bpmn:startEvent id="start" name={start}><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="first_task" name={first_task}>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end" name={end}><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="first_task" />
    <bpmn:sequenceFlow id="f2" sourceRef="first_task" targetRef="end" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram_{process_id}">
    <bpmndi:BPMNPlane id="plane_{process_id}" bpmnElement="{process_id}">
      <bpmndi:BPMNShape id="start_di" bpmnElement="start">
        <dc:Bounds x="152" y="102" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="first_task_di" bpmnElement="first_task">
        <dc:Bounds x="240" y="80" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="end_di" bpmnElement="end">
        <dc:Bounds x="392" y="102" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="f1_di" bpmnElement="f1">
        <di:waypoint x="188" y="120" /><di:waypoint x="240" y="120" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2">
        <di:waypoint x="340" y="120" /><di:waypoint x="392" y="120" />
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""
