"""The command line under odd and hostile input: one clear line, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import BAD, FIXTURES
from tests.e2e.conftest import bpmn_folder
from tests.e2e.inprocess_cli import in_process

GREEK = {"Two-lane approval": "Έγκριση σε δύο στάδια", "Enter request": "Καταχώριση αιτήματος"}


@pytest.fixture
def bpmn_dir(tmp_path: Path) -> Path:
    return bpmn_folder(tmp_path)  # nothing deployed by init


@pytest.fixture
def run(cli, monkeypatch, capsys):
    """The CLI in-process (the subprocess `cli` is the same entry point, only slower)."""
    return in_process(cli.env, monkeypatch, capsys)


def greek_approval(encoding: str) -> bytes:
    """The approval fixture with Greek names, declared and encoded in `encoding`."""
    text = (FIXTURES / "approval.bpmn").read_text(encoding="utf-8")
    for english, greek in GREEK.items():
        text = text.replace(english, greek)
    text = text.replace('encoding="UTF-8"', f'encoding="{encoding}"')
    return text.encode(encoding)


@pytest.mark.parametrize("encoding", ["UTF-16", "ISO-8859-7"])
def test_a_bpmn_file_in_its_declared_encoding_deploys_and_runs(run, tmp_path, encoding):
    run("init")
    file = tmp_path / "approval.bpmn"
    file.write_bytes(greek_approval(encoding))

    deployed = run(
        "deploy", "--bootstrap", str(file), str(FIXTURES / "approval_level.dmn"), "--json"
    )

    assert deployed.stderr == ""
    [approval] = [d for d in json.loads(deployed.stdout) if d["process_id"] == "approval"]
    assert approval["created"]
    started = json.loads(run("start", "approval", "--user", "ana", "--json").stdout)
    [task] = json.loads(run("tasks", "--json").stdout)
    assert task["id"] in started["ready_tasks"]
    assert task["name"] == "Καταχώριση αιτήματος"
    done = run("complete", task["id"], "--data", '{"amount": 10}', "--user", "ana", "--json")
    assert json.loads(done.stdout)["status"] == "completed"
    again = json.loads(
        run(
            "deploy", "--bootstrap", str(file), str(FIXTURES / "approval_level.dmn"), "--json"
        ).stdout
    )
    assert not any(d["created"] for d in again)  # the same content: decoded the same way every time


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('<?xml version="1.0" encoding="UTF-8"?><a>\xe9</a>'.encode("latin-1"), "not valid"),
        (b'<?xml version="1.0" encoding="x-klingon"?><a/>', "encoding"),
        (b'<?xml version="1.0" encoding="UTF-16"?><a/>', "encoding"),
    ],
)
def test_an_undecodable_file_gets_one_clear_error(run, tmp_path, content, message):
    run("init")
    file = tmp_path / "odd.bpmn"
    file.write_bytes(content)

    done = run("deploy", "--bootstrap", str(file), ok=False)

    assert done.returncode == 1
    [error] = done.stderr.strip().splitlines()
    assert error.startswith("error: odd.bpmn") and message in error, error


def test_a_doctype_hidden_in_utf16_is_still_refused(run, tmp_path):
    run("init")
    file = tmp_path / "laughs.bpmn"
    file.write_bytes(
        (BAD / "billion_laughs.bpmn").read_text().replace("UTF-8", "UTF-16").encode("utf-16")
    )

    done = run("deploy", "--bootstrap", str(file), ok=False)

    assert done.returncode == 1 and "DOCTYPE declarations are not allowed" in done.stderr


def one_line_error(done, *fragments: str) -> str:
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    [error] = done.stderr.strip().splitlines()
    assert error.startswith("error: ")
    for fragment in fragments:
        assert fragment in error, error
    return error


def test_data_nested_absurdly_deep_is_refused_in_one_line(run, tmp_path):
    run("init")
    run(
        "deploy",
        "--bootstrap",
        str(FIXTURES / "approval.bpmn"),
        str(FIXTURES / "approval_level.dmn"),
    )
    for depth in (50_000, 100):
        data = '{"x": ' + "[" * depth + "]" * depth + "}"
        one_line_error(run("start", "approval", "--data", data, ok=False), "nested", "levels")
    assert json.loads(run("tasks", "--json").stdout) == []  # nothing started


def test_a_database_url_nobody_can_use_is_one_line(cli):
    cli.env["RACIFLOW_DATABASE_URL"] = "nonsense://x"
    error = one_line_error(cli("tasks", ok=False), "RACIFLOW_DATABASE_URL")
    assert "nonsense" in error and "postgresql" in error


def test_init_without_a_directory_says_what_to_do(cli, tmp_path):
    cli.env["RACIFLOW_BPMN_DIR"] = str(Path(__file__).resolve().parents[2] / "bpmn")
    done = cli("init", ok=False)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    message = done.stderr.strip()
    assert len(message) < 1200, message
    assert "--directory FILE" in message and "--demo" in message
    assert "problem" in message


GOVERNED = FIXTURES / "governed"


@pytest.fixture
def governed(cli, monkeypatch, capsys, tmp_path):
    run = in_process(cli.env, monkeypatch, capsys)
    run("init", "--directory", str(GOVERNED / "directory.yaml"))
    admin = json.loads(run("directory", "create-token", "ada", "--json").stdout)["token"]
    files = (str(GOVERNED / "credit_change.bpmn"), str(GOVERNED / "credit_change.raci.csv"))
    run("deploy", "--bootstrap", "--token", admin, *files)
    return run


def test_nobody_outside_the_directory_acts_on_a_governed_process(governed):
    for user, why in [("ghost", "not a user"), ("olga", "deactivated")]:
        one_line_error(governed("start", "credit_change", "--user", user, ok=False), user, why)
        one_line_error(governed("notifications", "--user", user, ok=False), user, why)
    assert json.loads(governed("tasks", "--json").stdout) == []  # no instance was started

    started = json.loads(governed("start", "credit_change", "--user", "bob", "--json").stdout)
    instance = started["instance_id"]
    for args in [
        ("cancel", instance, "--reason", "no", "--user", "ghost"),
        ("claim", started["ready_tasks"][0], "--user", "ghost"),
        ("complete", started["ready_tasks"][0], "--data", "{}", "--user", "olga"),
    ]:
        one_line_error(governed(*args, ok=False))
    assert json.loads(governed("show", instance, "--json").stdout)["status"] == "waiting"
    assert governed("notifications", "--user", "bob").stdout.strip() == "no notifications"


def test_the_sqlite_database_and_its_folder_are_private_to_their_owner(cli, tmp_path):
    del cli.env["RACIFLOW_DATABASE_URL"]  # the default: raciflow.sqlite in the instance folder
    instance = tmp_path / "instance"
    cli("init")
    cli(
        "deploy",
        "--bootstrap",
        str(FIXTURES / "approval.bpmn"),
        str(FIXTURES / "approval_level.dmn"),
    )

    assert instance.stat().st_mode & 0o777 == 0o700
    files = sorted(instance.glob("raciflow.sqlite*"))
    assert files and files[0].name == "raciflow.sqlite"
    for file in files:  # the database, and its -wal and -shm files when present
        assert file.stat().st_mode & 0o777 == 0o600, file
