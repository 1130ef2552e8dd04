"""`raciflow audit verify` shows its progress on a terminal, and only there."""

from __future__ import annotations

import os
import pty
import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.e2e.conftest import RACIFLOW, bpmn_folder


@pytest.fixture
def bpmn_dir(tmp_path: Path) -> Path:
    return bpmn_folder(tmp_path, FIXTURES / "approval.bpmn", FIXTURES / "approval_level.dmn")


def _run_on_a_terminal(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """Run the command with stderr on a pseudo-terminal; its exit code, stdout, stderr."""
    terminal, its_end = pty.openpty()
    try:
        done = subprocess.run(
            [*RACIFLOW, *args], env=env, stdout=subprocess.PIPE, stderr=its_end, timeout=60
        )
    finally:
        os.close(its_end)
    shown = b""
    while True:
        try:
            chunk = os.read(terminal, 4096)
        except OSError:  # EIO: the other end is closed and everything has been read
            break
        if not chunk:
            break
        shown += chunk
    os.close(terminal)
    return done.returncode, done.stdout.decode(), shown.decode()


def test_verify_draws_its_progress_on_a_terminal(cli):
    cli("init")
    cli("start", "approval", "--user", "ana")
    code, out, err = _run_on_a_terminal(cli.env, "audit", "verify")
    assert code == 0, err
    events = int(re.search(r"ok: (\d+) events", out).group(1))
    assert f"verifying: {events:,} of {events:,} events (100%)" in err


def test_verify_writes_no_progress_into_a_pipe(cli):
    cli("init")
    done = cli("audit", "verify")
    assert done.stdout.startswith("ok: ")
    assert "verifying" not in done.stderr
