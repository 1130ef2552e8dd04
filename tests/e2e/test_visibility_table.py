"""Who sees and does what, as one table: people by objects and acts, on every surface.

The people are those around one task, the CFO's analysis of a large credit limit
change (bpmn/credit_limit_change.raci.yaml: credit_controller R, cfo A,
finance_manager C, sales_manager I, and bd I scoped to the customer's own BD),
plus a deputy, an outsider and the three oversight roles. Each cell says whether
the person may; each is asserted on the web pages, the JSON API and the CLI where
the CLI has the act. The rules: raci/visibility.py (seeing, cancelling) and
raci/policy.py (acting); docs/raci.md ("Who sees what") holds the same table.

Every act runs on a case of its own, in the state the act needs:
- seeing: the analysis claimed by its performer;
- claim: the analysis open and unclaimed;
- complete and reassign: the analysis claimed by its performer;
- sign: the analysis submitted by its performer, waiting for the CFO;
- cancel: the case running, the analysis open.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from tests.e2e.inprocess_cli import in_process
from tests.e2e.staff_helpers import DEMO_PASSWORD, PROCESS, Staff, open_task
from workflows.tables import customers

pytest_plugins = ["tests.e2e.staff_helpers"]

ACTS = ("task", "case", "trail", "file", "claim", "complete", "sign", "reassign", "cancel")
# task: read the task; case: read the case (instance) and its open tasks; trail: the
# case's own timeline; file: the auditor's case file and the audit search of the case.
# fmt: off
TABLE = [
    # who               part                               task case trail file claim complete sign reassign cancel
    ("anna.credit",     "performer (R, claimed it)",       "Y    Y    Y     -    Y     Y        -    Y        -"),
    ("kostas.credit",   "another member of the R role",    "Y    Y    Y     -    Y     -        -    Y        -"),
    ("petros.cfo",      "A (the supervisor)",              "Y    Y    Y     -    -     -        Y    Y        -"),
    ("vasso.finance",   "C",                               "Y    Y    Y     -    -     -        -    -        -"),
    ("christina.sales", "I",                               "Y    Y    Y     -    -     -        -    -        -"),
    ("eleni.bd",        "I scoped to another BD",          "-    -    -     -    -     -        -    -        -"),
    ("giorgos.bd",      "starter, the customer's own BD",  "Y    Y    Y     -    -     -        -    -        Y"),
    ("stelios.tech",    "deputy of the performer",         "Y    Y    Y     -    Y     Y        -    Y        -"),
    ("thanasis.tech",   "unrelated staff",                 "-    -    -     -    -     -        -    -        -"),
    ("fotis.audit",     "auditor",                         "Y    Y    Y     Y    -     -        -    -        -"),
    ("admin",           "admin",                           "Y    Y    Y     Y    -     -        -    Y        Y"),
    ("lena.owner",      "process owner",                   "Y    Y    Y     Y    -     -        -    -        Y"),
]
# fmt: on
EXPECTED = {
    (who, act): cell == "Y"
    for who, _, cells in TABLE
    for act, cell in zip(ACTS, cells.split(), strict=True)
}
PERFORMER, TAKER, DEPUTY = "anna.credit", "kostas.credit", "stelios.tech"
CLI_ACTS = ("claim", "complete", "sign", "reassign", "cancel")  # the CLI reads no task or case
SEEING = ("task", "case", "trail", "file")


class Company:
    """The demo company behind one web app: cases in the states the acts need."""

    def __init__(self, app: Flask) -> None:
        self.engine = app.extensions["raciflow"]
        with self.engine.uow() as uow:
            self.customer, limit = uow.session.execute(
                select(customers.c.id, customers.c.credit_limit)
                .where(customers.c.bd == "giorgos.bd")
                .order_by(customers.c.id)
                .limit(1)
            ).one()
        self.limit = float(limit) + 60000  # an increase above 50,000: the CFO signs (A)
        for user in ("lena.owner", "stelios.tech"):
            self.engine.set_password(user, DEMO_PASSWORD, by="admin")
            self.engine.set_locale(user, "en")
        today = self.engine.runtime.clock.now().date()
        self.engine.set_deputy(PERFORMER, DEPUTY, starts=today, ends=today + timedelta(days=7))

    def analysis(self, state: str) -> tuple[str, str]:
        """A case at the CFO's analysis in `state`: (instance id, task id)."""
        instance = self.engine.start(
            PROCESS,
            user="giorgos.bd",
            data={"customer_id": self.customer},
            business_key=f"C{self.customer:05d}",
        ).instance_id
        self.engine.complete(
            open_task(self.engine, instance, "request"),
            user="giorgos.bd",
            data={"requested_limit": self.limit, "justification": "A second shop opens soon"},
        )
        task = open_task(self.engine, instance, "analyse_cfo")
        if state in ("claimed", "submitted"):
            self.engine.claim(task, user=PERFORMER)
        if state == "submitted":
            self.engine.complete(task, user=PERFORMER, data=self.analysed())
        return instance, task

    def analysed(self) -> dict[str, Any]:
        return {
            "recommendation": "approve",
            "approved_limit": self.limit,
            "analysis": "Pays within terms for two years",
        }


SCENE = {"claim": "open", "complete": "claimed", "sign": "submitted", "reassign": "claimed"}


def scene(company: Company, act: str) -> tuple[str, str]:
    return company.analysis(SCENE.get(act, "claimed" if act in SEEING else "open"))


# --- the surfaces: each answers whether `who` could do `act` --------------------------


def page_surface(app: Flask, company: Company) -> Callable[[str, str, tuple[str, str]], bool]:
    signed_in: dict[str, Staff] = {}

    def may(who: str, act: str, case: tuple[str, str]) -> bool:
        staff = signed_in.setdefault(who, Staff(app, who))
        instance, task = case
        answer = {
            "task": lambda: staff.get(f"/tasks/{task}"),
            "case": lambda: staff.get(f"/instances/{instance}"),
            "trail": lambda: staff.get(f"/instances/{instance}"),
            "file": lambda: staff.get(f"/audit/instances/{instance}/case"),
            "claim": lambda: staff.post(f"/tasks/{task}/claim"),
            "complete": lambda: staff.post(f"/tasks/{task}/complete", data=company.analysed()),
            "sign": lambda: staff.post(f"/tasks/{task}/approve", data={"password": DEMO_PASSWORD}),
            "reassign": lambda: staff.post(
                f"/tasks/{task}/reassign", data={"to": TAKER, "reason": "Holidays"}
            ),
            "cancel": lambda: staff.post(
                f"/instances/{instance}/cancel", data={"reason": "Asked by the customer"}
            ),
        }[act]()
        if act == "trail" and answer.status_code == 200:
            assert 'class="cards timeline"' in answer.get_data(as_text=True)
        return allowed(answer.status_code, ok=(200, 302), who=who, act=act)

    return may


def api_surface(app: Flask, company: Company) -> Callable[[str, str, tuple[str, str]], bool]:
    tokens: dict[str, str] = {}

    def may(who: str, act: str, case: tuple[str, str]) -> bool:
        if who not in tokens:
            tokens[who] = company.engine.create_token(who, label="visibility table")
        client = app.test_client()
        headers = {"Authorization": f"Bearer {tokens[who]}"}
        instance, task = case
        get = lambda path: client.get(f"/api/v1{path}", headers=headers)  # noqa: E731
        post = lambda path, body: client.post(f"/api/v1{path}", json=body, headers=headers)  # noqa: E731
        answer = {
            "task": lambda: get(f"/tasks/{task}"),
            "case": lambda: get(f"/instances/{instance}"),
            "trail": lambda: get(f"/instances/{instance}/events"),
            "file": lambda: get(f"/audit/events?instance={instance}"),
            "claim": lambda: post(f"/tasks/{task}/claim", {}),
            "complete": lambda: post(f"/tasks/{task}/complete", {"data": company.analysed()}),
            "sign": lambda: post(f"/tasks/{task}/approve", {"password": DEMO_PASSWORD}),
            "reassign": lambda: post(f"/tasks/{task}/reassign", {"to": TAKER}),
            "cancel": lambda: post(f"/instances/{instance}/cancel", {"reason": "Asked by phone"}),
        }[act]()
        if act == "case":  # the list shows exactly the cases their detail opens
            listed = get("/instances?limit=100").get_json()["items"]
            assert (instance in {i["id"] for i in listed}) == (answer.status_code == 200), who
        return allowed(answer.status_code, ok=(200,), who=who, act=act)

    return may


def cli_surface(run: Any, company: Company) -> Callable[[str, str, tuple[str, str]], bool]:
    def may(who: str, act: str, case: tuple[str, str]) -> bool:
        instance, task = case
        args = {
            "claim": ("claim", task),
            "complete": ("complete", task, "--data", json.dumps(company.analysed())),
            "sign": ("approve", task),
            "reassign": ("reassign", task, "--to", TAKER, "--reason", "Holidays"),
            "cancel": ("cancel", instance, "--reason", "Asked by phone"),
        }[act]
        answer = run(*args, "--user", who, ok=False)
        assert answer.returncode in (0, 1), (who, act, answer.stderr)
        return answer.returncode == 0

    return may


def allowed(status: int, *, ok: tuple[int, ...], who: str, act: str) -> bool:
    """Whether the surface let `who` do `act`; a refusal is 403, never another error."""
    assert status in (*ok, 403), f"{who} / {act}: HTTP {status}"
    return status in ok


def observed_table(company: Company, may: Callable[..., bool], acts: tuple[str, ...]) -> dict:
    seen = scene(company, "task")  # one case serves every reading column
    return {
        (who, act): may(who, act, seen if act in SEEING else scene(company, act))
        for who, _, _ in TABLE
        for act in acts
    }


def assert_table(observed: dict, acts: tuple[str, ...], surface: str) -> None:
    wrong = [
        f"{who} ({part}) / {act}: expected {'allow' if EXPECTED[who, act] else 'deny'}"
        for who, part, _ in TABLE
        for act in acts
        if observed[who, act] != EXPECTED[who, act]
    ]
    assert not wrong, f"{surface} disagrees with the table:\n  " + "\n  ".join(wrong)


@pytest.fixture
def company(web_app: Flask) -> Company:
    return Company(web_app)


def test_the_web_pages_follow_the_table(web_app, company):
    observed = observed_table(company, page_surface(web_app, company), ACTS)
    assert_table(observed, ACTS, "the web pages")


def test_the_json_api_follows_the_table(web_app, company):
    observed = observed_table(company, api_surface(web_app, company), ACTS)
    assert_table(observed, ACTS, "the JSON API")


def test_the_cli_follows_the_table(web_app, company, tmp_path: Path, monkeypatch, capsys):
    env = {"RACIFLOW_DATABASE_URL": f"sqlite:///{tmp_path / 'raciflow.sqlite'}"}
    run = in_process(env, monkeypatch, capsys)
    observed = observed_table(company, cli_surface(run, company), CLI_ACTS)
    assert_table(observed, CLI_ACTS, "the CLI")
