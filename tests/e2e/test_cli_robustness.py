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

    deployed = run("deploy", str(file), str(FIXTURES / "approval_level.dmn"), "--json")

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
        run("deploy", str(file), str(FIXTURES / "approval_level.dmn"), "--json").stdout
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

    done = run("deploy", str(file), ok=False)

    assert done.returncode == 1
    [error] = done.stderr.strip().splitlines()
    assert error.startswith("error: odd.bpmn") and message in error, error


def test_a_doctype_hidden_in_utf16_is_still_refused(run, tmp_path):
    run("init")
    file = tmp_path / "laughs.bpmn"
    file.write_bytes(
        (BAD / "billion_laughs.bpmn").read_text().replace("UTF-8", "UTF-16").encode("utf-16")
    )

    done = run("deploy", str(file), ok=False)

    assert done.returncode == 1 and "DOCTYPE declarations are not allowed" in done.stderr
