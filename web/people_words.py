"""Engine refusals about people, in the reader's language, with the status a page answers."""

from __future__ import annotations

from datetime import date

from engine.errors import EngineError, NotAllowed, PeopleInvalid

from .errors import status_of
from .i18n import error_text


def say(error: EngineError) -> str:
    """The error's message, translated when the engine worded it for translation."""
    return error_text(error)


def status(error: EngineError) -> int:
    """403 for a refusal, 422 for a change a rule does not allow, else the usual status."""
    if isinstance(error, NotAllowed):
        return 403
    if isinstance(error, PeopleInvalid):
        return 422
    return status_of(error)


def day(text: str | None) -> date | None:
    """A date from a date input (YYYY-MM-DD), or None if it is not one."""
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None
