"""What one HTTP call costs the database: SQL statements and transactions, within budget.

A credit limit change of the demo company through the JSON API (start, read the
task, complete it, sign it off) and the pages a credit controller reads (inbox,
task page), each counted by a SQLAlchemy event listener on the app's engine. The
budgets are design decisions (docs/performance.md): what the call needs for its
own work, plus one statement that says who is calling (with the cache revisions),
in one read transaction and at most one write transaction. A change that adds a
query to every request fails here first.

Counted warm: a first run of the same calls fills the per-process caches, as the
first requests after a server starts do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import event

from tests.e2e.staff_helpers import CUSTOMER, DEMO_PASSWORD, PROCESS, sign_in
from workflows.customers import get_customer

pytest_plugins = ["tests.e2e.staff_helpers"]

# call -> (most statements, most transactions): docs/performance.md says why. Every
# request reads in one transaction and writes in at most one more; an API call that
# writes reads in the transaction its write continues: one (engine/read_scope.py).
BUDGETS = {
    "GET /api/v1/me": (1, 1),
    "start (API)": (10, 1),
    "get task (API)": (4, 1),
    "complete (API)": (19, 1),  # + the case's files the work saw (issue 17)
    # + the case's files the signer saw (issue 17); + its starter told how it ended (3)
    "approve (API)": (28, 1),
    "GET /inbox/": (14, 1),
    "task page": (16, 1),  # + the case's comments and files (docs/attachments.md)
}


@dataclass
class Count:
    statements: list[str] = field(default_factory=list)
    transactions: int = 0


@contextmanager
def counted(app: Any) -> Iterator[Count]:
    """Count the statements and transactions of the app's database engine in the block."""
    database = app.extensions["raciflow"].database
    count = Count()

    def statement(_conn: Any, _cursor: Any, text: str, *_args: Any) -> None:
        # A BEGIN is not one: a transaction, counted below (and on SQLite sent to the
        # driver directly, engine/database.py).
        count.statements.append(text.split("\n")[0][:120])

    def begin(_conn: Any) -> None:
        count.transactions += 1

    event.listen(database, "before_cursor_execute", statement)
    event.listen(database, "begin", begin)
    try:
        yield count
    finally:
        event.remove(database, "before_cursor_execute", statement)
        event.remove(database, "begin", begin)


class Api:
    def __init__(self, app: Any, username: str) -> None:
        token = app.extensions["raciflow"].create_token(username, label="budget")
        self.client = app.test_client()
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str) -> Any:
        return self.client.get(f"/api/v1{path}", headers=self.headers)

    def post(self, path: str, body: Any = None) -> Any:
        return self.client.post(f"/api/v1{path}", json=body, headers=self.headers)


def credit_change(
    web_app: Any,
    crm: Any,
    callers: dict[str, Api],
    measure: Callable[[str, Callable[[], Any]], Any],
) -> None:
    """One credit limit change through the API, and the controller's pages on the way."""
    bd, controller, signer = (callers[u] for u in ("giorgos.bd", "anna.credit", "kostas.credit"))
    with crm.uow() as uow:
        limit = get_customer(uow.session, CUSTOMER)["credit_limit"]
    started = measure(
        "start (API)",
        lambda: bd.post(f"/processes/{PROCESS}/instances", {"data": {"customer_id": CUSTOMER}}),
    )
    [request] = started.get_json()["ready_tasks"]
    measure("get task (API)", lambda: bd.get(f"/tasks/{request}"))
    submitted = measure(
        "complete (API)",
        lambda: bd.post(
            f"/tasks/{request}/complete",
            {"data": {"requested_limit": limit + 1000, "justification": "A second shop"}},
        ),
    )
    [analysis] = submitted.get_json()["ready_tasks"]
    page = sign_in(web_app, "anna.credit")
    measure("GET /inbox/", lambda: page.get("/inbox/"))
    measure("task page", lambda: page.get(f"/tasks/{analysis}"))
    done = controller.post(
        f"/tasks/{analysis}/complete",
        {
            "data": {
                "recommendation": "approve",
                "approved_limit": limit + 800,
                "analysis": "Pays within terms",
            }
        },
    )
    assert done.status_code == 200, done.get_json()
    measure(
        "approve (API)",
        lambda: signer.post(f"/tasks/{analysis}/approve", {"password": DEMO_PASSWORD}),
    )
    measure("GET /api/v1/me", lambda: bd.get("/me"))


@pytest.fixture
def costs(web_app, crm) -> dict[str, tuple[Count, Any]]:
    """What each call cost on the second credit limit change (caches warm)."""
    callers = {u: Api(web_app, u) for u in ("giorgos.bd", "anna.credit", "kostas.credit")}
    credit_change(web_app, crm, callers, lambda _name, call: call())
    measured: dict[str, tuple[Count, Any]] = {}

    def measure(name: str, call: Callable[[], Any]) -> Any:
        with counted(web_app) as count:
            answer = call()
        assert answer.status_code in (200, 201), (name, answer.get_data(as_text=True)[:300])
        measured[name] = (count, answer)
        return answer

    credit_change(web_app, crm, callers, measure)
    return measured


READS = ("GET /api/v1/me", "get task (API)", "GET /inbox/", "task page")


def test_every_call_stays_within_its_statement_budget(costs):
    over = []
    for call, (most_statements, most_transactions) in BUDGETS.items():
        count, _answer = costs[call]
        if len(count.statements) > most_statements or count.transactions > most_transactions:
            listing = "\n    ".join(count.statements)
            over.append(
                f"{call}: {len(count.statements)} statements (budget {most_statements}), "
                f"{count.transactions} transactions (budget {most_transactions}):\n    {listing}"
            )
    assert not over, "\n".join(over)


def test_a_read_writes_nothing(costs):
    writes = {
        call: [s for s in costs[call][0].statements if not s.lstrip().upper().startswith("SELECT")]
        for call in READS
    }
    assert writes == {call: [] for call in READS}


def test_signing_in_by_token_reads_the_directory_from_the_cache(costs):
    tables = " ".join(costs["GET /api/v1/me"][0].statements)
    assert "role_members" not in tables and "deputies" not in tables
