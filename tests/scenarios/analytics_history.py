"""A known history of the credit limit change, for the analytics tests of every surface.

Five cases over two weeks, moved by the engine's clock (hours after each start):
  A (Mon wk 0)  request 1h; controller claims 2h later, submits 3h later, signed 4h later
  B (Tue wk 0)  request 1h; claim 1h, submit 2h, rejected 1h, resubmitted 3h, signed 30h
                later: past its one-day sign-off due time (a rework and a breach)
  C (Mon wk 1)  request 2h; cancelled 5h later, the analysis never claimed
  D (Tue wk 1)  request 1h; claim 4h, submit 1h, signed 2h later
  E (Wed wk 1)  request 3h; submitted unclaimed 6h later, still unsigned two days on (a breach)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

PROCESS = "credit_limit_change"
CUSTOMER = 150
SINCE, UNTIL = datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC)
HOUR = 3600.0
ANALYSIS = {"recommendation": "approve", "analysis": "Pays within terms for two years"}


class History:
    def __init__(self, crm):
        self.crm, self.clock = crm, crm.clock
        self.limit = crm.customer(CUSTOMER)["credit_limit"] + 1000  # the controller signs

    def wait(self, hours: float) -> None:
        self.clock.advance(timedelta(hours=hours))

    def start_at(self, day: int) -> None:
        start = datetime(2026, 11, 2, 9, tzinfo=UTC) + timedelta(days=day)
        self.clock.advance(start - self.clock.now())

    def requested(self, after: float) -> str:
        started = self.crm.start(PROCESS, "giorgos.bd", f"C{CUSTOMER:05d}", customer_id=CUSTOMER)
        self.wait(after)
        self.crm.complete(
            started.instance_id,
            "request",
            "giorgos.bd",
            requested_limit=self.limit,
            justification="Opens a second shop next month",
        )
        return started.instance_id

    def claim(self, case: str, after: float) -> None:
        self.wait(after)
        self.crm.engine.claim(self.crm.task(case, "analyse_controller"), user="anna.credit")

    def submit(self, case: str, after: float) -> None:
        self.wait(after)
        self.crm.complete(
            case, "analyse_controller", "anna.credit", approved_limit=self.limit, **ANALYSIS
        )

    def sign(self, case: str, after: float) -> None:
        self.wait(after)
        self.crm.approve(case, "analyse_controller", "kostas.credit")


def make_history(crm) -> None:
    """Run the five cases on `crm` (tests/scenarios/conftest.py Crm, on a FakeClock)."""
    history = History(crm)
    history.start_at(0)  # A
    a = history.requested(1)
    history.claim(a, 2), history.submit(a, 3), history.sign(a, 4)
    history.start_at(1)  # B
    b = history.requested(1)
    history.claim(b, 1), history.submit(b, 2)
    history.wait(1)
    crm.reject(b, "analyse_controller", "kostas.credit", "The analysis misses the overdue invoice")
    history.submit(b, 3), history.sign(b, 30)
    history.start_at(7)  # C
    c = history.requested(2)
    history.wait(5)
    crm.engine.cancel(c, user="lena.owner", reason="The customer withdrew the request")
    history.start_at(8)  # D
    d = history.requested(1)
    history.claim(d, 4), history.submit(d, 1), history.sign(d, 2)
    history.start_at(9)  # E
    e = history.requested(3)
    history.submit(e, 6)
    history.wait(48)
