"""A known history of the credit limit change yields its analytics exactly
(tests/scenarios/analytics_history.py tells the five cases)."""

from __future__ import annotations

from statistics import NormalDist

import pytest

from engine.analytics.report import DefectKind
from tests.scenarios.analytics_history import HOUR, PROCESS, SINCE, UNTIL, make_history
from tests.scenarios.conftest import process_files


@pytest.fixture
def crm(crm):
    crm.deploy(PROCESS)
    make_history(crm)
    return crm


def report(crm, version=None):
    return crm.engine.analytics(
        PROCESS, since=SINCE, until=UNTIL, version=version, user="lena.owner"
    )


def sigma(dpmo: float) -> float:
    return NormalDist().inv_cdf(1 - dpmo / 1e6) + 1.5


def test_instance_counts_cycle_time_and_throughput(crm):
    figures = report(crm)
    counts = figures.counts
    assert (counts.started, counts.completed, counts.cancelled, counts.in_error) == (5, 3, 1, 0)
    assert counts.running == 1
    # Cycle times 10h, 38h, 8h: median 10h; p90 at rank 1.8: 10 + 0.8 x 28 = 32.4h.
    assert figures.cycle_time.median == 10 * HOUR
    assert figures.cycle_time.p90 == pytest.approx(32.4 * HOUR)
    weeks = [(w.week.isoformat(), w.completed, w.mean_cycle_time) for w in figures.throughput]
    assert weeks == [("2026-11-02", 2, 24 * HOUR), ("2026-11-09", 1, 8 * HOUR)]


def test_control_chart_of_weekly_cycle_time(crm):
    chart = report(crm).control_chart
    # Two weekly means, 24h and 8h: centre 16h, one moving range of 16h.
    assert chart.centre == 16 * HOUR and chart.mr_centre == 16 * HOUR
    assert chart.upper == pytest.approx((16 + 2.66 * 16) * HOUR)
    assert chart.mr_upper == pytest.approx(3.267 * 16 * HOUR)
    assert [(p.value, p.outside) for p in chart.points] == [(24 * HOUR, False), (8 * HOUR, False)]


def test_waits_work_and_sign_off_per_activity(crm):
    request, analysis = report(crm).activities
    assert (request.element, request.tasks, request.completed) == ("request", 5, 5)
    # Request waits 1, 1, 2, 1, 3h: median 1h, p90 at rank 3.6: 2 + 0.6 = 2.6h.
    assert (request.waiting.median, request.waiting.p90) == (1 * HOUR, pytest.approx(2.6 * HOUR))
    assert request.working.median == 0  # done as it is taken
    assert (analysis.element, analysis.tasks, analysis.completed, analysis.open) == (
        "analyse_controller",
        5,
        3,
        1,
    )
    # Waits 2, 1, 4, 6h (C never taken): median 3h, p90 at 2.7: 4 + 0.7 x 2 = 5.4h.
    assert analysis.waiting.count == 4
    assert analysis.waiting.median == 3 * HOUR
    assert analysis.waiting.p90 == pytest.approx(5.4 * HOUR)
    # Work 3, 6 (claimed to the last hand-in), 1, 0h: median 2h, p90 3 + 0.7 x 3 = 5.1h.
    assert analysis.working.median == 2 * HOUR
    assert analysis.working.p90 == pytest.approx(5.1 * HOUR)
    # Sign-off 4, 30, 2h: median 4h, p90 at 1.8: 4 + 0.8 x 26 = 24.8h.
    assert analysis.sign_off.median == 4 * HOUR
    assert analysis.sign_off.p90 == pytest.approx(24.8 * HOUR)
    assert (analysis.reworks, analysis.rework_rate, analysis.sla_breaches) == (1, 1 / 3, 2)


def test_six_sigma_figures_of_the_process_and_its_activities(crm):
    figures = report(crm)
    request, analysis = figures.activities
    # Analysis: 1 rework + 2 breaches over 5 tasks = 600,000 DPMO; A and D passed first time.
    assert analysis.six_sigma.defects == {DefectKind.REWORK: 1, DefectKind.SLA_BREACH: 2}
    assert analysis.six_sigma.dpmo == pytest.approx(600_000)
    assert analysis.six_sigma.sigma == pytest.approx(sigma(600_000))
    assert analysis.six_sigma.first_pass_yield == pytest.approx(2 / 3)
    assert (request.six_sigma.dpmo, request.six_sigma.sigma) == (0, None)
    assert request.six_sigma.first_pass_yield == 1
    assert figures.rolled_throughput_yield == pytest.approx(2 / 3)
    # Process: rework 1, breaches 2, cancelled 1 over the 10 steps taken = 400,000 DPMO;
    # of 4 finished cases, A and D went through clean.
    six_sigma = figures.six_sigma
    assert six_sigma.defects == {
        DefectKind.REWORK: 1,
        DefectKind.SLA_BREACH: 2,
        DefectKind.ERROR: 0,
        DefectKind.CANCELLED: 1,
    }
    assert (six_sigma.units, six_sigma.opportunities) == (5, 10)
    assert six_sigma.dpmo == pytest.approx(400_000)
    assert six_sigma.sigma == pytest.approx(sigma(400_000))
    assert six_sigma.first_pass_yield == 0.5


def test_workload_by_role_and_person_and_sign_off_delays(crm):
    figures = report(crm)
    by_role = {w.who: (w.open, w.done, w.overdue) for w in figures.workload_by_role}
    assert by_role == {"bd": (0, 5, 0), "credit_controller": (1, 3, 2)}
    by_person = {w.who: (w.open, w.done, w.overdue) for w in figures.workload_by_person}
    assert by_person == {"giorgos.bd": (0, 5, 0), "anna.credit": (1, 3, 2)}
    [kostas] = figures.sign_off_delays
    assert (kostas.person, kostas.signed, kostas.delay.median) == ("kostas.credit", 3, 4 * HOUR)


def test_a_process_counts_only_the_defects_its_matrix_names(crm):
    files = process_files(PROCESS)
    matrix = next(f for f in files if f.name.endswith(".raci.yaml"))
    text = matrix.content.decode().replace("activities:", "defects: [rework]\nactivities:", 1)
    crm.engine.deploy(
        [f for f in files if f is not matrix] + [type(matrix)(matrix.name, text.encode())],
        user="lena.owner",
    )
    latest = report(crm)  # every version, counted as the latest matrix says
    assert latest.defect_kinds == {DefectKind.REWORK}
    assert latest.six_sigma.defects == {DefectKind.REWORK: 1}
    assert latest.six_sigma.dpmo == pytest.approx(100_000)
    assert latest.activities[1].six_sigma.first_pass_yield == pytest.approx(2 / 3)  # B reworked
    first = report(crm, version=1)
    assert first.six_sigma.total_defects == 4 and first.counts.started == 5
    assert report(crm, version=2).counts.started == 0
