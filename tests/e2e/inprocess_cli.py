"""The `raciflow` command run inside the test process: as the subprocess `cli`, but fast.

Same entry point (`web.cli.main`, which turns every failure into one line and an
exit code), same environment; only the interpreter start-up is saved.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

import pytest

from web.cli import main

Run = Callable[..., subprocess.CompletedProcess]


def in_process(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Run:
    """A runner with the signature of the `cli` fixture's, running `main()` in-process."""

    def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess:
        with monkeypatch.context() as patch:
            for name in [n for n in os.environ if n.startswith("RACIFLOW_") and n not in env]:
                patch.delenv(name)
            for name, value in env.items():
                if name.startswith("RACIFLOW_"):
                    patch.setenv(name, value)
            patch.setattr(sys, "argv", ["raciflow", *args])
            capsys.readouterr()
            try:
                main()
                code = 0
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 1
            out, err = capsys.readouterr()
        if ok:
            assert code == 0, err
        return subprocess.CompletedProcess(args, code, out, err)

    run.env = env  # type: ignore[attr-defined]
    run.database_url = env["RACIFLOW_DATABASE_URL"]  # type: ignore[attr-defined]
    return run
