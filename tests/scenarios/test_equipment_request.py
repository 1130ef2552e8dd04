"""Equipment request: a BD asks, trade marketing approves, a technician does the job on time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer
from sqlalchemy import select

from engine import InstanceStatus, SourceFile, views
from engine.errors import InvalidState, InvalidTaskData, NotAllowed
from engine.governance import RaciRefusal
from engine.model import HumanTask
from engine.signature import digest
from tests.scenarios.conftest import BPMN, process_files
from workflows.tables import assets, customers, service_requests

PROCESS = "equipment_request"
BDS = {"giorgos.bd", "eleni.bd", "nikos.bd"}
TECHNICIANS = {"thanasis.tech", "stelios.tech"}
MONDAY = date(2026, 11, 2)  # the clock fixture's day


@pytest.fixture
def crm(crm):
    crm.deploy(PROCESS)
    return crm


@pytest.fixture(autouse=True)
def spiff_reads_the_test_clock(monkeypatch, clock):
    """Make SpiffWorkflow's idea of "now" the test clock, as it is the wall clock in production.

    SpiffWorkflow checks its timers against datetime.now() (engine/runtime.py sets their
    due time from the engine clock but leaves that check alone), so with a test clock
    behind the wall clock a timeDate deadline would fire at once. Remove this once the
    engine checks timers against its own clock.
    """

    class TestClockDatetime(datetime):
        @classmethod
        def now(cls, tz=None):
            return clock.now().astimezone(tz)

    monkeypatch.setattr(spiff_timer, "datetime", TestClockDatetime)


# --- the demo data this needs, looked up rather than guessed ---------------------------


def a_customer(crm, segment: str, min_aov: float = 0, max_aov: float = 10**9) -> int:
    """An active customer of `segment` whose average order is in [min_aov, max_aov)."""
    query = (
        select(customers.c.id)
        .where(
            customers.c.segment == segment,
            customers.c.status == "active",
            customers.c.average_order_value >= min_aov,
            customers.c.average_order_value < max_aov,
        )
        .order_by(customers.c.id)
    )
    found = crm.rows(query)
    assert found, f"the demo data has no {segment} customer with {min_aov} <= AOV < {max_aov}"
    return found[0]["id"]


def in_stock(crm, asset_type: str) -> str:
    query = select(assets.c.serial).where(
        assets.c.status == "in_stock", assets.c.type == asset_type
    )
    return crm.rows(query.order_by(assets.c.serial))[0]["serial"]


def placed(crm, segment: str | None = None) -> list[dict]:
    """The assets placed at active customers (of `segment`, if given)."""
    query = (
        select(assets)
        .join(customers, customers.c.id == assets.c.customer_id)
        .where(assets.c.status == "placed", customers.c.status == "active")
        .order_by(assets.c.serial)
    )
    if segment is not None:
        query = query.where(customers.c.segment == segment)
    return crm.rows(query)


def asset(crm, serial: str) -> dict:
    [row] = crm.rows(select(assets).where(assets.c.serial == serial))
    return row


def all_assets(crm) -> list[dict]:
    return crm.rows(select(assets).order_by(assets.c.serial))


def service_request(crm, instance_id: str) -> dict:
    [row] = crm.rows(select(service_requests).where(service_requests.c.instance_id == instance_id))
    return row


# --- the steps, as the people take them ---------------------------------------------


def requested(crm, kind: str, customer_id: int, **fields) -> str:
    """A BD sends the request from the terminal; return the instance id."""
    data = {"description": "Asked by the owner on today's visit", **fields}
    started = crm.start(
        PROCESS,
        "giorgos.bd",
        business_key=f"C{customer_id:05d}",
        kind=kind,
        customer_id=customer_id,
        **data,
    )
    assert started.status == InstanceStatus.WAITING, started.error
    return started.instance_id


def decided(crm, instance_id: str, decision: str = "approve") -> None:
    reason = "Strong outlet on a busy corner" if decision == "approve" else "Sales too low for it"
    crm.complete(instance_id, "decide", "alexandra.tm", decision=decision, reason=reason)


def scheduled(crm, instance_id: str, due_on: str = "2026-11-04", technician="thanasis.tech"):
    crm.complete(instance_id, "schedule", "irini.service", technician=technician, due_on=due_on)


def placed_meanwhile(crm, serial: str) -> None:
    """Another job places the asset at another customer while a report naming it waits
    for its signature: the race the service still guards against (the engine refused the
    serial when the report was handed in, had it been placed then)."""
    other = placed(crm)[0]["customer_id"]
    with crm.engine.uow() as uow:
        uow.session.execute(
            assets.update()
            .where(assets.c.serial == serial)
            .values(status="placed", customer_id=other)
        )
        uow.commit()


def worked_as_it_is_taken(crm, instance_id: str, serial: str) -> None:
    """The technician reports `serial`, another job places it, then the report is signed."""
    crm.complete(instance_id, "work", "thanasis.tech", serial=serial, work_notes="Installed")
    placed_meanwhile(crm, serial)
    crm.approve(instance_id, "work", "irini.service")


def worked(crm, instance_id: str, serial: str) -> None:
    """The technician reports the job and the service manager signs the report."""
    crm.complete(
        instance_id,
        "work",
        "thanasis.tech",
        serial=serial,
        work_notes="Installed and tested",
    )
    crm.approve(instance_id, "work", "irini.service")


def eligibility_note(crm, customer_id: int, asset_type: str = "cooler") -> str:
    """What the eligibility table advised trade marketing for a placement."""
    instance = requested(crm, "placement", customer_id, asset_type=asset_type)
    decided(crm, instance, "decline")
    notes = service_request(crm, instance)["notes"]
    return next(line for line in notes.splitlines() if line.startswith("Eligibility rule"))


def redeployed(crm, dmn_name: str, old: str, new: str) -> None:
    """Deploy the process with one edit to a DMN table, as a process owner would."""
    dmn = BPMN / f"{PROCESS}.{dmn_name}.dmn"
    source = dmn.read_text()
    assert source.count(old) == 1, f"'{old}' is not unique in {dmn.name}"
    edited = [
        SourceFile(f.name, source.replace(old, new).encode()) if f.name == dmn.name else f
        for f in process_files(PROCESS)
    ]
    [deployment] = crm.engine.deploy(edited, user="lena.owner")
    assert (deployment.version, deployment.created) == (2, True)


# --- placement --------------------------------------------------------------------


def test_an_approved_placement_puts_a_stock_asset_at_the_customer(crm):
    customer = a_customer(crm, "A")
    serial = in_stock(crm, "cooler")
    instance = requested(crm, "placement", customer, asset_type="cooler")
    request = service_request(crm, instance)
    assert (request["kind"], request["status"], request["customer_id"]) == (
        "placement",
        "requested",
        customer,
    )
    assert (request["requested_by"], request["asset_serial"]) == ("giorgos.bd", None)
    assert crm.open_elements(instance) == ["decide"]

    decided(crm, instance)
    request = service_request(crm, instance)
    # The service level gives an A placement three working days: the dispatcher's default.
    assert (request["status"], request["due_on"]) == ("approved", date(2026, 11, 5))
    assert crm.open_elements(instance) == ["schedule"]

    scheduled(crm, instance, due_on="2026-11-04")
    request = service_request(crm, instance)
    assert (request["status"], request["technician"], request["due_on"]) == (
        "scheduled",
        "thanasis.tech",
        date(2026, 11, 4),
    )
    [work] = crm.open_tasks(instance)
    assert work["due_at"] == "2026-11-04T16:00:00+00:00"  # 18:00 in Athens

    crm.complete(
        instance, "work", "thanasis.tech", serial=serial.lower(), work_notes="Installed, 4 °C"
    )
    assert asset(crm, serial)["status"] == "in_stock"  # nothing changes before sign-off
    with pytest.raises(RaciRefusal):
        crm.approve(instance, "work", "thanasis.tech")
    crm.approve(instance, "work", "irini.service")

    assert crm.instance(instance)["status"] == InstanceStatus.COMPLETED
    placed_asset = asset(crm, serial)
    assert (placed_asset["status"], placed_asset["customer_id"], placed_asset["placed_on"]) == (
        "placed",
        customer,
        MONDAY,
    )
    assert placed_asset["location"] == "Σημείο πώλησης"
    request = service_request(crm, instance)
    assert (request["status"], request["asset_serial"], request["technician"]) == (
        "completed",
        serial,
        "thanasis.tech",
    )
    assert request["completed_at"].replace(tzinfo=UTC) == datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    assert "Approved by alexandra.tm: Strong outlet" in request["notes"]
    told = set(crm.notified(instance))
    own_bd = crm.own_bd(request["customer_id"])  # the customer's BD, not every BD
    assert "irini.service: decide" in told and crm.bds_told(instance, "decide") == own_bd
    assert {f"{tech}: schedule" for tech in TECHNICIANS} <= told
    assert "alexandra.tm: work" in told and crm.bds_told(instance, "work") == own_bd


def test_a_declined_placement_changes_no_asset_and_tells_the_bd(crm):
    before = all_assets(crm)
    instance = requested(crm, "placement", a_customer(crm, "C"), asset_type="freezer")

    decided(crm, instance, "decline")

    assert crm.instance(instance)["status"] == InstanceStatus.COMPLETED
    request = service_request(crm, instance)
    assert (request["status"], request["technician"], request["due_on"]) == ("declined", None, None)
    assert "Declined by alexandra.tm: Sales too low for it" in request["notes"]
    assert all_assets(crm) == before
    assert crm.bds_told(instance, "decide") == crm.own_bd(request["customer_id"])


# --- eligibility (DMN equipment_request.eligibility) -------------------------------


def test_eligibility_follows_segment_order_value_and_asset_type(crm):
    a_small = a_customer(crm, "A", max_aov=2000)
    b_big, b_small = a_customer(crm, "B", min_aov=1000), a_customer(crm, "B", max_aov=1000)
    c_big, c_small = a_customer(crm, "C", min_aov=600), a_customer(crm, "C", max_aov=600)
    [blocked, *_] = crm.rows(select(customers.c.id).where(customers.c.status == "blocked"))

    advice = {
        "A freezer": eligibility_note(crm, a_small, "freezer"),
        "big B": eligibility_note(crm, b_big),
        "small B": eligibility_note(crm, b_small),
        "big C cooler": eligibility_note(crm, c_big, "cooler"),
        "big C freezer": eligibility_note(crm, c_big, "freezer"),
        "small C": eligibility_note(crm, c_small, "dispenser"),
        "blocked": eligibility_note(crm, blocked["id"]),
    }

    rule = "Eligibility rule: "
    assert advice == {
        "A freezer": rule + "eligible (segment A: always eligible)",
        "big B": rule + "eligible (segment B with an average order of EUR 1000 or more)",
        "small B": rule + "not eligible (segment B below an average order of EUR 1000)",
        "big C cooler": rule + "eligible (segment C with an average order of EUR 600 or more)",
        "big C freezer": rule + "not eligible (segment C: no freezers)",
        "small C": rule + "not eligible (below the volume threshold of the segment)",
        "blocked": rule + "not eligible (the customer is not active)",
    }


def test_trade_marketing_may_approve_against_the_advice(crm):
    instance = requested(crm, "placement", a_customer(crm, "C", max_aov=600), asset_type="cooler")
    decided(crm, instance, "approve")
    request = service_request(crm, instance)
    assert request["status"] == "approved"
    assert "Eligibility rule: not eligible" in request["notes"]
    assert crm.open_elements(instance) == ["schedule"]


def test_editing_the_eligibility_threshold_changes_the_advice(crm):
    customer = a_customer(crm, "B", min_aov=500, max_aov=1000)
    assert "not eligible (segment B below" in eligibility_note(crm, customer)

    redeployed(crm, "eligibility", "&gt;= 1000", "&gt;= 500")

    assert "rule: eligible (segment B with" in eligibility_note(crm, customer)


# --- relocation and repair ---------------------------------------------------------


def test_a_relocation_moves_the_asset_at_the_same_customer(crm):
    moved = placed(crm)[0]
    instance = requested(
        crm,
        "relocation",
        moved["customer_id"],
        asset_serial=moved["serial"],
        new_location="Βεράντα, δίπλα στην είσοδο",
    )
    assert service_request(crm, instance)["asset_serial"] == moved["serial"]
    decided(crm, instance)
    scheduled(crm, instance)
    assert asset(crm, moved["serial"])["location"] == moved["location"]

    worked(crm, instance, moved["serial"])

    after = asset(crm, moved["serial"])
    assert (after["status"], after["customer_id"], after["location"]) == (
        "placed",
        moved["customer_id"],
        "Βεράντα, δίπλα στην είσοδο",
    )
    assert after["placed_on"] == moved["placed_on"]
    request = service_request(crm, instance)
    assert (request["kind"], request["status"]) == ("relocation", "completed")


def test_a_repair_skips_approval_and_puts_the_asset_back_in_service(crm):
    broken = placed(crm)[0]
    customer = crm.customer(broken["customer_id"])
    instance = requested(
        crm,
        "repair",
        customer["id"],
        asset_serial=broken["serial"].lower(),
        description="Does not cool any more",
    )

    assert crm.open_elements(instance) == ["schedule"]  # no trade marketing decision
    assert asset(crm, broken["serial"])["status"] == "in_repair"
    request = service_request(crm, instance)
    expected_days = {"A": 1, "B": 2, "C": 3}[customer["segment"]]
    assert request["due_on"] == MONDAY + timedelta(days=expected_days)
    scheduled(crm, instance)
    worked(crm, instance, broken["serial"])

    after = asset(crm, broken["serial"])
    assert (after["status"], after["customer_id"], after["location"]) == (
        "placed",
        broken["customer_id"],
        broken["location"],
    )
    assert service_request(crm, instance)["status"] == "completed"
    told = crm.notified(instance)
    assert not [line for line in told if line.endswith(": decide")]
    assert crm.bds_told(instance, "work") == crm.own_bd(broken["customer_id"])


def test_editing_the_service_level_changes_the_due_date(crm):
    first, second, *_ = placed(crm, segment="B")
    before = requested(crm, "repair", first["customer_id"], asset_serial=first["serial"])
    assert service_request(crm, before)["due_on"] == date(2026, 11, 4)  # two working days

    redeployed(
        crm,
        "service_level",
        '<outputEntry id="r2_days"><text>2</text>',
        '<outputEntry id="r2_days"><text>1</text>',
    )

    after = requested(crm, "repair", second["customer_id"], asset_serial=second["serial"])
    assert service_request(crm, after)["due_on"] == date(2026, 11, 3)


# --- the service level agreement ---------------------------------------------------


def test_an_overdue_job_escalates_to_the_service_manager_while_the_work_goes_on(crm):
    broken = placed(crm)[0]
    instance = requested(crm, "repair", broken["customer_id"], asset_serial=broken["serial"])
    scheduled(crm, instance, due_on="2026-11-03")

    crm.clock.advance(timedelta(days=1, hours=6))  # Tuesday 15:00 UTC, 17:00 in Athens
    assert crm.engine.fire_due_timers() == 0
    assert crm.open_elements(instance) == ["work"]

    crm.clock.advance(timedelta(hours=2))  # 19:00 in Athens: the due day is over
    assert crm.engine.fire_due_timers() == 1

    assert crm.open_elements(instance) == ["follow_up", "work"]  # the job stays open
    assert service_request(crm, instance)["status"] == "overdue"
    inbox = views.open_tasks(crm.engine.uow(), user="irini.service")
    assert [t["element"] for t in inbox if t["instance_id"] == instance] == ["follow_up"]
    with pytest.raises(RaciRefusal):
        crm.complete(
            instance,
            "follow_up",
            "thanasis.tech",
            action="technician_chased",
            comment="I am on it, spare part comes tomorrow",
        )

    worked(crm, instance, broken["serial"])
    assert service_request(crm, instance)["status"] == "completed"
    assert asset(crm, broken["serial"])["status"] == "placed"
    assert crm.instance(instance)["status"] == InstanceStatus.WAITING  # the follow-up is open

    crm.complete(
        instance,
        "follow_up",
        "irini.service",
        action="technician_chased",
        comment="Spare part was late; customer called and informed",
    )
    assert crm.instance(instance)["status"] == InstanceStatus.COMPLETED
    told = set(crm.notified(instance))
    assert {f"{t}: follow_up" for t in TECHNICIANS} <= told
    customer_id = service_request(crm, instance)["customer_id"]
    assert crm.bds_told(instance, "follow_up") == crm.own_bd(customer_id)


def test_only_the_service_manager_sees_the_escalation_in_the_inbox(crm):
    broken = placed(crm)[0]
    instance = requested(crm, "repair", broken["customer_id"], asset_serial=broken["serial"])
    scheduled(crm, instance, due_on="2026-11-03")
    crm.clock.advance(timedelta(days=2))
    assert crm.engine.fire_due_timers() == 1

    inbox = views.open_tasks(crm.engine.uow(), user="thanasis.tech")
    assert [t["element"] for t in inbox if t["instance_id"] == instance] == ["work"]


# --- refusals ----------------------------------------------------------------------


def test_a_serial_that_is_not_in_stock_is_refused_without_half_written_data(crm):
    customer = a_customer(crm, "A")
    instance = requested(crm, "placement", customer, asset_type="cooler")
    decided(crm, instance)
    scheduled(crm, instance)
    with pytest.raises(InvalidTaskData) as refused:
        crm.complete(instance, "work", "thanasis.tech", serial="42", work_notes="ok")
    assert set(refused.value.errors) == {"serial", "work_notes"}

    with pytest.raises(InvalidTaskData) as refused:  # placed elsewhere: said by field
        worked(crm, instance, placed(crm)[0]["serial"])
    assert refused.value.errors == {"serial": ["this asset is not in stock"]}

    taken = in_stock(crm, "cooler")
    crm.complete(instance, "work", "thanasis.tech", serial=taken, work_notes="Installed")
    placed_meanwhile(crm, taken)
    before = all_assets(crm)
    crm.approve(instance, "work", "irini.service")

    state = crm.instance(instance)
    assert state["status"] == InstanceStatus.ERROR
    assert state["error_task"] == "complete_request"
    assert f"{taken} is not in stock (it is placed)" in state["error_message"]
    assert all_assets(crm) == before
    request = service_request(crm, instance)
    assert (request["status"], request["asset_serial"], request["completed_at"]) == (
        "scheduled",
        None,
        None,
    )

    # The admin's corrected serial changes what irini.service signed: it waits for her again.
    freezer = in_stock(crm, "freezer")
    held = crm.engine.retry(instance, user="admin", data={"serial": freezer})
    assert held.status == InstanceStatus.ERROR  # nothing runs on unsigned data
    assert all_assets(crm) == before
    crm.approve(instance, "work", "irini.service")
    assert f"{freezer} is a freezer, not a cooler" in crm.instance(instance)["error_message"]
    assert all_assets(crm) == before

    cooler = in_stock(crm, "cooler")
    crm.engine.retry(instance, user="admin", data={"serial": cooler})
    done = crm.approve(instance, "work", "irini.service")
    assert done.status == InstanceStatus.COMPLETED
    assert (asset(crm, cooler)["status"], asset(crm, cooler)["customer_id"]) == ("placed", customer)
    assert service_request(crm, instance)["asset_serial"] == cooler


def test_the_service_manager_sends_a_job_report_back_to_the_technician(crm):
    broken = placed(crm)[0]
    instance = requested(crm, "repair", broken["customer_id"], asset_serial=broken["serial"])
    scheduled(crm, instance)
    crm.complete(instance, "work", "thanasis.tech", serial=broken["serial"], work_notes="Fixed")

    crm.reject(instance, "work", "irini.service", reason="Say which part you replaced")

    [task] = crm.open_tasks(instance)
    assert (task["element"], task["assignee"]) == ("work", "thanasis.tech")
    assert asset(crm, broken["serial"])["status"] == "in_repair"
    assert service_request(crm, instance)["status"] == "scheduled"
    with pytest.raises(NotAllowed, match=r"assigned to thanasis\.tech"):  # the job is his now
        crm.complete(instance, "work", "stelios.tech", serial=broken["serial"], work_notes="Fixed")

    worked(crm, instance, broken["serial"])
    assert asset(crm, broken["serial"])["status"] == "placed"
    request = service_request(crm, instance)
    assert request["status"] == "completed"
    assert "Done by thanasis.tech: Installed and tested" in request["notes"]


def test_a_request_about_an_asset_the_customer_does_not_have_is_refused(crm):
    elsewhere = placed(crm)[0]
    customer = next(c for c in range(1, 201) if c != elsewhere["customer_id"])  # not the owner
    before = all_assets(crm)

    with pytest.raises(InvalidTaskData) as refused:  # by field, from any surface
        crm.start(
            PROCESS,
            "giorgos.bd",
            kind="repair",
            customer_id=customer,
            asset_serial=elsewhere["serial"],
            description="Does not cool any more",
        )

    assert refused.value.errors == {"asset_serial": ["this asset is not placed at this customer"]}
    assert views.audit_events(crm.engine.uow(), process_id=PROCESS, action="start") == []
    assert crm.rows(select(service_requests)) == []
    assert all_assets(crm) == before


def test_one_asset_has_one_open_request_at_a_time(crm):
    broken = placed(crm)[0]
    requested(
        crm,
        "relocation",
        broken["customer_id"],
        asset_serial=broken["serial"],
        new_location="Πίσω από τον πάγκο",
    )

    second = crm.start(
        PROCESS,
        "giorgos.bd",
        kind="relocation",
        customer_id=broken["customer_id"],
        asset_serial=broken["serial"],
        new_location="Στην αποθήκη του καταστήματος",
        description="Owner changed his mind again",
    )

    assert second.status == InstanceStatus.ERROR
    assert "already has an open service request" in second.error
    assert len(crm.rows(select(service_requests))) == 1


def test_a_relocation_to_where_the_asset_stands_is_refused(crm):
    moved = placed(crm)[0]
    started = crm.start(
        PROCESS,
        "giorgos.bd",
        kind="relocation",
        customer_id=moved["customer_id"],
        asset_serial=moved["serial"],
        new_location=moved["location"],
        description="Move it where it is",
    )
    assert started.status == InstanceStatus.ERROR
    assert f"is at {moved['location']} already" in started.error
    assert crm.rows(select(service_requests)) == []


def test_the_dispatcher_books_only_technicians_on_working_days_ahead(crm):
    broken = placed(crm)[0]
    instance = requested(crm, "repair", broken["customer_id"], asset_serial=broken["serial"])
    with pytest.raises(InvalidTaskData, match="weekends"):
        scheduled(crm, instance, due_on="2026-11-07")  # a Saturday
    with pytest.raises(InvalidTaskData, match="due_on"):
        scheduled(crm, instance, due_on="next week")

    # A day already over is the form's error (the engine's clock), not a failed service.
    with pytest.raises(InvalidTaskData, match="that day is over"):
        scheduled(crm, instance, due_on="2026-10-30")
    assert crm.instance(instance)["status"] != "error"
    with pytest.raises(InvalidTaskData, match="60 days"):
        scheduled(crm, instance, due_on="2027-06-01")

    with pytest.raises(InvalidTaskData) as refused:
        scheduled(crm, instance, due_on="2026-11-05", technician="irini.service")
    assert refused.value.errors == {"technician": ["not an active technician"]}
    assert service_request(crm, instance)["technician"] is None

    scheduled(crm, instance, due_on="2026-11-05", technician="stelios.tech")
    request = service_request(crm, instance)
    assert (request["status"], request["technician"], request["due_on"]) == (
        "scheduled",
        "stelios.tech",
        date(2026, 11, 5),
    )


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"kind": "placement", "asset_serial": "EQ-00051"}, {"asset_type", "asset_serial"}),
        (
            {"kind": "placement", "asset_type": "cooler", "new_location": "Μπαλκόνι"},
            {"new_location"},
        ),
        ({"kind": "relocation", "asset_serial": "EQ-00001"}, {"new_location"}),
        ({"kind": "repair", "asset_serial": "EQ-00001", "asset_type": "cooler"}, {"asset_type"}),
        ({"kind": "repair", "asset_serial": "cooler 7"}, {"asset_serial"}),
        ({"kind": "sale", "asset_type": "cooler"}, {"kind"}),
        ({"kind": "placement", "asset_type": "fridge"}, {"asset_type"}),
        ({"kind": "repair", "asset_serial": "EQ-00001", "customer_id": "1"}, {"customer_id"}),
        ({"kind": "repair", "asset_serial": "EQ-00001", "description": "broken"}, {"description"}),
    ],
)
def test_a_bad_request_is_refused_by_field_and_starts_nothing(crm, data, fields):
    form = {"customer_id": 1, "description": "Asked by the owner on today's visit", **data}
    with pytest.raises(InvalidTaskData) as refused:
        crm.start(PROCESS, "giorgos.bd", **form)
    assert set(refused.value.errors) == fields
    assert crm.rows(select(service_requests)) == []


def test_a_decision_needs_a_reason(crm):
    instance = requested(crm, "placement", a_customer(crm, "A"), asset_type="cooler")
    with pytest.raises(InvalidTaskData) as refused:
        crm.complete(instance, "decide", "alexandra.tm", decision="maybe", reason="")
    assert set(refused.value.errors) == {"decision", "reason"}
    with pytest.raises(RaciRefusal):  # only trade marketing decides
        crm.complete(
            instance, "decide", "giorgos.bd", decision="approve", reason="My best customer"
        )
    assert service_request(crm, instance)["status"] == "requested"


def test_cancelling_a_repair_cancels_the_request_and_puts_the_asset_back_in_service(crm):
    broken = placed(crm)[0]
    instance = requested(crm, "repair", broken["customer_id"], asset_serial=broken["serial"])
    assert asset(crm, broken["serial"])["status"] == "in_repair"

    crm.engine.cancel(instance, user="lena.owner", reason="it works again after a restart")

    request = service_request(crm, instance)
    assert request["status"] == "cancelled"
    assert "it works again after a restart" in request["notes"]
    assert asset(crm, broken["serial"])["status"] == "placed"
    again = requested(crm, "repair", broken["customer_id"], asset_serial=broken["serial"])
    assert service_request(crm, again)["status"] == "requested"  # the asset is free again


# A signature covers exactly what was signed (issue 10).


def failed_after_signoff(crm) -> tuple[str, str]:
    """A placement signed off with the serial of an asset placed elsewhere meanwhile: the
    step after fails."""
    customer = a_customer(crm, "A")
    instance = requested(crm, "placement", customer, asset_type="cooler")
    decided(crm, instance)
    scheduled(crm, instance)
    taken = in_stock(crm, "cooler")
    worked_as_it_is_taken(crm, instance, taken)
    assert crm.instance(instance)["status"] == InstanceStatus.ERROR
    return instance, taken


def test_a_retry_changing_the_signed_serial_waits_for_a_new_signature(crm):
    instance, signed_serial = failed_after_signoff(crm)
    before = all_assets(crm)
    cooler = in_stock(crm, "cooler")

    crm.engine.retry(instance, user="admin", data={"serial": cooler})

    assert all_assets(crm) == before  # the business effect waits for the signature
    assert service_request(crm, instance)["asset_serial"] is None
    [voided] = audit(crm, instance, "signoff_voided")
    assert voided["actor"] == "admin"
    assert voided["details"]["changes"] == {"serial": [signed_serial, cooler]}
    [first] = signoffs_of_work(crm, instance)
    assert voided["details"]["signed_digest"] == first["details"]["digest"]
    with pytest.raises(InvalidState, match="waits for a new sign-off"):
        crm.engine.retry(instance, user="admin")  # no way round the signature
    with pytest.raises(RaciRefusal):
        crm.approve(instance, "work", "admin")  # the one who changed it cannot sign it
    assert crm.engine.task_data(crm.awaiting_signoff(instance, "work"))  # its page shows the case

    crm.approve(instance, "work", "irini.service")

    assert crm.instance(instance)["status"] == InstanceStatus.COMPLETED
    assert asset(crm, cooler)["status"] == "placed"
    second = signoffs_of_work(crm, instance)[-1]
    assert second["details"]["digest"] == digest({**signed_data(crm, instance), "serial": cooler})
    assert second["details"]["digest"] == voided["details"]["digest"]


def test_a_rejected_change_leaves_the_earlier_signature_and_the_error(crm):
    instance, signed_serial = failed_after_signoff(crm)
    crm.engine.retry(instance, user="admin", data={"serial": in_stock(crm, "cooler")})

    crm.reject(instance, "work", "irini.service", reason="the technician must confirm the plate")

    assert crm.instance(instance)["status"] == InstanceStatus.ERROR
    assert signed_data(crm, instance)["serial"] == signed_serial
    assert crm.open_elements(instance) == []


def test_a_retry_without_changing_signed_data_runs_at_once(crm):
    instance, signed_serial = failed_after_signoff(crm)
    with crm.engine.uow() as uow:  # the asset is brought back to stock (a master-data fix)
        uow.session.execute(
            assets.update()
            .where(assets.c.serial == signed_serial)
            .values(status="in_stock", customer_id=None, location="Αποθήκη ATH")
        )
        uow.commit()

    done = crm.engine.retry(instance, user="admin", data={"serial": signed_serial})

    assert done.status == InstanceStatus.COMPLETED
    assert audit(crm, instance, "signoff_voided") == []
    assert asset(crm, signed_serial)["status"] == "placed"


def audit(crm, instance: str, action: str) -> list[dict]:
    return views.audit_events(crm.engine.uow(), instance_id=instance, action=action)


def signoffs_of_work(crm, instance: str) -> list[dict]:
    return [e for e in audit(crm, instance, "approve") if e["details"]["element"] == "work"]


def signed_data(crm, instance: str) -> dict:
    with crm.engine.uow() as uow:
        return uow.session.scalars(
            select(HumanTask.submitted_data).where(
                HumanTask.instance_id == instance, HumanTask.spec_id == "work"
            )
        ).one()
