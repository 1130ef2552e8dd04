"""Messages the engine and the RACI rules give people, marked for translation.

The engine stays free of Flask and of any language: it raises and stores a `Message`,
an English msgid with %(name)s parameters, and the surface (web page, API answer,
e-mail) translates it into the reader's language (web/i18n.py). `N_` only marks a msgid
for extraction (pybabel finds `N_("...")`); str() of a Message is its English text, so
logs, the CLI and existing callers read as before.

Parameters named `task`, `step`, `process`, `role`, `roles` or `status` hold codes or names
that the surface translates too (a BPMN task name, a role id, a status code).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


def N_(msgid: str) -> str:
    """Mark `msgid` for extraction without translating it (the surface translates)."""
    return msgid


@dataclass(frozen=True)
class Message:
    """An English msgid and its parameters: `Message(N_("%(user)s may not"), user="x")`."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __init__(self, msgid: str, **params: Any) -> None:
        object.__setattr__(self, "msgid", msgid)
        object.__setattr__(self, "params", dict(params))

    def __str__(self) -> str:
        if not self.params:
            return self.msgid
        return self.msgid % {key: _english(value) for key, value in self.params.items()}


def _english(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


def message_of(error: BaseException) -> Message | None:
    """The Message an error carries, if it was raised with one."""
    for attribute in ("msg", "message"):
        found = getattr(error, attribute, None)
        if isinstance(found, Message):
            return found
    if error.args and isinstance(error.args[0], Message):
        return error.args[0]
    return None


def said(message: Message | None) -> dict[str, Any]:
    """`message` as audit details keep it, so a page can word it later in its reader's
    language: {"said": {"msgid", "params"}} (nothing for no message)."""
    if message is None:
        return {}
    params = {key: _kept(value) for key, value in message.params.items()}
    return {"said": {"msgid": message.msgid, "params": params}}


def from_said(details: Mapping[str, Any]) -> Message | None:
    """The Message `said` kept in `details`, if it is there and well formed."""
    kept = details.get("said")
    if not isinstance(kept, Mapping) or not isinstance(kept.get("msgid"), str):
        return None
    params = kept.get("params")
    return Message(kept["msgid"], **(dict(params) if isinstance(params, Mapping) else {}))


def _kept(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return value if isinstance(value, int | float | bool) or value is None else str(value)
