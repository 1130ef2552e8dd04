"""Read models: plain queries returning dicts, for lists and inboxes.

They read the task projection and the record tables, never workflow state.
Each takes an un-entered unit of work: `views.open_tasks(engine.uow(), user=...)`.
"""

from .audit import audit_events
from .instances import instance, process_versions
from .tasks import claimed_by, consultations_for, open_tasks, signoffs_for, task_detail

__all__ = [
    "audit_events",
    "claimed_by",
    "consultations_for",
    "instance",
    "open_tasks",
    "process_versions",
    "signoffs_for",
    "task_detail",
]
