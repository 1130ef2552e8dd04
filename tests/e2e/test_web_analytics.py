"""The analytics page of a process over HTTP: who may open it, what it shows, and CSV
downloads that hold the very figures the page and the service give."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lxml import html as lxml_html

from engine.analytics.period import days
from tests.analytics_history import History
from web import create_app
from web.bpmn_layout import with_layout
from web.config import Settings

from .test_web_instances import as_user, seeded_database  # noqa: F401  (the fixture seeded)

PROCESS = "credit_limit_change"
PAGE = f"/processes/{PROCESS}/analytics"
TABLES = (
    "summary", "throughput", "control_chart", "activities", "defects", "workload_roles",
    "workload_people", "sign_off_delays",
)  # fmt: skip


@pytest.fixture(scope="module")
def with_history(seeded: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeded company with eleven weeks of credit limit changes (built once)."""
    path = tmp_path_factory.mktemp("history") / "history.sqlite"
    with sqlite3.connect(seeded) as source, sqlite3.connect(path) as copy:
        source.backup(copy)
    History(f"sqlite:///{path}").generate()
    return path


@pytest.fixture
def app(tmp_path: Path, with_history: Path):
    copy_to = tmp_path / "raciflow.sqlite"
    with sqlite3.connect(with_history) as source, sqlite3.connect(copy_to) as copy:
        source.backup(copy)
    settings = Settings.from_env(
        {
            "RACIFLOW_INSTANCE_DIR": str(tmp_path),
            "RACIFLOW_SECRET_KEY": "test",
            "RACIFLOW_ENV": "development",
        }
    )
    return create_app(settings, test_config={"RATELIMIT_ENABLED": False})  # many sign-ins


def default_period() -> tuple[datetime, datetime]:
    """The page's default: twelve whole weeks to today (days in UTC, as the API's)."""
    today = datetime.now(UTC).date()
    return days(today - timedelta(days=today.weekday(), weeks=11), today)


def downloaded(browser, table: str, query: str = "") -> list[dict[str, str]]:
    answer = browser.get(f"{PAGE}/{table}.csv{query}")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/csv")
    assert re.fullmatch(
        rf'attachment; filename="{PROCESS}-{table}-\d{{8}}-\d{{4}}\.csv"',
        answer.headers["Content-Disposition"],
    )
    return list(csv.DictReader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))


def cards(page: str) -> dict[str, str]:
    tree = lxml_html.fromstring(page)
    return {
        card.get("class").split("figure-")[1]: card.findtext("dd")
        for card in tree.xpath("//dl[@class='figures']/div")
    }


def test_the_owner_sees_figures_charts_heat_map_and_every_table(app):
    owner = as_user(app, "lena.owner")
    page = owner.page(PAGE)
    shown = cards(page)
    assert (shown["started"], shown["completed"], shown["cancelled"]) == ("33", "31", "1")
    assert "1.5σ shift" in page  # the convention of the sigma level, stated
    assert page.count('<svg class="chart"') == 3  # throughput, and the I and MR panels
    assert 'class="point out"' in page  # the slow week, out of control
    # The heat map, drawn by graphviz or (for a file with DI) by bpmn-js from the page's data.
    assert re.search(r'id="bpmn-analyse_controller" class="[^"]*heat-4', page) or (
        '"heat-4": ["analyse_controller"]' in page
    )
    for table in TABLES:
        assert f"/analytics/{table}.csv" in page, table
    assert "Workload per person" in page and "Sign-off delays per signer" in page
    assert f'href="{PAGE}"' in owner.page(f"/processes/{PROCESS}/versions")
    assert 'href="/analytics/"' in page  # the menu


def test_every_csv_holds_the_figures_the_service_and_the_page_give(app):
    owner = as_user(app, "lena.owner")
    since, until = default_period()
    report = app.extensions["raciflow"].analytics(
        PROCESS, since=since, until=until, user="lena.owner"
    )
    figures = {row["figure"]: row["value"] for row in downloaded(owner, "summary")}
    assert int(figures["started"]) == report.counts.started == 33
    assert float(figures["dpmo"]) == pytest.approx(report.six_sigma.dpmo)
    assert float(figures["sigma_level"]) == pytest.approx(report.six_sigma.sigma)
    assert float(figures["cycle_time_p90_s"]) == pytest.approx(report.cycle_time.p90)
    shown = cards(owner.page(PAGE))
    assert shown["dpmo"] == f"{round(report.six_sigma.dpmo):,}"
    assert shown["sigma_level"] == f"{round(report.six_sigma.sigma, 2):g}"  # 2.6, not 2.60

    weeks = downloaded(owner, "throughput")
    assert [(r["week"], int(r["completed"])) for r in weeks] == [
        (w.week.isoformat(), w.completed) for w in report.throughput
    ]
    chart = downloaded(owner, "control_chart")
    assert [r["outside"] == "True" for r in chart] == [
        p.outside for p in report.control_chart.points
    ]
    activities = {r["element"]: r for r in downloaded(owner, "activities")}
    controller = next(a for a in report.activities if a.element == "analyse_controller")
    assert int(activities["analyse_controller"]["reworks"]) == controller.reworks == 7
    waiting = float(activities["analyse_controller"]["waiting_median_s"])
    assert waiting == controller.waiting.median
    defects = {r["kind"]: int(r["defects"]) for r in downloaded(owner, "defects")}
    assert defects == {kind.value: n for kind, n in report.six_sigma.defects.items()}
    people = {r["person"]: r for r in downloaded(owner, "workload_people")}
    assert int(people["anna.credit"]["done"]) == 31
    signers = {r["person"]: int(r["signed"]) for r in downloaded(owner, "sign_off_delays")}
    assert signers == {d.person: d.signed for d in report.sign_off_delays}


def test_a_version_drawn_by_its_owner_gets_the_heat_as_bpmn_js_markers(app):
    engine = app.extensions["raciflow"]
    draft = engine.open_draft(PROCESS, user="lena.owner")
    bpmn, dmn = f"{PROCESS}.bpmn", f"{PROCESS}.approval_level.dmn"
    laid_out = {
        **draft.files,
        bpmn: with_layout(draft.files[bpmn]),  # with DI, as the modeler saves it
        dmn: draft.files[dmn].replace("&gt; 50000", "&gt; 60000"),  # and a change to sign
    }
    engine.save_draft(draft.id, laid_out, user="lena.owner")
    engine.submit_draft(draft.id, user="lena.owner", comment="Laid out")
    engine.approve_draft(draft.id, user="stavros.approver")

    answer = as_user(app, "lena.owner").get(PAGE)  # every version: drawn as the latest
    page = answer.get_data(as_text=True)
    # bpmn-js draws with inline styles: allowed on this page, scripts still this site's only
    policy = answer.headers["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy and "script" not in policy
    data = json.loads(re.search(r'id="heat-data">(.*?)</script>', page, re.S).group(1))
    assert data["markers"]["heat-4"] == ["analyse_controller"]
    assert data["overlays"]["analyse_controller"].startswith("median wait")
    assert "BPMNDiagram" in data["bpmn"]
    assert 'id="bpmn-viewer"' in page and 'id="bpmn-analyse_controller"' not in page


def test_a_version_and_a_period_narrow_the_figures(app):
    owner = as_user(app, "lena.owner")
    today = datetime.now(UTC).date()
    # Two weeks back reach the history's last week or two (it ends before this week).
    query = f"?since={(today - timedelta(days=14)).isoformat()}&until={today.isoformat()}&version=1"
    recent = {row["figure"]: row["value"] for row in downloaded(owner, "summary", query)}
    assert 0 < int(recent["started"]) < 33
    assert "v1</option>" in owner.page(PAGE + query)


def test_a_peer_and_an_outsider_get_a_403_page_that_says_why_and_no_link(app):
    for user in ("giorgos.bd", "kostas.credit", "fotis.audit"):
        peer = as_user(app, user)
        refused = peer.get(PAGE)
        assert refused.status_code == 403, user
        assert "are for its owners, its managers" in refused.get_data(as_text=True)
        assert peer.get(f"{PAGE}/summary.csv").status_code == 403
        assert peer.get("/analytics/").status_code == 403
        inbox = peer.page("/inbox/")
        assert 'href="/analytics/"' not in inbox and "/analytics" not in peer.page(
            f"/raci/{PROCESS}"
        )


def test_the_accountable_finance_manager_reads_them(app):
    finance = as_user(app, "vasso.finance")
    assert cards(finance.page(PAGE))["started"] == "33"
    assert f'href="{PAGE}"' in finance.page("/analytics/")


def test_the_demo_analyst_reads_every_process_and_a_clerk_is_refused(app):
    analyst = as_user(app, "zoi.analyst")  # holds no letter in any matrix: the role alone
    index = analyst.get("/analytics/")
    assert index.status_code == 200
    assert f'href="{PAGE}"' in index.get_data(as_text=True)
    answer = analyst.get(PAGE)
    assert answer.status_code == 200
    assert cards(answer.get_data(as_text=True))["started"] == "33"
    assert 'href="/analytics/"' in analyst.page("/inbox/")  # the menu leads there
    home = analyst.get("/")  # where a sign-in lands: reading is their work, not an inbox
    assert home.status_code == 302 and home.headers["Location"].endswith("/analytics/")
    auditor = as_user(app, "fotis.audit")  # likewise: the trail, not an always empty inbox
    assert auditor.get("/").headers["Location"].endswith("/audit/")
    menu = auditor.page("/audit/")  # nor a menu leading to an empty inbox or start page
    assert 'href="/inbox/"' not in menu and 'href="/start/"' not in menu
    clerk = as_user(app, "giorgos.bd")
    assert clerk.get("/").headers["Location"].endswith("/inbox/")
    assert clerk.get("/analytics/").status_code == 403
    assert clerk.get(PAGE).status_code == 403


def test_a_period_ending_before_it_starts_is_refused_with_one_clear_error(app):
    answer = as_user(app, "lena.owner").get(f"{PAGE}?since=2026-11-10&until=2026-11-01")
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "The end of the period is before its start." in page
    assert 'class="figures"' not in page


def test_unknown_processes_and_tables_are_not_found(app):
    owner = as_user(app, "lena.owner")
    assert owner.get("/processes/nope/analytics").status_code == 404
    assert owner.get(f"{PAGE}/passwords.csv").status_code == 404
