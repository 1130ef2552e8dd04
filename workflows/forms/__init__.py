"""The form of each user task (and start form of each process), as marshmallow schemas.

A schema is registered for (process id, task id); the start form uses the task id
"start". A task with no form of its own may use a general form by its id's prefix
(general.py). The web pages and the CLI validate submitted data through `validator`, and
the engine stores what the schema loads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema, ValidationError

from engine.commands.base import START_FORM
from engine.errors import InvalidTaskData

from .general import general_form

START = START_FORM
_FORMS: dict[tuple[str, str], type[Schema]] = {}


def form(process_id: str, *task_ids: str) -> Callable[[type[Schema]], type[Schema]]:
    """Register the decorated schema as the form of `task_ids` in `process_id`."""

    def decorator(schema: type[Schema]) -> type[Schema]:
        for task_id in task_ids:
            if (process_id, task_id) in _FORMS:
                raise ValueError(f"{process_id}/{task_id} already has a form")
            _FORMS[process_id, task_id] = schema
        return schema

    return decorator


def schema_for(process_id: str, task_id: str) -> Schema | None:
    schema = _FORMS.get((process_id, task_id)) or general_form(task_id)
    return schema() if schema else None


def validator(process_id: str, task_id: str) -> Callable[[dict[str, Any]], dict[str, Any]] | None:
    """A function that loads submitted data through the task's form, or None if it has none.

    Invalid data raises InvalidTaskData with the messages by field.
    """
    schema = schema_for(process_id, task_id)
    if schema is None:
        return None

    def validate(data: dict[str, Any]) -> dict[str, Any]:
        try:
            return schema.load(data)
        except ValidationError as err:
            raise InvalidTaskData(_by_field(err.normalized_messages())) from None

    return validate


def problems(process_id: str, task_id: str, data: dict[str, Any]) -> dict[str, list[str]]:
    """The form's messages by field for `data` ({} when it is valid or there is no form)."""
    schema = schema_for(process_id, task_id)
    return _by_field(schema.validate(data)) if schema is not None else {}


def forms() -> dict[tuple[str, str], type[Schema]]:
    return dict(_FORMS)


def _by_field(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    flat: dict[str, list[str]] = {}
    for field, value in messages.items() if isinstance(messages, dict) else [("_", messages)]:
        name = f"{prefix}{field}"
        if isinstance(value, dict):
            flat.update(_by_field(value, f"{name}."))
        else:
            flat[name] = [str(v) for v in (value if isinstance(value, list) else [value])]
    return flat


# Importing the process modules registers their forms.
from . import complaints, credit, customer_master, equipment, orders  # noqa: E402, F401
