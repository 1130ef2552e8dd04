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
import threading
from collections.abc import Callable, Sequence

RACIFLOW = [sys.executable, "-m", "web.cli"]
FIRST_RESTART_DELAY, MAX_RESTART_DELAY = 1.0, 60.0
POLL_INTERVAL = 0.5
_PR_SET_PDEATHSIG = 1


def supervise(serve_args: Sequence[str], *, say: Callable[[str], None]) -> int:
    """Run `raciflow serve SERVE_ARGS` and `raciflow worker` until stopped; return the
    exit status: 0 when told to stop, the web server's own if it stopped by itself."""
    stopping = threading.Event()
    children = {"web": _start(["serve", *serve_args]), "worker": _start(["worker"])}

    def stop(*_: object) -> None:
        stopping.set()
        for child in children.values():
            if child.poll() is None:
                child.terminate()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)
    restarts, web_failed = 0, False
    while not stopping.wait(POLL_INTERVAL):
        if children["web"].poll() is not None:
            web_failed = True
            stop()
            break
        if children["worker"].poll() is not None:
            restarts += 1
            delay = min(FIRST_RESTART_DELAY * 2 ** (restarts - 1), MAX_RESTART_DELAY)
            say(
                f"the worker stopped (exit status {children['worker'].returncode}); "
                f"restarting it in {delay:g} s"
            )
            if not stopping.wait(delay):
                children["worker"] = _start(["worker"])
    for child in children.values():
        child.wait()
    code = children["web"].returncode
    return (code if code > 0 else 1) if web_failed else 0


def _start(args: list[str]) -> subprocess.Popen[bytes]:
    # preexec_fn is safe here: the supervisor starts no threads.
    return subprocess.Popen([*RACIFLOW, *args], preexec_fn=_die_with_parent)  # noqa: S603


def _die_with_parent() -> None:
    """Have the kernel stop the child if this supervisor is killed outright (Linux)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
