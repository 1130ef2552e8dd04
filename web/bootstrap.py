"""The application's composition root: one engine, wired for the CRM domain."""

from __future__ import annotations

from datetime import timedelta

from engine import ProcessEngine, build_engine
from workflows import form_checks, forms
from workflows.forms import files
from workflows.services import build_registry

from .config import Settings
from .i18n import render_in


def engine_for(settings: Settings, *, migrate: bool = False) -> ProcessEngine:
    """Build the process engine the web app, the CLI and the worker share."""
    if settings.database_url.startswith("sqlite"):
        settings.ensure_instance_dir()
    return build_engine(
        settings.database_url,
        services=build_registry(),
        forms=forms.validator,
        record_checks=form_checks.check_for,
        script_time_limit=settings.script_time_limit,
        script_memory_limit=int(settings.script_memory_limit_mb * 1024 * 1024),
        migrate=migrate,
        process_limits=settings.process_limits,
        wording=render_in,  # notices in their recipient's language
        message_ttl=timedelta(seconds=settings.message_ttl),
        connectors_file=settings.connectors_file,
        attachment_limits=settings.attachment_limits,
        attachment_folder=settings.attachment_dir,
        attachment_rules=files.needs,  # what each form needs on its case
    )
