"""Forms drawn from marshmallow schemas: the right input for each field, values read back."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader
from marshmallow import Schema, ValidationError, fields, validate
from werkzeug.datastructures import MultiDict

from web.form_render import bind, form_fields
from web.form_values import local_time, parse_form, values_from_data
from workflows.forms import _by_field, forms, schema_for

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"


class Line(Schema):
    product_code = fields.String(required=True)
    quantity = fields.Integer(required=True, validate=validate.Range(min=1))


class Everything(Schema):
    name = fields.String(required=True, validate=validate.Length(max=80))
    note = fields.String(validate=validate.Length(max=2000))
    email = fields.Email()
    count = fields.Integer(validate=validate.Range(min=1, max=9))
    amount = fields.Float(validate=validate.Range(min=0))
    price = fields.Decimal()
    urgent = fields.Boolean()
    kind = fields.String(validate=validate.OneOf(["a_b", "c"]))
    day = fields.Date()
    at = fields.AwareDateTime()
    lines = fields.List(fields.Nested(Line))
    tags = fields.List(fields.String())
    extra = fields.Dict()
    shown = fields.String(dump_only=True)
    renamed = fields.String(data_key="renamedKey")


def by_name(schema: Schema) -> dict:
    return {f.name: f for f in form_fields(schema)}


def test_each_field_type_gets_its_input():
    inputs = by_name(Everything())
    kinds = {name: f.kind for name, f in inputs.items()}
    assert kinds == {
        "name": "text",
        "note": "textarea",
        "email": "email",
        "count": "number",
        "amount": "number",
        "price": "number",
        "urgent": "checkbox",
        "kind": "select",
        "day": "date",
        "at": "datetime",
        "lines": "rows",
        "tags": "lines",
        "extra": "json",
        "renamedKey": "text",  # the schema's data key is the input name
    }
    assert (inputs["count"].min, inputs["count"].max, inputs["count"].step) == (1, 9, "1")
    assert inputs["amount"].step == "any"
    assert inputs["name"].required and inputs["name"].maxlength == 80
    assert inputs["kind"].choices == (("a_b", "a b"), ("c", "c"))
    assert [c.name for c in inputs["lines"].columns] == ["product_code", "quantity"]


def test_the_credit_analysis_form_is_drawn_from_its_schema():
    inputs = by_name(schema_for("credit_limit_change", "analyse_controller"))
    assert inputs["recommendation"].kind == "select" and inputs["recommendation"].required
    assert inputs["approved_limit"].kind == "number" and inputs["approved_limit"].max == 10_000_000
    assert inputs["analysis"].kind == "textarea" and inputs["analysis"].minlength == 10


def test_submitted_strings_become_the_types_the_schema_loads():
    inputs = form_fields(Everything())
    form = MultiDict(
        {
            "name": "  Kiosk ",
            "count": "3",
            "amount": "1.234,50",  # Greek: thousands dot, decimal comma
            "price": "12,30",
            "urgent": "on",
            "at": "2026-11-02T10:30",
            "lines-0-product_code": "P0001",
            "lines-0-quantity": "2",
            "lines-2-product_code": "P0002",  # row 1 left blank
            "lines-2-quantity": "x",
            "tags": "one\ntwo\n",
            "extra": '{"a": 1}',
            "note": "",
        }
    )
    data, errors = parse_form(inputs, form, locale="el")
    assert errors == {}
    assert data["name"] == "Kiosk" and data["count"] == 3 and data["amount"] == 1234.5
    assert data["price"] == "12.30" and data["urgent"] is True
    assert data["at"].startswith("2026-11-02T10:30:00+")  # local (Greek) time, with its offset
    assert data["lines"] == [
        {"product_code": "P0001", "quantity": 2},
        {"product_code": "P0002", "quantity": "x"},  # left for the schema to refuse
    ]
    assert data["tags"] == ["one", "two"] and data["extra"] == {"a": 1}
    assert "note" not in data  # empty: the schema decides whether it was required
    with pytest.raises(ValidationError) as invalid:
        Everything().load(data)
    assert invalid.value.messages == {"lines": {1: {"quantity": ["Not a valid integer."]}}}


def test_unreadable_json_is_an_error_of_its_field():
    data, errors = parse_form(form_fields(Everything()), MultiDict({"extra": "{nope"}))
    assert errors == {"extra": ["Not valid JSON."]} and "extra" not in data


def test_an_unchecked_checkbox_is_false_and_text_for_a_number_is_passed_on():
    data, _ = parse_form(form_fields(Everything()), MultiDict({"count": "three"}))
    assert data["urgent"] is False and data["count"] == "three"


def test_errors_land_on_the_row_they_belong_to():
    form = MultiDict(
        {"lines-0-product_code": "P1", "lines-3-product_code": "P2", "lines-3-quantity": "0"}
    )
    bound = bind(Everything(), form=form, errors={"lines.1.quantity": ["Too small."]})
    # Filled rows are renumbered as parse_form numbers them, so the error meets its row.
    assert bound.value("lines-1-product_code") == "P2"
    assert bound.errors_for("lines.1.quantity") == ["Too small."]
    lines = next(f for f in bound.fields if f.name == "lines")
    assert list(bound.rows(lines)) == [0, 1, 2]  # the filled rows, then one spare


def test_errors_without_an_input_are_shown_for_the_whole_form():
    bound = bind(Everything(), errors={"_schema": ["Bad."], "ghost": ["Unknown field."]})
    assert bound.general_errors() == ["Bad.", "ghost: Unknown field."]


def test_stored_data_prefills_the_inputs():
    values = values_from_data(
        form_fields(Everything()),
        {
            "count": 3,
            "amount": 45000.0,
            "urgent": True,
            "lines": [{"product_code": "P1", "quantity": 2}],
            "tags": ["a", "b"],
            "at": "2026-11-02T08:30:00+00:00",
        },
    )
    assert values["count"] == "3" and values["amount"] == "45000" and values["urgent"] == "on"
    assert values["lines-0-quantity"] == "2" and values["tags"] == "a\nb"
    assert values["at"] == "2026-11-02T10:30"  # shown in Greek time


def test_times_are_shown_in_local_time():
    assert local_time("2026-07-01T09:00:00+00:00") == "2026-07-01 12:00"  # summer time
    assert local_time(None) == ""


class Address(Schema):
    street = fields.String(required=True)
    postcode = fields.String(required=True)


class WithAddress(Schema):
    billing_address = fields.Nested(Address, load_default=None)


def test_an_optional_record_requires_none_of_its_inputs():
    """A blank optional address is no address: the browser must not demand its street."""
    [optional] = form_fields(WithAddress())
    assert not any(c.required for c in optional.columns)
    required = Schema.from_dict({"billing_address": fields.Nested(Address, required=True)})
    [group] = form_fields(required())
    assert [c.required for c in group.columns] == [c.required for c in form_fields(Address())]


def test_a_nested_record_is_a_group_of_inputs():
    [group] = form_fields(WithAddress())
    assert group.kind == "group" and [c.name for c in group.columns] == ["street", "postcode"]
    data, _ = parse_form([group], MultiDict({"billing_address-street": "Ερμού 12"}))
    assert data == {"billing_address": {"street": "Ερμού 12"}}
    assert parse_form([group], MultiDict({"billing_address-street": " "}))[0] == {}
    values = values_from_data([group], {"billing_address": {"street": "Ερμού 12"}})
    assert values == {"billing_address-street": "Ερμού 12"}


def render(bound) -> str:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)), extensions=["jinja2.ext.i18n"], autoescape=True
    )
    env.install_null_translations(newstyle=True)
    env.filters.update(form_message=lambda m: m, tr=lambda t: t)  # the app's: web/app.py
    env.globals["suggestions"] = lambda name: [("X1", f"X1 · a known {name} value")]
    macro = '{% from "tasks/_form.html" import render_fields %}{{ render_fields(form) }}'
    return env.from_string(macro).render(form=bound)


def test_every_registered_form_can_be_drawn():
    for (process_id, task_id), schema in forms().items():
        bound = bind(schema(), errors={"_schema": ["Check the form."]})
        html = render(bound)
        assert "Check the form." in html, f"{process_id}/{task_id}"
        for f in bound.fields:
            assert f'name="{f.name}' in html, f"{process_id}/{task_id}: {f.name}"


def test_errors_and_values_are_drawn_beside_their_inputs():
    bound = bind(
        Everything(),
        form=MultiDict({"name": "<b>Kiosk</b>", "lines-0-quantity": "0"}),
        errors={"name": ["Too long."], "lines.0.quantity": ["Must be at least 1."]},
    )
    html = render(bound)
    assert 'value="&lt;b&gt;Kiosk&lt;/b&gt;"' in html  # kept, and escaped
    assert '<p class="field-error" id="e-name">Too long.</p>' in html
    assert '<p class="field-error" id="e-lines-0-quantity">Must be at least 1.</p>' in html


def test_an_item_of_a_list_that_is_not_a_number_is_said_beside_the_list():
    """A partial release typed as "1, 3" answered only "correct the marked fields", with
    no field marked: the error was the list's first item's ("release_lines.0")."""
    schema = schema_for("order_release", "credit_review_controller")
    form = MultiDict({"credit_decision": "partial", "release_lines": "1, 3\nP0059"})
    data, _ = parse_form(form_fields(schema), form)
    assert data["release_lines"][:2] == [1, 3]  # numbers in a row are read as such
    errors = {k: v for k, v in _by_field(schema.validate(data)).items()}
    assert "release_lines.2" in errors and "release_lines.0" not in errors
    bound = bind(schema, form=form, errors=errors)
    assert bound.errors_for("release_lines") == ["Not a valid integer."]  # said once
    assert bound.general_errors() == []
    html = render(bound)
    box = html[html.index('name="release_lines"') :]
    assert 'aria-invalid="true"' in box[: box.index(">")]
    assert '<p class="field-error" id="e-release_lines">Not a valid integer.</p>' in html
    assert "line numbers (1, 2, ...), not product codes." in html
    assert 'maxlength="50"' not in box[: box.index(">")]  # 50 lines, not 50 characters


@pytest.mark.parametrize(
    ("process", "task", "case", "expected"),
    [
        (  # the controller starts from the segment's proposal
            "customer_onboarding",
            "set_credit_terms",
            {"proposed_limit": 3000.0, "proposed_terms_days": 30},
            {"credit_limit": "3000", "payment_terms_days": "30"},
        ),
        (  # and justifies the terms just set, not typed again blank
            "customer_onboarding",
            "approve_terms_above_default",
            {"credit_limit": 100000.0, "payment_terms_days": 120},
            {"credit_limit": "100000", "payment_terms_days": "120"},
        ),
        (  # the requester submits what was asked, correcting rather than retyping
            "customer_data_change",
            "submit_sensitive_change",
            {"payment_terms_days": 60, "name": None, "segment": "B"},
            {"payment_terms_days": "60", "name": "", "segment": "B"},
        ),
    ],
)
def test_a_form_begins_with_the_figures_the_case_already_holds(process, task, case, expected):
    from web.form_prefill import starting_values

    schema = schema_for(process, task)
    form = starting_values(bind(schema, data={}), schema, case)
    assert {name: form.value(name) for name in expected} == expected
