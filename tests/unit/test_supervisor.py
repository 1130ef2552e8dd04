"""`raciflow run`'s supervisor: a signal stops both children, a dead worker is started
again after a pause that doubles, and a dead web server stops everything."""

from __future__ import annotations

import signal

import pytest

from web import supervisor


class FakeChild:
    """A child process that runs until it is told to stop or made to die."""

    def __init__(self, args: list[str]) -> None:
        self.args = args
        self.returncode: int | None = None
        self.terminated = False

    def poll(self) -> int | None:
        return self.returncode

    def terminate(self) -> None:
        self.terminated = True
        self.returncode = -signal.SIGTERM

    def wait(self) -> int | None:
        return self.returncode


@pytest.fixture
def run(monkeypatch):
    """Run the supervisor on fake children; `script(step)` acts after each poll pause."""
    started: list[FakeChild] = []
    handlers: dict[int, object] = {}
    clock = [0.0]

    def start(args):
        started.append(FakeChild(args))
        return started[-1]

    def go(script, *, limit: int = 200):
        step = [0]

        def pause(seconds: float) -> None:
            clock[0] += seconds
            step[0] += 1
            assert step[0] < limit, "the supervisor did not stop"
            script(step[0], started, handlers)

        monkeypatch.setattr(supervisor, "_start", start)
        monkeypatch.setattr(supervisor.signal, "signal", lambda s, h: handlers.__setitem__(s, h))
        monkeypatch.setattr(supervisor.time, "sleep", pause)
        monkeypatch.setattr(supervisor.time, "monotonic", lambda: clock[0])
        said: list[str] = []
        code = supervisor.supervise(["--port", "1"], say=said.append)
        return code, started, said

    return go


def test_a_signal_stops_both_children_and_the_supervisor_exits_cleanly(run):
    def ctrl_c_at_the_third_pause(step, started, handlers):
        if step == 3:
            handlers[signal.SIGINT](signal.SIGINT, None)  # only noted: no lock, no I/O

    code, started, _ = run(ctrl_c_at_the_third_pause)
    assert code == 0
    assert [c.args[0] for c in started] == ["serve", "worker"]
    assert all(c.terminated for c in started)


def test_the_web_server_stopping_on_the_same_ctrl_c_is_not_a_failure(run):
    def ctrl_c_reaches_gunicorn_too(step, started, handlers):
        if step == 2:
            started[0].returncode = 0  # gunicorn had its own SIGINT
            handlers[signal.SIGINT](signal.SIGINT, None)

    code, _, _ = run(ctrl_c_reaches_gunicorn_too)
    assert code == 0


def test_a_dead_worker_is_started_again_after_a_pause_that_doubles(run):
    def worker_dies_twice_then_stop(step, started, handlers):
        workers = [c for c in started if c.args[0] == "worker"]
        if step in (1, 4) and workers[-1].returncode is None:
            workers[-1].returncode = 1
        if step == 12:
            handlers[signal.SIGTERM](signal.SIGTERM, None)

    code, started, said = run(worker_dies_twice_then_stop)
    assert code == 0
    assert [c.args[0] for c in started] == ["serve", "worker", "worker", "worker"]
    assert said == [
        "the worker stopped (exit status 1); restarting it in 1 s",
        "the worker stopped (exit status 1); restarting it in 2 s",
    ]


def test_a_web_server_that_stops_by_itself_stops_everything_with_its_status(run):
    def web_dies(step, started, handlers):
        if step == 2:
            started[0].returncode = 3

    code, started, _ = run(web_dies)
    assert code == 3
    assert started[1].terminated  # the worker too
