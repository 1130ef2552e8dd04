"""Who may read a process's analytics: its managers, never the peers doing the work."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.errors import NotAllowed, NotFound

PROCESS = "credit_limit_change"
SINCE, UNTIL = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture
def crm(crm):
    """The demo company (its analyst included) running the credit limit change."""
    crm.deploy(PROCESS)
    return crm


def report_for(crm, user: str):
    return crm.engine.analytics(PROCESS, since=SINCE, until=UNTIL, user=user)


@pytest.mark.parametrize(
    "user",
    [
        "lena.owner",  # process owner
        "admin",
        "zoi.analyst",  # the demo company's analyst
        "vasso.finance",  # A of analyse_finance
        "petros.cfo",  # A of analyse_cfo
    ],
)
def test_managers_of_the_process_read_its_analytics_with_the_people_figures(crm, user):
    report = report_for(crm, user)
    assert report.process_id == PROCESS
    assert report.counts.started == 0


@pytest.mark.parametrize(
    "user",
    [
        "giorgos.bd",  # R/A of their own request only (self-approved): a peer, not a manager
        "kostas.credit",  # R/A of analyse_controller: signs a colleague's work, still a peer
        "christina.sales",  # told (I) only
        "fotis.audit",  # reads the trail, not the performance of people
        "sofia.cs",  # nothing to do with the process
        "nobody",
    ],
)
def test_peers_and_outsiders_are_refused(crm, user):
    with pytest.raises(NotAllowed, match="may not see the analytics"):
        report_for(crm, user)


def test_an_unknown_process_or_version_is_not_found(crm):
    with pytest.raises(NotFound):
        crm.engine.analytics("no_such_process", since=SINCE, until=UNTIL, user="admin")
    with pytest.raises(NotFound):
        crm.engine.analytics(PROCESS, since=SINCE, until=UNTIL, version=9, user="admin")


def test_the_processes_one_may_analyse_follow_the_same_rule(crm):
    crm.deploy("customer_data_change")  # signed by master data, not by finance
    assert crm.engine.analysable_processes(user="lena.owner") == [PROCESS, "customer_data_change"]
    assert crm.engine.analysable_processes(user="vasso.finance") == [PROCESS]
    assert crm.engine.analysable_processes(user="kostas.credit") == []
    assert crm.engine.analysable_processes(user="nobody") == []
