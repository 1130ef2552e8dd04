"""`raciflow run` (what `make run` starts): the web server and a worker, stopped together."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, wait_for
from tests.e2e.conftest import RACIFLOW, bpmn_folder
from tests.e2e.test_cli_serve import first_line


@pytest.fixture
def bpmn_dir(tmp_path: Path) -> Path:
    return bpmn_folder(tmp_path, FIXTURES / "quick_timer.bpmn")


def descendants(pid: int) -> set[int]:
    """Every process below `pid` (read from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rpartition(")")[2].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def children(pid: int) -> set[int]:
    return {child for child in descendants(pid) if parent(child) == pid}


def parent(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[1])
    except OSError:
        return None


def is_worker(pid: int) -> bool:
    """Whether `pid` runs `raciflow worker`."""
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
    except OSError:
        return False
    return "worker" in args


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("stop", ["ctrl-c", "sigterm"])
def test_run_serves_fires_timers_and_stops_everything(cli, free_tcp_port, stop):
    cli("init")
    env = {**cli.env, "RACIFLOW_WEB_WORKERS": "2", "RACIFLOW_WORKER_INTERVAL": "0.5"}
    command = [*RACIFLOW, "run", "--port", str(free_tcp_port), "--json"]
    # Its own session, so that Ctrl-C can be sent to the whole group as a terminal does.
    supervisor = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        ready = json.loads(first_line(supervisor))
        with urllib.request.urlopen(f"{ready['url']}login", timeout=30) as response:
            assert response.status == 200
        cli("start", "quick_timer")
        wait_for(lambda: json.loads(cli("tasks", "--json").stdout))  # the worker fired it
        processes = descendants(supervisor.pid)
        assert len(processes) >= 4  # gunicorn's master and two web workers, and the worker
        if stop == "sigterm":  # a worker that dies is started again
            [worker] = [pid for pid in children(supervisor.pid) if is_worker(pid)]
            os.kill(worker, signal.SIGKILL)
            wait_for(lambda: any(is_worker(p) for p in children(supervisor.pid) - {worker}))
            processes = descendants(supervisor.pid)

        if stop == "ctrl-c":
            os.killpg(supervisor.pid, signal.SIGINT)
        else:
            supervisor.terminate()
        supervisor.wait(timeout=40)
    finally:
        if supervisor.poll() is None:
            os.killpg(supervisor.pid, signal.SIGKILL)
    assert supervisor.returncode == 0
    wait_for(lambda: not any(alive(pid) for pid in processes), timeout=10)  # no orphans
