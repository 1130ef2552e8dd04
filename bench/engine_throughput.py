"""Throughput of the persisted engine against bare SpiffWorkflow.

Runs N instances of a two-lane approval process (a DMN decides whether half
of them need a second user task) through raciflow's engine, with persistence
(SQLite, or the PostgreSQL database given), task projection and audit, and
through bare SpiffWorkflow with a serialize + deserialize at each wait state
(its standard save/reload loop). Prints both rates, the ratio, and the stored
state size per wait state.

Then the same process under a RACI matrix (bench/processes/governed): each user
task is claimed, completed by its R and signed off by another user (A), the way
people work it. Its ratio is against the same bare loop, which has none of that.

The three loops take turns in one process, a batch of instances each (`--batch`), and
each ratio is the median of the turns' ratios: the host's speed drifts by ±10% within a
minute, which a run of each loop after the other measured instead of the code (the
same code read 0.53 to 0.81 in best-of-three runs minutes apart; turns read 0.66 to 0.70).

    python bench/engine_throughput.py --n 600
    python bench/engine_throughput.py --database-url postgresql+psycopg://user@host/db
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import func, make_url, select, text

from engine import ProcessEngine, build_engine, collect_files
from engine.database import make_engine
from engine.model import ProcessInstance
from raci.directory_io import load_directory

PROCESSES = Path(__file__).parent / "processes"
GOVERNED = PROCESSES / "governed"


def amount_for(i: int) -> int:
    return 5000 if i % 2 else 500  # every other instance needs the finance review


class Persisted:
    """raciflow's engine on a database of its own: start, complete, complete."""

    files = [PROCESSES / "approval.bpmn", PROCESSES / "approval_level.dmn"]

    def __init__(self, database_url: str) -> None:
        self.engine = build_engine(database_url, migrate=True)
        self.prepare()
        self.engine.deploy(collect_files(self.files), user="bench")
        self.started = 0

    def prepare(self) -> None:
        """What the engine needs before the deploy."""

    def run(self, n: int) -> None:
        for i in range(self.started, self.started + n):
            started = self.engine.start("approval", user="sales1", business_key=f"C-{i}")
            [request] = started.ready_tasks
            state = self.work(request, "sales1", {"amount": amount_for(i)})
            for review in state.ready_tasks:
                self.work(review, "finance1", {"approved": True})
        self.started += n

    def work(self, task: str, user: str, data: dict[str, Any]) -> Any:
        """Do `task` as `user`: the state the instance is in afterwards."""
        return self.engine.complete(task, user=user, data=data)


class Governed(Persisted):
    """Claim, complete and sign off (by another user) every task, under the RACI matrix."""

    files = [*Persisted.files, GOVERNED]

    def prepare(self) -> None:
        directory = GOVERNED / "directory.yaml"
        self.engine.import_directory(
            load_directory(directory.name, directory.read_bytes()), user="bench"
        )

    def work(self, task: str, user: str, data: dict[str, Any]) -> Any:
        self.engine.claim(task, user=user)
        self.engine.complete(task, user=user, data=data)
        return self.engine.approve(task, user="manager1")


class Bare:
    """SpiffWorkflow alone, serialized and deserialized at each wait (its save/reload loop)."""

    def __init__(self) -> None:
        parser = SpiffBpmnParser(validator=VALIDATOR)
        parser.add_bpmn_file(str(PROCESSES / "approval.bpmn"))
        parser.add_dmn_file(str(PROCESSES / "approval_level.dmn"))
        self.spec = parser.get_spec("approval")
        self.subprocess_specs = parser.get_subprocess_specs("approval")
        self.serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))

    def round_trip(self, workflow: BpmnWorkflow) -> BpmnWorkflow:
        return self.serializer.deserialize_json(self.serializer.serialize_json(workflow))

    def run(self, n: int) -> None:
        for i in range(n):
            workflow = BpmnWorkflow(self.spec, self.subprocess_specs)
            workflow.do_engine_steps()
            workflow = self.round_trip(workflow)
            while not workflow.is_completed():
                [task] = workflow.get_tasks(state=TaskState.READY, manual=True)
                task.data.update(
                    {"amount": amount_for(i)}
                    if task.task_spec.bpmn_id == "request"
                    else {"approved": True}
                )
                task.run()
                workflow.do_engine_steps()
                workflow = self.round_trip(workflow)


def timed(loop: Persisted | Bare, n: int) -> float:
    began = time.perf_counter()
    loop.run(n)
    return time.perf_counter() - began


def state_bytes_per_wait(engine: ProcessEngine, samples: int = 20) -> list[int]:
    """Stored state size at each wait state of a few instances (the spec excluded)."""
    sizes: list[int] = []

    def size_of(instance_id: str) -> int:
        with engine.uow() as uow:
            return uow.session.scalar(
                select(func.length(ProcessInstance.state)).where(ProcessInstance.id == instance_id)
            )

    for _ in range(samples):
        started = engine.start("approval", user="sales1")
        sizes.append(size_of(started.instance_id))
        engine.complete(started.ready_tasks[0], user="sales1", data={"amount": 5000})
        sizes.append(size_of(started.instance_id))
    return sizes


def fresh_database(database_url: str | None, folder: str, name: str) -> str:
    """A SQLite file in `folder`, or the PostgreSQL database given, emptied."""
    if database_url is None:
        return f"sqlite:///{folder}/{name}.sqlite"
    engine = make_engine(database_url)
    with engine.begin() as connection:
        # The whole schema: the migrations also made the business tables (crm_*), which
        # the engine's metadata does not list; a second run would find them there.
        connection.exec_driver_sql("DROP SCHEMA public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    return database_url


def sibling_database(database_url: str, suffix: str) -> str:
    """A PostgreSQL database beside `database_url`'s, named with `suffix`: created if
    absent (the governed loop runs beside the plain one, on a database of its own)."""
    url = make_url(database_url)
    name = f"{url.database}_{suffix}"
    engine = make_engine(database_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        known = "SELECT 1 FROM pg_database WHERE datname = :name"
        if connection.execute(text(known), {"name": name}).scalar() is None:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return fresh_database(url.set(database=name).render_as_string(hide_password=False), "", "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=600, help="instances per loop (default 600)")
    parser.add_argument(
        "--batch", type=int, default=25, help="instances per loop in a turn (default 25)"
    )
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL database to use (EMPTIED first); default: SQLite files",
    )
    args = parser.parse_args()
    turns = max(1, args.n // args.batch)
    with tempfile.TemporaryDirectory() as folder:
        persisted = Persisted(fresh_database(args.database_url, folder, "plain"))
        sizes = state_bytes_per_wait(persisted.engine)
        if args.database_url:
            governed = Governed(sibling_database(args.database_url, "governed"))
        else:
            governed = Governed(fresh_database(None, folder, "governed"))
        # The loops take turns, a batch each, so that the host's drift (±10% within a
        # minute here) falls on all of them alike; the ratio is the median of the turns'.
        loops: dict[str, Persisted | Bare] = {
            "persisted": persisted,
            "bare": Bare(),
            "governed": governed,
        }
        spent: dict[str, list[float]] = {name: [] for name in loops}
        for loop in loops.values():
            loop.run(min(args.batch, 5))  # warm up: caches, first statements
        for _ in range(turns):
            for name, loop in loops.items():
                spent[name].append(timed(loop, args.batch))
    where = "PostgreSQL" if args.database_url else "SQLite"
    n = turns * args.batch
    print(f"instances: {n} per loop (half with the finance review), in turns of {args.batch}")

    def rate(name: str) -> float:
        return n / sum(spent[name])

    def ratio(name: str) -> str:
        ratios = [b / t for b, t in zip(spent["bare"], spent[name], strict=True)]
        low, median, high = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else ratios * 3
        return f"{median:.2f} (turns' middle half {low:.2f}–{high:.2f})"

    print(f"persisted ({where}, projection, audit): {rate('persisted'):8.1f} instances/s")
    print(f"bare SpiffWorkflow (serialize+deserialize per wait): {rate('bare'):8.1f} instances/s")
    print(
        f"stored state per wait state: mean {statistics.mean(sizes):.0f} B, max {max(sizes)} B "
        f"(target <= 2048 B, spec excluded)"
    )
    print(f"ratio persisted/bare: {ratio('persisted')}")
    print(
        "RACI-governed (claim, complete, sign-off by another user): "
        f"{rate('governed'):8.1f} instances/s"
    )
    print(f"ratio governed/bare: {ratio('governed')}")


if __name__ == "__main__":
    main()
