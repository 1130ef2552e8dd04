"""`raciflow deploy --bootstrap FOLDER`: every bad file named; --partial deploys the rest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import bpmn_folder
from tests.e2e.inprocess_cli import in_process
from tests.integration.test_folder_deploy import folder


@pytest.fixture
def bpmn_dir(tmp_path: Path) -> Path:
    return bpmn_folder(tmp_path)  # nothing deployed by init


@pytest.fixture
def run(cli, monkeypatch, capsys):
    run = in_process(cli.env, monkeypatch, capsys)
    run("init")
    return run


def test_a_folder_with_bad_files_deploys_nothing_and_names_each(run, tmp_path):
    done = run("deploy", "--bootstrap", str(folder(tmp_path)), ok=False)
    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert "2 file(s) cannot be deployed" in line
    assert "approval_copy.bpmn" in line and "xxe.bpmn" in line
    assert json.loads(run("tasks", "--json").stdout) == []
    assert run("start", "approval", ok=False).returncode == 1  # not deployed


def test_partial_deploys_what_is_valid(run, tmp_path):
    done = run("deploy", "--bootstrap", "--partial", str(folder(tmp_path)), "--json", ok=False)
    assert done.returncode == 1  # something was refused
    results = json.loads(done.stdout)
    assert sorted(r["process_id"] for r in results if "process_id" in r) == [
        "approval",
        "timer_wait",
    ]
    assert sorted(r["file"] for r in results if r.get("status") == "refused") == [
        "approval_copy.bpmn",
        "xxe.bpmn",
    ]
    assert json.loads(run("start", "timer_wait", "--json").stdout)["status"] == "waiting"
