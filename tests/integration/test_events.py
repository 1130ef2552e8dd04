"""Messages, signals, event-based gateways and cycle timers, through the engine."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine import InstanceStatus, SourceFile, build_engine, views
from engine.errors import InvalidState
from engine.views import oversight
from tests.conftest import FIXTURES, fixture_files

EVENTS = [
    "events/order_wait.bpmn",
    "events/payer.bpmn",
    "events/message_start.bpmn",
    "events/signal_wait.bpmn",
    "events/answer_or_chase.bpmn",
    "events/reminders.bpmn",
    "events/timer_start.bpmn",
    "events/cycle_start.bpmn",
    "events/timer_in_subprocess.bpmn",
]


@pytest.fixture
def engine(database_url, clock, services):
    process_engine = build_engine(database_url, services=services, clock=clock)
    process_engine.deploy(fixture_files(*EVENTS), user="owner")
    return process_engine


def open_elements(engine, instance_id):
    return sorted(
        t["element"] for t in views.open_tasks(engine.uow()) if t["instance_id"] == instance_id
    )


def actions(engine, instance_id):
    with engine.uow() as uow:
        return [e.action for e in uow.audit.events_of(instance_id)]


def audit_details(engine, instance_id, action):
    with engine.uow() as uow:
        return [e.details for e in uow.audit.events_of(instance_id) if e.action == action]


def status(engine, instance_id):
    return views.instance(engine.uow(), instance_id)["status"]


def test_a_message_reaches_the_instance_with_the_matching_correlation(engine):
    first = engine.start("order_wait", user="ana", data={"order_id": 41}).instance_id
    second = engine.start("order_wait", user="ana", data={"order_id": 42}).instance_id
    assert status(engine, second) == "waiting"  # waiting for the message, not "running"

    delivery = engine.send_message(
        "payment_received", user="bank", correlation={"order_id": "42"}, payload={"amount": 10}
    )

    assert delivery.delivered_to == (second,)
    assert open_elements(engine, second) == ["ship"]
    assert open_elements(engine, first) == []
    [received] = audit_details(engine, second, "message_received")
    assert received["correlation"] == {"order_id": "42"}
    assert received["payload"] == {"amount": 10}  # as sent; the catch sees the correlation too
    assert received["elements"] == ["wait_payment"]


def test_a_message_thrown_by_one_instance_is_delivered_to_another_in_the_same_step(engine):
    waiting = engine.start("order_wait", user="ana", data={"order_id": 7}).instance_id
    other = engine.start("order_wait", user="ana", data={"order_id": 8}).instance_id

    payer = engine.start("payer", user="cust", data={"order_id": 7, "amount": 99})

    assert payer.status is InstanceStatus.COMPLETED
    assert open_elements(engine, waiting) == ["ship"]
    assert open_elements(engine, other) == []
    [received] = audit_details(engine, waiting, "message_received")
    assert received["sent_by_instance"] == payer.instance_id
    with engine.uow() as uow:
        workflow, _ = engine._load(uow, uow.instances.get(waiting))
    [ship] = views.open_tasks(engine.uow())
    assert engine.runtime.data_of(workflow, ship["id"])["payment"] == {"order_id": 7, "amount": 99}


def test_a_message_start_event_creates_an_instance(engine):
    delivery = engine.send_message("complaint_filed", user="portal", payload={"text": "warm beer"})
    [started] = delivery.started
    assert delivery.delivered_to == ()
    assert open_elements(engine, started) == ["triage"]
    assert actions(engine, started)[:2] == ["start", "message_received"]


def test_a_signal_reaches_every_waiting_instance(engine):
    holds = [engine.start("quote_hold", user="ana").instance_id for _ in range(3)]
    delivery = engine.send_signal("price_list_changed", user="pricing")
    assert sorted(delivery.delivered_to) == sorted(holds)
    assert all(open_elements(engine, h) == ["requote"] for h in holds)
    assert engine.send_signal("price_list_changed", user="pricing").delivered_to == ()


def test_event_gateway_message_wins(engine, clock):
    started = engine.start("answer_or_chase", user="ana").instance_id
    assert len(engine.due_timers()) == 0
    engine.send_message("customer_answered", user="crm", payload={"answer": "yes"})
    assert open_elements(engine, started) == ["handle_answer"]
    clock.advance(timedelta(hours=2))
    assert engine.fire_due_timers() == 0  # the timer branch went with the gateway


def test_event_gateway_timer_wins(engine, clock):
    started = engine.start("answer_or_chase", user="ana").instance_id
    clock.advance(timedelta(minutes=61))
    assert engine.fire_due_timers() == 1
    assert open_elements(engine, started) == ["chase"]
    with pytest.raises(InvalidState, match="no instance waits for message 'customer_answered'"):
        engine.message_ttl = timedelta(0)
        engine.send_message("customer_answered", user="crm")


def test_a_timer_only_inside_a_subprocess_is_scheduled_and_fires(engine, clock):
    # The engine looks for waiting timers only in processes that have a timer element;
    # one inside a subprocess counts.
    started = engine.start("timer_in_subprocess", user="ana").instance_id
    assert status(engine, started) == "waiting"
    assert engine.fire_due_timers() == 0
    clock.advance(timedelta(minutes=61))
    assert engine.fire_due_timers() == 1
    assert open_elements(engine, started) == ["follow_up"]


def test_a_cycle_timer_fires_its_repetitions_then_stops(engine, clock):
    started = engine.start("reminders", user="ana").instance_id
    fired = 0
    for _ in range(5):
        clock.advance(timedelta(minutes=61))
        fired += engine.fire_due_timers()
    assert fired == 3
    assert actions(engine, started).count("timer_fired") == 3
    assert open_elements(engine, started) == ["review"]  # non-interrupting: still to do


def test_a_message_nobody_waits_for_is_kept_until_someone_does(engine, clock):
    delivery = engine.send_message(
        "payment_received", user="bank", correlation={"order_id": 5}, payload={"amount": 1}
    )
    assert delivery.delivered_to == () and delivery.kept_until == clock.now() + timedelta(days=1)
    started = engine.start("order_wait", user="ana", data={"order_id": 5}).instance_id
    assert open_elements(engine, started) == ["ship"]
    [received] = audit_details(engine, started, "message_received")
    assert received["kept_since"]
    assert engine.purge_expired_messages() == 0


def test_kept_messages_expire(engine, clock):
    engine.send_message("payment_received", user="bank", correlation={"order_id": 6})
    clock.advance(timedelta(days=2))
    assert engine.purge_expired_messages() == 1
    started = engine.start("order_wait", user="ana", data={"order_id": 6}).instance_id
    assert open_elements(engine, started) == []


def test_bad_names_are_refused(engine):
    with pytest.raises(InvalidState, match="name"):
        engine.send_signal("  ", user="x")


def test_a_timer_start_event_waits_in_its_instance_and_the_worker_fires_it(engine, clock):
    started = engine.start("nightly_check", user="ana")
    assert (
        started.status is InstanceStatus.WAITING
        and open_elements(engine, started.instance_id) == []
    )
    clock.advance(timedelta(minutes=59))
    assert engine.fire_due_timers() == 0
    clock.advance(timedelta(minutes=2))
    assert engine.fire_due_timers() == 1
    assert open_elements(engine, started.instance_id) == ["check"]


def instances_of(engine, process_id):
    page = oversight.instances(engine.uow(), oversight.InstanceQuery(process_id=process_id))
    return page["items"]


def test_the_worker_starts_processes_whose_start_event_is_a_timer(engine, clock):
    assert instances_of(engine, "nightly_check") == []  # deployed, not started
    clock.advance(timedelta(minutes=59))
    assert engine.fire_start_timers() == 0
    clock.advance(timedelta(minutes=2))
    assert engine.fire_start_timers() == 2  # nightly_check once, hourly_check's first
    [started] = instances_of(engine, "nightly_check")
    assert open_elements(engine, started["id"]) == ["check"]  # past its start event at once
    assert actions(engine, started["id"])[:2] == ["start", "timer_fired"]
    for _ in range(3):
        clock.advance(timedelta(hours=1))
        engine.fire_start_timers()
    assert len(instances_of(engine, "nightly_check")) == 1  # a duration starts once
    hourly = instances_of(engine, "hourly_check")
    assert len(hourly) == 2  # R2: twice, an instance each
    assert all(open_elements(engine, i["id"]) == ["check"] for i in hourly)


def test_a_new_version_without_a_start_timer_clears_the_schedule(engine, clock):
    text = (FIXTURES / "events" / "timer_start.bpmn").read_text()
    plain = text.replace(
        '<bpmn:timerEventDefinition><bpmn:timeDuration>"PT1H"</bpmn:timeDuration></bpmn:timerEventDefinition>',
        "",
    )
    engine.deploy([SourceFile("timer_start.bpmn", plain.encode())], user="owner")
    clock.advance(timedelta(hours=2))
    assert engine.fire_start_timers() == 1  # hourly_check only
    assert instances_of(engine, "nightly_check") == []


def test_a_message_reaches_a_catch_inside_a_subprocess(database_url, clock, services):
    # Found on an outside corpus: any instance with a subprocess failed at its first wait.
    engine = build_engine(database_url, services=services, clock=clock)
    engine.deploy(fixture_files("events/refund_in_subprocess.bpmn"), user="owner")
    started = engine.start("refund_in_subprocess", user="ana").instance_id
    assert status(engine, started) == "waiting"

    delivery = engine.send_message("refund_approved", user="bank", payload={"ok": True})

    assert delivery.delivered_to == (started,)
    assert open_elements(engine, started) == ["pay_refund"]
