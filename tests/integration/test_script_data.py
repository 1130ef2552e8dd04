"""Scripts in a deployed process: safe modules, the engine's clock, data that survives a save."""

from __future__ import annotations

from datetime import UTC, datetime

from engine import InstanceStatus, build_engine, views
from tests.conftest import fixture_files


def test_script_data_keeps_its_key_types_and_sees_the_engines_clock(database_url, services, clock):
    clock._now = datetime(2031, 2, 3, 10, 0, tzinfo=UTC)
    engine = build_engine(database_url, services=services, clock=clock)
    engine.deploy(fixture_files("scripted.bpmn"), user="owner")
    started = engine.start("scripted", user="ana", data={"code": "ab"})
    assert started.status is InstanceStatus.WAITING

    restarted = build_engine(database_url, services=services, clock=clock)  # from storage only
    [task] = views.open_tasks(restarted.uow())
    with restarted.uow() as uow:
        workflow, _ = restarted._load(uow, uow.instances.get(started.instance_id))
    data = restarted.runtime.data_of(workflow, task["id"])
    assert data["counts"] == {0: 2, 1: "one", 2.5: [3], None: 0}
    assert [type(key) for key in data["counts"]] == [int, int, float, type(None)]
    assert data["today"] == "2031-02-03"
    assert data["label"] == "ab-007"


def test_a_refused_condition_says_why(database_url, services, clock):
    engine = build_engine(database_url, services=services, clock=clock)
    engine.deploy(fixture_files("scripted.bpmn"), user="owner")
    started = engine.start("scripted", user="ana", data={"code": "zz"})
    assert started.status is InstanceStatus.ERROR
    assert "code != 'ab' and code.encode() == b'x'" in started.error
    assert "access to attribute 'encode' of str is not allowed" in started.error
