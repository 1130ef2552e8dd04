"""The command line says so when the step after a sign-off fails: never a plain "approved"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

GOVERNED = FIXTURES / "governed"


@pytest.fixture
def bpmn_dir(tmp_path: Path) -> Path:
    """The governed credit change, whose step after the sign-off divides by zero."""
    folder = tmp_path / "bpmn"
    folder.mkdir()
    source = (GOVERNED / "credit_change.bpmn").read_text()
    assert source.count("applied_limit = new_limit") == 1
    (folder / "credit_change.bpmn").write_text(
        source.replace("applied_limit = new_limit", "applied_limit = new_limit / 0")
    )
    (folder / "credit_change.raci.csv").write_bytes(
        (GOVERNED / "credit_change.raci.csv").read_bytes()
    )
    return folder


def test_the_signer_is_told_the_next_step_failed_and_the_command_fails(cli):
    cli("init", "--directory", str(GOVERNED / "directory.yaml"))
    started = json.loads(cli("start", "credit_change", "--user", "bob", "--json").stdout)
    [request] = started["ready_tasks"]
    done = cli("complete", request, "--user", "bob", "--data", '{"new_limit": 9000}', "--json")
    [analyse] = json.loads(done.stdout)["ready_tasks"]
    [consultation] = json.loads(cli("consult", "list", analyse, "--json").stdout)
    cli("consult", "answer", str(consultation["id"]), "--user", "bob", "--comment", "pays on time")
    cli("complete", analyse, "--user", "carol", "--data", '{"recommendation": "raise"}')

    signed = cli("approve", analyse, "--user", "fiona", ok=False)

    assert signed.returncode == 1
    assert signed.stdout.startswith("approved, but the next step failed: ")
    assert "division by zero" in signed.stdout and "is in error" in signed.stdout
    shown = cli("show", started["instance_id"]).stdout
    assert "status: error" in shown and "error_task: apply" in shown
