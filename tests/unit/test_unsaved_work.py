"""Work typed into a form another act overtook is shown back as text (web/tasks.py):
each value as the form offered it, never as what the browser sent."""

from __future__ import annotations

from flask import Flask
from flask_babel import Babel
from marshmallow import Schema, fields, validate
from werkzeug.datastructures import MultiDict

from web import form_render, tasks


class Release(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(["release", "cancel"]))
    same_day = fields.Boolean()
    note = fields.String()


def test_a_ticked_box_reads_yes_not_what_the_browser_sent():
    """The losing tab of a race showed "Same day: on"."""
    app = Flask(__name__)
    Babel(app)
    sent = MultiDict({"decision": "release", "same_day": "on", "note": "Before noon"})
    with app.test_request_context():
        typed = tasks._typed(form_render.bind(Release(), form=sent))
    assert typed == [("Decision", "release"), ("Same day", "Yes"), ("Note", "Before noon")]
