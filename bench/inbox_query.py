"""Inbox query latency on a large PostgreSQL table: 100k instances, 1M task rows.

Loads a synthetic history (every instance has ten tasks; half the instances wait on
an open one, routed to RACI roles: an R role works it, an A role signs it off, and
one open task in five waits for that sign-off) into PostgreSQL, then times the inbox queries
staff run all day, through the read model the inbox page uses
(engine/views/inbox.py), and prints p50/p95 per query.

    python bench/inbox_query.py --url postgresql+psycopg://postgres@127.0.0.1:5432/test

The database's tables are DROPPED and recreated: point it at a scratch database.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text

from engine import build_engine, collect_files
from engine.database import make_engine, upgrade
from engine.views.inbox import inbox_counts, inbox_page
from engine.views.inbox_sections import InboxQuery
from raci.directory import Directory, User

ROOT = Path(__file__).resolve().parent.parent
ROLES = tuple(f"role_{n:02d}" for n in range(16))
USERS = 200
TASKS_PER_INSTANCE = 10


def reset(url: str) -> None:
    db = make_engine(url)
    with db.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade(db)
    db.dispose()


def directory() -> Directory:
    users = {
        f"user{n:03d}": User(
            f"user{n:03d}",
            f"User {n}",
            roles=frozenset({ROLES[n % len(ROLES)], ROLES[(n * 7 + 3) % len(ROLES)]}),
        )
        for n in range(USERS)
    }
    return Directory(users=users)


def load(url: str, instances: int) -> None:
    """Bulk-load the history with COPY: instances, tasks, and the roles of open tasks."""
    engine = build_engine(url)
    engine.import_directory(directory(), user="bench")
    engine.deploy(
        collect_files(
            [
                ROOT / "tests" / "fixtures" / "approval.bpmn",
                ROOT / "tests" / "fixtures" / "approval_level.dmn",
            ]
        ),
        user="bench",
    )
    start = datetime(2026, 1, 1, tzinfo=UTC)
    db = make_engine(url)
    raw = db.raw_connection()
    try:
        cursor = raw.cursor()
        version_id = cursor.execute("SELECT id FROM process_versions LIMIT 1").fetchone()[0]
        _copy_instances(cursor, instances, version_id, start)
        _copy_tasks(cursor, instances, start)
        raw.commit()
    finally:
        raw.close()
    vacuum(db)
    db.dispose()


def vacuum(db) -> None:
    """What autovacuum does after a bulk load: fresh statistics and a visibility map
    (without which PostgreSQL cannot answer from an index alone)."""
    with db.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def _instance_id(n: int) -> str:
    return str(uuid.UUID(int=n + 1))


def _copy_instances(cursor, instances: int, version_id: int, start: datetime) -> None:
    with cursor.copy(
        "COPY process_instances (id, version_id, process_id, business_key, status, state,"
        " started_by, started_at, updated_at, revision) FROM STDIN"
    ) as copy:
        for n in range(instances):
            at = start + timedelta(minutes=n)
            status = "waiting" if n % 2 == 0 else "completed"
            copy.write_row(
                (
                    _instance_id(n),
                    version_id,
                    "approval",
                    f"C{n % 5000:05d}",
                    status,
                    b"x",
                    f"user{n % USERS:03d}",
                    at,
                    at,
                    1,
                )
            )


def _copy_tasks(cursor, instances: int, start: datetime) -> None:
    open_roles = []
    with cursor.copy(
        "COPY human_tasks (id, instance_id, process_id, spec_id, name, lane, status,"
        " created_at, due_at, business_key, assignee, completed_by, completed_at,"
        " rework_count, performer, submitted_at, signoff_due_at) FROM STDIN"
    ) as copy:
        for n in range(instances):
            base = start + timedelta(minutes=n)
            for k in range(TASKS_PER_INSTANCE):
                task_id = str(uuid.UUID(int=(n + 1) * 100 + k))
                is_open = n % 2 == 0 and k == TASKS_PER_INSTANCE - 1
                created = base + timedelta(seconds=k)
                claimed = f"user{(n * 3) % USERS:03d}" if is_open and n % 10 == 0 else None
                # One open task in five is done and waits for its A's sign-off.
                waiting = is_open and n % 10 == 4
                performer = f"user{(n * 3) % USERS:03d}" if waiting else None
                status = "awaiting_signoff" if waiting else "ready" if is_open else "completed"
                due = _due(n) if is_open else None
                signoff_due = due + timedelta(days=1) if waiting else None
                copy.write_row(
                    (
                        task_id,
                        _instance_id(n),
                        "approval",
                        f"step_{k}",
                        f"Step {k}",
                        None,
                        status,
                        created,
                        due,
                        f"C{n % 5000:05d}",
                        claimed,
                        None if is_open else "user000",
                        None if is_open else created,
                        0,
                        performer,
                        created if waiting else None,
                        signoff_due,
                    )
                )
                if is_open:  # the role index carries the open task's inbox fields
                    fields = (
                        *("approval", f"C{n % 5000:05d}", status, claimed, performer),
                        *(created, due, signoff_due),
                    )
                    # (HumanTask.due_in_inbox, for tasks that are not urgent)
                    work_due, signoff_due_key = due, signoff_due or due
                    open_roles.append((task_id, ROLES[n % len(ROLES)], "R", *fields, work_due))
                    open_roles.append(
                        (task_id, ROLES[(n + 5) % len(ROLES)], "A", *fields, signoff_due_key)
                    )
    with cursor.copy(
        "COPY task_roles (task_id, role, letter, process_id, business_key, status, assignee,"
        " performer, created_at, due_at, signoff_due_at, inbox_due) FROM STDIN"
    ) as copy:
        for row in open_roles:
            copy.write_row(row)


_RANDOM = random.Random(2026)  # repeatable synthetic data


def _due(n: int) -> datetime:
    # Open work is due from a day ago to five days ahead (about one task in six overdue),
    # drawn at random so that due order says nothing about a task's role.
    return datetime.now(UTC) + timedelta(hours=_RANDOM.randrange(144) - 24)


def timed(query: Callable[[], object], runs: int) -> list[float]:
    query()  # warm the plan and the cache
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        query()
        samples.append((time.perf_counter() - began) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="a scratch PostgreSQL database (dropped!)")
    parser.add_argument("--instances", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument(
        "--no-load", action="store_true", help="time the data an earlier run loaded"
    )
    args = parser.parse_args()
    if not args.url.startswith("postgresql"):
        parser.error("the inbox benchmark targets PostgreSQL")
    if not args.no_load:
        began = time.perf_counter()
        reset(args.url)
        load(args.url, args.instances)
        print(
            f"loaded {args.instances} instances, {args.instances * TASKS_PER_INSTANCE} task rows"
            f" in {time.perf_counter() - began:.0f} s"
        )
    engine = build_engine(args.url)
    users = [f"user{n:03d}" for n in range(0, USERS, 7)]

    def page(**options: object) -> Callable[[str], object]:
        return lambda user: inbox_page(engine.uow(), user, InboxQuery(**options))

    queries = {
        "queue, due first, page 1": page(section="queue"),
        "queue, oldest first, page 1": page(section="queue", sort="created"),
        "queue, overdue only": page(section="queue", due="overdue"),
        "queue, one customer": page(section="queue", customer="C0042"),
        "queue, page 20": page(section="queue", offset=380),
        "my tasks": page(section="mine"),
        "sign-offs for me": page(section="signoffs"),
        "section counts": lambda user: inbox_counts(engine.uow(), user),
    }
    for label, query in queries.items():
        samples = []
        for user in users:
            samples.extend(
                timed(lambda user=user, query=query: query(user), args.runs // len(users))
            )
        samples.sort()
        p95 = samples[int(len(samples) * 0.95) - 1]
        print(
            f"{label:32s} p50 {statistics.median(samples):6.2f} ms   p95 {p95:6.2f} ms"
            f"   (target p95 <= 20 ms, {len(samples)} runs)"
        )


if __name__ == "__main__":
    main()
