"""`raciflow deploy` under the deployment rule: who you are, a draft, another's signature.

Only a fresh install (nobody in the directory) or an admin deploys at once, with
`--bootstrap`, and the trail says so; everyone else submits drafts for an approver.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from engine.database import make_engine
from tests.conftest import FIXTURES
from tests.e2e.conftest import bpmn_folder
from tests.e2e.inprocess_cli import in_process

PASSWORD = "a long enough password"
DIRECTORY = """
roles:
  - {name: process_owner, description: Process owner}
  - {name: process_approver, description: Process approver}
  - {name: admin, description: Administrator}
  - {name: sales, description: Sales}
  - {name: finance, description: Finance}
users:
  - {username: lena, name: Lena Owner, roles: [process_owner]}
  - {username: stavros, name: Stavros Approver, roles: [process_approver]}
  - {username: ada, name: Ada Admin, roles: [admin]}
"""
PROCESS_FILES = (FIXTURES / "approval.bpmn", FIXTURES / "approval_level.dmn")


@pytest.fixture
def bpmn_dir(tmp_path):
    return bpmn_folder(tmp_path, *PROCESS_FILES)


@pytest.fixture
def run(cli, monkeypatch, capsys):
    return in_process(cli.env, monkeypatch, capsys)


def deploy_events(database_url: str) -> list[tuple[str, str]]:
    db = make_engine(database_url)
    with db.connect() as conn:
        rows = conn.execute(
            text("SELECT actor, details FROM audit_events WHERE action = 'deploy' ORDER BY id")
        ).all()
    db.dispose()
    return [
        (actor, json.loads(details) if isinstance(details, str) else details)
        for actor, details in rows
    ]


def test_a_fresh_install_bootstraps_and_the_trail_says_so(run):
    run("init")
    refused = run("deploy", *map(str, PROCESS_FILES), ok=False)
    assert refused.returncode == 1 and "--token" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    [(actor, details)] = deploy_events(run.database_url)
    assert actor == "init" and details["bootstrap"] is True


def test_owner_submits_from_the_command_line_and_another_signs(run, tmp_path):
    directory = tmp_path / "directory.yaml"
    directory.write_text(DIRECTORY)
    run("init", "--directory", str(directory))
    for user in ("lena", "stavros"):  # first: a new password revokes the user's tokens
        run("directory", "set-password", user, "--password", PASSWORD)
    tokens = {
        user: json.loads(run("directory", "create-token", user, "--json").stdout)["token"]
        for user in ("lena", "stavros", "ada")
    }
    # With people in the directory, a bootstrap needs an admin's token.
    refused = run("deploy", "--bootstrap", *map(str, PROCESS_FILES), ok=False)
    assert "admin" in refused.stderr
    refused = run(
        "deploy", "--bootstrap", "--token", tokens["lena"], *map(str, PROCESS_FILES), ok=False
    )
    assert "only an admin" in refused.stderr

    changed = tmp_path / "approval.bpmn"
    changed.write_text(
        PROCESS_FILES[0].read_text().replace('name="Review"', 'name="Review the request"')
    )
    assert changed.read_text() != PROCESS_FILES[0].read_text()
    files = (str(changed), str(PROCESS_FILES[1]))
    missing = run("deploy", "--token", tokens["lena"], *files, ok=False)
    assert "--comment" in missing.stderr
    submitted = json.loads(
        run(
            "deploy", "--token", tokens["lena"], "--comment", "clearer name", *files, "--json"
        ).stdout
    )
    [entry] = submitted
    assert entry["status"] == "submitted"
    listed = json.loads(run("drafts", "list", "--token", tokens["stavros"], "--json").stdout)
    assert [d["id"] for d in listed["to_approve"]] == [entry["draft"]]

    approved = json.loads(
        run(
            "drafts", "approve", entry["draft"], "--token", tokens["stavros"],
            "--password", PASSWORD, "--json",
        ).stdout
    )  # fmt: skip
    assert approved["version"] == 2 and approved["created"] is True
    governed = deploy_events(run.database_url)[-1]
    assert governed[0] == "lena"
    assert governed[1]["approved_by"] == "stavros" and governed[1]["draft"] == entry["draft"]
    # The same files again: nothing to submit.
    again = json.loads(
        run("deploy", "--token", tokens["lena"], "--comment", "again", *files, "--json").stdout
    )
    assert again == [{"process_id": "approval", "status": "unchanged"}]


def test_a_version_exported_deploys_back_as_the_same_version(run, tmp_path):
    """`raciflow export` writes what `deploy` takes back: the same content, no new version."""
    directory = tmp_path / "directory.yaml"
    directory.write_text(DIRECTORY + "  - {username: sam, name: Sam Sales, roles: [sales]}\n")
    run("init", "--directory", str(directory))
    tokens = {
        user: json.loads(run("directory", "create-token", user, "--json").stdout)["token"]
        for user in ("lena", "ada", "sam")
    }
    run("deploy", "--bootstrap", "--token", tokens["ada"], *map(str, PROCESS_FILES))
    out = tmp_path / "exported"
    done = json.loads(
        run("export", "approval", "--out", str(out), "--token", tokens["lena"], "--json").stdout
    )
    assert done["version"] == 1 and sorted(p.name for p in out.iterdir()) == done["files"]
    assert (out / "approval.bpmn").read_text() == PROCESS_FILES[0].read_text()
    again = json.loads(
        run("deploy", "--token", tokens["lena"], "--comment", "back", str(out), "--json").stdout
    )
    assert again == [{"process_id": "approval", "status": "unchanged"}]
    # Files already there are not overwritten; a peer may not take the files.
    clash = run("export", "approval", "--out", str(out), "--token", tokens["lena"], ok=False)
    assert "already holds" in clash.stderr
    refused = run("export", "approval", "--token", tokens["sam"], ok=False)
    assert "may not download" in refused.stderr
    missing = run("export", "approval", "--version", "7", "--token", tokens["lena"], ok=False)
    assert "not deployed" in missing.stderr
