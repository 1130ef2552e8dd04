"""What the staff page tests share: the demo company on a web app, signed-in clients, steps.

The database (demo directory and data, credit limit change deployed, passwords)
is built once per test session and copied for each test, so that every test
starts from the same state without paying for it again.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text, update

from engine import SourceFile, views
from engine.database import make_engine, upgrade
from web import create_app
from web.config import Settings
from workflows.customers import get_customer
from workflows.demo import DEMO_PASSWORD, demo_directory, load_data
from workflows.tables import stock

__all__ = ["DEMO_PASSWORD"]

ROOT = Path(__file__).resolve().parents[2]
PROCESS = "credit_limit_change"
CUSTOMER = 150  # a C-segment customer: small increases are signed by a credit controller
USERS = (
    "giorgos.bd",
    "eleni.bd",
    "anna.credit",
    "kostas.credit",
    "vasso.finance",
    "petros.cfo",
    "christina.sales",
    "thanasis.tech",
    "katerina.call",
    "fotis.audit",
    "admin",
)
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _settings(folder: Path) -> Settings:
    return Settings.from_env(
        {
            "RACIFLOW_INSTANCE_DIR": str(folder),
            "RACIFLOW_SECRET_KEY": "test",
            "RACIFLOW_ENV": "development",
        }
    )


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file with the demo company and the credit limit change process."""
    folder = tmp_path_factory.mktemp("staff-template")
    settings = _settings(folder)
    upgrade(make_engine(settings.database_url))
    engine = create_app(settings).extensions["raciflow"]
    engine.import_directory(demo_directory(), user="admin")
    load_data(engine)
    files = [SourceFile.read(path) for path in sorted((ROOT / "bpmn").glob(f"{PROCESS}.*"))]
    engine.deploy(files, user="lena.owner")
    for username in USERS:
        engine.set_password(username, DEMO_PASSWORD, by="admin")
        engine.set_locale(username, "en")  # the tests read the English pages
    return folder / "raciflow.sqlite"


@pytest.fixture
def web_app(demo_database: Path, tmp_path: Path) -> Flask:
    """The web app on a fresh copy of the demo database."""
    # Many sign-ins from one address in a few seconds: the login rate limit is not under test.
    return _demo_app(demo_database, tmp_path, rate_limits=False)


@pytest.fixture
def rate_limited_web_app(demo_database: Path, tmp_path: Path) -> Flask:
    """The web app on a fresh copy of the demo database, its rate limits on."""
    return _demo_app(demo_database, tmp_path, rate_limits=True)


def _demo_app(demo_database: Path, folder: Path, *, rate_limits: bool) -> Flask:
    # SQLite's backup: what is still in the WAL included, and consistent while the
    # template's engine may still be checkpointing (engine/wal_checkpoints.py).
    with (
        sqlite3.connect(demo_database) as source,
        sqlite3.connect(folder / "raciflow.sqlite") as copy,
    ):
        source.backup(copy)
    return create_app(_settings(folder), test_config={"RATELIMIT_ENABLED": rate_limits})


@pytest.fixture
def crm(web_app: Flask) -> Any:
    """The process engine behind `web_app`."""
    return web_app.extensions["raciflow"]


class Staff:
    """A signed-in person using the pages: every POST carries their CSRF token."""

    def __init__(self, app: Flask, username: str) -> None:
        self.username = username
        self.client = app.test_client()
        login = self.client.get("/login").get_data(as_text=True)
        self.token = _TOKEN.search(login).group(1)
        answer = self.client.post(
            "/login",
            data={"username": username, "password": DEMO_PASSWORD, "csrf_token": self.token},
        )
        assert answer.status_code == 302, f"{username} could not sign in"

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, headers={"Accept-Language": "en"}, **kwargs)

    def page(self, path: str, **kwargs: Any) -> str:
        answer = self.get(path, **kwargs)
        assert answer.status_code == 200, answer.status_code
        return answer.get_data(as_text=True)

    def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        return self.client.post(
            path,
            data={**(data or {}), "csrf_token": self.token},
            headers={"Accept-Language": "en"},
            **kwargs,
        )


def open_notice(person: Any, html: str, label: str, nth: int = 0) -> str:
    """Press an unread notice's `label` button ("Open the case") on a notifications page,
    as its reader does; where it leads (it also counts the notice read)."""
    actions = re.findall(rf'formaction="([^"]+)">{re.escape(label)}</button>', html)
    answer = person.post(actions[nth])
    assert answer.status_code == 302, answer.status_code
    return answer.headers["Location"]


def sign_in(app: Flask, username: str) -> Staff:
    return Staff(app, username)


def start_credit(engine: Any, customer: int = CUSTOMER, user: str = "giorgos.bd") -> str:
    """A BD starts a credit limit change; return the instance id (waiting at 'request')."""
    state = engine.start(
        PROCESS, user=user, data={"customer_id": customer}, business_key=f"C{customer:05d}"
    )
    return state.instance_id


def order_desk(engine: Any, *processes: str) -> Any:
    """`processes` of the order desk deployed, stock on hand for every product, and
    customer service and logistics able to sign in (in English, as the tests read)."""
    files = [
        SourceFile.read(p) for name in processes for p in sorted((ROOT / "bpmn").glob(f"{name}.*"))
    ]
    engine.deploy(files, user="lena.owner")
    with engine.uow() as uow:
        uow.session.execute(update(stock).values(on_hand=1000))
        uow.commit()
    for username in ("sofia.cs", "michalis.log"):
        engine.set_password(username, DEMO_PASSWORD, by="admin")
        engine.set_locale(username, "en")
    return engine


def emergency_order(engine: Any, customer: int, quantity: int = 10) -> str:
    """A call agent takes an emergency order of cola for `customer`; its instance id
    (waiting for customer service, logistics asked)."""
    state = engine.start(
        "emergency_order",
        user="katerina.call",
        data={
            "customer_id": customer,
            "channel": "call_agent",
            "warehouse_code": "ATH",
            "lines": [{"product_code": "P0005", "quantity": quantity}],
            "urgency": "Festival tonight, ran out of cola",
        },
    )
    return state.instance_id


def open_task(engine: Any, instance_id: str, element: str) -> str:
    [task] = [
        t["id"]
        for t in views.open_tasks(engine.uow(), instance_id=instance_id)
        if t["element"] == element
    ]
    return task


def requested(
    engine: Any, increase: float = 1000, customer: int = CUSTOMER, by: str = "giorgos.bd"
) -> str:
    """A request (by the BD `by`) for the customer's limit plus `increase`; return the
    analysis task's id."""
    instance = start_credit(engine, customer, user=by)
    with engine.uow() as uow:
        limit = get_customer(uow.session, customer)["credit_limit"]
    engine.complete(
        open_task(engine, instance, "request"),
        user=by,
        data={"requested_limit": limit + increase, "justification": "A second shop opens soon"},
    )
    [analysis] = views.open_tasks(engine.uow(), instance_id=instance)
    return analysis["id"]


def analysed(engine: Any, task_id: str, user: str = "anna.credit", limit: float = 5000) -> None:
    engine.complete(
        task_id,
        user=user,
        data={
            "recommendation": "approve",
            "approved_limit": limit,
            "analysis": "Pays within terms for two years",
        },
    )


def set_due(engine: Any, task_id: str, due: datetime, *, signoff: bool = False) -> None:
    """Give a task a due time (as a timer on it, or a sign-off deadline, would)."""
    column = "signoff_due_at" if signoff else "due_at"
    with engine.uow() as uow:
        setattr(uow.tasks.get(task_id), column, due)
        uow.commit()


def days(n: float) -> timedelta:
    return timedelta(days=n)


def failed_placement(engine: Any) -> tuple[str, str]:
    """An equipment placement whose job report names an asset placed at another customer,
    submitted and waiting for the service manager's sign-off: (instance id, task id).

    The asset was in stock when the technician reported it; another job placed it while
    the report waited. Signing it makes the asset register refuse the serial: the step
    after the sign-off fails.
    """
    files = [SourceFile.read(p) for p in sorted((ROOT / "bpmn").glob("equipment_request.*"))]
    engine.deploy(files, user="lena.owner")
    for username in ("irini.service", "alexandra.tm"):
        engine.set_password(username, DEMO_PASSWORD, by="admin")
        engine.set_locale(username, "en")
    with engine.uow() as uow:
        placed = uow.session.execute(
            text("SELECT serial, customer_id FROM crm_assets WHERE status = 'placed' LIMIT 1")
        ).one()
    customer = 1 if placed.customer_id != 1 else 2
    started = engine.start(
        "equipment_request",
        user="giorgos.bd",
        data={
            "kind": "placement",
            "customer_id": customer,
            "asset_type": "cooler",
            "description": "Asked by the owner on today's visit",
        },
        business_key=f"C{customer:05d}",
    )
    instance = started.instance_id
    engine.complete(
        open_task(engine, instance, "decide"),
        user="alexandra.tm",
        data={"decision": "approve", "reason": "Strong outlet on a busy corner"},
    )
    engine.complete(
        open_task(engine, instance, "schedule"),
        user="irini.service",
        data={"technician": "thanasis.tech", "due_on": next_working_day(days(3)).isoformat()},
    )
    work = open_task(engine, instance, "work")
    with engine.uow() as uow:
        serial = uow.session.execute(
            text("SELECT serial FROM crm_assets WHERE status = 'in_stock' AND type = 'cooler'")
        ).scalar()
    engine.complete(work, user="thanasis.tech", data={"serial": serial, "work_notes": "Installed"})
    with engine.uow() as uow:  # another job places it meanwhile
        uow.session.execute(
            text("UPDATE crm_assets SET status = 'placed', customer_id = :at WHERE serial = :s"),
            {"at": placed.customer_id, "s": serial},
        )
        uow.commit()
    return instance, work


def next_working_day(after: timedelta) -> Any:
    day = (datetime.now() + after).date()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day
