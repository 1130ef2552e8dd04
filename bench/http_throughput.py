"""Throughput of the JSON API on the approval workload, against a server it starts.

Each instance is the workload SpiffArena was measured on: start the two-lane
approval process, read its first task, complete it (an amount that needs the
finance review), read the review, complete it. Clients run instances in
parallel against `raciflow serve` (gunicorn) started by this script on a fresh
database, and it prints:

- instances/s (wall clock, client side);
- server CPU ms per instance (user + system time of gunicorn's processes, from /proc,
  and the two apart);
- SQL statements and transactions per instance (counted on a second, short run
  against a server of their own, by a SQLAlchemy event listener this script installs
  before gunicorn forks: the listener's own CPU stays out of the timed run);
- HTTP calls per instance.

    python bench/http_throughput.py --n 300
    python bench/http_throughput.py --n 300 --workers 2 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1/raciflow_bench

A PostgreSQL database given with --database-url is EMPTIED first (its public schema
is dropped): give it one of its own. `--server-root` serves another checkout (e.g.
an older commit, for a before/after comparison).
"""

from __future__ import annotations

import argparse
import http.client
import json
import mmap
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DIRECTORY = """\
roles:
  - {name: admin, description: Administrator}
  - {name: sales, description: Sales}
  - {name: finance, description: Finance}
users:
  - {username: admin, name: Admin, roles: [admin]}
  - {username: sales1, name: Sales One, roles: [sales]}
  - {username: finance1, name: Finance One, roles: [finance]}
"""


# --- inside the server: count statements and transactions -----------------------------


def count_sql(folder: str) -> None:
    """Count every SQL statement and transaction of this process and its forks.

    Each process keeps two int64 (statements, transactions) in a small memory-mapped
    file of its own under `folder`, so counting costs no system call and the bench
    reads the sums without asking the server.
    """
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    lock = threading.Lock()
    slots: dict[int, mmap.mmap] = {}

    def bump(index: int) -> None:
        pid = os.getpid()
        with lock:
            slot = slots.get(pid)
            if slot is None:  # first statement of this (forked) process
                path = Path(folder, str(pid))
                path.write_bytes(bytes(16))
                with path.open("r+b") as file:
                    slot = slots[pid] = mmap.mmap(file.fileno(), 16)
            (value,) = struct.unpack_from("q", slot, index * 8)
            struct.pack_into("q", slot, index * 8, value + 1)

    def statement(*_args: Any) -> None:  # a BEGIN is not one: it is counted as a transaction
        bump(0)

    event.listen(Engine, "before_cursor_execute", statement)
    event.listen(Engine, "begin", lambda _conn: bump(1))


def read_counts(folder: Path) -> tuple[int, int]:
    statements = transactions = 0
    for path in folder.iterdir():
        data = path.read_bytes()
        if len(data) == 16:
            done, begun = struct.unpack("qq", data)
            statements, transactions = statements + done, transactions + begun
    return statements, transactions


# --- the server --------------------------------------------------------------------------


def cpu_ms(root_pid: int) -> tuple[float, float]:
    """User and system CPU of `root_pid` and its descendants so far, in ms."""
    parents: dict[int, int] = {}
    times: dict[int, tuple[int, int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path("/proc", entry, "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        parents[int(entry)] = int(fields[1])
        times[int(entry)] = int(fields[11]), int(fields[12])  # utime, stime
    tree, frontier = {root_pid}, [root_pid]
    while frontier:
        pid = frontier.pop()
        children = [child for child, parent in parents.items() if parent == pid]
        tree.update(children)
        frontier.extend(children)
    per_tick = 1000 / os.sysconf("SC_CLK_TCK")
    user = sum(times.get(pid, (0, 0))[0] for pid in tree) * per_tick
    system = sum(times.get(pid, (0, 0))[1] for pid in tree) * per_tick
    return user, system


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def raciflow(server_root: Path, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", "from web.cli import main; main()", *args],
        cwd=server_root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"raciflow {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def empty_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    db = create_engine(url)
    with db.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    db.dispose()


class Server:
    """`raciflow serve` on a fresh database with the approval process and two users."""

    def __init__(self, args: argparse.Namespace, folder: Path, *, counted: bool) -> None:
        self.folder = folder
        self.counts = folder / "counts"
        self.counts.mkdir()
        bpmn = folder / "bpmn"
        bpmn.mkdir()
        for name in ("approval.bpmn", "approval_level.dmn"):
            shutil.copy(BENCH / "processes" / name, bpmn / name)
        (folder / "directory.yaml").write_text(DIRECTORY)
        if args.database_url and args.database_url.startswith("postgresql"):
            empty_postgres(args.database_url)
        self.env = {
            **os.environ,
            "RACIFLOW_INSTANCE_DIR": str(folder / "instance"),
            "RACIFLOW_BPMN_DIR": str(bpmn),
            "RACIFLOW_SECRET_KEY": "bench",
            "RACIFLOW_WEB_WORKERS": str(args.workers),
            "RACIFLOW_WEB_THREADS": str(args.threads),
            "PYTHONPATH": str(args.server_root),
        }
        if args.database_url:
            self.env["RACIFLOW_DATABASE_URL"] = args.database_url
        self.root = args.server_root
        raciflow(self.root, self.env, "init", "--directory", str(folder / "directory.yaml"))
        self.tokens = {
            user: raciflow(self.root, self.env, "directory", "create-token", user).strip()
            for user in ("sales1", "finance1")
        }
        self.port = free_port()
        counting = (
            f"import sys; sys.path.insert(0, {str(BENCH)!r}); import http_throughput; "
            f"http_throughput.count_sql({str(self.counts)!r}); "
        )
        code = (counting if counted else "") + "from web.cli import main; main()"
        self.process = subprocess.Popen(
            [sys.executable, "-c", code, "serve", "--port", str(self.port), "--json"],
            cwd=self.root,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=(folder / "server.log").open("w"),
            text=True,
        )
        ready = self.process.stdout.readline()
        if not ready.startswith("{"):
            self.stop()
            raise SystemExit(f"the server did not start: {ready!r}")
        # The access log follows on stdout: read it away, or a full pipe stalls the server.
        threading.Thread(target=self.process.stdout.read, daemon=True).start()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


# --- the clients -------------------------------------------------------------------------


class Client:
    """One user's keep-alive-less JSON calls (gunicorn's sync worker closes each)."""

    def __init__(self, port: int, token: str, calls: list[int]) -> None:
        self.port = port
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.calls = calls

    def call(self, method: str, path: str, body: Any = None) -> Any:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            payload = None if body is None else json.dumps(body)
            connection.request(method, f"/api/v1{path}", payload, self.headers)
            answer = connection.getresponse()
            data = answer.read()
        finally:
            connection.close()
        self.calls[0] += 1
        if answer.status >= 300:
            raise RuntimeError(f"{method} {path}: {answer.status} {data[:300]!r}")
        return json.loads(data)


def one_instance(sales: Client, finance: Client, key: str) -> None:
    started = sales.call("POST", "/processes/approval/instances", {"data": {}, "business_key": key})
    [request] = started["ready_tasks"]
    sales.call("GET", f"/tasks/{request}")
    submitted = sales.call("POST", f"/tasks/{request}/complete", {"data": {"amount": 5000}})
    [review] = submitted["ready_tasks"]
    finance.call("GET", f"/tasks/{review}")
    done = finance.call("POST", f"/tasks/{review}/complete", {"data": {"approved": True}})
    assert done["status"] == "completed", done


def run_clients(server: Server, n: int, clients: int, prefix: str) -> int:
    """Run `n` instances on `clients` threads; the number of HTTP calls made."""
    counter = iter(range(n))
    lock = threading.Lock()
    calls = [[0] for _ in range(clients)]
    errors: list[BaseException] = []

    def work(index: int) -> None:
        sales = Client(server.port, server.tokens["sales1"], calls[index])
        finance = Client(server.port, server.tokens["finance1"], calls[index])
        while not errors:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            try:
                one_instance(sales, finance, f"{prefix}-{i}")
            except BaseException as err:  # reported below; stops the others
                errors.append(err)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        log = (server.folder / "server.log").read_text().splitlines()[-15:]
        raise SystemExit(f"a call failed: {errors[0]}\nthe server's log ends:\n" + "\n".join(log))
    return sum(count[0] for count in calls)


COUNTED = 30  # instances whose statements are counted (the same every time, once warm)


@contextmanager
def served(args: argparse.Namespace, *, counted: bool) -> Iterator[Server]:
    """A server on a fresh database and folder, stopped and removed after."""
    folder = Path(tempfile.mkdtemp(prefix="raciflow-http-bench-"))
    try:
        server = Server(args, folder, counted=counted)
        try:
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def counts_per_instance(args: argparse.Namespace, clients: int) -> tuple[float, float]:
    """SQL statements and transactions per instance, on a server of their own: the
    counting listener costs CPU (~0.4 ms an instance), which the timed run must not."""
    with served(args, counted=True) as server:
        run_clients(server, args.warmup, clients, "warmup")
        statements, transactions = read_counts(server.counts)
        run_clients(server, COUNTED, clients, "counted")
        statements_after, transactions_after = read_counts(server.counts)
    return (statements_after - statements) / COUNTED, (transactions_after - transactions) / COUNTED


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200, help="instances measured")
    parser.add_argument("--warmup", type=int, default=20, help="instances run first, unmeasured")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker")
    parser.add_argument(
        "--clients", type=int, default=0, help="parallel clients (default: 2 x workers x threads)"
    )
    parser.add_argument("--database-url", help="PostgreSQL URL (emptied first); else SQLite")
    parser.add_argument(
        "--server-root", type=Path, default=ROOT, help="the checkout to serve (default: this)"
    )
    args = parser.parse_args()
    args.server_root = args.server_root.resolve()
    clients = args.clients or 2 * args.workers * args.threads
    with served(args, counted=False) as server:
        run_clients(server, args.warmup, clients, "warmup")
        user_before, system_before = cpu_ms(server.process.pid)
        began = time.perf_counter()
        calls = run_clients(server, args.n, clients, "bench")
        elapsed = time.perf_counter() - began
        user_after, system_after = cpu_ms(server.process.pid)
    user, system = user_after - user_before, system_after - system_before
    statements, transactions = counts_per_instance(args, clients)
    database = "postgresql" if args.database_url else "sqlite"
    print(
        f"{database}, {args.workers} worker(s) x {args.threads} thread(s), {clients} clients, "
        f"{args.n} instances"
    )
    print(f"instances/s                   {args.n / elapsed:8.1f}")
    print(f"server CPU ms per instance    {(user + system) / args.n:8.1f}")
    print(f"  user / system                 {user / args.n:.1f} / {system / args.n:.1f}")
    print(f"SQL statements per instance   {statements:8.1f}")
    print(f"transactions per instance     {transactions:8.1f}")
    print(f"HTTP calls per instance       {calls / args.n:8.1f}")


if __name__ == "__main__":
    main()
