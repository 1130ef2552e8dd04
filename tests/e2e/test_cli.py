"""The raciflow command line, run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from engine.database import make_engine
from tests.conftest import FIXTURES
from tests.e2e.conftest import RACIFLOW, bpmn_folder
from tests.integration.test_process_limits import fan_out

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def bpmn_dir(tmp_path: Path) -> Path:
    """Processes that need no services (the CLI wires only the CRM's registry)."""
    names = ("approval.bpmn", "approval_level.dmn", "timer_wait.bpmn")
    return bpmn_folder(tmp_path, *(FIXTURES / name for name in names))


def test_a_whole_run_from_the_command_line(cli, bpmn_dir):
    init = json.loads(cli("init", "--json").stdout)
    assert {d["process_id"] for d in init["deployed"]} == {"approval", "timer_wait"}
    again = json.loads(cli("deploy", "--bootstrap", str(bpmn_dir), "--json").stdout)
    assert all(not d["created"] for d in again)

    started = json.loads(
        cli("start", "approval", "--data", '{"x": 1}', "--user", "ana", "--json").stdout
    )
    assert started["status"] == "waiting"
    [task] = json.loads(cli("tasks", "--user", "ana", "--json").stdout)
    assert task["element"] == "request"

    cli("claim", task["id"], "--user", "ana")
    assert json.loads(cli("tasks", "--user", "bob", "--json").stdout) == []
    done = json.loads(
        cli("complete", task["id"], "--data", '{"amount": 5000}', "--user", "ana", "--json").stdout
    )
    assert done["status"] == "waiting"
    [review] = json.loads(cli("tasks", "--json").stdout)
    assert review["lane"] == "finance"

    verified = json.loads(cli("audit", "verify", "--json").stdout)
    assert verified["ok"] is True
    assert json.loads(cli("worker", "--once", "--json").stdout) == {
        "timers_fired": 0,
        "timers_dropped": 0,
        "timers_failed": 0,
        "mails_sent": 0,
        "mails_failed": 0,
        "audit_checks": 0,  # `audit verify` has just run: the next is an interval away
        "messages_expired": 0,
        "request_keys_expired": 0,
        "instances_started": 0,
        "instances_rolled_up": 0,
    }


def test_failures_are_one_line_and_non_zero(cli):
    cli("init")
    for args, message in [
        (("start", "nope"), "process 'nope' is not deployed"),
        (("start", "approval", "--data", "{bad"), "not valid JSON"),
        (("complete", "missing", "--data", "{}", "--user", "ana"), "task missing does not exist"),
        (
            ("deploy", "--bootstrap", str(FIXTURES.parent / "bad" / "xxe.bpmn")),
            "DOCTYPE declarations are not allowed",
        ),
    ]:
        done = cli(*args, ok=False)
        assert done.returncode != 0
        assert message in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_a_start_run_again_with_its_request_key_starts_nothing_new(cli):
    cli("init")
    start = ("start", "approval", "--data", '{"x": 1}', "--user", "ana", "--json")
    first = json.loads(cli(*start, "--request-key", "nightly-import-42").stdout)
    again = json.loads(cli(*start, "--request-key", "nightly-import-42").stdout)
    assert again["instance_id"] == first["instance_id"]
    assert len(json.loads(cli("tasks", "--json").stdout)) == 1


def test_with_json_a_failure_is_one_json_error_a_script_can_read(cli):
    """`--json` printed results as JSON but refusals as text: a script had to parse both."""
    cli("init")
    for args, code, message in [
        (("start", "nope"), "NotFound", "process 'nope' is not deployed"),
        (("start", "approval", "--data", "{bad"), "BadParameter", "not valid JSON"),
        (("tasks", "--sort", "x"), "NoSuchOption", "No such option '--sort'"),
    ]:
        done = cli(*args, "--json", ok=False)
        assert done.returncode != 0 and done.stdout == ""
        [line] = done.stderr.strip().splitlines()
        error = json.loads(line)["error"]
        assert (error["code"], message in error["message"]) == (code, True)
    assert cli("start", "nope", ok=False).stderr.startswith("error: process 'nope'")


def test_audit_verify_exits_non_zero_on_tampering(cli):
    cli("init")
    cli("start", "approval", "--user", "ana")
    db = make_engine(cli.database_url)
    with db.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE action = 'start'"))
    db.dispose()
    done = cli("audit", "verify", ok=False)
    assert done.returncode == 1
    assert "tampered" in done.stderr and "edited" in done.stderr


def test_deploying_a_process_above_the_size_limits_is_one_error_line(cli, tmp_path):
    cli("init")
    wide = tmp_path / "wide.bpmn"
    wide.write_bytes(fan_out(10_000).content)
    done = cli("deploy", "--bootstrap", str(wide), ok=False)
    assert done.returncode == 1
    assert "10004 elements; the limit is 500" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    limited = {**cli.env, "RACIFLOW_MAX_PROCESS_ELEMENTS": "20000"}
    refused = subprocess.run(
        [*RACIFLOW, "deploy", "--bootstrap", str(wide)],
        env=limited,
        capture_output=True,
        text=True,
        timeout=60,
    )
    # The element limit is the setting's now; the branch limit is the next to refuse it.
    assert refused.returncode == 1 and "10000 parallel branches; the limit is 25" in refused.stderr


def test_audit_checkpoint_and_prove_give_a_proof_the_standalone_script_accepts(cli, tmp_path):
    cli("init")
    cli("start", "approval", "--user", "ana")
    made = json.loads(cli("audit", "checkpoint", "--user", "fotis.audit", "--json").stdout)
    assert made["recorded_by"] == "fotis.audit" and made["tree_size"] >= 2

    proof = tmp_path / "proof.json"
    proof.write_text(cli("audit", "prove", str(made["last_event_id"])).stdout)
    script = [sys.executable, "-I", str(ROOT / "scripts" / "verify_audit_proof.py")]
    published = ["--root", made["root"], "--tree-size", str(made["tree_size"])]
    checked = subprocess.run([*script, str(proof), *published], capture_output=True, text=True)
    assert checked.returncode == 0 and checked.stdout.startswith("OK: "), checked.stdout

    db = make_engine(cli.database_url)
    with db.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE action = 'start'"))
    db.dispose()
    again = cli("audit", "prove", "1", ok=False)  # the first event, before the edited one
    assert again.returncode == 1 and "no longer matches checkpoint" in again.stderr
    tampered = cli("audit", "verify", ok=False)
    assert "tampered" in tampered.stderr
    assert "no checkpoint covers" in cli("audit", "prove", "999999", ok=False).stderr


def test_audit_verify_records_its_result(cli):
    cli("init")
    first = json.loads(cli("audit", "verify", "--user", "fotis.audit", "--json").stdout)
    assert first["ok"] and first["first_bad_event_id"] is None
    db = make_engine(cli.database_url)
    with db.connect() as conn:
        [(run_by, events, problems)] = conn.execute(
            text("SELECT run_by, events, problems FROM audit_verifications")
        ).all()
    db.dispose()
    assert (run_by, events, problems) == ("fotis.audit", first["events"], 0)
