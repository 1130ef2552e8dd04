"""Who sees an instance (raci.visibility.may_see_case on engine.views.visibility's
facts), on SQLite and PostgreSQL; and the lists show exactly the instances it opens.

The web pages and the JSON API both ask this one rule; overseers (auditors,
process owners, admins) pass it by their roles, which these tests leave out.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine import ProcessEngine, build_engine
from engine.clock import FakeClock
from engine.governance import RaciRefusal
from engine.views import oversight
from engine.views.visibility import case_part
from raci.directory_io import load_directory
from raci.visibility import may_see_case
from tests.integration.test_raci_enforcement import (
    GOVERNED,
    consulted,
    governed_files,
    requested,
)


@pytest.fixture
def raci_engine(database_url: str) -> ProcessEngine:
    engine = build_engine(database_url, clock=FakeClock(datetime(2026, 6, 1, 9, tzinfo=UTC)))
    directory = GOVERNED / "directory.yaml"
    engine.import_directory(load_directory(directory.name, directory.read_bytes()), user="ada")
    engine.deploy(governed_files(), user="owner")
    return engine


def sees(engine: ProcessEngine, instance_id: str) -> set[str]:
    users = ("bob", "carol", "frank", "fiona", "dave", "erin", "sam", "ada")
    seen = {user for user in users if may_see_case((), case_part(engine.uow(), instance_id, user))}
    listed = {user for user in users if instance_id in listed_for(engine, user)}
    assert listed == seen, "the instance lists and the instance pages disagree"
    return seen


def listed_for(engine: ProcessEngine, user: str) -> set[str]:
    found = oversight.instances(engine.uow(), oversight.InstanceQuery(), viewer=user, limit=500)
    return {item["id"] for item in found["items"]}


def instance_of(engine: ProcessEngine, task_id: str) -> str:
    with engine.uow() as uow:
        return uow.tasks.get(task_id).instance_id


def test_the_starter_the_roles_that_may_act_now_and_those_told_see_an_instance(raci_engine):
    analyse = requested(raci_engine)  # bob asked; sam (I of the request) was told
    instance = instance_of(raci_engine, analyse)
    # carol and frank are R, fiona A (dave stands in for her), bob C; erin stands in
    # for frank. Ada, an administrator, has no part (overseers pass before this rule).
    assert sees(raci_engine, instance) == {"bob", "carol", "frank", "fiona", "dave", "erin", "sam"}


def test_once_the_work_is_done_only_those_who_took_part_still_see_it(raci_engine):
    analyse = requested(raci_engine)
    instance = instance_of(raci_engine, analyse)
    consulted(raci_engine, analyse)
    raci_engine.complete(analyse, user="carol", data={"recommendation": "raise"})
    raci_engine.approve(analyse, user="dave")  # for fiona, whom he stands in for

    # frank and erin could have done the analysis but did not; fiona was acted for.
    assert sees(raci_engine, instance) == {"bob", "carol", "fiona", "dave", "sam"}


def test_a_refused_attempt_is_no_part(raci_engine):
    analyse = requested(raci_engine)
    instance = instance_of(raci_engine, analyse)
    with pytest.raises(RaciRefusal):
        raci_engine.complete(analyse, user="ada", data={"recommendation": "raise"})
    assert "ada" not in sees(raci_engine, instance)
