"""Every message the engine gives and every name the BPMN/DMN files show has its Greek."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from raci.messages import N_, Message, message_of
from web.babel_extract import names_in
from web.i18n import render_in
from workflows.demo import demo_directory

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "web" / "translations" / "el" / "LC_MESSAGES" / "messages.po"


@pytest.fixture(scope="module")
def greek() -> dict[str, str]:
    with CATALOG.open("rb") as po:
        return {m.id: m.string for m in read_po(po) if m.id and isinstance(m.id, str)}


def _marked(folder: str) -> set[str]:
    """The msgids marked with N_() in the Python files of `folder`."""
    found = set()
    for path in (ROOT / folder).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "N_"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                found.add(node.args[0].value)
    return found


def test_every_engine_and_raci_message_is_translated(greek):
    marked = _marked("raci") | _marked("engine") | _marked("web")
    assert len(marked) > 20
    missing = sorted(m for m in marked if not greek.get(m))
    assert missing == []


def test_every_bpmn_and_dmn_name_is_translated(greek):
    names = {
        text
        for path in sorted((ROOT / "bpmn").glob("*.*mn"))
        for _line, text, _what in names_in(path.read_bytes())
    }
    assert "Analyse credit (controller sign-off)" in names and "approval level" in names
    missing = sorted(n for n in names if not greek.get(n))
    assert missing == []


def test_every_demo_role_is_described_in_greek(greek):
    """The user admin pages show each role by its directory description, translated."""
    roles = demo_directory().roles.values()
    assert "analyst" in {r.name for r in roles}
    missing = sorted(r.description for r in roles if r.description and not greek.get(r.description))
    assert missing == []


def test_a_message_reads_english_by_default_and_greek_for_a_greek_reader():
    refusal = Message(
        N_("%(user)s performed '%(task)s' and cannot sign it off (four eyes)"),
        user="anna.credit",
        task="Analyse credit (controller sign-off)",
    )
    assert str(refusal) == (
        "anna.credit performed 'Analyse credit (controller sign-off)' and cannot sign it off"
        " (four eyes)"
    )
    greek_text = render_in(refusal, "el")
    assert "anna.credit" in greek_text and "τεσσάρων ματιών" in greek_text
    assert "Πιστωτική ανάλυση (υπογραφή ελεγκτή πιστώσεων)" in greek_text
    assert render_in(refusal, "en") == str(refusal)


def test_an_error_raised_with_a_message_carries_it():
    error = PermissionError(Message(N_("a reason is required to cancel an instance")))
    assert message_of(error) == Message("a reason is required to cancel an instance")
    assert message_of(PermissionError("plain")) is None


def test_every_message_is_defined_once():
    # A second definition silently wins over the first when compiled: two translations of
    # "finance manager" once showed the same role under two names.
    seen: dict[tuple[str, str], int] = {}
    twice = []
    for entry in CATALOG.read_text(encoding="utf-8").split("\n\n"):
        key = _key_of(entry)
        if key is None:
            continue
        if key in seen:
            twice.append(key[1])
        seen[key] = 1
    assert twice == []


def _key_of(entry: str) -> tuple[str, str] | None:
    """(msgctxt, msgid) of one .po entry, its continued lines joined; None for the header."""
    parts: dict[str, str] = {}
    current = None
    for line in entry.splitlines():
        if line.startswith(("msgctxt ", "msgid ", "msgid_plural ", "msgstr")):
            current, _, rest = line.partition(" ")
            parts[current] = ast.literal_eval(rest)
        elif line.startswith('"') and current:
            parts[current] += ast.literal_eval(line)
    msgid = parts.get("msgid")
    return (parts.get("msgctxt", ""), msgid) if msgid else None


def test_a_list_of_reasons_is_said_each_in_the_readers_language():
    """A migration refusal read in Greek up to its reasons, then "it is on version 2
    already" in English: the reasons were joined before translation."""
    refusal = Message(
        N_("instance %(id)s cannot move: %(why)s"),
        id="SO-1",
        why=[Message(N_("it is on version %(v)s already"), v=2)],
    )
    assert str(refusal) == "instance SO-1 cannot move: it is on version 2 already"
    greek_text = render_in(refusal, "el")
    assert "είναι ήδη στην έκδοση 2" in greek_text and "already" not in greek_text


def test_reasons_are_parted_by_the_ano_teleia_in_greek_and_a_lane_read_by_its_greek_name():
    """Greek reads ";" as a question mark; and the check said «BD» of the lane the
    diagram labels «Πωλητής»."""
    two = [Message(N_("it is on version %(v)s already"), v=2)] * 2
    refusal = Message(N_("instance %(id)s cannot move: %(why)s"), id="SO-1", why=two)
    greek_text = render_in(refusal, "el")
    assert "2· " in greek_text and ";" not in greek_text
    lane = Message(
        N_(
            "lane '%(lane)s' matches none of the R roles (%(roles)s); "
            "the matrix, not the lane, decides who does the work"
        ),
        lane="BD",
        roles="credit_controller",
    )
    assert "«Πωλητής»" in render_in(lane, "el")


def test_every_word_the_decision_table_editor_says_is_in_the_modelers_words():
    """dmn-js showed "No values", "Add predefined values", "Add cell description" in
    English to a Greek owner: a word it passes to `translate` but that web/modeler_words.py
    lacked. An upgrade bringing new words fails here, not on a Greek page."""
    from web.modeler_words import WORDS

    bundle = ROOT / "node_modules" / "dmn-js" / "dist" / "dmn-modeler.development.js"
    code = bundle.read_text(encoding="utf-8")
    said = set(re.findall(r"translate\('([^']*)'\)", code))
    assert len(said) > 100
    # Its data types go through `translate` one by one ("string" showed in a Greek editor).
    [types] = re.findall(r"DEFAULT_DATA_TYPES = \[([^\]]*)\]", code)
    said |= set(re.findall(r"'([^']*)'", types))
    assert {"string", "number"} <= said
    assert sorted(said - set(WORDS)) == []


def test_every_word_the_diagram_editor_passes_to_translate_is_in_the_modelers_words():
    from web.modeler_words import WORDS

    bundle = ROOT / "node_modules" / "bpmn-js" / "dist" / "bpmn-modeler.development.js"
    said = set(re.findall(r"translate\('([^']*)'\)", bundle.read_text(encoding="utf-8")))
    assert len(said) > 30
    assert sorted(said - set(WORDS)) == []
