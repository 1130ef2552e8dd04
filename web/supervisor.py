"""Run the web server and the worker side by side, as `make run` does (`raciflow run`).

Each runs as its own `raciflow` child process: `serve` (gunicorn: a master and its web
workers) and `worker`. SIGTERM or Ctrl-C stops both and waits for them. A worker that
dies is started again after a pause that doubles up to a minute; if the web server
stops, everything stops, with its exit status.
"""

from __future__ import annotations

import ctypes
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence

RACIFLOW = [sys.executable, "-m", "web.cli"]
FIRST_RESTART_DELAY, MAX_RESTART_DELAY = 1.0, 60.0
POLL_INTERVAL = 0.5
_PR_SET_PDEATHSIG = 1


def supervise(serve_args: Sequence[str], *, say: Callable[[str], None]) -> int:
    """Run `raciflow serve SERVE_ARGS` and `raciflow worker` until stopped; return the
    exit status: 0 when told to stop, the web server's own if it stopped by itself."""
    signalled: list[int] = []

    def note(signum: int, _frame: object) -> None:
        # Only note it. A handler runs between two steps of the main thread, which may be
        # holding a lock at that moment (an Event's inside wait(), Popen's inside poll());
        # taking that lock here waited for ever (seen once in CI: Ctrl-C, and no exit).
        signalled.append(signum)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, note)
    web, worker = _start(["serve", *serve_args]), _start(["worker"])
    restarts, restart_at, web_failed = 0, 0.0, False
    while not signalled:
        time.sleep(POLL_INTERVAL)  # a signal is noted at once and acted on after the sleep
        if signalled:  # the web server may have stopped on the same Ctrl-C: not a failure
            break
        if web.poll() is not None:
            web_failed = True
            break
        if worker is not None and worker.poll() is not None:
            restarts += 1
            delay = min(FIRST_RESTART_DELAY * 2 ** (restarts - 1), MAX_RESTART_DELAY)
            stopped = worker.returncode
            say(f"the worker stopped (exit status {stopped}); restarting it in {delay:g} s")
            worker, restart_at = None, time.monotonic() + delay
        if worker is None and time.monotonic() >= restart_at and not signalled:
            worker = _start(["worker"])
    children = [child for child in (web, worker) if child is not None]
    for child in children:
        if child.poll() is None:
            child.terminate()
    for child in children:
        child.wait()
    code = web.returncode
    return (code if code > 0 else 1) if web_failed else 0


def _start(args: list[str]) -> subprocess.Popen[bytes]:
    # preexec_fn is safe here: the supervisor starts no threads.
    return subprocess.Popen([*RACIFLOW, *args], preexec_fn=_die_with_parent)  # noqa: S603


def _die_with_parent() -> None:
    """Have the kernel stop the child if this supervisor is killed outright (Linux)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
