"""Errors the engine reports to its callers.

Every error a user can cause is one of these; the web layer and the CLI turn
them into HTTP statuses and exit codes at the edge.
"""

from __future__ import annotations

from raci.messages import Message


class EngineError(Exception):
    """Base class of every error the engine reports."""


class NotFound(EngineError):
    """A process, instance or task id that does not exist."""


class InvalidDefinition(EngineError):
    """A BPMN or DMN file that cannot be deployed; names file, line and element."""

    def __init__(
        self,
        message: str,
        *,
        file_name: str | None = None,
        line: int | None = None,
        element_id: str | None = None,
    ) -> None:
        self.message = message
        self.file_name = file_name
        self.line = line
        self.element_id = element_id
        super().__init__(self._describe())

    def _describe(self) -> str:
        where = [
            part
            for part in (
                self.file_name,
                f"line {self.line}" if self.line else None,
                f"element '{self.element_id}'" if self.element_id else None,
            )
            if part
        ]
        return f"{', '.join(where)}: {self.message}" if where else self.message


class InvalidDecision(InvalidDefinition):
    """A decision table cell the DMN engine could never evaluate; `said` words it."""

    def __init__(self, said: Message, **where: str | int | None) -> None:
        self.said = said
        super().__init__(str(said), **where)  # type: ignore[arg-type]


class UnsafeXml(InvalidDefinition):
    """XML that tries entity expansion, a DTD, or is larger than allowed."""


class InvalidMatrices(InvalidDefinition):
    """RACI matrices that cannot be deployed; `problems` lists every one."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("invalid RACI matrix:\n  " + "\n  ".join(self.problems))


class InvalidTaskData(EngineError):
    """Submitted task data failed validation; `errors` maps field to messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        fields = ", ".join(f"{field}: {'; '.join(msgs)}" for field, msgs in errors.items())
        super().__init__(f"invalid task data ({fields})")


class InvalidState(EngineError):
    """The instance or task is not in a state that allows the action."""


class RequestKeyReused(InvalidState):
    """A start's request key came with another request than the one it started."""


class InvalidText(InvalidState):
    """A reason or comment the act needs is blank or too long: nothing was done."""


class NotAllowed(EngineError):
    """The acting user may not perform this action."""


class ConcurrencyConflict(EngineError):
    """Someone else changed the instance first; reload and try again."""


class ScriptError(EngineError):
    """A BPMN script or expression was refused by the sandbox or failed."""


class _Worded:
    """An error whose English `message` template and `params` each surface may translate."""

    def __init__(self, message: str, params: dict | None = None) -> None:
        self.message = message
        self.params = params or {}
        self.msg = Message(message, **self.params)  # what web/i18n.py translates
        super().__init__(message % self.params)


class PeopleRefused(_Worded, NotAllowed):
    """The user may not manage these people (not an admin, wrong current password)."""


class PeopleInvalid(_Worded, InvalidState):
    """A people rule refuses the change (weak password, ineligible deputy, last admin)."""


class InvalidDraft(InvalidDefinition):
    """A draft that may not be submitted or signed: `problems` lists every one, each
    pinned to its file and BPMN element (engine/draft_checks.py)."""

    def __init__(self, problems: list) -> None:
        self.problems = list(problems)
        first = self.problems[0] if self.problems else None
        super().__init__(
            f"the draft has {len(self.problems)} problem(s); the first: "
            f"{first.message if first else '-'}",
            file_name=first.file if first else None,
            element_id=first.element_id if first else None,
        )
