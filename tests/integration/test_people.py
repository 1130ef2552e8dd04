"""People commands through the service layer: own password, deputies, user admin, reassign.

Each act is one audit event on the hash chain; each refusal changes nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from engine import build_engine, views
from engine.clock import FakeClock
from engine.errors import InvalidState, NotAllowed, NotFound, PeopleInvalid, PeopleRefused
from engine.governance import RaciRefusal
from raci.directory import Deputy, Directory, Role, User
from tests.integration.test_raci_enforcement import governed_files, requested

PASSWORD = "correct horse battery"
ADMIN = "ada"
GOVERNED = Path(__file__).parent.parent / "fixtures" / "governed"
ROLES = ("credit_controller", "finance_manager", "auditor", "admin", "process_owner")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 6, 1, 9, 0, tzinfo=UTC))


def person(username: str, *roles: str, active: bool = True) -> User:
    return User(username, username.title(), f"{username}@example.com", active, frozenset(roles))


@pytest.fixture
def engine(database_url, clock):
    engine = build_engine(database_url, clock=clock)
    users = [
        person("carol", "credit_controller"),
        person("kostas", "credit_controller"),
        person("fiona", "finance_manager"),
        person("fotis", "auditor"),
        person("lena", "process_owner"),
        person("ada", "admin"),
        person("gone", "credit_controller", active=False),
    ]
    engine.import_directory(
        Directory(users={u.username: u for u in users}, roles={r: Role(r) for r in ROLES}),
        user="ada",
    )
    for user in users:
        engine.set_password(user.username, PASSWORD, by="ada")
    return engine


def actions(engine) -> list[str]:
    return [e["action"] for e in views.audit_events(engine.uow())]


def chain_is_intact(engine) -> bool:
    return engine.verify_audit().ok


# --- one's own password -----------------------------------------------------------------


def test_a_user_changes_their_password_with_the_current_one_and_other_sessions_end(engine):
    generation = engine.session_generation("carol")
    engine.change_password("carol", current=PASSWORD, new="a new 2nd password")

    assert engine.authenticate("carol", "a new 2nd password")
    assert not engine.authenticate("carol", PASSWORD)
    assert engine.session_generation("carol") > generation
    [event] = views.audit_events(engine.uow(), action="password_changed")
    assert event["actor"] == "carol" and event["details"]["user"] == "carol"
    assert "a new 2nd password" not in str(event)
    assert chain_is_intact(engine)


def test_a_wrong_current_password_is_refused_and_changes_nothing(engine):
    before = actions(engine)
    with pytest.raises(PeopleRefused, match="current password is wrong"):
        engine.change_password("carol", current="not my password", new="a new 2nd password")
    assert engine.authenticate("carol", PASSWORD)
    assert actions(engine) == before


@pytest.mark.parametrize(
    ("new", "problem"),
    [
        ("short 1", "at least 10"),
        ("onlyletterslong", "two kinds"),
        ("carol-is-my-name", "username"),
        (PASSWORD, "differ"),
    ],
)
def test_a_weak_new_password_is_refused(engine, new, problem):
    with pytest.raises(PeopleInvalid, match=problem):
        engine.change_password("carol", current=PASSWORD, new=new)
    assert engine.authenticate("carol", PASSWORD)


# --- deputies ---------------------------------------------------------------------------


def test_a_user_sets_a_deputy_for_dates_who_then_acts_for_them_only_then(engine):
    deputy_id = engine.set_deputy(
        "fiona", "kostas", starts=date(2026, 6, 10), ends=date(2026, 6, 20)
    )
    directory = engine.directory()
    assert directory.acting_roles("kostas", date(2026, 6, 15)) >= {"finance_manager"}
    assert "finance_manager" not in directory.acting_roles("kostas", date(2026, 6, 21))
    [event] = views.audit_events(engine.uow(), action="deputy_set")
    assert event["actor"] == "fiona"
    assert event["details"] == {
        "principal": "fiona",
        "deputy": "kostas",
        "starts": "2026-06-10",
        "ends": "2026-06-20",
    }
    assert [d["deputy"] for d in engine.account("fiona").deputies] == ["kostas"]

    engine.remove_deputy("fiona", deputy_id)
    assert engine.account("fiona").deputies == []
    assert "deputy_removed" in actions(engine)
    assert chain_is_intact(engine)


def test_an_admin_covers_someone_absent_and_nobody_else_may(engine):
    starts, ends = date(2026, 6, 10), date(2026, 6, 20)
    with pytest.raises(NotAllowed):  # a colleague may not name fiona's deputy
        engine.set_deputy("fiona", "kostas", starts=starts, ends=ends, by="kostas")
    assert engine.account("fiona").deputies == []
    deputy_id = engine.set_deputy("fiona", "kostas", starts=starts, ends=ends, by=ADMIN)
    [event] = views.audit_events(engine.uow(), action="deputy_set")
    assert (event["actor"], event["details"]["principal"]) == (ADMIN, "fiona")
    with pytest.raises(NotAllowed):
        engine.remove_deputy("fiona", deputy_id, by="kostas")
    engine.remove_deputy("fiona", deputy_id, by=ADMIN)
    assert engine.account("fiona").deputies == []


@pytest.mark.parametrize(
    ("principal", "deputy", "problem"),
    [
        ("fiona", "fotis", "auditor"),  # segregation of duties
        ("fiona", "fiona", "their own deputy"),
        ("fiona", "gone", "not an active user"),
        ("fiona", "nobody", "not an active user"),
        ("fiona", "lena", "no working role"),  # a process owner does no process work
        ("fiona", "ada", "no working role"),
        ("fotis", "carol", "auditor's role"),
    ],
)
def test_an_ineligible_deputy_is_refused_and_nothing_is_stored(engine, principal, deputy, problem):
    before = actions(engine)
    with pytest.raises(PeopleInvalid, match=problem):
        engine.set_deputy(principal, deputy, starts=date(2026, 6, 10), ends=date(2026, 6, 20))
    assert engine.directory().deputies == ()
    assert actions(engine) == before


def test_the_deputy_choices_are_the_eligible_users_only(engine):
    assert [u.username for u in engine.deputy_choices("fiona")] == ["carol", "kostas"]


@pytest.mark.parametrize(
    ("starts", "ends", "problem"),
    [
        (date(2026, 6, 20), date(2026, 6, 10), "before the first"),
        (date(2026, 5, 1), date(2026, 5, 31), "over already"),
        (date(2026, 6, 1), date(2027, 6, 30), "at most"),
        (date(2026, 6, 15), date(2026, 6, 25), "deputy is named already"),
    ],
)
def test_a_bad_period_is_refused(engine, starts, ends, problem):
    engine.set_deputy("fiona", "kostas", starts=date(2026, 6, 10), ends=date(2026, 6, 20))
    with pytest.raises(PeopleInvalid, match=problem):
        engine.set_deputy("fiona", "carol", starts=starts, ends=ends)
    assert len(engine.directory().deputies) == 1


def test_nobody_removes_someone_elses_deputy(engine):
    deputy_id = engine.set_deputy(
        "fiona", "kostas", starts=date(2026, 6, 10), ends=date(2026, 6, 20)
    )
    with pytest.raises(NotFound):
        engine.remove_deputy("carol", deputy_id)
    assert len(engine.directory().deputies) == 1


# --- user administration ----------------------------------------------------------------


def test_an_admin_creates_a_user_who_must_change_the_one_time_password(engine):
    password = engine.create_user(
        "eva.cs", name="Εύα Κ.", email="eva@example.com", roles=["credit_controller"], by="ada"
    )
    assert engine.authenticate("eva.cs", password)
    assert engine.must_change_password("eva.cs")
    assert engine.directory().users["eva.cs"].roles == {"credit_controller"}
    [event] = views.audit_events(engine.uow(), action="user_created")
    assert event["actor"] == "ada" and password not in str(event)

    engine.change_password("eva.cs", current=password, new="my own 1st password")
    assert not engine.must_change_password("eva.cs")


def test_an_admin_changes_details_roles_and_deactivates(engine):
    engine.update_user("carol", name="Carol C.", email="", by="ada")
    engine.add_role("carol", "finance_manager", by="ada")
    engine.remove_role("carol", "credit_controller", by="ada")
    engine.set_user_active("carol", False, by="ada")

    carol = engine.directory().users["carol"]
    assert (carol.name, carol.email, carol.roles, carol.active) == (
        "Carol C.",
        None,
        {"finance_manager"},
        False,
    )
    assert not engine.authenticate("carol", PASSWORD)
    [changed] = views.audit_events(engine.uow(), action="user_changed")
    assert changed["details"]["changes"] == {
        "name": ["Carol", "Carol C."],
        "email": ["carol@example.com", None],
    }
    assert actions(engine)[-3:] == ["role_added", "role_removed", "user_deactivated"]
    engine.set_user_active("carol", True, by="ada")
    assert engine.authenticate("carol", PASSWORD)
    assert chain_is_intact(engine)


@pytest.mark.parametrize(
    "act",
    [
        lambda e: e.create_user("x.y", name="X", email=None, roles=[], by="carol"),
        lambda e: e.add_role("carol", "admin", by="carol"),
        lambda e: e.set_user_active("kostas", False, by="fotis"),
        lambda e: e.update_user("kostas", name="K", email=None, by="lena"),
        lambda e: e.find_users(by="carol"),
        lambda e: e.reset_password("kostas", by="carol"),
    ],
)
def test_only_an_admin_manages_users(engine, act):
    before = actions(engine)
    with pytest.raises(PeopleRefused, match="Only an administrator"):
        act(engine)
    assert actions(engine) == before
    assert not engine.directory().is_admin("carol")


def test_admin_refusals_keep_the_directory_whole(engine):
    with pytest.raises(PeopleInvalid, match="last active administrator"):
        engine.remove_role("ada", "admin", by="ada")
    with pytest.raises(PeopleInvalid, match="yourself"):
        engine.set_user_active("ada", False, by="ada")
    with pytest.raises(PeopleInvalid, match="taken"):
        engine.create_user("carol", name="C", email=None, roles=[], by="ada")
    with pytest.raises(PeopleInvalid, match="username"):
        engine.create_user("Bad Name!", name="C", email=None, roles=[], by="ada")
    with pytest.raises(PeopleInvalid, match="no role"):
        engine.add_role("carol", "wizard", by="ada")
    with pytest.raises(PeopleInvalid, match="e-mail"):
        engine.update_user("carol", name="Carol", email="not-an-address", by="ada")


def test_a_deputy_cannot_be_made_an_auditor(engine):
    engine.set_deputy("fiona", "kostas", starts=date(2026, 6, 10), ends=date(2026, 6, 20))
    with pytest.raises(PeopleInvalid, match="may not stand in"):
        engine.add_role("kostas", "auditor", by="ada")
    assert "auditor" not in engine.directory().users["kostas"].roles


def test_finding_users_ignores_case_and_accents(engine):
    engine.update_user("fiona", name="Φιόνα Οικονόμου", email=None, by="ada")
    assert [u.username for u in engine.find_users(by="ada", query="φιονα")] == ["fiona"]
    assert [u.username for u in engine.find_users(by="ada", query="KOST")] == ["kostas"]


# --- reassign ---------------------------------------------------------------------------


@pytest.fixture
def raci_engine(database_url, clock):
    from raci.directory_io import load_directory

    engine = build_engine(database_url, clock=clock)
    directory_file = GOVERNED / "directory.yaml"
    engine.import_directory(
        load_directory(directory_file.name, directory_file.read_bytes()), user="ada"
    )
    engine.deploy(governed_files(), user="owner")
    return engine


def test_reassign_choices_are_those_the_policy_lets_work_the_task(raci_engine):
    task = requested(raci_engine)  # analyse: R credit_controller (carol, frank; erin for frank)
    choices = [u.username for u in raci_engine.reassign_choices(task, user="carol")]
    assert choices == ["carol", "erin", "frank"]
    assert [u.username for u in raci_engine.reassign_choices(task, user="ada")] == choices
    raci_engine.reassign(task, user="ada", to="frank", reason="holiday cover")
    assert "frank" not in [u.username for u in raci_engine.reassign_choices(task, user="ada")]


def test_the_person_a_task_is_handed_to_is_told(raci_engine):
    """A task handed over landed in the new person's own work with no word to them."""
    task = requested(raci_engine)
    raci_engine.reassign(task, user="ada", to="frank", reason="holiday cover")
    [notice] = raci_engine.notifications("frank")
    assert notice.task_id == task and "handed to you" in notice.subject
    assert "holiday cover" in notice.body
    raci_engine.reassign(task, user="frank", to="frank")  # taking it oneself: no notice
    assert len(raci_engine.notifications("frank")) == 1


def test_who_may_not_reassign_gets_no_choices_but_a_refusal(raci_engine):
    task = requested(raci_engine)
    with pytest.raises(RaciRefusal):
        raci_engine.reassign_choices(task, user="sam")  # told (I), neither R nor A
    with pytest.raises(NotAllowed):
        raci_engine.reassign(task, user="sam", to="carol")


def test_the_supervisor_who_signs_the_work_also_shares_it_out(raci_engine):
    task = requested(raci_engine)
    choices = [u.username for u in raci_engine.reassign_choices(task, user="fiona")]  # A
    assert choices == ["carol", "erin", "frank"]
    raci_engine.reassign(task, user="fiona", to="carol", reason="Frank is away this week")
    assert views.task_detail(raci_engine.uow(), task)["assignee"] == "carol"


def test_a_directory_import_naming_an_auditor_as_deputy_is_refused(engine):
    directory = engine.directory()
    with_auditor = Directory(
        users=directory.users,
        roles=directory.roles,
        deputies=(Deputy("fotis", "fiona", date(2026, 6, 1), date(2026, 6, 30)),),
    )
    with pytest.raises(InvalidState, match="auditors may not be deputies: fotis"):
        engine.import_directory(with_auditor, user="ada")
    assert engine.directory().deputies == ()


def test_a_directory_import_giving_an_auditor_a_working_role_is_refused(engine):
    directory = engine.directory()
    fotis = directory.users["fotis"]
    working = replace(fotis, roles=fotis.roles | {"credit_controller"})
    with pytest.raises(InvalidState, match="auditors may not hold working roles: fotis"):
        engine.import_directory(
            Directory({**directory.users, "fotis": working}, directory.roles), user="ada"
        )
    assert engine.directory().users["fotis"].roles == fotis.roles


def test_the_deputy_choices_are_in_the_order_people_read_names(engine):
    """By code point, Άννα came before Αλεξάνδρα and Στέλιος before Σταύρος."""
    for username, name in (("carol", "Άννα Μιχαηλίδου"), ("kostas", "Αλεξάνδρα Νικολάου")):
        engine.update_user(username, name=name, email=None, by="ada")
    assert [u.name for u in engine.deputy_choices("fiona")] == [
        "Αλεξάνδρα Νικολάου",
        "Άννα Μιχαηλίδου",
    ]
