"""CPU per JSON API call of the approval workload, in-process: where an instance's time goes.

`bench/http_throughput.py` measures the whole server (gunicorn, sockets, several
clients). This runs the same five calls (start, get task, complete, get task, complete)
through Flask's test client in one process, on a fresh SQLite database, and prints the
CPU time of each call and of a bare authenticated `GET /api/v1/me`: the framework's cost
beside the engine's. `--profile` adds cProfile's top functions by cumulative time.

    python bench/http_calls.py --n 300
    python bench/http_calls.py --n 100 --profile
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from http_throughput import DIRECTORY

from engine import collect_files
from engine.database import make_engine, upgrade
from raci.directory_io import load_directory
from web import create_app
from web.config import Settings

PROCESSES = Path(__file__).resolve().parent / "processes"


class Workload:
    """The demo-free company of http_throughput, its approval process, two API tokens."""

    def __init__(self, folder: Path) -> None:
        settings = Settings.from_env(
            {"RACIFLOW_INSTANCE_DIR": str(folder), "RACIFLOW_SECRET_KEY": "bench"}
        )
        upgrade(make_engine(settings.database_url))
        app = create_app(settings, test_config={"RATELIMIT_ENABLED": False})
        engine = app.extensions["raciflow"]
        engine.import_directory(load_directory("directory.yaml", DIRECTORY), user="admin")
        files = [PROCESSES / "approval.bpmn", PROCESSES / "approval_level.dmn"]
        engine.deploy(collect_files(files), user="admin")
        self.client = app.test_client()
        self.headers = {
            user: {"Authorization": f"Bearer {engine.create_token(user, label='bench')}"}
            for user in ("sales1", "finance1")
        }
        self.cpu: dict[str, float] = defaultdict(float)

    def call(self, name: str, user: str, method: str, path: str, body: Any = None) -> Any:
        began = time.process_time()
        answer = self.client.open(
            f"/api/v1{path}", method=method, json=body, headers=self.headers[user]
        )
        self.cpu[name] += time.process_time() - began
        if answer.status_code >= 300:
            raise SystemExit(f"{method} {path}: {answer.status_code} {answer.data[:300]!r}")
        return answer.get_json()

    def instance(self, key: str) -> None:
        started = self.call(
            "start", "sales1", "POST", "/processes/approval/instances", {"business_key": key}
        )
        [request] = started["ready_tasks"]
        self.call("get task", "sales1", "GET", f"/tasks/{request}")
        body = {"data": {"amount": 5000}}
        submitted = self.call("complete", "sales1", "POST", f"/tasks/{request}/complete", body)
        [review] = submitted["ready_tasks"]
        self.call("get task (2)", "finance1", "GET", f"/tasks/{review}")
        body = {"data": {"approved": True}}
        self.call("complete (2)", "finance1", "POST", f"/tasks/{review}/complete", body)
        self.call("GET /me (not in the workload)", "sales1", "GET", "/me")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="instances measured (default 300)")
    parser.add_argument("--warmup", type=int, default=30, help="instances run first, unmeasured")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        workload = Workload(Path(folder))
        for i in range(args.warmup):
            workload.instance(f"warmup-{i}")
        workload.cpu.clear()
        profile = cProfile.Profile() if args.profile else None
        if profile is not None:
            profile.enable()
        for i in range(args.n):
            workload.instance(f"bench-{i}")
        if profile is not None:
            profile.disable()
    per_call = {name: total / args.n * 1000 for name, total in workload.cpu.items()}
    print(f"CPU ms per call, {args.n} instances, in-process (SQLite, no sockets)")
    for name, ms in per_call.items():
        print(f"  {name:32s} {ms:6.2f}")
    workload_ms = sum(ms for name, ms in per_call.items() if not name.startswith("GET /me"))
    print(f"  {'the five calls of one instance':32s} {workload_ms:6.2f}")
    if profile is not None:
        print("(profiled: every figure is inflated, compare them with each other)")
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
