"""Start, cancel and retry instances."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from typing import Any

from raci import visibility
from raci.messages import N_, Message

from ..attachments import Upload
from ..errors import EngineError, InvalidState, InvalidTaskData, NotAllowed, RequestKeyReused
from ..incidents import report_failed_start
from ..model import InstanceStatus, ProcessInstance
from ..payload import check_payload
from ..settle import (
    advance_and_settle,
    close_open_tasks,
    record,
    service_context,
)
from ..start_requests import KEY_KEPT, MAX_KEY, fingerprint, usable_key
from ..unit_of_work import UnitOfWork
from ..views.incidents import failed_step_asked_by
from .base import START_FORM, InstanceState, require_attachments, state_of
from .case_notes import CaseNoteCommands
from .resignature import ResignatureCommands


class InstanceCommands(ResignatureCommands, CaseNoteCommands):
    """Commands on whole instances."""

    def start(
        self,
        process_id: str,
        *,
        user: str,
        data: dict[str, Any] | None = None,
        business_key: str | None = None,
        version: int | None = None,
        files: Sequence[Upload] = (),
        request_key: str | None = None,
    ) -> InstanceState:
        """Start an instance of the latest (or given) version and run it to its first wait.

        The data is checked by the process's start form, if the `forms` hook has one;
        `files` are stored on the new case (all or none), and what the start form needs
        of them checked (commands/case_notes.py). A `request_key` makes the start safe to
        ask for again: the same user's same request with the same key gets, instead of a
        second case, the first one as it stands now (engine/start_requests.py).
        """
        data = check_payload(data or {})
        with self.uow() as uow:
            if request_key is not None:
                asked = fingerprint(process_id, version, business_key, data)
                earlier = self._claim(uow, user, request_key, asked)
                if earlier is not None:
                    return earlier
            data = self._checked(uow, process_id, START_FORM, data, dict)
            instance, number, ready = self._start_in(
                uow, process_id, user=user, data=data, business_key=business_key, version=version
            )
            if request_key is not None:
                uow.start_requests.started(user, request_key, instance.id)
            if instance.status == InstanceStatus.ERROR:
                report_failed_start(uow, instance, actor=user)
            needs = partial(
                require_attachments, uow, self, instance.id, process_id, START_FORM, data
            )
            if files:
                self._store(uow, instance, files, user=user, task_id=None, check=needs)
            else:
                needs()
                uow.commit()
            return state_of(instance, number, ready)

    def start_problems(self, process_id: str, data: dict[str, Any]) -> dict[str, list[str]]:
        """What the start form and the records would refuse in `data`, by field ({} for
        nothing), starting nothing: a page that found mistakes of its own names these
        with them, not one at a time over several tries."""
        with self.reader() as uow:
            try:
                self._checked(uow, process_id, START_FORM, check_payload(data), dict)
            except InvalidTaskData as invalid:
                return dict(invalid.errors)
        return {}

    def purge_start_requests(self) -> int:
        """Forget the request keys of starts older than a day (the worker calls this): a
        request asked again later is a new one. Return how many were dropped."""
        with self.reader() as uow:  # every sweep: most times, nothing to drop
            before = uow.now - KEY_KEPT
            if not uow.start_requests.any_before(before):
                return 0
        with self.uow() as uow:
            purged = uow.start_requests.purge_before(before)
            uow.commit()
            return purged

    def _claim(self, uow: UnitOfWork, user: str, key: str, asked: str) -> InstanceState | None:
        """Claim `key` for this start; the case an earlier request with it started, if any
        (refused when that request asked for something else: a key names one request)."""
        if not usable_key(key):
            raise InvalidState(
                Message(N_("a request key is 1 to %(most)s printable characters"), most=MAX_KEY)
            )
        earlier = uow.start_requests.claim(user, key, asked, uow.now)
        if earlier is None:
            return None
        if earlier.fingerprint != asked:
            used = N_("this request key was used for another start: a new case needs a new key")
            raise RequestKeyReused(Message(used))
        instance = uow.instances.get(earlier.instance_id)
        number = self._version(uow, instance.version_id).number
        ready = [task.id for task in uow.tasks.open_for_instance(instance.id)]
        return replace(state_of(instance, number, ready), replayed=True)

    def cancel(self, instance_id: str, *, user: str, reason: str) -> InstanceState:
        """Stop an instance for good; its open tasks and timers are cancelled."""
        if not reason or not reason.strip():
            raise InvalidState(Message(N_("a reason is required to cancel an instance")))
        with self.uow() as uow:
            instance = uow.instances.lock(instance_id)
            self._require_canceller(uow, instance, user)
            if InstanceStatus(instance.status).is_final:
                raise InvalidState(
                    Message(N_("the case is already %(status)s"), status=instance.status)
                )
            workflow, version_number = self._load(uow, instance)
            compensated = self._compensate(
                uow, instance, self.runtime.latest_data(workflow), user, reason.strip()
            )
            self.runtime.cancel(workflow)
            instance.state = self.runtime.snapshot(workflow)
            instance.status, instance.cancel_reason = InstanceStatus.CANCELLED, reason.strip()
            instance.ended_at = instance.updated_at = uow.now
            close_open_tasks(uow, instance, actor=user)
            details = {} if compensated is None else {"compensation": compensated}
            record(uow, instance, "cancel", actor=user, reason=reason.strip(), details=details)
            governance = self._governance(uow, instance.version_id)
            if governance is not None:
                governance.tell_starter_cancelled(uow, instance, actor=user, reason=reason.strip())
            uow.commit()
            return state_of(instance, version_number)

    def _require_canceller(self, uow: UnitOfWork, instance: ProcessInstance, user: str) -> None:
        """Refuse anyone raci.visibility.may_cancel does not name, on a governed instance
        (an ungoverned process has no rules: anyone may work it, and stop it)."""
        governance = self._governance(uow, instance.version_id)
        if governance is None:
            return
        governance.require_actor(user)
        roles = governance.directory.users[user].roles
        by_another_case = uow.audit.started_by_case(instance.id) is not None
        if not visibility.may_cancel(
            user, roles, started_by=instance.started_by, by_another_case=by_another_case
        ):
            raise NotAllowed(
                Message(N_("only the starter, a process owner or an admin may cancel an instance"))
            )

    def _compensate(
        self,
        uow: UnitOfWork,
        instance: ProcessInstance,
        data: dict[str, Any],
        user: str,
        reason: str,
    ) -> dict[str, Any] | None:
        """Undo the instance's business effects (its process's compensation), if it has one."""
        compensate = self.runtime.services.compensation(instance.process_id)
        if compensate is None:
            return None
        context = service_context(uow, self.runtime, instance, user)
        try:
            with uow.session.begin_nested():
                undone = compensate(context, data, reason) or {}
            if context.trail is not None:
                context.trail.commit()
            return undone
        except EngineError:  # the process's own refusal, in its words
            raise
        except Exception as err:  # whatever went wrong, the instance must stay as it was
            raise InvalidState(
                f"instance {instance.id} was not cancelled: undoing its effects failed ({err})"
            ) from err

    def retry(
        self, instance_id: str, *, user: str, data: dict[str, Any] | None = None
    ) -> InstanceState:
        """Run the failed task of an instance in error again, optionally with corrected data.

        Data that changes what a sign-off covered does not run: the sign-off is voided
        and the task waits for A again with the changed data (commands/resignature.py).
        """
        data = check_payload(data or {})
        with self.refusals_recorded(user, "retry"), self.uow() as uow:
            instance = uow.instances.lock(instance_id)
            self._require_actor(uow, instance, user)
            if instance.status != InstanceStatus.ERROR:
                raise InvalidState(f"instance {instance_id} is {instance.status}, not in error")
            self._refuse_while_resigning(uow, instance)
            signed_change = self._signed_change(uow, instance, data)
            if signed_change is not None:
                task, changes = signed_change
                return self._void_signoff(uow, instance, task, changes, user=user, data=data)
            workflow, version_number = self._load(uow, instance)
            elements = self.runtime.reset_failed_tasks(workflow, data)
            record(
                uow,
                instance,
                "retry",
                actor=user,
                details={
                    "elements": elements,
                    "data": data,
                    "previous_error": instance.error_message,
                },
            )
            ready = advance_and_settle(
                uow,
                self.runtime,
                instance,
                workflow,
                actor=user,
                governance=self._governance(uow, instance.version_id),
                asked_by=failed_step_asked_by(uow.audit.events_of(instance.id)),
            )
            uow.commit()
            return state_of(instance, version_number, ready)
