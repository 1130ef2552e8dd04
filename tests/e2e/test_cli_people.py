"""`raciflow users` and `raciflow deputy`: the same service and rules as the pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine import build_engine
from tests.conftest import FIXTURES
from tests.e2e.conftest import bpmn_folder
from tests.e2e.inprocess_cli import in_process

GOVERNED = FIXTURES / "governed"


@pytest.fixture
def bpmn_dir(tmp_path: Path) -> Path:
    return bpmn_folder(
        tmp_path, GOVERNED / "credit_change.bpmn", GOVERNED / "credit_change.raci.csv"
    )


@pytest.fixture
def company(cli, monkeypatch, capsys):
    cli = in_process(cli.env, monkeypatch, capsys)
    cli("init", "--directory", str(GOVERNED / "directory.yaml"))
    return cli


def test_an_admin_creates_a_user_with_a_one_time_password_and_a_role(company):
    done = company(
        "users", "create", "nina", "--name", "Nina N.", "--role", "bd", "--user", "ada", "--json"
    )
    password = json.loads(done.stdout)["one_time_password"]
    engine = build_engine(company.database_url)
    assert engine.authenticate("nina", password) and engine.must_change_password("nina")
    company("users", "add-role", "nina", "credit_controller", "--user", "ada")
    assert engine.directory().users["nina"].roles == {"bd", "credit_controller"}
    listed = company("users", "list", "--search", "nina", "--user", "ada").stdout
    assert "nina" in listed and "bd, credit_controller" in listed


def test_a_non_admin_is_refused_in_one_line(company):
    refused = company("users", "deactivate", "bob", "--user", "carol", ok=False)
    assert refused.returncode == 1
    assert refused.stderr.strip() == "error: Only an administrator may manage users."
    assert build_engine(company.database_url).directory().is_active("bob")


def test_deputies_from_the_command_line_follow_the_rule(company):
    set_ = company(
        "deputy", "set", "--user", "carol", "--deputy", "frank", "--from", "2099-01-01",
        "--to", "2099-01-10",
    )  # fmt: skip
    assert "frank stands in for carol" in set_.stdout
    [row] = json.loads(company("deputy", "list", "--user", "carol", "--json").stdout)
    assert row["deputy"] == "frank"
    company("users", "add-role", "sam", "auditor", "--user", "ada", ok=False)  # no such role
    refused = company(
        "deputy", "set", "--user", "carol", "--deputy", "dave", "--from", "2099-02-01",
        "--to", "2099-02-10", ok=False,
    )  # fmt: skip
    assert "dave holds no working role" in refused.stderr
    company("deputy", "remove", str(row["id"]), "--user", "carol")
    assert company("deputy", "list", "--user", "carol").stdout.strip() == "no deputies"
