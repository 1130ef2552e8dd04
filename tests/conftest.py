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
from sqlalchemy import Engine, make_url, text

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
def postgres_admin() -> Iterator[Engine]:
    """A connection to the configured server that creates and drops this run's databases."""
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests need RACIFLOW_TEST_POSTGRES_URL (set by .ci/run)")
    admin = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    yield admin
    admin.dispose()


@pytest.fixture(scope="session")
def postgres_url(postgres_admin: Engine) -> Iterator[str]:
    """A database of this test run's own on the configured server, made afresh for each
    test (`database_url`) from a template migrated once, and dropped afterwards.

    Several test runs (developers, CI) may share one server without seeing each
    other's tables. Migrating for every test took most of the database tests' time.
    """
    server = make_url(POSTGRES_URL)
    name = f"raciflow_test_{os.getpid()}"
    names = (name, f"{name}_template")
    with postgres_admin.connect() as conn:
        for database in names:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{database}"'))
    _migrated(server.set(database=names[1]).render_as_string(hide_password=False))
    yield server.set(database=name).render_as_string(hide_password=False)
    with postgres_admin.connect() as conn:
        for database in names:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))


def _fresh_postgres(admin: Engine, url: str) -> str:
    """`url`'s database dropped (ending any session a test before left open) and made
    again as a copy of its migrated template."""
    name = make_url(url).database
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{name}_template"'))
    return url


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database in one self-contained file, which each test copies.

    SQLite's backup API writes it from a migrated database: a consistent copy of that
    database's file and write-ahead log even while a connection (the migration's WAL
    checkpointer thread) still has it open, so copying the file needs nothing else.
    """
    folder = tmp_path_factory.mktemp("template")
    migrated = folder / "migrated.sqlite"
    _migrated(f"sqlite:///{migrated}")
    template = folder / "raciflow.sqlite"
    template.touch(mode=0o600)  # as the product makes its database: owner-only
    with closing(sqlite3.connect(migrated)) as source, closing(sqlite3.connect(template)) as copy:
        source.backup(copy)
    assert not template.with_name(template.name + "-wal").exists(), "not self-contained"
    return template


def _fresh_sqlite(template: Path, folder: Path) -> str:
    database = folder / "raciflow.sqlite"
    shutil.copy2(template, database)
    return f"sqlite:///{database}"


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, migrated database: SQLite, and PostgreSQL when configured."""
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
        return _fresh_postgres(request.getfixturevalue("postgres_admin"), url)
    return _fresh_sqlite(request.getfixturevalue("migrated_sqlite"), tmp_path)


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
