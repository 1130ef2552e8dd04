"""Incidents: the data a failed step ran with, and a retry through the task's own form."""

from __future__ import annotations

from typing import Any

from ..errors import InvalidState
from ..model import InstanceStatus
from ..payload import check_payload
from ..views.incidents import incident
from .base import EngineBase, InstanceState


class IncidentCommands(EngineBase):
    """What the incident page of an instance in error needs."""

    def incident_data(self, instance_id: str) -> dict[str, Any]:
        """The data the failed step ran with, to pre-fill the retry form.

        This loads the instance's workflow: for one incident's page, never for lists.
        """
        with self.reader() as uow:
            instance = uow.instances.get(instance_id)
            if instance.status != InstanceStatus.ERROR:
                raise InvalidState(f"instance {instance_id} is {instance.status}, not in error")
            workflow, _ = self._load(uow, instance)
            return self.runtime.failed_task_data(workflow)

    def retry_incident(self, instance_id: str, *, user: str, data: dict[str, Any]) -> InstanceState:
        """Retry the failed step with data checked by the form of the task before it.

        The retry itself is the engine's `retry` (its own rules and audit event).
        """
        found = incident(self.uow(), instance_id)
        if found is None:
            raise InvalidState(f"instance {instance_id} is not in error")
        data = check_payload(data)
        validate = self._form(found["process_id"], found["form_element"])
        if validate is not None:
            data = check_payload(validate(data))
        return self.retry(instance_id, user=user, data=data)  # type: ignore[attr-defined]
