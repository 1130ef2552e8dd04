"""`raciflow init --demo`, as `make run` runs it: the demo company, ready to work."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def bpmn_dir() -> Path:
    return ROOT / "bpmn"


def test_init_demo_loads_the_company_and_prints_the_logins(cli):
    first = cli("init", "--demo")
    assert "demo logins (password for all: raciflow-demo)" in first.stdout
    assert "anna.credit: credit_controller" in first.stdout
    assert "zoi.analyst: analyst" in first.stdout  # reads every process's analytics
    # What was loaded, in words (no Python dict in the output).
    assert "demo data: 200 customers, 60 products, 2 warehouses" in first.stdout
    assert "{" not in first.stdout and "'" not in first.stdout

    again = json.loads(cli("init", "--demo", "--json").stdout)
    assert len(again["deployed"]) == 8 and not any(d["created"] for d in again["deployed"])
    assert again["demo_data"] == {} and again["demo_instances"] == []  # loaded once only
    assert not any(d["warnings"] for d in again["deployed"])
    tasks = json.loads(cli("tasks", "--user", "anna.credit", "--json").stdout)
    assert {t["process_id"] for t in tasks} == {"credit_limit_change", "complaint"}
