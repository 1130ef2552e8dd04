"""The approver's diff: BPMN elements, DMN rules cell by cell, RACI rows letter by letter."""

from __future__ import annotations

from pathlib import Path

from engine.draft_diff import diff_files, is_empty

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
FILES = {p.name: p.read_text() for p in BPMN.glob("credit_limit_change.*")}
DMN, MATRIX, DIAGRAM = (
    "credit_limit_change.approval_level.dmn",
    "credit_limit_change.raci.yaml",
    "credit_limit_change.bpmn",
)


def edited(name: str, old: str, new: str) -> dict[str, str]:
    assert old in FILES[name]
    return {**FILES, name: FILES[name].replace(old, new)}


def test_the_same_files_change_nothing():
    assert is_empty(diff_files(FILES, dict(FILES)))


def test_a_threshold_changed_is_one_cell_of_one_rule():
    diff = diff_files(FILES, edited(DMN, "<text>&gt; 50000</text>", "<text>&gt; 60000</text>"))
    [decision] = diff["decisions"]
    assert decision["decision"] == "credit_approval_level"
    assert decision["cells"] == [
        {
            "rule": "cfo_by_limit",
            "row": 1,
            "column": "Requested limit (EUR)",
            "old": "> 50000",
            "new": "> 60000",
        }
    ]
    assert (decision["rules_added"], decision["rules_removed"]) == ([], [])
    assert not is_empty(diff)


def test_a_rule_removed_is_named():
    rule = FILES[DMN].split('<rule id="controller">')[1].split("</rule>")[0]
    diff = diff_files(FILES, edited(DMN, f'<rule id="controller">{rule}</rule>', ""))
    assert diff["decisions"][0]["rules_removed"] == ["controller"]


def test_raci_letters_and_flags_changed_per_row():
    files = edited(MATRIX, "signoff_due: P1D", "signoff_due: P2D")
    files[MATRIX] = files[MATRIX].replace(
        "raci: {bd: R/A, credit_controller: I}", "raci: {bd: R/A, credit_controller: C}"
    )
    changed = {row["activity"]: row for row in diff_files(FILES, files)["raci"]["changed"]}
    assert changed["request"]["cells"] == [{"role": "credit_controller", "old": "I", "new": "C"}]
    assert changed["analyse_controller"]["flags"] == [
        {"flag": "signoff_due", "old": "P1D", "new": "P2D"}
    ]


def test_elements_added_removed_and_changed_ignore_the_layout():
    files = edited(DIAGRAM, 'name="Measure the increase"', 'name="Measure the change"')
    files[DIAGRAM] = files[DIAGRAM].replace(
        "</bpmn:process>",
        '<bpmn:task id="note_it" name="Note it" /></bpmn:process>',
    )
    elements = diff_files(FILES, files)["elements"]
    note_it = {"id": "note_it", "type": "task", "name": "Note it", "source": None, "target": None}
    assert elements["added"] == [note_it]
    assert elements["changed"] == [
        {
            "id": "measure_increase",
            "type": "scriptTask",
            "name": "Measure the change",
            "source": None,
            "target": None,
            "changed": ["name"],
            "was_name": "Measure the increase",  # the approver reads what it was called
        }
    ]
    assert elements["removed"] == []
    back = diff_files(files, FILES)["elements"]
    assert back["removed"] == [note_it]


def test_a_flow_is_known_by_what_it_joins():
    files = edited(
        DIAGRAM,
        "</bpmn:process>",
        '<bpmn:sequenceFlow id="extra" sourceRef="request" targetRef="measure_increase" />'
        "</bpmn:process>",
    )
    added = diff_files(FILES, files)["elements"]["added"]
    assert added == [
        {
            "id": "extra",
            "type": "sequenceFlow",
            "name": None,
            "source": "request",
            "target": "measure_increase",
        }
    ]
