"""`raciflow worker` as a process: fires due timers, and SIGTERM or Ctrl-C stops it at once."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, wait_for
from tests.e2e.conftest import RACIFLOW, bpmn_folder
from tests.e2e.test_cli_serve import first_line


@pytest.fixture
def bpmn_dir(tmp_path: Path) -> Path:
    return bpmn_folder(tmp_path, FIXTURES / "quick_timer.bpmn")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_the_worker_fires_due_timers_and_stops_at_once_when_told(cli, signum):
    cli("init")
    started = json.loads(cli("start", "quick_timer", "--json").stdout)["instance_id"]
    env = {**cli.env, "RACIFLOW_WORKER_INTERVAL": "0.5"}
    worker = subprocess.Popen(
        [*RACIFLOW, "worker"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        wait_for(lambda: json.loads(cli("tasks", "--json").stdout))  # the timer fired
        [task] = json.loads(cli("tasks", "--json").stdout)
        assert task["element"] == "follow_up"
        assert json.loads(cli("show", started, "--json").stdout)["status"] == "waiting"

        worker.send_signal(signum)
        out, err = worker.communicate(timeout=10)
    finally:
        worker.kill()
    assert worker.returncode == 0, err
    assert (
        out.strip()
        == "stopped; 1 timers fired, 0 timers dropped, 0 timers failed, 0 mails sent, 0 mails failed"
        ", 1 audit checks, 0 messages expired, 0 request keys expired, 0 instances started"
        ", 0 instances rolled up"  # a new trail is checked at the first sweep
    )
    assert "1 timers fired" in err  # the sweep that fired it was logged


def test_an_idle_worker_with_a_long_interval_stops_at_once(cli):
    cli("init")
    env = {**cli.env, "RACIFLOW_WORKER_INTERVAL": "600"}
    worker = subprocess.Popen(
        [*RACIFLOW, "worker"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert "worker started" in first_line(worker, worker.stderr)
        time.sleep(1)  # let it finish its first sweep and sleep
        begun = time.monotonic()
        worker.terminate()
        worker.communicate(timeout=20)
        assert time.monotonic() - begun < 5
    finally:
        worker.kill()
    assert worker.returncode == 0
