"""Shared fixtures: databases (SQLite always, PostgreSQL when configured), engines, clocks."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
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


def _reset_postgres(url: str) -> None:
    db = make_engine(url)
    with db.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    db.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of this test run's own on the configured server, dropped afterwards.

    Several test runs (developers, CI) may share one server without seeing each
    other's tables.
    """
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests need RACIFLOW_TEST_POSTGRES_URL (set by .ci/run)")
    server = make_url(POSTGRES_URL)
    name = f"raciflow_test_{os.getpid()}"
    admin = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database: SQLite, and PostgreSQL when configured."""
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
        _reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path / 'raciflow.sqlite'}"
    yield _migrated(url)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return _migrated(f"sqlite:///{tmp_path / 'raciflow.sqlite'}")


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
