"""Commands that set up and run the system: init, worker, serve, audit (deploy: drafts.py)."""

from __future__ import annotations

import json
import logging
import signal
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Any

import click

from engine import collect_files
from engine.database import make_engine, upgrade
from engine.errors import InvalidMatrices
from engine.worker import Worker
from raci.directory_io import load_directory
from workflows import demo as demo_company

from .common import actor_option, engine, json_option, settings, summary, terminal_progress
from .drafts import deployed


@click.command()
@click.option("--user", default="init", show_default=True, help="Who deploys bpmn/.")
@click.option(
    "--directory",
    "directory_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Import this directory (YAML or CSV) before deploying: matrices name its roles.",
)
@click.option(
    "--demo",
    is_flag=True,
    help="Load the demo company: its directory (unless --directory), CRM data and a few "
    "instances in flight.",
)
@json_option
def init(user: str, directory_file: Path | None, demo: bool) -> tuple[Any, str]:
    """Create or upgrade the database, then deploy the processes in bpmn/."""
    config = settings()
    if config.database_url.startswith("sqlite"):
        config.ensure_instance_dir()
    upgrade(make_engine(config.database_url))
    process_engine = engine()
    directory = None
    if directory_file is not None:
        directory = load_directory(directory_file.name, directory_file.read_bytes())
    elif demo:
        directory = demo_company.demo_directory()
    if directory is not None:
        process_engine.import_directory(directory, user=user)
    files = collect_files([config.bpmn_dir]) if config.bpmn_dir.is_dir() else []
    try:
        results = process_engine.deploy(files, user=user) if files else []
    except InvalidMatrices as err:
        if process_engine.directory().users:
            raise
        raise click.ClickException(
            f"the RACI matrices in {config.bpmn_dir} name roles of an empty directory "
            f"({summary(err.problems)}). Import your users and roles with "
            "`raciflow init --directory FILE`, or load the demo company with "
            "`raciflow init --demo`"
        ) from None
    data, text = deployed(results)
    result: dict[str, Any] = {"database": "ready", "deployed": data}
    lines = ["database ready", text]
    if demo:
        result["demo_data"] = demo_company.load_data(process_engine)
        result["demo_instances"] = demo_company.start_demo_instances(process_engine)
        demo_company.set_demo_passwords(process_engine, by=user)
        result["logins"] = _logins(process_engine.directory())
        result["password"] = demo_company.DEMO_PASSWORD
        lines.append(
            f"demo data: {_counted(result['demo_data']) or 'already loaded'}; "
            f"{len(result['demo_instances'])} instance(s) started"
        )
        lines.append(f"demo logins (password for all: {demo_company.DEMO_PASSWORD}):")
        lines.extend(f"  {name}: {', '.join(roles)}" for name, roles in result["logins"].items())
    return result, "\n".join(lines)


def _counted(inserted: dict[str, int]) -> str:
    """What was loaded, in words: "200 customers, 60 products, 2 warehouses, 150 assets"."""
    return ", ".join(f"{count} {what}" for what, count in inserted.items())


def _logins(directory: Any) -> dict[str, list[str]]:
    return {
        user.username: sorted(user.roles)
        for user in sorted(directory.users.values(), key=lambda u: u.username)
        if user.active
    }


@click.command()
@click.option("--once", is_flag=True, help="Fire what is due now, then exit.")
@json_option
def worker(once: bool) -> tuple[Any, str]:
    """Fire due timers and send queued e-mail, every RACIFLOW_WORKER_INTERVAL seconds.

    E-mail is sent only when RACIFLOW_SMTP_HOST is set; otherwise it stays queued.
    A failing timer or mail is logged on stderr and tried again later; SIGTERM or
    Ctrl-C stops the worker after the timer or mail at hand.
    """
    config = settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    sweeper = Worker(
        engine(),
        smtp=config.smtp,
        interval=config.worker_interval,
        audit_verify_every=timedelta(seconds=config.audit_verify_interval),
        analytics_every=timedelta(seconds=config.analytics_rollup_interval),
    )
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: sweeper.stop())
    totals = sweeper.run(once=once)
    return asdict(totals), str(totals) if once else f"stopped; {totals}"


@click.group()
def audit() -> None:
    """Inspect the audit trail."""


@audit.command()
@actor_option("Who runs the check.")
@json_option
def verify(user: str) -> tuple[Any, str] | tuple[Any, str, int]:
    """Check every hash chain and record the result; name the first bad event. Exit 1 if any."""
    with terminal_progress("verifying") as progress:
        record = engine().record_verification(by=user, progress=progress)
    data = {
        "ok": record.ok,
        "streams": record.streams,
        "events": record.events,
        "problems": record.problems,
        "first_problem": record.first_problem,
        "first_bad_event_id": record.first_bad_event_id,
        "seconds": round((record.finished_at - record.started_at).total_seconds(), 3),
    }
    if not record.ok:
        click.echo(f"error: audit trail tampered: first bad: {record.first_problem}", err=True)
        return data, f"{record.problems} problem(s); first: {record.first_problem}", 1
    return data, f"ok: {record.events} events in {record.streams} chains verified"


@audit.command()
@click.option("--user", required=True, help="Who records (and so vouches for) the checkpoint.")
@json_option
def checkpoint(user: str) -> tuple[Any, str]:
    """Record a Merkle root over every event so far (itself an audit event by --user)."""
    made = engine().checkpoint_audit(user=user)
    data = {
        "checkpoint_id": made.id,
        "tree_size": made.tree_size,
        "root": made.root_hash,
        "last_event_id": made.last_event_id,
        "recorded_at": made.recorded_at.isoformat(),
        "recorded_by": made.recorded_by,
    }
    return data, (
        f"checkpoint {made.id}: {made.tree_size} events, root {made.root_hash} "
        f"(recorded by {made.recorded_by} at {data['recorded_at']}); publish the root"
    )


@audit.command()
@click.argument("event_id", type=click.IntRange(min=1))
@click.option(
    "--checkpoint",
    "checkpoint_id",
    type=click.IntRange(min=1),
    help="Prove against this checkpoint (default: the first that covers the event).",
)
def prove(event_id: int, checkpoint_id: int | None) -> None:
    """Print an inclusion proof of an event (JSON) for scripts/verify_audit_proof.py.

    Exits 1 if today's trail no longer leads to the checkpoint's root.
    """
    proof = engine().prove_event(event_id, checkpoint_id=checkpoint_id)
    click.echo(json.dumps(proof, indent=2, ensure_ascii=False))
    if not proof["matches_checkpoint"]:
        problem = proof["chain_problem"] or "an event was changed, added or removed"
        click.echo(
            f"error: the trail no longer matches checkpoint {proof['checkpoint_id']}: {problem}",
            err=True,
        )
        raise SystemExit(1)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--json", "as_json", is_flag=True, help="Announce readiness as one line of JSON.")
def serve(host: str, port: int, as_json: bool) -> None:
    """Serve the web application with gunicorn until stopped."""
    from web.server import AddressInUse, run

    config = settings()
    workers = config.web_workers
    ready = {"url": f"http://{host}:{port}/", "workers": workers}
    if warning := config.ratelimit_warning():
        click.echo(f"warning: {warning}", err=True)

    def announce() -> None:
        if as_json:
            click.echo(json.dumps(ready))
        else:
            click.echo(f"raciflow serving on {ready['url']} ({workers} workers)")

    try:
        run(
            host=host,
            port=port,
            workers=workers,
            threads=config.web_threads,
            on_ready=announce,
        )
    except AddressInUse as err:
        raise click.ClickException(str(err)) from None


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--json", "as_json", is_flag=True, help="Announce readiness as one line of JSON.")
def run_all(host: str, port: int, as_json: bool) -> None:
    """Serve the web application and run the worker together until stopped (Ctrl-C)."""
    from web.supervisor import supervise

    serve_args = ["--host", host, "--port", str(port), *(["--json"] if as_json else [])]
    code = supervise(serve_args, say=lambda line: click.echo(line, err=True))
    if code:
        raise SystemExit(code)


COMMANDS = (init, worker, audit, serve, run_all)
