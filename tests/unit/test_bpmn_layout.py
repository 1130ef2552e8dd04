"""Files written without a diagram get one before the modeler opens them; the process is
the same process afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.definitions import SourceFile, parse_definitions
from web.bpmn_layout import has_di, with_layout

BPMN = Path(__file__).resolve().parents[2] / "bpmn"


def _unordered(spec: dict) -> dict:
    """The spec, but the order of a gateway's ways out: SpiffWorkflow sorts them by where
    the diagram draws them (a default flow is taken last whatever its place)."""
    tasks = {}
    for name, task in spec["spec"]["task_specs"].items():
        task = dict(task)
        for key in ("outputs", "inputs"):
            task[key] = sorted(task.get(key) or [])
        if "cond_task_specs" in task:
            task["cond_task_specs"] = sorted(
                task["cond_task_specs"], key=lambda c: (c["task_spec"], str(c["condition"]))
            )
        tasks[name] = task
    return tasks


@pytest.mark.parametrize("path", sorted(BPMN.glob("*.bpmn")), ids=lambda p: p.stem)
def test_every_process_gets_a_diagram_and_stays_the_same_process(path):
    text = path.read_text()
    assert not has_di(text)
    laid_out = with_layout(text)
    assert has_di(laid_out)
    dmn = [SourceFile.read(p) for p in BPMN.glob(f"{path.stem}.*.dmn")]
    before = parse_definitions([SourceFile(path.name, text.encode()), *dmn])
    after = parse_definitions([SourceFile(path.name, laid_out.encode()), *dmn])
    assert [_unordered(d.spec) for d in after] == [_unordered(d.spec) for d in before]
    assert with_layout(laid_out) == laid_out  # a diagram the owner drew is kept
