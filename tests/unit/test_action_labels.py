"""Every act the engine puts on the trail reads as words, on every page and file alike."""

from __future__ import annotations

import re
from pathlib import Path

from tests.unit.test_display import make_app
from web.action_labels import ACTION_LABELS, action_words

ENGINE = Path(__file__).resolve().parents[2] / "engine"
# The ways the engine names the action of an event it records.
RECORDED = (
    re.compile(r'action="([a-z_]+)"'),
    re.compile(r'record\(\s*uow,\s*instance,\s*"([a-z_]+)"'),
    re.compile(r'record_act\(\s*uow,\s*instance,\s*task,\s*"([a-z_]+)"'),
    re.compile(r'^[A-Z_]+_ACTION = "([a-z_]+)"', re.MULTILINE),
)


def recorded_actions() -> set[str]:
    found: set[str] = set()
    for source in ENGINE.rglob("*.py"):
        text = source.read_text()
        for pattern in RECORDED:
            found.update(pattern.findall(text))
    return found


def test_every_action_the_engine_records_has_words():
    actions = recorded_actions()
    assert {"routed", "approve", "directory_import", "data_changed"} <= actions  # the scan works
    assert sorted(actions - ACTION_LABELS.keys()) == []


def test_an_action_reads_in_greek_and_an_unknown_one_as_its_code():
    with make_app("el").test_request_context():
        assert action_words("routed") == "ανατέθηκε σε πρόσωπο"
        assert action_words("something_new") == "something_new"
