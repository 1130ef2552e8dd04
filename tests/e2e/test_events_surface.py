"""Messages, signals, event gateways and cycle timers through the CLI and the API."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from engine import SourceFile, build_engine, views
from tests.conftest import FIXTURES
from tests.e2e.conftest import bpmn_folder
from tests.e2e.inprocess_cli import in_process
from tests.e2e.test_api import assert_error, make_app

EVENTS = FIXTURES / "events"
FILES = ("order_wait.bpmn", "payer.bpmn", "message_start.bpmn", "signal_wait.bpmn")


def quick(tmp_path: Path, name: str, old: str, new: str) -> Path:
    """A copy of an events fixture whose timer is seconds instead of hours."""
    path = tmp_path / "quick" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text((EVENTS / name).read_text().replace(old, new))
    return path


@pytest.fixture
def bpmn_dir(tmp_path: Path) -> Path:
    return bpmn_folder(
        tmp_path,
        *(EVENTS / name for name in FILES),
        quick(tmp_path, "answer_or_chase.bpmn", "PT1H", "PT1S"),
        quick(tmp_path, "reminders.bpmn", "R3/PT1H", "R3/PT1S"),
        quick(tmp_path, "timer_start.bpmn", "PT1H", "PT1S"),
    )


@pytest.fixture
def run(cli, monkeypatch, capsys):
    run = in_process(cli.env, monkeypatch, capsys)
    run("init")
    return run


def started(run, process, data=None) -> str:
    args = ["start", process, "--json"] + (["--data", json.dumps(data)] if data else [])
    return json.loads(run(*args).stdout)["instance_id"]


def open_elements(run, instance_id) -> list[str]:
    tasks = json.loads(run("tasks", "--json").stdout)
    return sorted(t["element"] for t in tasks if t["instance_id"] == instance_id)


def test_message_correlation_between_two_instances_from_the_cli(run):
    waiting = started(run, "order_wait", {"order_id": 42})
    other = started(run, "order_wait", {"order_id": 43})
    done = run("message", "payment_received", "--correlation", "order_id=42", "--payload",
               '{"amount": 10}', "--user", "bank")  # fmt: skip
    assert done.stdout.strip() == f"message payment_received: delivered to {waiting}"
    assert open_elements(run, waiting) == ["ship"] and open_elements(run, other) == []

    payer = started(run, "payer", {"order_id": 43, "amount": 5})  # one instance to another
    assert json.loads(run("show", payer, "--json").stdout)["status"] == "completed"
    assert open_elements(run, other) == ["ship"]


def test_message_start_and_signal_to_many_from_the_cli(run):
    result = json.loads(run("message", "complaint_filed", "--payload", '{"t": 1}', "--json").stdout)
    [intake] = result["started"]
    assert open_elements(run, intake) == ["triage"]

    holds = sorted(started(run, "quote_hold") for _ in range(2))
    signal = json.loads(run("signal", "price_list_changed", "--json").stdout)
    assert sorted(signal["delivered_to"]) == holds


def test_event_gateway_and_cycle_timer_from_the_cli_worker(run):
    won = started(run, "answer_or_chase")
    run("message", "customer_answered", "--payload", '{"answer": "yes"}')
    assert open_elements(run, won) == ["handle_answer"]  # the message won its gateway
    answered = started(run, "answer_or_chase")
    chased = started(run, "answer_or_chase")
    reminded = started(run, "reminders")
    run("message", "customer_answered", "--correlation", f"nothing={''}")  # matches no data
    assert open_elements(run, answered) == []
    assert "kept until" in run("message", "nobody_listens").stdout

    for _ in range(4):
        time.sleep(1.1)
        run("worker", "--once")
    assert open_elements(run, chased) == ["chase"]  # the timer won both gateways
    assert open_elements(run, answered) == ["chase"]
    assert open_elements(run, won) == ["handle_answer"]  # its timer went with the gateway
    assert open_elements(run, reminded) == ["review"]  # non-interrupting reminders
    with build_engine(run.database_url).uow() as uow:
        fired = [e for e in uow.audit.events_of(reminded) if e.action == "timer_fired"]
    assert len(fired) == 3  # R3: three times, though the worker swept four
    [nightly] = [t for t in json.loads(run("tasks", "--json").stdout) if t["element"] == "check"]
    assert nightly["process_id"] == "nightly_check"  # started by the worker, once


def test_bad_event_input_is_one_line(run):
    bad = run("message", "x", "--correlation", "novalue", ok=False)
    assert bad.returncode != 0 and "KEY=VALUE" in bad.stderr
    bad = run("signal", "x", "--payload", "[1]", ok=False)
    assert bad.returncode != 0 and "JSON object" in bad.stderr


# -- the API ---------------------------------------------------------------------------


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path)
    files = [SourceFile.read(EVENTS / name) for name in (*FILES, "answer_or_chase.bpmn")]
    app.extensions["raciflow"].deploy(files, user="lena.owner")
    return app


def post(app, username: str, path: str, body):
    token = app.extensions["raciflow"].create_token(username, label="test")
    return app.test_client().post(
        f"/api/v1{path}", json=body, headers={"Authorization": f"Bearer {token}"}
    )


def test_messages_and_signals_through_the_api(app):
    engine = app.extensions["raciflow"]
    waiting = engine.start("order_wait", user="admin", data={"order_id": 9}).instance_id
    answer = post(app, "lena.owner", "/messages",
                  {"name": "payment_received", "correlation": {"order_id": 9}, "payload": {"a": 1}})  # fmt: skip
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json()["delivered_to"] == [waiting]

    started = post(app, "admin", "/messages", {"name": "complaint_filed"}).get_json()["started"]
    assert len(started) == 1

    holds = sorted(engine.start("quote_hold", user="admin").instance_id for _ in range(3))
    signal = post(app, "admin", "/signals", {"name": "price_list_changed"}).get_json()
    assert sorted(signal["delivered_to"]) == holds

    other = engine.start("order_wait", user="admin", data={"order_id": 10}).instance_id
    paid = post(app, "admin", "/processes/payer/instances", {"data": {"order_id": 10, "amount": 5}})
    assert paid.status_code == 201, paid.get_data(as_text=True)
    assert paid.get_json()["status"] == "completed"  # its message went to `other` meanwhile
    assert [t["element"] for t in views.open_tasks(engine.uow()) if t["instance_id"] == other] == [
        "ship"
    ]

    gateway = engine.start("answer_or_chase", user="admin").instance_id
    answer = post(app, "admin", "/messages", {"name": "customer_answered"}).get_json()
    assert answer["delivered_to"] == [gateway]


def test_only_admins_process_owners_and_integrations_send_events(app):
    error = assert_error(post(app, "giorgos.bd", "/signals", {"name": "x"}), 403, "NotAllowed")
    assert "integration" in error["message"]
    assert_error(post(app, "admin", "/messages", {"name": " "}), 422, "UnprocessableEntity")
    engine = app.extensions["raciflow"]
    engine.message_ttl = type(engine.message_ttl)(0)
    refused = assert_error(post(app, "admin", "/messages", {"name": "nobody"}), 409, "InvalidState")
    assert "no instance waits for message 'nobody'" in refused["message"]


def test_a_self_calling_process_and_a_broken_timer_are_one_line_from_the_cli(run):
    run(
        "deploy",
        "--bootstrap",
        str(FIXTURES / "calls_itself.bpmn"),
        str(FIXTURES / "bad_timer.bpmn"),
    )
    began = time.monotonic()
    looping = run("start", "self_caller")
    assert time.monotonic() - began < 10
    assert "error" in looping.stdout and "calls itself" in looping.stdout
    assert len(looping.stdout.strip().splitlines()) == 1 and "Traceback" not in looping.stderr
    broken = run("start", "bad_timer")
    assert broken.stdout.strip().endswith("error: Invalid duration")
