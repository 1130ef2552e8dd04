"""The analytics on the API (JSON and CSV) and the command line: the figures of the known
history (tests/scenarios/analytics_history.py), for its managers only."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from engine import build_engine
from engine.clock import FakeClock
from tests.e2e.inprocess_cli import in_process
from tests.e2e.test_api import assert_error, make_app
from tests.scenarios.analytics_history import HOUR, PROCESS, SINCE, make_history
from tests.scenarios.conftest import Crm
from workflows import forms
from workflows.forms import files as form_files
from workflows.services import build_registry

PERIOD = "since=2026-11-02&until=2026-11-29"


def database_url(app) -> str:
    return app.extensions["raciflow"].database.url.render_as_string(hide_password=False)


@pytest.fixture
def app(tmp_path):
    """The web app, its database holding the known history (run on a clock of its own)."""
    app = make_app(tmp_path)
    engine = build_engine(
        database_url(app),
        services=build_registry(),
        clock=FakeClock(SINCE),
        forms=forms.validator,
        attachment_rules=form_files.needs,
    )
    make_history(Crm(engine, engine.runtime.clock))
    return app


@pytest.fixture
def api(app):
    def get(username: str, path: str):
        token = app.extensions["raciflow"].create_token(username, label="test")
        return app.test_client().get(
            f"/api/v1/processes/{PROCESS}/{path}", headers={"Authorization": f"Bearer {token}"}
        )

    return get


def test_the_owner_reads_the_figures_as_json(api):
    answer = api("lena.owner", f"analytics?{PERIOD}")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    report = answer.get_json()
    assert report["counts"] == {
        "started": 5, "completed": 3, "cancelled": 1, "in_error": 0, "running": 1
    }  # fmt: skip
    assert report["cycle_time"]["median"] == 10 * HOUR
    assert report["six_sigma"]["defects"] == {
        "rework": 1, "sla_breach": 2, "error": 0, "cancelled": 1
    }  # fmt: skip
    assert report["six_sigma"]["dpmo"] == pytest.approx(400_000)
    analysis = report["activities"][1]
    assert (analysis["element"], analysis["sla_breaches"]) == ("analyse_controller", 2)
    assert report["control_chart"]["points"][0] == {
        "week": "2026-11-02", "value": 24 * HOUR, "moving_range": None, "outside": False
    }  # fmt: skip
    assert [w["who"] for w in report["workload_by_person"]] == ["anna.credit", "giorgos.bd"]


def test_each_table_exports_as_csv(api):
    answer = api("lena.owner", f"analytics/activities.csv?{PERIOD}")
    assert answer.status_code == 200
    assert answer.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["element"] for r in rows] == ["request", "analyse_controller"]
    assert rows[1]["waiting_median_s"] == str(3 * HOUR) and rows[1]["reworks"] == "1"
    people = api("lena.owner", f"analytics/workload_people.csv?{PERIOD}").get_data(as_text=True)
    assert "anna.credit,1,3,2" in people
    assert api("lena.owner", f"analytics/passwords.csv?{PERIOD}").status_code == 404


@pytest.mark.parametrize("path", [f"analytics?{PERIOD}", f"analytics/workload_people.csv?{PERIOD}"])
def test_a_peer_is_refused(api, path):
    assert_error(api("anna.credit", path), 403, "NotAllowed")
    assert_error(api("giorgos.bd", path), 403, "NotAllowed")


def test_a_bad_period_is_one_clear_error(api):
    answer = assert_error(
        api("lena.owner", "analytics?since=2026-11-30&until=2026-11-01"), 422, "UnprocessableEntity"
    )
    assert "until" in answer["fields"]
    assert_error(
        api("lena.owner", "analytics?since=yesterday&until=2026-11-01"), 422, "UnprocessableEntity"
    )


@pytest.fixture
def cli(app, tmp_path, monkeypatch, capsys):
    env = {"RACIFLOW_INSTANCE_DIR": str(tmp_path), "RACIFLOW_DATABASE_URL": database_url(app)}
    return in_process(env, monkeypatch, capsys)


ARGS = ("analytics", PROCESS, "--since", "2026-11-02", "--until", "2026-11-29")


def test_the_command_line_prints_readable_tables(cli):
    out = cli(*ARGS, "--user", "lena.owner").stdout
    assert "credit_limit_change, every version, instances started 2026-11-02" in out
    assert "1.5 sigma shift" in out
    lines = out.splitlines()
    [analysis] = [line for line in lines if line.strip().startswith("analyse_controller")]
    # waiting median 3h, p90 5.4h; working 2h, 5.1h; sign-off 4h, 24.8h
    assert re.search(r"3\.00 +5\.40 +2\.00 +5\.10 +4\.00 +24\.80 ", analysis)
    assert re.search(r"600,000 +1\.247 +0\.6667$", analysis)  # DPMO, sigma, first-pass yield
    assert any(line.split() == ["anna.credit", "1", "3", "2"] for line in lines)


def test_the_command_line_prints_the_api_json(cli, api):
    printed = json.loads(cli(*ARGS, "--user", "lena.owner", "--json").stdout)
    assert printed == api("lena.owner", f"analytics?{PERIOD}").get_json()


def test_the_command_line_refuses_a_peer_in_one_line(cli):
    done = cli(*ARGS, "--user", "anna.credit", ok=False)
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "error: anna.credit may not see the analytics of credit_limit_change"
    )
