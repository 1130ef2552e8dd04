"""Scripts in a deployed process: safe modules, the engine's clock, data that survives a save."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

from engine import InstanceStatus, build_engine, views
from engine.definitions import SourceFile
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


def test_dates_times_and_decimals_survive_a_wait(database_url, services, clock):
    # Found comparing with bare SpiffWorkflow: a date or a Decimal left by a script
    # made every save fail ("Object of type date is not JSON serializable").
    engine = build_engine(database_url, services=services, clock=clock)
    engine.deploy(fixture_files("dated_price.bpmn"), user="owner")
    started = engine.start("dated_price", user="ana")
    assert started.status is InstanceStatus.WAITING

    restarted = build_engine(database_url, services=services, clock=clock)  # from storage only
    [task] = views.open_tasks(restarted.uow())
    restarted.complete(task["id"], user="ana", data={})
    [task] = views.open_tasks(restarted.uow())
    assert task["element"] == "ship"
    with restarted.uow() as uow:
        workflow, _ = restarted._load(uow, uow.instances.get(started.instance_id))
    data = restarted.runtime.data_of(workflow, task["id"])
    assert data["ordered"] == date(2031, 2, 3) and type(data["ordered"]) is date
    assert data["cutoff"] == time(9, 30)
    assert data["price"] == Decimal("19.90") and type(data["price"]) is Decimal
    assert data["due"] == date(2031, 2, 6)
    assert data["total"] == Decimal("39.80")
    assert data["early"] is True


# Not among tests/fixtures: bare SpiffWorkflow keeps the set in memory and reaches the user
# task, so scripts/bpmn_coverage.py counts it as a (deliberate) difference.
LEAVES_A_SET = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d1"
    targetNamespace="http://example.com/t">
  <bpmn:process id="leaves_a_set" name="Leaves a set" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="script" name="Make a set"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:script>tags = frozenset(["a", "b"])</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:userTask id="look" name="Look"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="script"/>
    <bpmn:sequenceFlow id="f2" sourceRef="script" targetRef="look"/>
    <bpmn:sequenceFlow id="f3" sourceRef="look" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_script_leaving_a_value_no_save_can_hold_fails_at_its_step(database_url, services, clock):
    # Found on an outside corpus: a frozenset (or bytes, a range...) left by a script made
    # every later save raise, so `start` printed a traceback and recorded nothing.
    engine = build_engine(database_url, services=services, clock=clock)
    engine.deploy([SourceFile("leaves_a_set.bpmn", LEAVES_A_SET.encode())], user="owner")
    started = engine.start("leaves_a_set", user="ana", data={})
    assert started.status is InstanceStatus.ERROR  # recorded, in error, with why
    assert "'tags' cannot be stored with the case" in started.error
    assert "frozenset" in started.error and "\n" not in started.error
    assert views.instance(engine.uow(), started.instance_id)["status"] == "error"
