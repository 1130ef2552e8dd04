"""How fast `raciflow audit verify`, `audit checkpoint` and `audit prove` run over N events.

    .venv/bin/python bench/audit_verify.py                       # 1M events, SQLite file
    .venv/bin/python bench/audit_verify.py --events 200000 \\
        --database postgresql+psycopg://postgres@127.0.0.1:5432/scratch

THE DATABASE IS WIPED: every raciflow table in it is dropped and recreated. Give it
a scratch database only (the default is a SQLite file under /tmp).

It writes N correctly chained events straight into the tables (bulk insert, or COPY
on PostgreSQL: building them through the engine would take hours), in streams of
--per-stream events like instances' trails, then times the real commands as a user
runs them: `raciflow audit verify`, `raciflow audit checkpoint`, `raciflow audit
prove` (of an event in the middle), and checks the proof with
scripts/verify_audit_proof.py. Each command's time includes starting Python.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, insert, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine import audit
from engine.database import make_engine, upgrade
from engine.orm import audit_events, audit_streams

ROOT = Path(__file__).resolve().parent.parent
RACIFLOW = Path(sys.executable).with_name("raciflow")
ACTS = ("start", "task_ready", "claim", "complete", "signoff_requested", "notified", "approve")
BATCH = 20_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--per-stream", type=int, default=10, help="events per instance trail")
    parser.add_argument(
        "--database",
        default="sqlite:////tmp/raciflow-bench-audit.sqlite",
        help="a SCRATCH database URL: all its raciflow tables are dropped",
    )
    parser.add_argument(
        "--no-build",
        action="store_true",
        help="time the commands on the events a previous run built (building 1M takes minutes)",
    )
    parser.add_argument("--verify-only", action="store_true", help="time `audit verify` only")
    args = parser.parse_args()

    if not args.no_build:
        print(f"bench: DROPPING and recreating every raciflow table in {args.database}")
        db = make_engine(args.database)
        _fresh_schema(db, args.database)
        started = time.perf_counter()
        _build(db, args.events, args.per_stream)
        built = time.perf_counter() - started
        print(f"built {args.events:,} chained events in {built:.1f} s")
        db.dispose()

    env = {**os.environ, "RACIFLOW_DATABASE_URL": args.database}
    load = " ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"load average before: {load} ({os.cpu_count()} cores)")
    cpu = _children_cpu()
    seconds, verified = _timed(env, "audit", "verify", "--json")
    cpu = _children_cpu() - cpu
    # a rebuilt trail holds exactly --events; a reused one also each earlier run's checkpoint
    assert verified["ok"] and verified["events"] >= args.events, verified
    rate = args.events / seconds
    print(
        f"audit verify:     {seconds:6.2f} s  {rate:,.0f} events/s "
        f"(check itself {verified['seconds']:.2f} s, {args.events / verified['seconds']:,.0f}/s; "
        f"CPU {cpu:.2f} s, {args.events / cpu:,.0f} events per CPU second)"
    )
    if args.verify_only:
        return
    seconds, made = _timed(env, "audit", "checkpoint", "--user", "bench", "--json")
    print(f"audit checkpoint: {seconds:6.2f} s  tree of {made['tree_size']:,}, root {made['root']}")
    middle = str(made["last_event_id"] // 2)
    started = time.perf_counter()
    proof = _run(env, "audit", "prove", middle).stdout
    seconds = time.perf_counter() - started
    print(f"audit prove:      {seconds:6.2f} s  path of {len(json.loads(proof)['audit_path'])}")
    checked = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "verify_audit_proof.py"), "-", "--root",
         made["root"], "--tree-size", str(made["tree_size"])],
        input=proof, capture_output=True, text=True, check=False,
    )  # fmt: skip
    print(f"verify_audit_proof.py: {checked.stdout.splitlines()[0]}")


def _fresh_schema(db: Engine, url: str) -> None:
    existing = MetaData()
    existing.reflect(db)
    existing.drop_all(db)
    with db.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(db)


def _build(db: Engine, count: int, per_stream: int) -> None:
    """Append `count` events in streams of `per_stream`, chained exactly as the engine does."""
    postgres = db.dialect.name == "postgresql"
    at = datetime(2026, 1, 1, tzinfo=UTC)
    heads: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    made = 0
    with db.begin() as conn:
        while made < count:
            stream = str(uuid.uuid4())
            head = audit.AuditStream(stream=stream, length=0, head_hash=audit.GENESIS_HASH)
            for n in range(min(per_stream, count - made)):
                at += timedelta(milliseconds=7)
                event = audit.AuditEvent(
                    stream=stream,
                    seq=0,
                    occurred_at=at,
                    actor=f"user{made % 97}",
                    action=ACTS[n % len(ACTS)],
                    prev_hash="",
                    hash="",
                    instance_id=stream,
                    process_id="credit_limit_change",
                    task_id=str(uuid.uuid4()) if n % 2 else None,
                    raci_role="R" if n % 3 else "A",
                    details={"element": f"step_{n}", "data": {"amount": 1000 + made, "ok": True,
                             "note": "Πιστωτικό όριο"}},
                )  # fmt: skip
                audit.chain(event, head)
                rows.append(
                    {c.name: getattr(event, c.name) for c in audit_events.c if c.name != "id"}
                )
                made += 1
            heads.append({"stream": stream, "length": head.length, "head_hash": head.head_hash})
            if len(rows) >= BATCH or made == count:
                _write(conn, postgres, rows, heads)
                rows, heads = [], []


def _write(conn: Any, postgres: bool, rows: list[dict[str, Any]], heads: list[dict]) -> None:
    if postgres:  # COPY: an order of magnitude faster than INSERT for a million rows
        columns = list(rows[0])
        cursor = conn.connection.driver_connection.cursor()
        with cursor.copy(f"COPY audit_events ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    [audit.canonical_json(row[c]) if c == "details" else row[c] for c in columns]
                )
    else:
        conn.execute(insert(audit_events), rows)
    conn.execute(insert(audit_streams), heads)


def _timed(env: dict[str, str], *args: str) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    done = _run(env, *args)
    return time.perf_counter() - started, json.loads(done.stdout)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(RACIFLOW), *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        sys.exit(f"raciflow {' '.join(args)} failed: {done.stderr.strip()}")
    return done


if __name__ == "__main__":
    main()
