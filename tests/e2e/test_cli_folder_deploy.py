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


DIRECTORY = """
roles:
  - {name: process_owner, description: Process owner}
users:
  - {username: lena, name: Lena Owner, roles: [process_owner]}
"""


def test_drafts_from_a_folder_name_every_bad_file_or_go_partially(run, tmp_path):
    directory = tmp_path / "directory.yaml"
    directory.write_text(DIRECTORY)
    run("directory", "import", str(directory))
    token = json.loads(run("directory", "create-token", "lena", "--json").stdout)["token"]
    processes = folder(tmp_path)
    refused = run("deploy", "--token", token, "--comment", "all", str(processes), ok=False)
    assert refused.returncode == 1
    assert "approval_copy.bpmn" in refused.stderr and "xxe.bpmn" in refused.stderr
    assert "submitted" not in refused.stdout

    args = ("deploy", "--token", token, "--comment", "the good ones", "--partial", "--json")
    partial = run(*args, str(processes), ok=False)
    assert partial.returncode == 1
    results = json.loads(partial.stdout)

    assert sorted(r["process_id"] for r in results if r["status"] == "submitted") == [
        "approval",
        "timer_wait",
    ]
    assert sorted(r["file"] for r in results if r["status"] == "refused") == [
        "approval_copy.bpmn",
        "xxe.bpmn",
    ]
