"""The retry form of an incident: the failed task's own form, pre-filled with its data.

The step that failed ran on after a human task (or the start form): that task's
marshmallow schema (workflows/forms) draws the inputs, and the engine validates
the retry through the same form (ProcessEngine.retry_incident).
"""

from __future__ import annotations

from marshmallow import Schema

from engine.views import incidents
from workflows.forms import schema_for

from . import form_render
from .customer_card import CUSTOMER_FIELD, chosen_customer, customer_chooser
from .services import engine


def retry_schema(instance_id: str) -> Schema | None:
    """The form of the task whose data the failed step ran with; None if it has none."""
    found = incidents.incident(engine().uow(), instance_id)
    if found is None:
        return None
    return schema_for(found["process_id"], found["form_element"])


def prefilled(instance_id: str) -> form_render.BoundForm:
    """The retry form showing what the failed step ran with.

    A customer reads as on the start form (code and name), and is the only choice: the
    case was opened for that customer, and its business key says so."""
    schema = retry_schema(instance_id)
    data = engine().incident_data(instance_id) if schema is not None else {}
    bound = form_render.bind(schema, data=data)
    found = chosen_customer(engine().uow(), bound.value(CUSTOMER_FIELD))
    if found:
        bound.fields = customer_chooser(bound.fields, found)
    return bound
