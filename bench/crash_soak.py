"""Crash soak: API load while web workers, the gunicorn master and the worker are killed.

Starts `raciflow serve` (gunicorn, 2 web workers) and `raciflow worker` on a scratch
database, and runs clerks and managers through /api/v1 (start, claim, complete,
approve a small governed process whose approval is followed by a one-second timer)
while SIGKILLing a random web worker, the gunicorn master or the worker every few
seconds and starting again whatever is gone. Every step answered 2xx is recorded.
At the end it lets the worker catch up, then checks that each acknowledged step is in
the audit trail exactly once, no task was claimed, completed or approved twice, every
approved instance's timer fired exactly once, and `raciflow audit verify` passes.

    python bench/crash_soak.py --seconds 180                      # scratch SQLite
    python bench/crash_soak.py --seconds 180 \\
        --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres

With --postgres it creates a database of its own on that server and drops it after.
Everything listens on 127.0.0.1; the run stops by itself after --seconds or --kills.
Exit status 0 when every check passes.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import make_url, select, text  # noqa: E402

from engine import build_engine, collect_files  # noqa: E402
from engine.database import make_engine, upgrade  # noqa: E402
from engine.model import AuditEvent, ProcessInstance  # noqa: E402
from raci.directory_io import load_directory  # noqa: E402

SOAK = Path(__file__).parent / "soak"
RACIFLOW = [sys.executable, "-m", "web.cli"]
PASSWORD = "soak-password-1"
CLERKS = [f"clerk{n}" for n in range(1, 5)]
MANAGERS = [f"manager{n}" for n in range(1, 5)]
ACTS = ("claim", "complete", "approve")  # each step is recorded under its own name


@dataclass
class Record:
    """What the clients saw: acknowledged steps, and steps whose outcome is unknown."""

    acked: list[tuple[str, str, str]] = field(default_factory=list)  # (step, instance, task)
    unknown: Counter = field(default_factory=Counter)  # no answer (server down): sent again
    server_errors: Counter = field(default_factory=Counter)  # 5xx: sent again
    throttled: Counter = field(default_factory=Counter)  # 429 (sign-off is rate-limited)
    refused: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ack(self, step: str, instance_id: str, task_id: str = "") -> None:
        with self.lock:
            self.acked.append((step, instance_id, task_id))


# --- the system under test -------------------------------------------------------------


class System:
    """The web server and the worker as child processes, restarted when killed."""

    def __init__(self, env: dict[str, str], port: int, logs: Path) -> None:
        self.env, self.port, self.logs = env, port, logs
        self.web: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.kills: Counter = Counter()
        self.starts = 0

    def start_web(self) -> None:
        self.starts += 1
        log = self.logs / f"serve-{self.starts}.log"
        with log.open("w") as out:
            self.web = subprocess.Popen(
                [*RACIFLOW, "serve", "--port", str(self.port), "--json"],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while '{"url"' not in log.read_text():
            if self.web.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the web server did not start: see {log}")
            time.sleep(0.1)

    def start_worker(self) -> None:
        self.starts += 1
        with (self.logs / f"worker-{self.starts}.log").open("w") as out:
            self.worker = subprocess.Popen(
                [*RACIFLOW, "worker"], env=self.env, stdout=out, stderr=subprocess.STDOUT
            )

    def web_workers(self) -> list[int]:
        return _children(self.web.pid) if self.web else []

    def kill_one(self, rng: random.Random) -> None:
        """SIGKILL a web worker, the master or the worker, then start again what is gone."""
        victim = rng.choices(["web worker", "master", "worker"], weights=[2, 1, 1])[0]
        if victim == "web worker" and (pids := self.web_workers()):
            os.kill(rng.choice(pids), signal.SIGKILL)  # gunicorn's master starts another
        elif victim == "master":
            orphans = self.web_workers()
            self.web.kill()
            self.web.wait()
            _wait_gone(orphans, 10)  # they notice their master died within a second or so
            self.start_web()
        else:
            victim = "worker"
            self.worker.kill()
            self.worker.wait()
            self.start_worker()
        self.kills[victim] += 1

    def stop(self) -> None:
        for process in (self.worker, self.web):
            if process is not None and process.poll() is None:
                process.terminate()
        for process in (self.worker, self.web):
            if process is not None:
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _wait_gone(pids: list[int], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    for pid in pids:
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        if Path(f"/proc/{pid}").exists():
            os.kill(pid, signal.SIGKILL)


# --- the clients -------------------------------------------------------------------------


class Api:
    def __init__(self, base: str, token: str) -> None:
        self.base, self.token = base, token

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int | None, Any]:
        """(status, JSON body); status None when the answer never came."""
        request = urllib.request.Request(
            self.base + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as err:
            return err.code, None
        except (OSError, ValueError, http.client.HTTPException):
            # refused, reset, timed out, or half an answer (the server killed mid-body:
            # IncompleteRead, which is no OSError)
            return None, None


def step(record: Record, api: Api, name: str, path: str, body: dict, stop: threading.Event) -> Any:
    """Send one step until it is answered: 2xx (acknowledged) or a refusal (4xx but 429).

    A step without an answer (connection refused or reset, 5xx, 429) is sent again:
    the server must not apply it twice.
    """
    for attempt in range(60):
        status, data = api.call("POST", path, body)
        if status is not None and 200 <= status < 300:
            return data
        if status is not None and 400 <= status < 500 and status != 429:
            record.refused[name] += 1
            return None
        if status is None:
            record.unknown[name] += 1
        else:
            (record.throttled if status == 429 else record.server_errors)[name] += 1
        if stop.is_set() and attempt > 20:
            return None
        time.sleep(min(0.2 * 2**attempt, 2.0))
    return None


def client(
    record: Record, base: str, tokens: dict[str, str], n: int, stop: threading.Event
) -> None:
    """Clerk n starts, claims and completes; manager n approves; again until `stop`."""
    clerk, manager = Api(base, tokens[CLERKS[n]]), Api(base, tokens[MANAGERS[n]])
    approve = {"password": PASSWORD}
    while not stop.is_set():
        started = step(
            record, clerk, "start", "/api/v1/processes/soak_order/instances", {"data": {}}, stop
        )
        if not started:
            continue
        instance_id, [task_id] = started["instance_id"], started["ready_tasks"]
        record.ack("start", instance_id)
        base_path = f"/api/v1/tasks/{task_id}"
        for name, api, body in (
            ("claim", clerk, {}),
            ("complete", clerk, {"data": {"lines": n + 1}}),
            ("approve", manager, approve),
        ):
            if step(record, api, name, f"{base_path}/{name}", body, stop) is None:
                break
            record.ack(name, instance_id, task_id)


# --- checks ------------------------------------------------------------------------------


def check(database_url: str, record: Record) -> dict[str, Any]:
    """Every acknowledged step exactly once in the trail; nothing done twice; timers fired."""
    db = make_engine(database_url)
    with db.connect() as conn:
        events = conn.execute(
            select(AuditEvent.stream, AuditEvent.action, AuditEvent.task_id)
        ).all()
        statuses = dict(conn.execute(select(ProcessInstance.id, ProcessInstance.status)).all())
    db.dispose()
    count = Counter((e.stream, e.action, e.task_id or "") for e in events)
    missing, doubled = [], []
    for name, instance_id, task_id in record.acked:
        found = count[(instance_id, name, task_id)]
        (missing if found == 0 else doubled if found > 1 else []).append((name, instance_id))
    done_twice = [key for key, n in count.items() if key[1] in ACTS and n > 1]
    approved = {i for name, i, _ in record.acked if name == "approve"}
    timers = Counter(e.stream for e in events if e.action == "timer_fired")
    verified = build_engine(database_url).verify_audit()  # what `raciflow audit verify` runs
    return {
        "acknowledged": dict(Counter(name for name, _, _ in record.acked)),
        "missing": missing,
        "recorded_twice": doubled,
        "acts_done_twice": done_twice,
        "approved_not_completed": sorted(i for i in approved if statuses.get(i) != "completed"),
        "timers_not_fired_once": sorted(i for i in approved if timers[i] != 1),
        "audit_verify": {
            "ok": verified.ok,
            "events": verified.events,
            "streams": verified.streams,
            "first_problem": str(verified.first_problem) if verified.first_problem else None,
        },
    }


def wait_for_timers(database_url: str, record: Record, timeout: float) -> None:
    approved = {i for name, i, _ in record.acked if name == "approve"}
    db = make_engine(database_url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            with db.connect() as conn:
                waiting = conn.execute(
                    select(ProcessInstance.id).where(ProcessInstance.status != "completed")
                ).scalars()
                if not approved & set(waiting):
                    return
            time.sleep(0.5)
    finally:
        db.dispose()


# --- set-up ------------------------------------------------------------------------------


def prepare(database_url: str, clients: int) -> dict[str, str]:
    """Migrate, import the soak directory, deploy the soak process; return API tokens."""
    db = make_engine(database_url)
    upgrade(db)
    engine = build_engine(database_url, db_engine=db)
    source = (SOAK / "directory.yaml").read_bytes()
    engine.import_directory(load_directory("directory.yaml", source), user="soak")
    engine.deploy(collect_files([SOAK]), user="soak")
    tokens = {}
    for user in CLERKS[:clients] + MANAGERS[:clients]:  # scrypt hashing takes a while
        engine.set_password(user, PASSWORD, by="soak")
        tokens[user] = engine.create_token(user, label="soak")
    db.dispose()
    return tokens


def scratch_postgres(server: str) -> tuple[str, Callable[[], None]]:
    name = f"raciflow_soak_{os.getpid()}"
    admin = make_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(server).set(database=name).render_as_string(hide_password=False), drop


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def soak(
    *, seconds: float, max_kills: int, clients: int, postgres: str | None, seed: int, work: Path
) -> dict[str, Any]:
    database_url, drop = f"sqlite:///{work / 'soak.sqlite'}", None
    if postgres:
        database_url, drop = scratch_postgres(postgres)
    try:
        tokens = prepare(database_url, clients)
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "RACIFLOW_DATABASE_URL": database_url,
            "RACIFLOW_INSTANCE_DIR": str(work),
            "RACIFLOW_SECRET_KEY": "crash-soak",
            "RACIFLOW_ENV": "development",
            "RACIFLOW_WEB_WORKERS": "2",
            "RACIFLOW_WORKER_INTERVAL": "0.5",
        }
        port, rng = free_port(), random.Random(seed)
        system, record, stop = System(env, port, work), Record(), threading.Event()
        system.start_worker()
        system.start_web()
        base = f"http://127.0.0.1:{port}"
        threads = [
            threading.Thread(target=client, args=(record, base, tokens, n, stop), daemon=True)
            for n in range(clients)
        ]
        begun = time.monotonic()
        for thread in threads:
            thread.start()
        try:
            while time.monotonic() - begun < seconds and sum(system.kills.values()) < max_kills:
                time.sleep(rng.uniform(0.5, 3.0))
                system.kill_one(rng)
            stop.set()
            for thread in threads:
                thread.join(120)
            wait_for_timers(database_url, record, 60)
        finally:
            stop.set()
            system.stop()
        result = check(database_url, record)
        result.update(
            database=make_url(database_url).get_backend_name(),
            seconds=round(time.monotonic() - begun),
            kills=dict(system.kills),
            unanswered_tries=dict(record.unknown),
            server_errors=dict(record.server_errors),
            throttled_tries=dict(record.throttled),
            refused=dict(record.refused),
        )
        return result
    finally:
        if drop is not None:
            drop()


def passed(result: dict[str, Any]) -> bool:
    return (
        not any(
            result[key]
            for key in (
                "missing",
                "recorded_twice",
                "acts_done_twice",
                "approved_not_completed",
                "timers_not_fired_once",
                "server_errors",  # a crash may cut an answer off, never turn it into a 5xx
            )
        )
        and result["audit_verify"]["ok"]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=120, help="how long to run the load")
    parser.add_argument("--kills", type=int, default=200, help="stop after this many kills")
    parser.add_argument("--clients", type=int, default=4, choices=range(1, len(CLERKS) + 1))
    parser.add_argument("--postgres", help="a PostgreSQL server URL (default: scratch SQLite)")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    with tempfile.TemporaryDirectory(prefix="raciflow-soak-") as work:
        result = soak(
            seconds=args.seconds,
            max_kills=args.kills,
            clients=args.clients,
            postgres=args.postgres,
            seed=seed,
            work=Path(work),
        )
    result["seed"] = seed
    print(json.dumps(result, indent=2, default=str))
    return 0 if passed(result) else 1


if __name__ == "__main__":
    sys.exit(main())
