"""The demo company: its people (directory.yaml), a deterministic CRM data set, instances."""

from __future__ import annotations

from pathlib import Path

from engine import ProcessEngine
from raci.directory import Directory
from raci.directory_io import load_directory

from .data import load_demo_data
from .instances import start_demo_instances

DIRECTORY_FILE = Path(__file__).with_name("directory.yaml")
DEMO_PASSWORD = "raciflow-demo"  # noqa: S105  (the demo users' password, printed by make run)

__all__ = [
    "DEMO_PASSWORD",
    "DIRECTORY_FILE",
    "demo_directory",
    "load_data",
    "load_demo_data",
    "set_demo_passwords",
    "start_demo_instances",
]


def demo_directory() -> Directory:
    return load_directory(DIRECTORY_FILE.name, DIRECTORY_FILE.read_bytes())


def load_data(engine: ProcessEngine) -> dict[str, int]:
    """Load the demo CRM data set into the engine's database (once)."""
    with engine.uow() as uow:
        inserted = load_demo_data(uow.session, uow.now)
        uow.commit()
    return inserted


def set_demo_passwords(engine: ProcessEngine, *, by: str) -> int:
    """Give every demo user the demo password (once); return how many were set."""
    changed = 0
    for username in demo_directory().users:
        if not engine.authenticate(username, DEMO_PASSWORD):
            engine.set_password(username, DEMO_PASSWORD, by=by)
            changed += 1
    return changed
