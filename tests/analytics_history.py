"""A history of credit limit changes over the last weeks, for the analytics pages' tests.

An engine on a clock of its own walks through the weeks: each week some requests, each
analysed after a wait that differs by week (one week far longer: a point out of
control), signed by the A, now and then sent back once (rework) or signed late (an SLA
breach), one cancelled, one still open at the end. The web app then reads it on the wall
clock, as if it had happened.

The weeks are the eleven whole weeks before this one, so all of it lies in the past on
any day the tests run (a Monday morning included) and inside the pages' default period
(the last twelve weeks, this one counted): 33 started, 31 completed, 1 cancelled, 1 open.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from engine import build_engine, views
from engine.clock import FakeClock
from engine.model import HumanTask, TaskStatus
from workflows import forms
from workflows.customers import get_customer
from workflows.services import build_registry

PROCESS = "credit_limit_change"
CUSTOMERS = range(160, 172)  # demo customers no other test of a module takes
# Hours each week's requests wait for a controller: week 8 is the slow one.
WAITS = (3, 4, 2, 5, 3, 4, 3, 40, 4, 3, 2)


class History:
    """Drive credit limit changes on `database_url` as its users would, back in time."""

    def __init__(self, database_url: str, weeks: int = len(WAITS)) -> None:
        today = datetime.now(UTC).date()
        monday = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks)
        self.first_monday = datetime.combine(monday, time(8), UTC)
        self.clock = FakeClock(self.first_monday)
        self.engine = build_engine(
            database_url, clock=self.clock, services=build_registry(), forms=forms.validator
        )
        self.weeks = weeks

    def generate(self) -> dict[str, int]:
        """Every week's requests; returns what was made, by kind."""
        made = {"completed": 0, "cancelled": 0, "reworked": 0, "open": 0}
        for week in range(self.weeks):
            for n in range(3):
                customer = CUSTOMERS[(3 * week + n) % len(CUSTOMERS)]
                self._at(week, day=n, hour=9)
                if week == self.weeks - 1 and n == 2:
                    self._request(customer, 1000)  # left open, waiting for a controller
                    made["open"] += 1
                    continue
                if week == 5 and n == 1:
                    instance, _limit = self._request(customer, 1000)
                    self.engine.cancel(instance, user="lena.owner", reason="Ο πελάτης το απέσυρε")
                    made["cancelled"] += 1
                    continue
                rework = (week + n) % 5 == 0
                late = (week, n) == (3, 0)  # signed after its day: an SLA breach
                self._through(customer, WAITS[week], rework=rework, sign_after=30 if late else 5)
                made["completed"] += 1
                made["reworked"] += rework
        return made

    def _at(self, week: int, *, day: int, hour: int) -> None:
        moment = self.first_monday + timedelta(weeks=week, days=day, hours=hour - 8)
        self.clock.advance(max(moment - self.clock.now(), timedelta(0)))

    def _request(self, customer: int, increase: int) -> tuple[str, float]:
        """The BD's request; the instance and the limit asked for."""
        started = self.engine.start(PROCESS, user="giorgos.bd", data={"customer_id": customer})
        with self.engine.uow() as uow:
            limit = get_customer(uow.session, customer)["credit_limit"]
        self.clock.advance(timedelta(minutes=30))
        [request] = self._open(started.instance_id)
        data = {"requested_limit": limit + increase, "justification": "Δεύτερο κατάστημα"}
        self.engine.complete(request, user="giorgos.bd", data=data)
        return started.instance_id, data["requested_limit"]

    def _through(self, customer: int, wait_hours: int, *, rework: bool, sign_after: int) -> None:
        instance, limit = self._request(customer, 1000)
        analysis = {
            "recommendation": "approve",
            "analysis": "Πληρώνει εντός ορίων",
            "approved_limit": limit,
        }
        for _round in range(2 if rework else 1):
            [task] = views.open_tasks(self.engine.uow(), instance_id=instance)
            self.clock.advance(timedelta(hours=wait_hours))
            if task["assignee"] is None:  # sent back work returns to who did it
                self.engine.claim(task["id"], user="anna.credit")
            self.clock.advance(timedelta(hours=2))
            self.engine.complete(task["id"], user="anna.credit", data=analysis)
            self.clock.advance(timedelta(hours=sign_after))
            submitted = self._awaiting(instance)
            if rework and _round == 0:
                self.engine.reject(submitted, user="kostas.credit", reason="Λείπει ο ισολογισμός")
            else:
                self.engine.approve(submitted, user="kostas.credit")

    def _open(self, instance_id: str) -> list[str]:
        return [t["id"] for t in views.open_tasks(self.engine.uow(), instance_id=instance_id)]

    def _awaiting(self, instance_id: str) -> str:
        with self.engine.uow() as uow:
            return uow.session.scalars(
                select(HumanTask.id).where(
                    HumanTask.instance_id == instance_id,
                    HumanTask.status == TaskStatus.AWAITING_SIGNOFF,
                )
            ).one()
