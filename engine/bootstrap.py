"""Build a ready-to-use ProcessEngine from settings (the engine's composition root)."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from pathlib import Path

from sqlalchemy import Engine

from .attachments import AttachmentLimits
from .caches import Caches
from .clock import Clock, SystemClock
from .commands.base import FormLookup, RecordCheckLookup
from .commands.case_notes import RuleLookup
from .connectors import Connectors
from .database import make_engine, make_session_factory, upgrade
from .process_limits import ProcessLimits
from .runtime import Runtime
from .sandbox import DEFAULT_MEMORY_LIMIT
from .scripting import ServiceRegistry
from .services import ProcessEngine
from .unit_of_work import UnitOfWork, Wording, english


def build_engine(
    database_url: str,
    *,
    services: ServiceRegistry | None = None,
    clock: Clock | None = None,
    script_time_limit: float = 1.0,
    script_memory_limit: int = DEFAULT_MEMORY_LIMIT,
    migrate: bool = False,
    db_engine: Engine | None = None,
    forms: FormLookup | None = None,
    record_checks: RecordCheckLookup | None = None,
    process_limits: ProcessLimits | None = None,
    wording: Wording = english,
    message_ttl: timedelta | None = None,
    connectors_file: Path | None = None,
    attachment_limits: AttachmentLimits | None = None,
    attachment_folder: Path | None = None,
    attachment_rules: RuleLookup | None = None,
) -> ProcessEngine:
    """Connect to `database_url` (optionally migrating it) and wire the engine.

    `forms` finds the validator of a task's form (or a process's start form),
    `record_checks` what judges its data against the business records; `wording`
    writes a notice in its recipient's language (English by default); a message
    nobody waits for is kept `message_ttl` (a day by default; zero refuses it). Service
    tasks also reach the installed connectors and the HTTP ones of `connectors_file`. The
    attachment settings say how large files may be, where they go (a folder, else the
    database) and which forms need which (docs/attachments.md).
    """
    db_engine = db_engine or make_engine(database_url)
    if migrate:
        upgrade(db_engine)
    clock = clock or SystemClock()
    services = services or ServiceRegistry()
    services.use_connectors(Connectors(connectors_file))
    session_factory = make_session_factory(db_engine)
    runtime = Runtime(
        services,
        clock,
        script_time_limit=script_time_limit,
        script_memory_limit=script_memory_limit,
    )
    engine = ProcessEngine(
        partial(UnitOfWork, session_factory, clock, wording, Caches()),
        runtime,
        known_services=services.names,
        forms=forms,
        record_checks=record_checks,
        process_limits=process_limits,
        database=db_engine,
    )
    if message_ttl is not None:
        engine.message_ttl = message_ttl
    engine.configure_attachments(
        limits=attachment_limits, folder=attachment_folder, rules=attachment_rules
    )
    return engine
