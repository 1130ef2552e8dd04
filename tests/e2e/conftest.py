"""End-to-end fixtures: the `raciflow` command run as a subprocess, as a user runs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

RACIFLOW = [sys.executable, "-c", "from web.cli import main; main()"]


def bpmn_folder(tmp_path: Path, *files: Path) -> Path:
    """A bpmn/ folder for `raciflow init` holding copies of `files`."""
    folder = tmp_path / "bpmn"
    folder.mkdir()
    for file in files:
        shutil.copy(file, folder / file.name)
    return folder


@pytest.fixture
def cli(tmp_path: Path, bpmn_dir: Path):
    env = {
        **os.environ,
        "RACIFLOW_INSTANCE_DIR": str(tmp_path / "instance"),
        "RACIFLOW_BPMN_DIR": str(bpmn_dir),
        "RACIFLOW_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite'}",
    }

    def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [*RACIFLOW, *args], env=env, capture_output=True, text=True, timeout=60
        )
        if ok:
            assert done.returncode == 0, done.stderr
        return done

    run.database_url = env["RACIFLOW_DATABASE_URL"]
    run.env = env
    return run
