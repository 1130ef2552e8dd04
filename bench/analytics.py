"""Process analytics latency on PostgreSQL: 100k instances, 1M audit events.

Deploys the credit limit change (with the demo company, so that its owner may read
the analytics), then bulk-loads with COPY, not through the engine, a year of its
history: N instances (5% cancelled; of the last two weeks' starts, 10% still open or in
error; the rest completed; with --stuck, 2% of the whole year left in error), two tasks
each (the request, and the analysis at the level the limit needs, some reworked, some
late, a consultation for the CFO's), and ten audit events per instance. Then times the
process page (`ProcessEngine.analytics`) over the whole year and over the last quarter:
first with nothing rolled up (every instance read live, a few runs), then after the
worker's roll-up (engine/analytics/rollup.py), which it also times; prints p50/p95.

    .venv/bin/python bench/analytics.py --url postgresql+psycopg://postgres@127.0.0.1/scratch

The database's tables are DROPPED and recreated: point it at a scratch database.
The audit events are not hash-chained (analytics never reads them; `audit verify`
would refuse them).
"""

from __future__ import annotations

import argparse
import json
import os
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

from engine import SourceFile, build_engine
from engine.clock import FakeClock
from engine.database import make_engine, upgrade
from workflows.demo import demo_directory
from workflows.services import build_registry

ROOT = Path(__file__).resolve().parent.parent
PROCESS = "credit_limit_change"
OWNER = "lena.owner"
YEAR_START = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday
YEAR_END = YEAR_START + timedelta(weeks=52)
ANALYSES = (  # element, name, its A, sign-off due, share of cases
    ("analyse_controller", "Analyse credit (controller sign-off)", "kostas.credit", 1, 0.7),
    ("analyse_finance", "Analyse credit (finance manager sign-off)", "vasso.finance", 2, 0.2),
    ("analyse_cfo", "Analyse credit (CFO sign-off)", "petros.cfo", 3, 0.1),
)
EVENTS_PER_INSTANCE = 10
NOW = YEAR_END + timedelta(days=7)  # the cases started last have ended by now (or not)
OPEN_FOR = timedelta(weeks=2)  # cases still open or in error started in the last two weeks
UNFINISHED = {"waiting", "error"}  # with --stuck, only "waiting": errors all year long
HOUR = 3600


def reset(url: str) -> None:
    db = make_engine(url)
    with db.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade(db)
    db.dispose()


def load(url: str, instances: int) -> None:
    """Deploy the process through the engine, then COPY the history in."""
    engine = build_engine(
        url, services=build_registry(), clock=FakeClock(YEAR_START - timedelta(days=1))
    )
    engine.import_directory(demo_directory(), user="admin")
    engine.deploy(
        [SourceFile.read(path) for path in sorted((ROOT / "bpmn").glob(f"{PROCESS}.*"))],
        user=OWNER,
    )
    db = make_engine(url)
    raw = db.raw_connection()
    try:
        cursor = raw.cursor()
        version_id = cursor.execute("SELECT id FROM process_versions LIMIT 1").fetchone()[0]
        cases = [_case(n, instances) for n in range(instances)]
        _copy_instances(cursor, cases, version_id)
        _copy_tasks(cursor, cases)
        _copy_consultations(cursor, cases)
        _copy_events(cursor, cases)
        raw.commit()
    finally:
        raw.close()
    with db.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))  # what autovacuum does after a bulk load
    db.dispose()


def _case(n: int, instances: int) -> dict:
    """One instance's story, drawn from a seeded generator (the same on every run)."""
    rng = random.Random(n)
    started = YEAR_START + timedelta(seconds=int(n * (52 * 7 * 86400) / instances))
    request_wait, request_work = rng.uniform(0, 8) * HOUR, rng.uniform(0, 1) * HOUR
    roll = rng.random()
    element, name, signer, due_days, _ = next(
        a for a, edge in zip(ANALYSES, (0.7, 0.9, 1.01), strict=True) if roll < edge
    )
    wait, work = rng.uniform(0.5, 30) * HOUR, rng.uniform(0.2, 6) * HOUR
    sign = rng.expovariate(1 / (10 * HOUR))
    fate = rng.random()
    status = (
        "completed" if fate < 0.85 else "cancelled" if fate < 0.90 else "error" if fate < 0.92
        else "waiting"
    )  # fmt: skip
    if status in UNFINISHED and started < YEAR_END - OPEN_FOR:
        status = "completed"  # a case takes days: the ones still open started lately
    return {
        "id": str(uuid.UUID(int=n + 1)),
        "n": n,
        "started": started,
        "status": status,
        "request": (request_wait, request_work),
        "analysis": (element, name, signer, due_days, wait, work, sign),
        "rework": 1 if rng.random() < 0.08 else 0,
        "bd": f"bd{n % 40:02d}",
        "controller": ("anna.credit", "kostas.credit")[n % 2],
    }


def _copy_instances(cursor, cases: list[dict], version_id: int) -> None:
    with cursor.copy(
        "COPY process_instances (id, version_id, process_id, business_key, status, state,"
        " started_by, started_at, updated_at, ended_at, revision) FROM STDIN"
    ) as copy:
        for case in cases:
            end = _end(case)
            copy.write_row(
                (case["id"], version_id, PROCESS, f"C{case['n'] % 5000:05d}", case["status"],
                 b"x", case["bd"], case["started"], end or case["started"],
                 end if case["status"] in ("completed", "cancelled") else None, 1)
            )  # fmt: skip


def _times(case: dict) -> dict:
    request_wait, request_work = case["request"]
    _, _, _, due_days, wait, work, sign = case["analysis"]
    request_done = case["started"] + timedelta(seconds=request_wait + request_work)
    claimed = request_done + timedelta(seconds=wait)
    submitted = claimed + timedelta(seconds=work)
    signed = submitted + timedelta(seconds=sign)
    return {
        "request_claimed": case["started"] + timedelta(seconds=request_wait),
        "request_done": request_done,
        "claimed": claimed,
        "submitted": submitted,
        "signed": signed,
        "signoff_due": submitted + timedelta(days=due_days),
    }


def _end(case: dict) -> datetime | None:
    t = _times(case)
    return {"completed": t["signed"], "cancelled": t["claimed"], "error": t["submitted"]}.get(
        case["status"]
    )


def _copy_tasks(cursor, cases: list[dict]) -> None:
    with cursor.copy(
        "COPY human_tasks (id, instance_id, process_id, spec_id, name, status, created_at,"
        " business_key, assignee, completed_by, completed_at, claimed_at, performer,"
        " submitted_at, signoff_due_at, signed_off_by, signed_off_at, rework_count) FROM STDIN"
    ) as copy:
        for case in cases:
            t, key = _times(case), f"C{case['n'] % 5000:05d}"
            copy.write_row(
                (_task_id(case, 0), case["id"], PROCESS, "request", "Request new credit limit",
                 "completed", case["started"], key, case["bd"], case["bd"], t["request_done"],
                 t["request_claimed"], None, None, None, None, None, 0)
            )  # fmt: skip
            element, name, signer, *_ = case["analysis"]
            done = case["status"] == "completed"
            status = {"completed": "completed", "cancelled": "cancelled"}.get(
                case["status"], "awaiting_signoff"
            )
            submitted = t["submitted"] if case["status"] != "cancelled" else None
            copy.write_row(
                (_task_id(case, 1), case["id"], PROCESS, element, name, status,
                 t["request_done"], key, case["controller"],
                 case["controller"] if done else None, t["signed"] if done else None,
                 t["claimed"], case["controller"], submitted,
                 t["signoff_due"] if submitted else None, signer if done else None,
                 t["signed"] if done else None, case["rework"])
            )  # fmt: skip


def _task_id(case: dict, k: int) -> str:
    return str(uuid.UUID(int=(case["n"] + 1) * 10 + k))


def _copy_consultations(cursor, cases: list[dict]) -> None:
    with cursor.copy(
        "COPY consultations (task_id, instance_id, role, requested_at, answered_by, answered_at,"
        " comment) FROM STDIN"
    ) as copy:
        for case in cases:
            if case["analysis"][0] != "analyse_cfo":
                continue
            t = _times(case)
            answered = t["request_done"] + timedelta(hours=case["n"] % 48)
            copy.write_row(
                (_task_id(case, 1), case["id"], "finance_manager", t["request_done"],
                 "vasso.finance", answered, "Seen")
            )  # fmt: skip


def _copy_events(cursor, cases: list[dict]) -> None:
    acts = ("start", "task_ready", "claim", "complete", "task_ready", "claim", "submit",
            "signoff_requested", "notified", "approve")  # fmt: skip
    details = json.dumps({"element": "request"})
    with cursor.copy(
        "COPY audit_events (stream, seq, occurred_at, actor, action, instance_id, process_id,"
        " task_id, details, prev_hash, hash) FROM STDIN"
    ) as copy:
        for case in cases:
            for seq, action in enumerate(acts[:EVENTS_PER_INSTANCE], start=1):
                at = case["started"] + timedelta(minutes=seq)
                copy.write_row(
                    (case["id"], seq, at, case["bd"], action, case["id"], PROCESS,
                     _task_id(case, 0 if seq < 5 else 1), details, "0" * 64, "0" * 64)
                )  # fmt: skip


class CpuClock:
    """CPU seconds spent by this process and by one PostgreSQL backend (read in /proc: the
    server is local). On a machine shared with other work, wall time includes waiting for
    a core; CPU time is what a run costs, close to its wall time on an idle machine."""

    def __init__(self, backend_pid: int) -> None:
        self.stat = Path(f"/proc/{backend_pid}/stat")
        self.tick = os.sysconf("SC_CLK_TCK")

    def now(self) -> float:
        fields = self.stat.read_text().rsplit(")", 1)[1].split()
        backend = (int(fields[11]) + int(fields[12])) / self.tick  # utime, stime
        return backend + time.process_time()


def backend_pid(conn) -> int:
    return conn.execute(text("SELECT pg_backend_pid()")).scalar_one()


def timed(run: Callable[[], object], repeat: int, cpu: CpuClock) -> list[float]:
    """p50 and p95 of `repeat` runs (after one warm-up), in milliseconds: wall, then CPU."""
    run()
    wall, used = [], []
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), cpu.now()
        run()
        wall.append((time.perf_counter() - started) * 1000)
        used.append((cpu.now() - cpu_started) * 1000)
    return [*_p50_p95(wall), *_p50_p95(used)]


def _p50_p95(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples), samples[max(0, round(0.95 * len(samples)) - 1)]


def _line(what: str, figures: list[float], note: str = "") -> None:
    print(f"{what:<40} " + " ".join(f"{n:8.1f}" for n in figures) + note)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True, help="a SCRATCH PostgreSQL database")
    parser.add_argument("--instances", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--no-load", action="store_true", help="reuse the last run's data")
    parser.add_argument(
        "--stuck",
        action="store_true",
        help="leave 2%% of the year's cases in error, never mended (a stress: all read live)",
    )
    args = parser.parse_args()
    if args.stuck:
        UNFINISHED.discard("error")
    if not args.no_load:
        print(f"bench: DROPPING every table of {args.url} and loading {args.instances:,} cases")
        started = time.perf_counter()
        reset(args.url)
        load(args.url, args.instances)
        print(f"loaded in {time.perf_counter() - started:.0f} s")
    clock = FakeClock(NOW)
    engine = build_engine(args.url, services=build_registry(), clock=clock)
    with engine.reader() as uow:
        counts = {
            table: uow.session.scalar(text(f"SELECT count(*) FROM {table}"))
            for table in ("process_instances", "human_tasks", "audit_events", "consultations")
        }
        pid = backend_pid(uow.session.connection())  # run one at a time, the pool reuses it
    print(", ".join(f"{table} {n:,}" for table, n in counts.items()))
    print(f"load average {' '.join(f'{n:.1f}' for n in os.getloadavg())}, {os.cpu_count()} cores")
    print(f"{'':<40} {'wall p50':>8} {'wall p95':>8} {'CPU p50':>8} {'CPU p95':>8}   ms")
    periods = (("a year", YEAR_START), ("the last quarter", YEAR_END - timedelta(weeks=13)))

    def page(since: datetime) -> Callable[[], object]:
        return lambda: engine.analytics(PROCESS, since=since, until=YEAR_END, user=OWNER)

    with engine.database.begin() as conn:  # with --no-load: roll up afresh
        conn.execute(text("DELETE FROM analytics_rollups"))
    for label, since in periods:  # every instance live: the exact path, few runs
        _line(f"nothing rolled up, {label}", timed(page(since), 3, CpuClock(pid)))
    started = time.perf_counter()
    rolled = engine.roll_up_analytics()
    print(f"first roll-up: {rolled:,} finished instances in {time.perf_counter() - started:.1f} s")
    with engine.database.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))  # what autovacuum does after the first roll-up
    clock.advance(timedelta(minutes=1))
    started = time.perf_counter()
    engine.roll_up_analytics()
    print(f"a roll-up a minute later: {(time.perf_counter() - started) * 1000:.0f} ms")
    for label, since in periods:
        report = page(since)()
        figures = timed(page(since), args.repeat, CpuClock(pid))
        _line(f"process page, {label}", figures, f"   ({report.counts.started:,} instances)")
    with engine.reader() as uow:
        assert backend_pid(uow.session.connection()) == pid, "the pool opened another connection"


if __name__ == "__main__":
    main()
