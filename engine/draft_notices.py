"""Who is told about a draft (the I of the deployment row): the approvers when one is
submitted, its owner when it is signed or sent back. In-app, and by e-mail where the
person has an address, worded in their language in the same unit of work."""

from __future__ import annotations

from raci import deployment
from raci.messages import N_, Message

from .definitions import process_name_in
from .drafts import Draft
from .errors import NotFound
from .governance import deliver
from .unit_of_work import UnitOfWork


def tell(uow: UnitOfWork, draft: Draft, username: str, subject: Message, body: Message) -> None:
    """Notify `username` about `draft`: the notice links to the draft's review page."""
    deliver(uow, uow.directory.load(), username, subject, body, draft_id=draft.id)


def _process(uow: UnitOfWork, draft: Draft) -> str:
    """The process by its BPMN name (the catalog translates it): its latest version's, or
    for a new one its draft's (its id if even that has none)."""
    try:
        return uow.versions.find(draft.process_id).name
    except NotFound:
        return process_name_in(draft.files, draft.process_id) or draft.process_id


def _person(uow: UnitOfWork, username: str | None) -> str:
    user = uow.directory.load().users.get(username or "")
    return user.name if user is not None else username or ""


def submitted(uow: UnitOfWork, draft: Draft) -> None:
    process = _process(uow, draft)
    subject = Message(N_("%(process)s: a change waits for your signature"), process=process)
    body = Message(
        N_("%(owner)s submitted a change to %(process)s: %(comment)s"),
        owner=_person(uow, draft.owner),
        process=process,
        comment=draft.comment or "",
    )
    for approver in uow.directory.load().members(deployment.APPROVER):
        if approver != draft.owner:
            tell(uow, draft, approver, subject, body)


def decided(uow: UnitOfWork, draft: Draft) -> None:
    process, approver = _process(uow, draft), _person(uow, draft.decided_by)
    if draft.deployed_version is not None:
        subject = Message(
            N_("%(process)s: your change is version %(version)s"),
            process=process,
            version=draft.deployed_version,
        )
        body = Message(N_("%(approver)s approved it."), approver=approver)
    else:
        subject = Message(N_("%(process)s: your change was sent back"), process=process)
        body = Message(
            N_("%(approver)s sent it back: %(reason)s"),
            approver=approver,
            reason=draft.reason or "",
        )
    tell(uow, draft, draft.owner, subject, body)
