"""The engine's service layer: every command the web UI, the CLI and the worker call.

ProcessEngine gathers the command groups of engine/commands/; each public
method is one unit of work.
"""

from __future__ import annotations

from .commands.accounts import AccountCommands
from .commands.analytics import AnalyticsCommands
from .commands.audit import AuditCommands
from .commands.base import DataValidator, InstanceState
from .commands.case_notes import CaseNoteCommands
from .commands.consultation import ConsultationCommands
from .commands.definitions import DefinitionCommands, Deployment
from .commands.directory import DirectoryCommands
from .commands.drafts import DraftCommands
from .commands.events import Delivery, EventCommands
from .commands.incidents import IncidentCommands
from .commands.instances import InstanceCommands
from .commands.notices import NoticeCommands
from .commands.people import PeopleCommands
from .commands.signoff import SignOffCommands
from .commands.start_timers import StartTimerCommands
from .commands.tasks import TaskCommands
from .commands.timers import TimerCommands, TimerOutcome
from .commands.user_admin import UserAdminCommands
from .commands.versions import VersionCommands


class ProcessEngine(
    DraftCommands,
    VersionCommands,
    DefinitionCommands,
    InstanceCommands,
    TimerCommands,
    EventCommands,
    StartTimerCommands,
    TaskCommands,
    SignOffCommands,
    ConsultationCommands,
    NoticeCommands,
    DirectoryCommands,
    AuditCommands,
    AccountCommands,
    IncidentCommands,
    PeopleCommands,
    UserAdminCommands,
    CaseNoteCommands,
    AnalyticsCommands,
):
    """Deploy processes, run instances under their RACI rules, keep records and audit trail."""


__all__ = [
    "DataValidator",
    "Delivery",
    "Deployment",
    "InstanceState",
    "ProcessEngine",
    "TimerOutcome",
]
