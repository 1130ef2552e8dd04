"""The RACI commands of the command line, run as a process owner and staff run them."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.e2e.conftest import bpmn_folder

GOVERNED = FIXTURES / "governed"


@pytest.fixture
def bpmn_dir(tmp_path: Path) -> Path:
    return bpmn_folder(
        tmp_path, GOVERNED / "credit_change.bpmn", GOVERNED / "credit_change.raci.csv"
    )


def test_validate_accepts_a_good_matrix_and_names_every_problem_in_a_bad_one(
    cli, bpmn_dir, tmp_path
):
    directory = str(GOVERNED / "directory.yaml")
    good = cli("raci", "validate", str(bpmn_dir), "--directory", directory)
    assert good.stdout.strip().endswith("valid")

    bad_dir = tmp_path / "bad"
    shutil.copytree(bpmn_dir, bad_dir)
    matrix = bad_dir / "credit_change.raci.csv"
    matrix.write_text(matrix.read_text().replace("analyse,C,R,A,I", "analyse,C,,A,A"))
    bad = cli("raci", "validate", str(bad_dir), "--directory", directory, "--json", ok=False)
    assert bad.returncode == 1
    report = json.loads(bad.stdout)
    assert not report["valid"]
    assert any("analyse" in e and "exactly one is required" in e for e in report["errors"])
    assert any("no R role" in e for e in report["errors"])


def test_a_governed_credit_change_from_the_command_line(cli, bpmn_dir):
    not_ready = cli("directory", "export", ok=False)
    assert not_ready.returncode == 1 and "raciflow init" in not_ready.stderr
    assert len(not_ready.stderr.strip().splitlines()) == 1
    init = json.loads(cli("init", "--directory", str(GOVERNED / "directory.yaml"), "--json").stdout)
    assert init["deployed"][0]["warnings"] == []
    exported = cli("directory", "export").stdout
    assert "dave" in exported and "fiona" in exported
    as_json = json.loads(cli("directory", "export", "--json").stdout)
    assert {"deputy": "dave", "for": "fiona", "from": "2026-01-01", "to": "2026-12-31"} in as_json[
        "deputies"
    ]
    assert "analyse" in cli("raci", "show", "credit_change").stdout

    started = json.loads(cli("start", "credit_change", "--user", "bob", "--json").stdout)
    [request] = started["ready_tasks"]
    done = json.loads(
        cli("complete", request, "--user", "bob", "--data", '{"new_limit": 9000}', "--json").stdout
    )
    [analyse] = done["ready_tasks"]

    refused = cli("complete", analyse, "--user", "carol", "--data", "{}", ok=False)
    assert refused.returncode == 1
    assert refused.stderr.startswith("error: ") and "consultation with bd" in refused.stderr
    [consultation] = json.loads(cli("consult", "list", analyse, "--json").stdout)
    cli("consult", "answer", str(consultation["id"]), "--user", "bob", "--comment", "pays on time")
    cli("complete", analyse, "--user", "carol", "--data", '{"recommendation": "raise"}')

    four_eyes = cli("approve", analyse, "--user", "carol", ok=False)
    assert four_eyes.returncode == 1 and "four eyes" in four_eyes.stderr
    cli("reject", analyse, "--user", "fiona", "--reason", "add the history")
    assert "add the history" in cli("notifications", "--user", "carol").stdout
    cli("complete", analyse, "--user", "carol", "--data", '{"recommendation": "raise"}')
    approved = json.loads(cli("approve", analyse, "--user", "dave", "--json").stdout)
    assert approved["status"] == "completed"

    rows = cli("raci", "report", "credit_change", "--format", "csv").stdout.splitlines()
    assert rows[0].startswith("instance_id,process_id,task_id,activity")
    analysis = next(row for row in rows if ",analyse," in row)
    assert (
        "dave for fiona" in analysis and "four eyes" in analysis and "add the history" in analysis
    )
    assert cli("audit", "verify").stdout.startswith("ok")


def test_an_admin_sets_a_password_and_creates_an_api_token(cli):
    cli("init", "--directory", str(GOVERNED / "directory.yaml"))
    short = cli("directory", "set-password", "bob", "--password", "short", ok=False)
    assert short.returncode == 1 and "at least 10" in short.stderr
    cli("directory", "set-password", "bob", "--password", "a long enough password")
    token = json.loads(cli("directory", "create-token", "bob", "--json").stdout)["token"]
    assert len(token) > 30
    unknown = cli("directory", "create-token", "nobody", ok=False)
    assert unknown.returncode == 1 and "does not exist" in unknown.stderr


def test_tokens_expire_and_are_revoked_from_the_command_line(cli):
    """Issue 11 D9: `directory create-token --expires-in`, `directory revoke-token`."""
    cli("init", "--directory", str(GOVERNED / "directory.yaml"))
    created = json.loads(
        cli("directory", "create-token", "bob", "--expires-in", "7", "--json").stdout
    )
    assert created["user"] == "bob" and len(created["token"]) > 30
    assert created["expires_at"].startswith(str(datetime.now(UTC).date() + timedelta(days=7)))
    default = json.loads(cli("directory", "create-token", "bob", "--label", "ci", "--json").stdout)
    assert default["expires_at"].startswith(str(datetime.now(UTC).date() + timedelta(days=90)))
    bad = cli("directory", "create-token", "bob", "--expires-in", "0", ok=False)
    assert bad.returncode != 0 and "--expires-in" in bad.stderr

    by_id = cli("directory", "revoke-token", "bob", "--id", created["id"], "--json")
    assert json.loads(by_id.stdout) == {"user": "bob", "revoked": 1}
    again = cli("directory", "revoke-token", "bob", "--id", created["id"], ok=False)
    assert again.returncode == 1 and "no API token" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1
    assert "1 token(s) of bob revoked" in cli("directory", "revoke-token", "bob", "--all").stdout
    neither = cli("directory", "revoke-token", "bob", ok=False)
    assert neither.returncode != 0 and "--id, --label or --all" in neither.stderr
    trail = cli("audit", "verify", "--json")
    assert trail.returncode == 0
