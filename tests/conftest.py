"""Shared fixtures: databases (SQLite always, PostgreSQL when configured), engines, clocks."""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import make_url, text

from engine import ServiceRegistry, SourceFile, build_engine
from engine.clock import FakeClock
from engine.database import make_engine, upgrade

# Test modules import these helpers before some of them name the module a plugin:
# rewrite its asserts on first import (else pytest warns that it cannot).
pytest.register_assert_rewrite("tests.e2e.staff_helpers")

FIXTURES = Path(__file__).parent / "fixtures"
BAD = Path(__file__).parent / "bad"
POSTGRES_URL = os.environ.get("RACIFLOW_TEST_POSTGRES_URL")


def wait_for(predicate: Callable[[], object], timeout: float = 30) -> None:
    """Wait until `predicate()` holds (what another process or thread does), or fail."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def fixture_files(*names: str) -> list[SourceFile]:
    return [SourceFile.read(FIXTURES / name) for name in names]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A migrated database of this test run's own on the configured server, made afresh
    for each test from a template migrated once (migrating for every test took most of
    the PostgreSQL tests' time), dropped afterwards.

    Several test runs (developers, CI) may share one server without seeing each
    other's tables.
    """
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests need RACIFLOW_TEST_POSTGRES_URL (set by .ci/run)")
    server = make_url(POSTGRES_URL)
    name = f"raciflow_test_{os.getpid()}"
    admin = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    for database in (name, f"{name}_template"):
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{database}"'))
    _migrated(server.set(database=f"{name}_template").render_as_string(hide_password=False))
    yield server.set(database=name).render_as_string(hide_password=False)
    for database in (name, f"{name}_template"):
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
    admin.dispose()


def _fresh_postgres(url: str) -> str:
    """The database of `url` dropped (ending the sessions a test before left open) and
    made again as a copy of its migrated template."""
    name = make_url(url).database
    admin = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{name}_template"'))
    admin.dispose()
    return url


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file each test's database is a copy of."""
    path = tmp_path_factory.mktemp("template") / "raciflow.sqlite"
    _migrated(f"sqlite:///{path}")
    with closing(sqlite3.connect(path)) as db:  # everything in the file the tests copy
        busy, _, _ = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    assert not busy, "the template's migration left a connection reading it"
    return path


def _fresh_sqlite(template: Path, tmp_path: Path) -> str:
    target = tmp_path / "raciflow.sqlite"
    shutil.copy2(template, target)  # with its owner-only permissions
    return f"sqlite:///{target}"


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database: SQLite, and PostgreSQL when configured."""
    if request.param == "postgres":
        yield _fresh_postgres(request.getfixturevalue("postgres_url"))
    else:
        yield _fresh_sqlite(request.getfixturevalue("migrated_sqlite"), tmp_path)


@pytest.fixture
def sqlite_url(migrated_sqlite: Path, tmp_path: Path) -> str:
    return _fresh_sqlite(migrated_sqlite, tmp_path)


def _migrated(url: str) -> str:
    db = make_engine(url)
    upgrade(db)
    db.dispose()
    return url


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


class FlakyAccount:
    """A service that fails until it is fixed, like a payment system that is down."""

    def __init__(self) -> None:
        self.up = False
        self.calls: list[int] = []

    def charge(self, amount: int) -> dict:
        self.calls.append(amount)
        if not self.up:
            raise ConnectionError("payment system unreachable")
        return {"charged": amount, "ok": True}


@pytest.fixture
def account() -> FlakyAccount:
    return FlakyAccount()


@pytest.fixture
def services(account: FlakyAccount) -> ServiceRegistry:
    registry = ServiceRegistry()
    registry.register("charge_account")(account.charge)
    return registry


@pytest.fixture
def engine(database_url: str, clock: FakeClock, services: ServiceRegistry):
    """An engine with every fixture process deployed."""
    process_engine = build_engine(database_url, services=services, clock=clock)
    process_engine.deploy(
        fixture_files(
            "approval.bpmn", "approval_level.dmn", "service_retry.bpmn", "timer_wait.bpmn"
        ),
        user="owner",
    )
    return process_engine
