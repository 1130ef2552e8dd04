"""scripts/bpmn_coverage.py: bare SpiffWorkflow and raciflow on the same folder."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

from tests.conftest import FIXTURES

ROOT = Path(__file__).resolve().parents[2]


def coverage_main():
    spec = importlib.util.spec_from_file_location(
        "bpmn_coverage", ROOT / "scripts" / "bpmn_coverage.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module.main


def test_the_projects_fixtures_run_the_same_in_both(capsys):
    assert coverage_main()([str(FIXTURES)]) == 0
    out = capsys.readouterr().out
    assert "differences: 0" in out
    spiff = int(out.split("SpiffWorkflow reaches a wait or the end:")[1].split()[0])
    ours = int(out.split("raciflow reaches a wait or the end:")[1].split()[0])
    assert spiff == ours >= 12  # the events fixtures among them


def test_a_difference_is_printed_with_both_reasons(tmp_path, capsys):
    shutil.copy(FIXTURES / "timer_wait.bpmn", tmp_path / "timer_wait.bpmn")
    text = (FIXTURES / "scripted.bpmn").read_text()
    script = "import os\ncode = os.sep\ncounts = {}\ntoday = ''\nlabel = ''"
    text = text.replace(text[text.index("import datetime") : text.index("</bpmn:script>")], script)
    (tmp_path / "os_script.bpmn20.xml").write_text(text.replace("code != 'ab'", "False"))
    assert coverage_main()([str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "differences: 1" in out
    assert "- os_script.bpmn20.xml" in out
    assert "import of 'os' is not allowed" in out
