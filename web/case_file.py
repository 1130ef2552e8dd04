"""A case file: the trail of an instance, or of a customer, read as a list of acts.

Every act, decision and data change in the order it happened: who, what, when, why,
old→new, and what a signature means ("approved as A of ..., sign-off level ...").
The notices an act caused are folded into that act's line ("notified: 8 people").
Each kind of audit event is worded by one entry of RENDERERS: a new kind needs one
entry; a kind without one shows its name. Business changes and decisions are worded
as the instance's trail words them (web/trail_views.py).
Built in a request: the words are in the reader's language.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from engine.attachments import TYPE_NAMES
from engine.changes import CHANGE_ACTION

from . import display_values, names, trail_views, vocabulary
from .action_labels import action_words
from .case_notes import file_size
from .i18n import semicolon
from .names import process_name

SYSTEM = "system"
HIDDEN = {"task_ready"}  # bookkeeping of the task list, not an act
# A notice about the whole case (its `after`) and the act whose line it joins.
CASE_WIDE_NOTICES = {"incident": "error", "ended": "instance_completed", "cancelled": "cancel"}
ASKS = {"consult_requested"}  # the engine's act whose notices ("asked") join its line
CAUSES = {  # acts that run steps
    "start", "complete", "approve", "retry", "timer_fired", "cancel",
    "message_received", "signal_received",
}  # fmt: skip


@dataclass
class Change:
    field: str
    old: Any
    new: Any


@dataclass
class Entry:
    """One line of a case file."""

    at: str
    action: str
    what: str
    who: str | None = None
    on_behalf_of: str | None = None
    raci_role: str | None = None
    instance_id: str | None = None
    process: str | None = None
    task: str | None = None
    task_id: str | None = None
    facts: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    why: str | None = None
    meaning: str | None = None
    notified: list[str] = field(default_factory=list)
    linked: str | None = None  # the case this act started, or the one it came from


@dataclass(frozen=True)
class Names:
    """What the case file's records call things: tasks, people, roles, processes."""

    tasks: dict[str, str]
    people: dict[str, str]
    roles: dict[str, str]
    processes: dict[str, str]
    accountable: dict[str, str]  # the A role of each task, as recorded when it opened

    def task(self, event: dict[str, Any]) -> str | None:
        name = self.tasks.get(event.get("task_id") or "")
        element = event["details"].get("element")
        if name or element:
            return names.task_name(event.get("process_id"), element, name)
        return None

    def process(self, process_id: str | None) -> str | None:
        return _(self.processes[process_id]) if process_id in self.processes else process_id

    def role(self, role: str | None) -> str:
        return vocabulary.role_name(role) or "?"


Renderer = Callable[[Entry, dict[str, Any], Names], None]


def label(action: str) -> str:
    return action_words(action)


def build(records: dict[str, Any], changes: Iterable[dict[str, Any]] = ()) -> list[Entry]:
    """The lines of a case file from engine.views.casefile.case_records, oldest first.

    `changes` are old→new rows of a read model (crm_customer_changes); one the trail
    already holds as a `data_changed` event is shown once.
    """
    names = _names(records)
    entries: list[Entry] = []
    last_on_task: dict[tuple[str, str], Entry] = {}
    case_wide: dict[str, Entry] = {}  # each case's latest act that a case-wide notice follows
    for event in records["events"]:
        if event["action"] in HIDDEN:
            continue
        if event["action"] == "notified":
            _fold_notice(event, names, entries, last_on_task, case_wide)
            continue
        entry = render(event, names)
        entries.append(entry)
        # A person's act on a task, or the engine asking its C roles: the notices it sends.
        if event["task_id"] and (event["actor"] != SYSTEM or event["action"] in ASKS):
            last_on_task[event["instance_id"], event["task_id"]] = entry
        if event["action"] in CASE_WIDE_NOTICES.values():
            case_wide[event["instance_id"]] = entry
    entries.sort(key=lambda e: e.at)  # stable: the trail's own order is kept
    for change in _read_model_changes(changes, entries, names):
        entries.insert(_cause_index(entries, change) + 1, change)
    return entries


def render(event: dict[str, Any], names: Names) -> Entry:
    """One event as a case-file line: the common fields, then its kind's renderer."""
    entry = Entry(
        at=event["occurred_at"],
        action=event["action"],
        what=label(event["action"]),
        who=event["actor"],
        on_behalf_of=event["on_behalf_of"],
        raci_role=event["raci_role"],
        instance_id=event["instance_id"],
        process=names.process(event["process_id"]),
        task=names.task(event) if event["task_id"] or event["details"].get("element") else None,
        task_id=event["task_id"],
        why=(
            trail_views.event_reason(event)
            if event["action"] in ("refused", "release")
            else event["reason"]
        ),
    )
    RENDERERS.get(event["action"], _plain)(entry, event["details"] or {}, names)
    return entry


def _plain(entry: Entry, details: dict[str, Any], names: Names) -> None:
    """A kind with no renderer of its own: its reason or message, nothing more."""
    if details.get("message"):
        entry.why = entry.why or str(details["message"])


def _start(entry: Entry, details: dict[str, Any], names: Names) -> None:
    entry.facts = data_facts(details.get("data") or {})
    if details.get("business_key"):
        entry.facts.insert(0, _("Business key: %(key)s", key=details["business_key"]))
    if isinstance(parent := details.get("started_by_instance"), str):  # by its short id
        entry.facts.insert(0, _("Came from: case %(id)s", id=parent[:8]))
        entry.linked = parent


def _case_started(entry: Entry, details: dict[str, Any], names: Names) -> None:
    started = process_name(details.get("process_id"))  # often not one of the file's
    key = details.get("business_key")
    entry.facts = [_("Case: %(case)s", case=f"{started} {key}" if key else started)]
    if isinstance(details.get("instance"), str):
        entry.linked = details["instance"]


def _instance_completed(entry: Entry, details: dict[str, Any], names: Names) -> None:
    """The end reached is the case's outcome, not a task."""
    if entry.task:
        entry.meaning, entry.task = entry.task, None


def _complete(entry: Entry, details: dict[str, Any], names: Names) -> None:
    entry.facts = data_facts(details.get("data") or {})
    if details.get("signoff") == "pending":
        entry.meaning = _("submitted for sign-off")
    elif details.get("signoff") == "self-approved":
        entry.meaning = _("completed and signed off as its own accountable (allowed by the matrix)")


def _approve(entry: Entry, details: dict[str, Any], names: Names) -> None:
    # A level table may have raised the sign-off above the matrix's A: the event says so.
    raised = (details.get("authority") or {}).get("role")
    level = names.role(raised or names.accountable.get(entry.task_id or ""))
    if details.get("self_approval"):
        entry.meaning = _(
            "approved own work as A of «%(task)s» in %(process)s, sign-off level: %(level)s",
            task=entry.task, process=entry.process, level=level,
        )  # fmt: skip
    else:
        entry.meaning = _(
            "approved as A of «%(task)s» in %(process)s, sign-off level: %(level)s",
            task=entry.task, process=entry.process, level=level,
        )  # fmt: skip
    _files_seen(entry, details)


def _files_seen(entry: Entry, details: dict[str, Any]) -> None:
    """The files on the case when it was signed, each with its digest (docs/attachments.md)."""
    for seen in details.get("attachments") or ():
        entry.facts.append(
            _(
                "File seen: %(name)s, SHA-256 %(digest)s",
                name=seen.get("name"),
                digest=seen.get("sha256"),
            )
        )


def _comment(entry: Entry, details: dict[str, Any], names: Names) -> None:
    entry.facts = [str(details.get("text", ""))]


def _consult_answered(entry: Entry, details: dict[str, Any], names: Names) -> None:
    """The consulted role's answer, as the work's performer read it: the line said only
    that an answer came."""
    entry.facts = [
        _("Answer as %(role)s: %(comment)s", role=names.role(details.get("role")),
          comment=details.get("comment") or "")
    ]  # fmt: skip


def _attach(entry: Entry, details: dict[str, Any], names: Names) -> None:
    media_type = str(details.get("media_type"))
    entry.facts = [
        _("File: %(name)s (%(type)s, %(size)s)", name=details.get("name"),
          type=TYPE_NAMES.get(media_type, media_type), size=file_size(details.get("size") or 0)),
        _("SHA-256: %(digest)s", digest=details.get("sha256")),
    ]  # fmt: skip


def _reject(entry: Entry, details: dict[str, Any], names: Names) -> None:
    entry.meaning = _("sent back as A to be done again (rework %(n)s)", n=details.get("rework", 1))


def _retry(entry: Entry, details: dict[str, Any], names: Names) -> None:
    entry.facts = data_facts(details.get("data") or {})
    if details.get("previous_error"):
        entry.why = _("after the failure: %(error)s", error=details["previous_error"])


def _voided(entry: Entry, details: dict[str, Any], names: Names) -> None:
    """An admin's retry changed signed data: what it changed, and why the signature went."""
    changes = details.get("changes") or {}
    entry.changes = [Change(name, old, new) for name, (old, new) in changes.items()]
    entry.why = trail_views.reason_view(entry.why)


def _refused(entry: Entry, details: dict[str, Any], names: Names) -> None:
    attempted = details.get("attempted")
    if attempted:
        entry.facts = [_("Attempted: %(act)s", act=label(attempted))]


def _data_change(entry: Entry, details: dict[str, Any], names: Names) -> None:
    """A change of business data (docs/audit.md), in the words of the instance's trail."""
    entry.changes = [Change(details.get("field", "?"), details.get("old"), details.get("new"))]
    worded = trail_views.change_view(details)
    entry.facts = [f"{worded['entity']} {worded['key']}"]
    entry.why = trail_views.reason_view(entry.why)


def _decision(entry: Entry, details: dict[str, Any], names: Names) -> None:
    """A decision table's verdict (docs/audit.md): table and version, inputs, rules, outputs."""
    worded = trail_views.decision_view(details)
    version = f" v{worded['version']}" if worded["version"] else ""
    entry.facts = [_("Table: %(table)s", table=f"{worded['table']}{version}")]
    for title, items in (
        (_("Inputs"), [f"{label} = {_worded(value)}" for label, value in worded["inputs"]]),
        (_("Matched rules"), [str(rule) for rule in worded["rules"] if rule]),
        (
            _("Outputs"),
            [
                f"{display_values.field_label(name)} = {_worded(value, name)}"
                for name, value in worded["outputs"].items()
            ],
        ),
    ):
        if items:
            entry.facts.append(f"{title}: {' · '.join(items)}")  # a ";" is a Greek "?"


RENDERERS: dict[str, Renderer] = {
    "start": _start,
    "case_started": _case_started,
    "instance_completed": _instance_completed,
    "complete": _complete,
    "approve": _approve,
    "reject": _reject,
    "retry": _retry,
    "signoff_voided": _voided,
    "refused": _refused,
    CHANGE_ACTION: _data_change,
    "decision": _decision,
    "comment": _comment,
    "attach": _attach,
    "consult_answered": _consult_answered,
}


def data_facts(data: dict[str, Any]) -> list[str]:
    """'Label: value' for each filled field of submitted data, labelled as the pages
    label it ("Customer", not "Customer id", beside a customer's name)."""
    return [
        f"{display_values.field_label(key)}: {_worded(value, key)}"
        for key, value in data.items()
        if not display_values.is_blank(value) and key not in display_values.HIDDEN
    ]


def _worded(value: Any, key: str | None = None) -> str:
    """A single value worded as the pages word it (display_values.show: codes in words,
    times in the display zone, durations, people and customers by name), as plain text."""
    if isinstance(value, str | int | float | Decimal) and not isinstance(value, bool):
        return display_values.show(value, key).striptags()
    return show(value)


def field_label(name: str) -> str:
    """A field's label as the forms show it (web/form_render.py), translated."""
    return _(name.replace("_", " ").capitalize())


# A stored code (an enum value, a role id) rather than words people wrote.
_CODE = re.compile(r"[a-z]+(?:_[a-z]+)+|[a-z]+")


def show(value: Any) -> str:
    """A value as a reader expects it: 17500 rather than 17500.0, JSON for structures."""
    if isinstance(value, bool) or value is None:
        return {True: _("yes"), False: _("no"), None: "—"}[value]
    if isinstance(value, float | int | Decimal):
        return _number(str(value))
    if isinstance(value, dict):  # a record in words: "Label: value, ..." (never JSON)
        return ", ".join(  # each value as the pages word its field (money, percentages)
            f"{display_values.field_label(key)}: {_worded(item, key)}"
            for key, item in value.items()
            if not display_values.is_blank(item) and key not in display_values.HIDDEN
        )
    if isinstance(value, list):
        return semicolon().join(show(item) for item in value)
    text = str(value)
    if _is_number(text):
        return _number(text)
    return str(vocabulary.term(text)) if _CODE.fullmatch(text) else text


def _number(text: str) -> str:
    if "." in text and "e" not in text.lower():
        text = text.rstrip("0").rstrip(".")
    return text


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return text.strip() == text and any(c.isdigit() for c in text)


def _names(records: dict[str, Any]) -> Names:
    accountable: dict[str, str] = {}
    for event in records["events"]:
        if event["action"] == "task_ready" and event["task_id"]:
            a_role = (event["details"].get("raci") or {}).get("A")
            if a_role:
                accountable[event["task_id"]] = a_role
    return Names(
        tasks=records["tasks"],
        people=records["people"],
        roles=records["roles"],
        processes=records["processes"],
        accountable=accountable,
    )


def _fold_notice(
    event: dict[str, Any],
    names: Names,
    entries: list[Entry],
    last_on_task: dict[tuple[str, str], Entry],
    case_wide: dict[str, Entry],
) -> None:
    """Add the person told to the act that caused the notice (or a line of its own)."""
    details = event["details"] or {}
    recipient = details.get("recipient", "?")
    person = names.people.get(recipient, recipient)
    if details.get("after") in CASE_WIDE_NOTICES:
        target = case_wide.get(event["instance_id"])
    else:
        target = last_on_task.get((event["instance_id"], event["task_id"] or ""))
    if target is None:
        target = render(event, names)
        target.what = label("notified")
        entries.append(target)
    target.notified.append(f"{person} ({recipient})")


def _read_model_changes(
    rows: Iterable[dict[str, Any]], entries: list[Entry], names: Names
) -> list[Entry]:
    """crm_customer_changes rows as data-change lines, unless the trail has them already."""
    on_trail = {(e.instance_id, c.field, show(c.new)) for e in entries for c in e.changes}
    found = []
    for row in rows:
        if (row["instance_id"], row["field"], show(row["new_value"])) in on_trail:
            continue
        found.append(
            Entry(
                at=row["changed_at"].isoformat(),
                action=CHANGE_ACTION,
                what=label(CHANGE_ACTION),
                who=row["changed_by"],
                instance_id=row["instance_id"],
                changes=[Change(row["field"], row["old_value"], row["new_value"])],
            )
        )
    return found


def _cause_index(entries: list[Entry], change: Entry) -> int:
    """Where a read model's change goes: after the act of its author that caused it
    (same instance, not later), else after the last line not later than it."""
    caused = [
        i
        for i, e in enumerate(entries)
        if e.instance_id == change.instance_id
        and e.who == change.who
        and e.at <= change.at
        and e.action in CAUSES
    ]
    if caused:
        return caused[-1]
    earlier = [i for i, e in enumerate(entries) if e.at <= change.at]
    return earlier[-1] if earlier else -1


def notified_summary(entry: Entry) -> str:
    """'notified: 8 people (names)' for an act's folded notices; '' if none."""
    if not entry.notified:
        return ""
    return ngettext(
        "notified: %(num)d person (%(names)s)",
        "notified: %(num)d people (%(names)s)",
        len(entry.notified),
        names=", ".join(entry.notified),
    )


def changes_text(entry: Entry) -> list[str]:
    """'Field: old → new' per change."""
    return [
        f"{_capitalised(trail_views.FIELDS.get(c.field) or field_label(c.field))}: "
        f"{_change_value(c.old, c.field)} → {_change_value(c.new, c.field)}"
        for c in entry.changes
    ]


def _capitalised(label: Any) -> str:
    text = str(label)
    return text[:1].upper() + text[1:]


def _change_value(value: Any, field: str | None = None) -> str:
    """A changed value: the trail stores text ('15000', 'placed'), worded as the trail does."""
    if isinstance(value, str):
        return trail_views.shown(value, field) or "—"
    return _worded(value, field)
