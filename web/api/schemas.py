"""The API's marshmallow schemas: argument fields every area uses, and the records it returns.

Records mirror the engine.views read models; times are ISO 8601 strings in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from engine.commands.base import MAX_REASON

NO_NUL = validate.Regexp(r"^[^\x00]*$", error="must not contain NUL characters")
MAX_ID = 2**31 - 1  # integer ids beyond what the database stores are refused, not looked up
EARLIEST, LATEST = datetime(1970, 1, 1, tzinfo=UTC), datetime(9000, 1, 1, tzinfo=UTC)


def text(
    max_length: int = 200, *, min_length: int | None = None, blank: bool = True, **kwargs: Any
) -> fields.String:
    """A string argument of bounded length; not only spaces unless `blank`.

    PostgreSQL refuses NUL characters in text: so does the API, up front.
    """
    rules: list[Any] = [validate.Length(min=min_length, max=max_length), NO_NUL]
    if not blank:
        rules[0] = validate.Length(min=min_length or 1, max=max_length)
        rules.append(_not_blank)
    return fields.String(validate=rules, **kwargs)


def reason_text(**kwargs: Any) -> fields.String:
    """A reason or comment: 1 to MAX_REASON characters (the engine's rule), not only spaces."""
    return text(MAX_REASON, blank=False, **kwargs)


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("must not be blank")


def when(**kwargs: Any) -> fields.AwareDateTime:
    """A date-time argument; without a zone it is UTC."""
    return fields.AwareDateTime(
        default_timezone=UTC, validate=validate.Range(EARLIEST, LATEST), **kwargs
    )


def time_field(**kwargs: Any) -> fields.String:
    return fields.String(allow_none=True, metadata={"format": "date-time"}, **kwargs)


def nullable(**kwargs: Any) -> fields.String:
    return fields.String(allow_none=True, **kwargs)


class PageArgs(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 500))
    offset = fields.Integer(load_default=0, validate=validate.Range(0, 1_000_000))


def page_of(item: type[Schema], name: str) -> type[Schema]:
    """A page of `item` records: items, how many match in all, and the window asked for."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item), required=True),
            "total": fields.Integer(required=True),
            "limit": fields.Integer(required=True),
            "offset": fields.Integer(required=True),
        },
        name=name,
    )


class Task(Schema):
    id = fields.String(required=True)
    instance_id = fields.String(required=True)
    process_id = fields.String(required=True)
    element = fields.String(required=True, metadata={"description": "The BPMN element id"})
    name = fields.String(required=True)
    lane = nullable()
    status = fields.String(required=True)
    assignee = nullable()
    routed_to = nullable(
        metadata={"description": "The one person the matrix routes it to (assign_to)"}
    )
    business_key = nullable()
    created_at = time_field(required=True)
    due_at = time_field()
    urgent = fields.Boolean(
        metadata={"description": "Its case is an emergency: inboxes badge it and sort it first"}
    )


class WorkedTask(Task):
    performer = nullable()
    signoff_due_at = time_field()
    rework_count = fields.Integer()
    rejection_reason = nullable()


class Incident(Schema):
    """The step that failed after an act, when, and after whose act."""

    element = nullable(metadata={"description": "The BPMN element that failed"})
    message = nullable()
    at = time_field()
    after_action = nullable(metadata={"description": "The act it ran after (e.g. approve)"})
    after_actor = nullable()
    after_on_behalf_of = nullable()
    after_element = nullable()


class InstanceState(Schema):
    """Where an instance stands after a command."""

    instance_id = fields.String(required=True)
    process_id = fields.String(required=True)
    version = fields.Integer(required=True)
    status = fields.String(required=True)
    error = nullable()
    ready_tasks = fields.List(fields.String(), required=True)
    incident = fields.Nested(
        Incident,
        allow_none=True,
        metadata={"description": "When the step after the act failed: what, when, after whom"},
    )


class InstanceRow(Schema):
    id = fields.String(required=True)
    process_id = fields.String(required=True)
    business_key = nullable()
    status = fields.String(required=True)
    started_by = fields.String(required=True)
    started_at = time_field(required=True)
    ended_at = time_field()


class Instance(InstanceRow):
    version = fields.Integer(required=True)
    error_task = nullable()
    error_message = nullable()
    cancel_reason = nullable()
    open_tasks = fields.List(fields.Nested(WorkedTask), required=True)


class Event(Schema):
    """One audit event (see docs/raci.md for the actions and their RACI letters)."""

    id = fields.Integer(required=True)
    stream = fields.String(required=True)
    seq = fields.Integer(required=True)
    occurred_at = time_field(required=True)
    actor = fields.String(required=True)
    action = fields.String(required=True)
    instance_id = nullable()
    process_id = nullable()
    task_id = nullable()
    raci_role = nullable()
    on_behalf_of = nullable()
    reason = nullable()
    details = fields.Dict(required=True)


TaskPage = page_of(Task, "TaskPage")
WorkedTaskPage = page_of(WorkedTask, "WorkedTaskPage")
InstancePage = page_of(InstanceRow, "InstancePage")
EventPage = page_of(Event, "EventPage")


class Consultation(Schema):
    id = fields.Integer(required=True)
    role = fields.String(required=True)
    routed_to = nullable(metadata={"description": "The case's own person of a scoped role"})
    requested_at = time_field(required=True)
    answered_by = nullable()
    answered_for = nullable(metadata={"description": "Whom a deputy answered for"})
    answered_at = time_field()
    comment = nullable()
    overridden_by = nullable()
    override_reason = nullable()


class FormField(Schema):
    """One field of a task's form; `fields` for an object, `item` for a list."""

    name = fields.String(required=True)
    type = fields.String(required=True)
    required = fields.Boolean(required=True)
    choices = fields.List(fields.Raw())
    min = fields.Raw()
    max = fields.Raw()
    min_length = fields.Integer()
    max_length = fields.Integer()
    pattern = fields.String()
    subfields = fields.List(fields.Dict(), attribute="fields", data_key="fields")
    item = fields.Dict(metadata={"description": "What each element of a list is"})


class TaskDetail(WorkedTask):
    performer_for = nullable(metadata={"description": "Whom a deputy performer stood in for"})
    submitted_data = fields.Dict(allow_none=True)
    signed_off_by = nullable()
    signed_off_at = time_field()
    completed_by = nullable()
    completed_at = time_field()
    consultations = fields.List(fields.Nested(Consultation), required=True)
    form = fields.List(
        fields.Nested(FormField),
        allow_none=True,
        metadata={"description": "The task's form; null when it has none"},
    )
    my_letters = fields.List(
        fields.String(), required=True, metadata={"description": "Your RACI letters on it"}
    )
