"""General forms: a task drawn in the modeler uses one by its id's prefix."""

from __future__ import annotations

import pytest

from engine.errors import InvalidTaskData
from workflows.forms import schema_for, validator
from workflows.forms.general import CheckForm, general_form


def test_a_check_task_uses_the_check_form_in_any_process():
    assert general_form("check_1") is CheckForm
    assert isinstance(schema_for("credit_limit_change", "check_sales"), CheckForm)
    assert isinstance(schema_for("order_release", "check_2"), CheckForm)


def test_a_process_form_wins_and_other_ids_have_none():
    assert not isinstance(schema_for("credit_limit_change", "request"), CheckForm)
    assert general_form("check_") is None  # the prefix alone names nothing
    assert general_form("recheck_1") is None
    assert schema_for("credit_limit_change", "extra_step") is None


def test_the_check_form_wants_a_note():
    validate = validator("credit_limit_change", "check_1")
    assert validate({"check_note": "Pays on time"}) == {"check_note": "Pays on time"}
    with pytest.raises(InvalidTaskData):
        validate({"check_note": ""})
    with pytest.raises(InvalidTaskData):
        validate({})
