"""The directory and the catalogue of versions are cached per process, never stale.

Two engines on one database stand for two processes (web workers, the CLI): a
change committed through either is seen by the other at its next transaction,
because every change raises a revision the cache is keyed by (engine/caches.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from engine import build_engine, views
from engine.clock import FakeClock
from raci.directory import Directory, Role, User
from tests.integration.test_raci_enforcement import governed_files

ROLES = ("bd", "credit_controller", "finance_manager", "sales_manager", "admin")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 6, 1, 9, 0, tzinfo=UTC))


def person(username: str, *roles: str) -> User:
    return User(username, username.title(), f"{username}@example.com", True, frozenset(roles))


def company(*extra: User) -> Directory:
    users = [
        person("ada", "admin"),
        person("bob", "bd"),
        person("carol", "credit_controller"),
        person("fiona", "finance_manager"),
        person("sam", "sales_manager"),
        *extra,
    ]
    return Directory(users={u.username: u for u in users}, roles={r: Role(r) for r in ROLES})


@pytest.fixture
def engines(database_url, clock):
    """Two engines (two processes' caches) on one database with the company in it."""
    first = build_engine(database_url, clock=clock)
    first.import_directory(company(), user="ada")
    return first, build_engine(database_url, clock=clock)


CHANGES = {
    "a new user": (
        lambda e: e.create_user("dora", name="Dora", email=None, roles=["bd"], by="ada"),
        lambda d: d.is_member("dora", "bd"),
    ),
    "a renamed user": (
        lambda e: e.update_user("bob", name="Robert", email=None, by="ada"),
        lambda d: d.users["bob"].name == "Robert",
    ),
    "a deactivated user": (
        lambda e: e.set_user_active("bob", False, by="ada"),
        lambda d: not d.is_active("bob"),
    ),
    "a role given": (
        lambda e: e.add_role("sam", "bd", by="ada"),
        lambda d: d.is_member("sam", "bd"),
    ),
    "a role taken away": (
        lambda e: e.remove_role("carol", "credit_controller", by="ada"),
        lambda d: not d.is_member("carol", "credit_controller"),
    ),
    "a deputy named": (
        lambda e: e.set_deputy("fiona", "carol", starts=date(2026, 6, 1), ends=date(2026, 6, 30)),
        lambda d: "finance_manager" in d.acting_roles("carol", date(2026, 6, 2)),
    ),
    "a directory imported": (
        lambda e: e.import_directory(company(person("eve", "bd")), user="ada"),
        lambda d: d.is_member("eve", "bd"),
    ),
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_directory_change_in_one_process_is_seen_by_another(engines, change):
    reader, writer = engines
    act, seen = CHANGES[change]
    assert not seen(reader.directory())  # cached by the reader now

    act(writer)

    assert seen(reader.directory())
    assert seen(writer.directory())


def test_a_deputy_removed_in_one_process_is_seen_by_another(engines):
    reader, writer = engines
    deputy_id = writer.set_deputy("fiona", "carol", starts=date(2026, 6, 1), ends=date(2026, 6, 30))
    assert "finance_manager" in reader.directory().acting_roles("carol", date(2026, 6, 2))

    writer.remove_deputy("fiona", deputy_id)

    assert "finance_manager" not in reader.directory().acting_roles("carol", date(2026, 6, 2))


def test_a_role_taken_away_stops_work_in_the_other_process_at_once(engines):
    reader, writer = engines
    reader.deploy(governed_files(), user="ada")
    started = reader.start("credit_change", user="bob", data={})
    [request] = started.ready_tasks
    analyse = reader.complete(request, user="bob", data={"new_limit": 5}).ready_tasks[0]
    assert analyse in open_for(reader, "carol")

    writer.remove_role("carol", "credit_controller", by="ada")

    assert analyse not in open_for(reader, "carol")


def open_for(engine, user: str) -> list[str]:
    return [t["id"] for t in views.open_tasks(engine.uow(), user=user, limit=50)]


def test_a_deploy_in_one_process_is_the_latest_version_in_another(engines):
    reader, writer = engines
    reader.deploy(governed_files(), user="ada")
    assert reader.start("credit_change", user="bob", data={}).version == 1
    assert reader.matrix("credit_change")[0] == 1

    matrix = governed_files()[1].content.decode().replace("R/A,,,I", "R/A,,,")
    writer.deploy(governed_files(matrix), user="ada")

    assert reader.start("credit_change", user="bob", data={}).version == 2
    number, deployed = reader.matrix("credit_change")
    assert number == 2 and deployed.row_for("request").informed == []
    assert reader.matrix("credit_change", 1)[1].row_for("request").informed == ["sales_manager"]


def test_a_change_rolled_back_is_never_cached(engines):
    reader, writer = engines
    with reader.uow() as uow:
        uow.directory.add_user(person("ghost", "bd"))
        assert "ghost" in uow.directory.load().users  # its own transaction sees it
        # left without commit: rolled back

    assert "ghost" not in reader.directory().users
    writer.create_user("dora", name="Dora", email=None, roles=["bd"], by="ada")
    assert {"dora", "ghost"} & set(reader.directory().users) == {"dora"}
