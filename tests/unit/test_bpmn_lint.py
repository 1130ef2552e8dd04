"""The modeler's bpmnlint rules (web/lint/rules.mjs) over the project's processes.

An owner who opens a draft of a process sees its findings at once: the processes we ship
must open clean, and the rules must still catch what they are there for.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECK = ROOT / "web" / "lint" / "check.mjs"


def lint(*files: Path) -> dict[str, dict[str, list[dict[str, str]]]]:
    node = shutil.which("node")
    assert node, "node is installed by `make` (scripts/install-system-deps)"
    assert (ROOT / "node_modules" / "bpmnlint").is_dir(), "run make: npm ci installs bpmnlint"
    done = subprocess.run(
        [node, str(CHECK), *map(str, files)], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(done.stdout)


def test_every_demo_process_opens_with_no_finding():
    found = lint(*sorted((ROOT / "bpmn").glob("*.bpmn")))
    assert len(found) == 8
    assert {name: issues for name, issues in found.items() if issues} == {}


@pytest.mark.parametrize(
    ("change", "element", "message"),
    [
        # A task drawn and left unconnected never runs.
        (
            ("</bpmn:process>", '<bpmn:userTask id="loose" /></bpmn:process>'),
            "loose",
            "Element is not connected",
        ),
        # A gateway's way out with no condition and not the default.
        (
            ('name="CFO" sourceRef="by_level" targetRef="analyse_cfo"><bpmn:conditionExpression>'
             'approval_level == "cfo"</bpmn:conditionExpression></bpmn:sequenceFlow>',
             'name="CFO" sourceRef="by_level" targetRef="analyse_cfo"></bpmn:sequenceFlow>'),
            "f_cfo",
            "Sequence flow is missing condition",
        ),
    ],
)  # fmt: skip
def test_the_rules_catch_what_they_are_for(tmp_path, change, element, message):
    text = (ROOT / "bpmn" / "credit_limit_change.bpmn").read_text()
    assert change[0] in text
    broken = tmp_path / "broken.bpmn"
    broken.write_text(text.replace(change[0], change[1]))
    [issues] = lint(broken).values()
    assert message in [issue["message"] for issue in issues[element]]
