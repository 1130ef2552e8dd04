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

    python bench/engine_throughput.py --n 500
    python bench/engine_throughput.py --database-url postgresql+psycopg://user@host/db
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import func, select

from engine import build_engine, collect_files
from engine.database import make_engine
from engine.model import ProcessInstance
from engine.orm import metadata
from raci.directory_io import load_directory

PROCESSES = Path(__file__).parent / "processes"
GOVERNED = PROCESSES / "governed"


def amount_for(i: int) -> int:
    return 5000 if i % 2 else 500  # every other instance needs the finance review


def run_persisted(n: int, database_url: str) -> float:
    engine = build_engine(database_url, migrate=True)
    engine.deploy(
        collect_files([PROCESSES / "approval.bpmn", PROCESSES / "approval_level.dmn"]), user="bench"
    )
    began = time.perf_counter()
    for i in range(n):
        started = engine.start("approval", user="sales1", business_key=f"C-{i}")
        [request] = started.ready_tasks
        state = engine.complete(request, user="sales1", data={"amount": amount_for(i)})
        for review in state.ready_tasks:
            engine.complete(review, user="finance1", data={"approved": True})
    return n / (time.perf_counter() - began)


def run_governed(n: int, database_url: str) -> float:
    """Claim, complete and sign off (by another user) every task, under the RACI matrix."""
    engine = build_engine(database_url, migrate=True)
    directory = GOVERNED / "directory.yaml"
    engine.import_directory(load_directory(directory.name, directory.read_bytes()), user="bench")
    files = [PROCESSES / "approval.bpmn", PROCESSES / "approval_level.dmn", GOVERNED]
    engine.deploy(collect_files(files), user="bench")
    began = time.perf_counter()
    for i in range(n):
        started = engine.start("approval", user="sales1", business_key=f"C-{i}")
        [request] = started.ready_tasks
        engine.claim(request, user="sales1")
        engine.complete(request, user="sales1", data={"amount": amount_for(i)})
        state = engine.approve(request, user="manager1")
        for review in state.ready_tasks:
            engine.claim(review, user="finance1")
            engine.complete(review, user="finance1", data={"approved": True})
            engine.approve(review, user="manager1")
    return n / (time.perf_counter() - began)


def run_bare(n: int) -> float:
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_file(str(PROCESSES / "approval.bpmn"))
    parser.add_dmn_file(str(PROCESSES / "approval_level.dmn"))
    spec, subprocess_specs = parser.get_spec("approval"), parser.get_subprocess_specs("approval")
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))

    def round_trip(workflow: BpmnWorkflow) -> BpmnWorkflow:
        return serializer.deserialize_json(serializer.serialize_json(workflow))

    began = time.perf_counter()
    for i in range(n):
        workflow = BpmnWorkflow(spec, subprocess_specs)
        workflow.do_engine_steps()
        workflow = round_trip(workflow)
        while not workflow.is_completed():
            [task] = workflow.get_tasks(state=TaskState.READY, manual=True)
            task.data.update(
                {"amount": amount_for(i)}
                if task.task_spec.bpmn_id == "request"
                else {"approved": True}
            )
            task.run()
            workflow.do_engine_steps()
            workflow = round_trip(workflow)
    return n / (time.perf_counter() - began)


def state_bytes_per_wait(database_url: str, samples: int = 20) -> list[int]:
    """Stored state size at each wait state of a few instances (the spec excluded)."""
    engine = build_engine(database_url)
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
        metadata.drop_all(connection)
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    engine.dispose()
    return database_url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="instances per run (default 300)")
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternating rounds; the best of each (default 3)"
    )
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL database to use (EMPTIED at each round); default: a SQLite file",
    )
    args = parser.parse_args()
    # Best of several alternating rounds, as timeit does: other load only ever slows a round.
    persisted = governed = bare = 0.0
    for round_number in range(args.rounds):
        with tempfile.TemporaryDirectory() as folder:
            url = fresh_database(args.database_url, folder, "plain")
            persisted = max(persisted, run_persisted(args.n, url))
            if round_number == 0:
                sizes = state_bytes_per_wait(url)
            bare = max(bare, run_bare(args.n))
            url = fresh_database(args.database_url, folder, "governed")
            governed = max(governed, run_governed(args.n, url))
    where = "PostgreSQL" if args.database_url else "SQLite"
    print(f"instances: {args.n} (half with the finance review), best of {args.rounds} rounds")
    print(f"persisted ({where}, projection, audit): {persisted:8.1f} instances/s")
    print(f"bare SpiffWorkflow (serialize+deserialize per wait): {bare:8.1f} instances/s")
    print(
        f"stored state per wait state: mean {statistics.mean(sizes):.0f} B, max {max(sizes)} B "
        f"(target <= 2048 B, spec excluded)"
    )
    print(f"ratio persisted/bare: {persisted / bare:.2f}")
    print(f"RACI-governed (claim, complete, sign-off by another user): {governed:8.1f} instances/s")
    print(f"ratio governed/bare: {governed / bare:.2f}")


if __name__ == "__main__":
    main()
