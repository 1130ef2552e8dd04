"""Memory bombs in a BPMN script fail the instance, and the process does not balloon.

Each bomb runs in a fresh Python process so that its peak resident memory
(ru_maxrss) measures this run alone, not whatever the test session did before.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

BOMBS = {
    "to_bytes": "x = len((5).to_bytes(1500000000, 'big'))",
    "percent": "x = '%01000000000d' % 1",
    "fstring": "x = f'{1:>1000000000}'",
    "loop": "x = []\nfor i in range(1000):\n    x.append('a' * 1000000)",
}

PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://raciflow.test">
  <bpmn:process id="bomb" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="work" name="Work"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:userTask id="check" name="Check"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="check" />
    <bpmn:sequenceFlow id="f3" sourceRef="check" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""

RUNNER = """
import json, resource, sys
from engine import SourceFile, build_engine
process_engine = build_engine(sys.argv[1], migrate=True)
process_engine.deploy([SourceFile("bomb.bpmn", sys.stdin.buffer.read())], user="owner")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = process_engine.start("bomb", user="ana")
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"status": str(started.status), "error": started.error,
                  "growth_mb": (after - before) / 1024}))
"""


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_a_memory_bomb_fails_the_instance_without_ballooning(name: str, tmp_path: Path) -> None:
    source = PROCESS.format(script=escape(BOMBS[name])).encode()
    url = f"sqlite:///{tmp_path / 'raciflow.sqlite'}"
    run = subprocess.run(
        [sys.executable, "-c", RUNNER, url],
        input=source,
        capture_output=True,
        timeout=120,
        check=True,
    )
    result = json.loads(run.stdout)
    assert result["status"] == "error"
    assert "sandbox" in result["error"] or "memory" in result["error"]
    assert result["growth_mb"] < 200, result
