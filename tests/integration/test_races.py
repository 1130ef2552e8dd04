"""Racing acts on one task or instance: exactly one wins, the others are told so.

Each trial releases its racers together through a barrier, many trials per pair, on
SQLite and PostgreSQL (READ COMMITTED). A racer that read the state before the winner
committed gets ConcurrencyConflict (409); one that read it after sees the winner's
state and gets that state's refusal (InvalidState or the claim's "claimed by", 409
too). Never two winners, and the audit trail records exactly what the winner did.
SQLite serialises writers (BEGIN IMMEDIATE), so there every loser reads after the
winner; PostgreSQL is where the lost updates of issue 11 (D1) happened.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from engine import ProcessEngine, SourceFile, build_engine, read_scope, views
from engine.clock import FakeClock
from engine.errors import ConcurrencyConflict, EngineError, InvalidState
from engine.governance import RaciRefusal
from raci.directory_io import load_directory
from tests.conftest import fixture_files
from web import create_app
from web.config import Settings

pytestmark = pytest.mark.postgres

GOVERNED = Path(__file__).parent.parent / "fixtures" / "governed"
# The credit change without consultation or notices: the races are about R and A.
MATRIX = """activity,bd,credit_controller,finance_manager,@self_approval
request,R/A,,,yes
analyse,,R,A,
"""
TRIALS = 20  # before the fix, most PostgreSQL trials of most pairs went wrong
LATE = (ConcurrencyConflict, InvalidState)  # what a loser may be told


def race(*acts: Callable[[], Any]) -> list[Any]:
    """Run `acts` together, released at once by a barrier; each one's result or error."""
    barrier = threading.Barrier(len(acts))

    def run(act: Callable[[], Any]) -> Any:
        barrier.wait(timeout=30)
        try:
            return act()
        except EngineError as err:
            return err

    with ThreadPoolExecutor(len(acts)) as pool:
        return list(pool.map(run, acts))


def one_winner(outcomes: list[Any], losers: tuple[type[Exception], ...] = LATE) -> int:
    """The index of the one racer that succeeded; every other one lost with `losers`."""
    winners = [i for i, outcome in enumerate(outcomes) if not isinstance(outcome, Exception)]
    assert len(winners) == 1, outcomes
    for i, outcome in enumerate(outcomes):
        if i != winners[0]:
            assert isinstance(outcome, losers), outcome
    return winners[0]


def actions(engine: ProcessEngine, instance_id: str, task_id: str | None = None) -> list[str]:
    """The audit trail's actions on an instance (on one of its tasks, if given)."""
    events = views.audit_events(engine.uow(), instance_id=instance_id, task_id=task_id)
    return [e["action"] for e in events]


def task(engine: ProcessEngine, task_id: str) -> dict[str, Any]:
    return views.task_detail(engine.uow(), task_id)


def status(engine: ProcessEngine, instance_id: str) -> str:
    return views.instance(engine.uow(), instance_id)["status"]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 6, 1, 9, 0, tzinfo=UTC))  # erin stands in for frank


@pytest.fixture
def raced(database_url: str, clock: FakeClock) -> ProcessEngine:
    return racing_engine(database_url, clock)


def racing_engine(database_url: str, clock: FakeClock) -> ProcessEngine:
    """An engine with the governed credit change and the expiring offer deployed."""
    engine = build_engine(database_url, clock=clock)
    directory = GOVERNED / "directory.yaml"
    engine.import_directory(load_directory(directory.name, directory.read_bytes()), user="ada")
    engine.deploy(
        [
            SourceFile.read(GOVERNED / "credit_change.bpmn"),
            SourceFile("credit_change.raci.csv", MATRIX.encode()),
            *fixture_files("offer_expiry.bpmn"),
        ],
        user="owner",
    )
    return engine


def analysis(engine: ProcessEngine) -> tuple[str, str]:
    """A credit change waiting for its analysis: (instance id, analysis task id)."""
    started = engine.start("credit_change", user="bob")
    [request] = started.ready_tasks
    [analyse] = engine.complete(request, user="bob", data={"new_limit": 5000}).ready_tasks
    return started.instance_id, analyse


def submitted(engine: ProcessEngine) -> tuple[str, str]:
    """A credit change whose analysis carol submitted for sign-off."""
    instance_id, analyse = analysis(engine)
    engine.complete(analyse, user="carol", data={"recommendation": "raise"})
    return instance_id, analyse


def claim_vs_claim(engine: ProcessEngine) -> None:
    instance_id, analyse = analysis(engine)
    users = ["carol", "frank", "erin"]  # erin claims standing in for frank
    outcomes = race(*[lambda user=user: engine.claim(analyse, user=user) for user in users])
    winner = users[one_winner(outcomes)]
    assert task(engine, analyse)["assignee"] == winner
    assert actions(engine, instance_id, analyse).count("claim") == 1


def complete_vs_complete(engine: ProcessEngine) -> None:
    completion_race(engine, ["carol", "frank"])


def claimant_vs_deputy(engine: ProcessEngine) -> None:
    """frank, back, completes the task he claimed as erin, his deputy, completes it for him."""
    completion_race(engine, ["frank", "erin"], claimant="frank")


def completion_race(engine: ProcessEngine, users: list[str], claimant: str | None = None) -> None:
    """`users` complete the analysis at once (claimed first by `claimant`, if given)."""
    instance_id, analyse = analysis(engine)
    if claimant is not None:
        engine.claim(analyse, user=claimant)
    outcomes = race(
        *[
            lambda user=user: engine.complete(analyse, user=user, data={"by": user})
            for user in users
        ]
    )
    winner = users[one_winner(outcomes)]
    after = task(engine, analyse)
    assert (after["status"], after["performer"]) == ("awaiting_signoff", winner)
    assert after["performer_for"] == (claimant if winner != claimant else None)
    assert after["submitted_data"]["by"] == winner
    assert actions(engine, instance_id, analyse).count("complete") == 1


def approve_vs_reject(engine: ProcessEngine) -> None:
    instance_id, analyse = submitted(engine)
    outcomes = race(
        lambda: engine.approve(analyse, user="fiona"),
        lambda: engine.reject(analyse, user="frank", reason="attach the payment history"),
    )
    approved = one_winner(outcomes) == 0
    acts = actions(engine, instance_id, analyse)
    assert (acts.count("approve"), acts.count("reject")) == ((1, 0) if approved else (0, 1))
    after = task(engine, analyse)
    if approved:
        assert (after["status"], status(engine, instance_id)) == ("completed", "completed")
        return
    assert (after["status"], after["assignee"]) == ("ready", "carol")
    assert status(engine, instance_id) == "waiting"
    # The work sent back is done again and signed once; then nothing is left to sign.
    engine.complete(analyse, user="carol", data={"recommendation": "raise"})
    engine.approve(analyse, user="fiona")
    assert status(engine, instance_id) == "completed"
    with pytest.raises(InvalidState):
        engine.complete(analyse, user="carol", data={"recommendation": "raise"})


def approve_vs_approve(engine: ProcessEngine) -> None:
    instance_id, analyse = submitted(engine)
    signers = ["fiona", "frank"]
    outcomes = race(*[lambda user=user: engine.approve(analyse, user=user) for user in signers])
    winner = signers[one_winner(outcomes)]
    assert task(engine, analyse)["signed_off_by"] == winner
    assert actions(engine, instance_id, analyse).count("approve") == 1
    assert actions(engine, instance_id).count("instance_completed") == 1


def cancel_vs_complete(engine: ProcessEngine) -> None:
    started = engine.start("offer_expiry", user="ana")
    [accept] = started.ready_tasks
    outcomes = race(
        lambda: engine.cancel(started.instance_id, user="ana", reason="customer withdrew"),
        lambda: engine.complete(accept, user="ana", data={}),  # ends the instance
    )
    cancelled = one_winner(outcomes) == 0
    acts = actions(engine, started.instance_id)
    assert ("cancel" in acts, "complete" in acts) == (cancelled, not cancelled)
    assert status(engine, started.instance_id) == ("cancelled" if cancelled else "completed")
    assert task(engine, accept)["status"] == ("cancelled" if cancelled else "completed")


def timer_vs_cancel(engine: ProcessEngine, clock: FakeClock) -> None:
    started = engine.start("offer_expiry", user="ana")
    [accept] = started.ready_tasks
    clock.advance(timedelta(days=3))  # the offer's two-day expiry is due; firing ends it
    outcomes = race(
        engine.fire_due_timers,
        lambda: engine.cancel(started.instance_id, user="ana", reason="customer withdrew"),
    )
    fired = outcomes[0] == 1
    cancelled = not isinstance(outcomes[1], Exception)
    assert fired != cancelled, outcomes  # exactly one of them acted
    if fired:
        assert isinstance(outcomes[1], LATE), outcomes
    else:  # lost the race, or found nothing left to fire
        assert outcomes[0] == 0 or isinstance(outcomes[0], LATE), outcomes
    acts = actions(engine, started.instance_id)
    assert ("timer_fired" in acts, "cancel" in acts) == (fired, cancelled)
    assert status(engine, started.instance_id) == ("completed" if fired else "cancelled")
    assert task(engine, accept)["status"] == "cancelled"  # interrupted either way
    with engine.uow() as uow:
        assert uow.timers.due(clock.now(), 10) == []


@pytest.mark.parametrize(
    "trial",
    [
        claim_vs_claim,
        complete_vs_complete,
        claimant_vs_deputy,
        approve_vs_reject,
        approve_vs_approve,
        cancel_vs_complete,
    ],
)
def test_racing_acts_have_one_winner(raced, trial):
    for _ in range(TRIALS):
        trial(raced)
    assert raced.verify_audit().ok


def test_a_timer_racing_a_cancel_has_one_winner(raced, clock):
    for _ in range(TRIALS):
        timer_vs_cancel(raced, clock)


def test_a_task_handed_to_someone_being_deactivated_never_waits_under_their_name(raced):
    """Before, on PostgreSQL, a reassignment that read the directory just before an admin
    deactivated its target still gave the task to them, after the deactivation had handed
    back their claims: the task waited under an inactive name."""
    for trial in range(TRIALS):
        name = f"cc{trial}"
        raced.create_user(name, name=name, email=None, roles=["credit_controller"], by="ada")
        instance_id, analyse = analysis(raced)
        outcomes = race(
            lambda name=name, analyse=analyse: raced.reassign(analyse, user="ada", to=name),
            lambda name=name: raced.set_user_active(name, False, by="ada"),
        )
        assert not isinstance(outcomes[1], Exception), outcomes  # the deactivation stands
        assert task(raced, analyse)["assignee"] is None, outcomes
        reassigned = not isinstance(outcomes[0], Exception)
        acts = actions(raced, instance_id, analyse)
        # Given first and handed back with the deactivation, or refused: never kept.
        assert acts.count("release") == (1 if reassigned else 0), (outcomes, acts)
    assert raced.verify_audit().ok


def test_work_sent_back_as_its_performer_is_deactivated_never_waits_under_their_name(raced):
    """A rejection that read its performer as active just before an admin deactivated
    them gave the work back to them after the deactivation had handed back their claims:
    it waited under an inactive name, in nobody's inbox."""
    for trial in range(TRIALS):
        name = f"an{trial}"
        raced.create_user(name, name=name, email=None, roles=["credit_controller"], by="ada")
        instance_id, analyse = analysis(raced)
        raced.complete(analyse, user=name, data={"recommendation": "raise"})
        outcomes = race(
            lambda analyse=analyse: raced.reject(analyse, user="frank", reason="attach it"),
            lambda name=name: raced.set_user_active(name, False, by="ada"),
        )
        assert not any(isinstance(o, Exception) for o in outcomes), outcomes
        after = task(raced, analyse)
        assert (after["status"], after["assignee"]) == ("ready", None), outcomes
        acts = actions(raced, instance_id, analyse)
        # Sent to the queue, or given back and handed back with the deactivation.
        assert acts[-2:] in (["signoff_requested", "reject"], ["reject", "release"]), acts
    assert raced.verify_audit().ok


def test_a_reassignment_on_an_older_directory_refuses_a_target_since_deactivated(
    raced, database_url
):
    """An API call reads who is calling, and the directory, in the transaction its write
    continues (engine/read_scope.py): a deactivation committed between the two must not
    let the write give the task to the person deactivated."""
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite's write transaction would make the deactivation wait for it")
    raced.create_user("late", name="Late", email=None, roles=["credit_controller"], by="ada")
    _, analyse = analysis(raced)
    with read_scope.shared_reads(writes_next=True):
        assert raced.directory().users["late"].active  # read in the request's transaction
        deactivation = threading.Thread(
            target=lambda: raced.set_user_active("late", False, by="ada")
        )  # another request, committed meanwhile
        deactivation.start()
        deactivation.join()
        with pytest.raises(RaciRefusal, match="account of late is not active"):
            raced.reassign(analyse, user="ada", to="late")
    assert task(raced, analyse)["assignee"] is None


# --- the same races through the JSON API: one 200, the others 409 ----------------------

API_TRIALS = 10
PASSWORD = "a long enough password"


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Any:
    """The web app on the race database, and a client factory per user (bearer tokens)."""
    settings = Settings.from_env(
        {
            "RACIFLOW_DATABASE_URL": database_url,
            "RACIFLOW_INSTANCE_DIR": str(tmp_path),
            "RACIFLOW_SECRET_KEY": "test",
        }
    )
    app = create_app(settings, test_config={"RATELIMIT_ENABLED": False})
    engine = app.extensions["raciflow"]
    directory = GOVERNED / "directory.yaml"
    engine.import_directory(load_directory(directory.name, directory.read_bytes()), user="ada")
    engine.deploy(
        [
            SourceFile.read(GOVERNED / "credit_change.bpmn"),
            SourceFile("credit_change.raci.csv", MATRIX.encode()),
        ],
        user="owner",
    )
    for signer in ("fiona", "frank"):
        engine.set_password(signer, PASSWORD, by="ada")
    tokens = {user: engine.create_token(user, label="races") for user in USERS}

    def post(user: str, path: str, body: dict[str, Any] | None = None) -> int:
        headers = {"Authorization": f"Bearer {tokens[user]}"}
        return app.test_client().post(f"/api/v1{path}", json=body, headers=headers).status_code

    return engine, post


USERS = ("bob", "carol", "frank", "fiona")


def api_claim_vs_claim(engine: ProcessEngine, post: Callable[..., int]) -> None:
    instance_id, analyse = analysis(engine)
    users = ["carol", "frank"]
    answers = race(*[lambda user=user: post(user, f"/tasks/{analyse}/claim") for user in users])
    assert sorted(answers) == [200, 409], answers
    assert task(engine, analyse)["assignee"] == users[answers.index(200)]
    assert actions(engine, instance_id, analyse).count("claim") == 1


def api_approve_vs_reject(engine: ProcessEngine, post: Callable[..., int]) -> None:
    instance_id, analyse = submitted(engine)
    answers = race(
        lambda: post("fiona", f"/tasks/{analyse}/approve", {"password": PASSWORD}),
        lambda: post(
            "frank",
            f"/tasks/{analyse}/reject",
            {"reason": "check the invoices", "password": PASSWORD},
        ),
    )
    assert sorted(answers) == [200, 409], answers
    acts = actions(engine, instance_id, analyse)
    approved = answers[0] == 200
    assert (acts.count("approve"), acts.count("reject")) == ((1, 0) if approved else (0, 1))
    assert status(engine, instance_id) == ("completed" if approved else "waiting")


@pytest.mark.parametrize("trial", [api_claim_vs_claim, api_approve_vs_reject])
def test_racing_api_calls_get_one_200_and_409_for_the_others(api, trial):
    for _ in range(API_TRIALS):
        trial(*api)
