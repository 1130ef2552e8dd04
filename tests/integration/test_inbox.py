"""The inbox read model on SQLite and PostgreSQL: sections read from the role index.

A user's queue merges one branch per role they act for; these tests pin down what
that merge must keep: inbox order across roles, one row per task however many of
the user's roles reach it, correct deep pages, and role rows that follow their task
through claims, releases, sign-off and rework.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert

from engine import ProcessEngine, ServiceRegistry, SourceFile, build_engine
from engine.clock import FakeClock
from engine.views import inbox
from engine.views.inbox import inbox_counts, inbox_page, opening_section
from engine.views.inbox_sections import InboxQuery
from raci.directory_io import load_directory
from workflows.customer_search import CASES_BY_CUSTOMER_NAME
from workflows.tables import customers

FIXTURES = Path(__file__).parent.parent / "fixtures"
GOVERNED = FIXTURES / "governed"
# Frank holds credit_controller and finance_manager: both are R on the analysis.
MATRIX = """activity,bd,credit_controller,finance_manager,sales_manager,@self_approval,@signoff_due
request,R/A,,,I,yes,
analyse,,R,R,A,,P1D
"""
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


def rushed(process_id: str, data: dict) -> dict | None:
    """The deployment's summary: a case started with {"rush": true} is urgent."""
    return {"urgent": True} if data.get("rush") is True else None


@pytest.fixture
def engine(database_url: str, clock: FakeClock) -> ProcessEngine:
    services = ServiceRegistry()
    services.summarise_with(rushed)
    engine = build_engine(database_url, clock=clock, services=services)
    directory = GOVERNED / "directory.yaml"
    engine.import_directory(load_directory(directory.name, directory.read_bytes()), user="ada")
    engine.deploy(
        [
            SourceFile.read(GOVERNED / "credit_change.bpmn"),
            SourceFile("credit_change.raci.csv", MATRIX.encode()),
            SourceFile.read(FIXTURES / "approval.bpmn"),  # no matrix: anyone's work
            SourceFile.read(FIXTURES / "approval_level.dmn"),
        ],
        user="owner",
    )
    return engine


def analysis(engine: ProcessEngine, customer: str, due_in_hours: float | None) -> str:
    """Bob asks for a new limit for `customer`; the analysis is due in so many hours."""
    started = engine.start("credit_change", user="bob", business_key=customer)
    state = engine.complete(started.ready_tasks[0], user="bob", data={"new_limit": 9000})
    [analyse] = state.ready_tasks
    set_due(engine, analyse, due_in_hours)
    return analyse


def set_due(engine: ProcessEngine, task_id: str, hours: float | None) -> None:
    with engine.uow() as uow:
        uow.tasks.get(task_id).due_at = None if hours is None else NOW + timedelta(hours=hours)
        uow.commit()


def ungoverned(engine: ProcessEngine, due_in_hours: float, *, rush: bool = False) -> str:
    [request] = engine.start("approval", user="bob", data={"rush": rush}).ready_tasks
    set_due(engine, request, due_in_hours)
    return request


def ids(page: dict) -> list[str]:
    return [item["id"] for item in page["items"]]


def queue(engine: ProcessEngine, user: str, **options: object) -> dict:
    return inbox_page(engine.uow(), user, InboxQuery(section="queue", **options))


def test_a_queue_merges_its_roles_in_due_order_listing_each_task_once(engine, clock):
    late = analysis(engine, "C-1", -5)
    clock.advance(timedelta(minutes=1))
    soon = analysis(engine, "C-2", 2)
    clock.advance(timedelta(minutes=1))
    undated = analysis(engine, "C-3", None)
    clock.advance(timedelta(minutes=1))
    anyones = ungoverned(engine, 30, rush=True)
    clock.advance(timedelta(minutes=1))
    later = analysis(engine, "C-4", 1)

    frank = queue(engine, "frank")  # R through both of his roles, and ungoverned work
    # The urgent case is due at once (when it came in), though its deadline is 30 hours
    # away: after the work overdue since before it, ahead of all that is not.
    assert ids(frank) == [late, anyones, later, soon, undated]
    assert frank["total"] == 5
    assert ids(queue(engine, "carol")) == ids(frank)  # one role reaches the same work
    assert ids(queue(engine, "sam")) == [anyones]  # sales is only A and I on analyses
    assert inbox_counts(engine.uow(), "frank")["queue"] == 5

    assert ids(queue(engine, "frank", sort="created")) == [late, soon, undated, anyones, later]
    assert ids(queue(engine, "frank", sort="newest"))[0] == later
    assert [item["urgent"] for item in frank["items"]] == [False, True, False, False, False]
    assert ids(queue(engine, "frank", due="overdue")) == [late]
    assert ids(queue(engine, "frank", customer="c-2")) == [soon]
    assert ids(queue(engine, "frank", process_id="approval")) == [anyones]
    urgent_first = queue(engine, "frank", sort="priority")  # the urgent case, then by due
    assert ids(urgent_first) == [anyones, late, later, soon, undated]


def test_deep_pages_of_a_merged_queue_are_exact(engine):
    tasks = [analysis(engine, f"C-{n}", hours) for n, hours in enumerate((7, 3, 9, 1, 5))]
    tasks += [ungoverned(engine, hours) for hours in (2, 8, 4, 6)]
    in_due_order = ids(queue(engine, "frank", limit=100))
    assert len(in_due_order) == len(set(in_due_order)) == 9

    pages = [ids(queue(engine, "frank", limit=2, offset=offset)) for offset in range(0, 10, 2)]
    assert [task for page in pages for task in page] == in_due_order
    assert queue(engine, "frank", limit=2, offset=4)["total"] == 9


def test_counts_stop_at_the_cap(engine, monkeypatch):
    monkeypatch.setattr(inbox, "COUNT_CAP", 3)
    for n in range(5):
        analysis(engine, f"C-{n}", n)
    assert queue(engine, "frank")["total"] == 3
    assert len(ids(queue(engine, "frank"))) == 5  # the page itself is not capped
    assert inbox_counts(engine.uow(), "carol")["queue"] == 3


def test_role_rows_follow_their_task_through_claim_signoff_and_rework(engine):
    task = analysis(engine, "C-1", 4)
    other = analysis(engine, "C-2", 8)

    engine.claim(task, user="carol")
    assert ids(queue(engine, "frank")) == [other]  # claimed: out of everyone's queue
    mine = inbox_page(engine.uow(), "carol", InboxQuery(section="mine"))
    assert ids(mine) == [task]
    engine.release(task, user="carol")
    assert ids(queue(engine, "frank")) == [task, other]

    engine.complete(task, user="carol", data={"recommendation": "approve"})
    assert ids(queue(engine, "frank")) == [other]
    signoffs = inbox_page(engine.uow(), "sam", InboxQuery(section="signoffs"))
    assert ids(signoffs) == [task]
    assert signoffs["items"][0]["due"] == (NOW + timedelta(days=1)).isoformat()
    assert inbox_counts(engine.uow(), "sam")["signoffs"] == 1

    engine.reject(task, user="sam", reason="check the payment history")
    assert inbox_page(engine.uow(), "sam", InboxQuery(section="signoffs"))["items"] == []
    reworked = inbox_page(engine.uow(), "carol", InboxQuery(section="mine"))
    assert ids(reworked) == [task]  # back to its performer, for rework
    assert ids(queue(engine, "frank")) == [other]


def test_deputies_see_their_principals_queue_and_others_only_ungoverned_work(engine):
    task = analysis(engine, "C-1", 1)
    anyones = ungoverned(engine, 2)
    assert ids(queue(engine, "dave")) == [task, anyones]  # standing in for fiona (R)
    assert ids(queue(engine, "ada")) == [anyones]  # an administrator has no part in it
    assert inbox_page(engine.uow(), "ada", InboxQuery(section="signoffs"))["items"] == []


def add_customer(engine: ProcessEngine, customer_id: int, code: str, name: str) -> None:
    """A customer row, as the CRM writes it (its folded name is set on insert)."""
    with engine.uow() as uow:
        uow.session.execute(
            insert(customers).values(
                id=customer_id,
                code=code,
                name=name,
                afm=f"{customer_id:09d}",
                segment="B",
                status="active",
                visit_frequency=2,
                average_order_value=300,
                credit_limit=5000,
                exposure=0,
                overdue_balance=0,
                overdue_days=0,
                payment_terms_days=30,
                created_at=NOW,
            )
        )
        uow.commit()


def by_customer(engine: ProcessEngine, text: str) -> list[str]:
    return ids(queue(engine, "frank", customer=text, key_search=CASES_BY_CUSTOMER_NAME))


def test_the_customer_filter_finds_a_name_however_it_is_typed(engine):
    add_customer(engine, 1, "C00001", "Ταβέρνα «Ο Μπάμπης» Ο.Ε.")
    add_customer(engine, 2, "C00002", "ΚΑΦΕΝΕΙΟ ΠΑΠΑΔΟΠΟΥΛΟΣ")
    tavern, cafe = analysis(engine, "C00001", 1), analysis(engine, "C00002", 2)

    for typed in ("ταβερνα", "ΤΑΒΕΡΝΑ", "Ταβέρνα", "μπάμπης", "  ταβέρνα ο μπαμπης "):
        assert by_customer(engine, typed) == [tavern], typed
    assert by_customer(engine, "καφενείο παπαδόπουλος") == [cafe]
    assert by_customer(engine, "c00002") == [cafe]  # the code still works
    assert by_customer(engine, "C0000") == [tavern, cafe]
    assert by_customer(engine, "ο") == [tavern, cafe]  # part of both names
    for nothing in ("σουβλάκι", "%", "_", "\\", "' OR 1=1 --"):
        assert by_customer(engine, nothing) == [], nothing
    found = queue(engine, "frank", customer="ταβερνα", key_search=CASES_BY_CUSTOMER_NAME)
    assert found["total"] == 1
    mine = inbox_page(
        engine.uow(),
        "frank",
        InboxQuery(section="mine", customer="ΤΑΒΕΡΝΑ", key_search=CASES_BY_CUSTOMER_NAME),
    )
    assert ids(mine) == []  # nothing claimed yet: the filter narrows, never widens
    engine.claim(tavern, user="frank")
    mine = inbox_page(
        engine.uow(),
        "frank",
        InboxQuery(section="mine", customer="ΤΑΒΕΡΝΑ", key_search=CASES_BY_CUSTOMER_NAME),
    )
    assert ids(mine) == [tavern]


def test_an_inbox_opens_on_the_first_section_holding_work(engine):
    def opening(user: str) -> str:
        return opening_section(inbox_counts(engine.uow(), user))

    assert opening("frank") == "mine"  # nothing anywhere: the first tab
    task = analysis(engine, "C-1", 4)
    assert opening("frank") == "queue"  # nothing claimed, work waiting for his roles
    engine.claim(task, user="carol")
    assert opening("frank") == "mine" and opening("carol") == "mine"
    engine.complete(task, user="carol", data={"recommendation": "approve"})
    assert opening("sam") == "signoffs"  # A on the analysis
    engine.reject(task, user="sam", reason="check the payment history")
    assert opening("carol") == "mine"  # sent back to its performer, for rework
    assert opening("sam") != "signoffs"


def test_the_opening_section_follows_the_tab_order():
    assert opening_section({}) == "mine"
    assert opening_section({"mine": 0, "queue": 0, "signoffs": 2, "consultations": 1}) == (
        "signoffs"
    )
    assert opening_section({"consultations": 1, "notifications": 4}) == "consultations"
    assert opening_section({"notifications": 4}) == "notifications"


def test_work_waiting_for_a_signoff_without_a_deadline_of_its_own_keeps_the_works(engine, clock):
    """An emergency's two hours read '—' once its work waited for a signature."""
    task = analysis(engine, "C-1", 2)
    engine.complete(task, user="carol", data={"recommendation": "raise"})
    with engine.uow() as uow:  # an activity whose matrix gives the sign-off no deadline
        uow.tasks.get(task).signoff_due_at = None
        uow.commit()

    [item] = inbox_page(engine.uow(), "sam", InboxQuery(section="signoffs"))["items"]
    assert item["due"] == (NOW + timedelta(hours=2)).isoformat()
    assert not item["overdue"]
    clock.advance(timedelta(hours=3))
    overdue = inbox_page(engine.uow(), "sam", InboxQuery(section="signoffs", due="overdue"))
    assert ids(overdue) == [task]


def test_the_signoff_list_puts_first_the_signature_due_first_not_the_work(engine, clock):
    """A sign-off is due by its own deadline (a day after the work was handed in here),
    whatever the work's was: the row's due key follows the task into the sign-off."""
    handed_in_late = analysis(engine, "C-1", 1)  # its work was due first...
    clock.advance(timedelta(minutes=1))
    handed_in_now = analysis(engine, "C-2", 10)
    engine.complete(handed_in_now, user="carol", data={"recommendation": "raise"})
    clock.advance(timedelta(hours=5))
    engine.complete(handed_in_late, user="carol", data={"recommendation": "raise"})

    # ...its signature is due five hours after the other's
    signoffs = inbox_page(engine.uow(), "sam", InboxQuery(section="signoffs"))
    assert ids(signoffs) == [handed_in_now, handed_in_late]
    oldest = inbox_page(engine.uow(), "sam", InboxQuery(section="signoffs", sort="created"))
    assert ids(oldest) == [handed_in_late, handed_in_now]


def test_an_emergencys_signature_comes_before_routine_ones_due_as_soon(engine, clock):
    """A signature's window is the same for every case: four came due within a minute,
    and the emergency's, handed in last, was listed last. It is due at once."""
    routine = analysis(engine, "C-1", 1)
    started = engine.start("credit_change", user="bob", business_key="C-9", data={"rush": True})
    [analyse] = engine.complete(
        started.ready_tasks[0], user="bob", data={"new_limit": 9000}
    ).ready_tasks
    engine.complete(routine, user="carol", data={"recommendation": "raise"})
    clock.advance(timedelta(minutes=1))
    engine.complete(analyse, user="carol", data={"recommendation": "raise"})

    signoffs = inbox_page(engine.uow(), "sam", InboxQuery(section="signoffs"))
    assert ids(signoffs) == [analyse, routine]
    assert [item["urgent"] for item in signoffs["items"]] == [True, False]
