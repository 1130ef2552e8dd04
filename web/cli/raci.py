"""RACI commands: matrices (validate, show, report), the directory, sign-off, consultation."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
import yaml

from engine import collect_files, views
from engine.commands.accounts import DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS
from raci import render, report
from raci.directory_io import dump_directory, load_directory

from .common import actor_option, engine, json_option


@click.group("raci")
def raci_group() -> None:
    """RACI matrices: check them, show them, report on how they were followed."""


@raci_group.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--directory",
    "directory_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Check roles against this directory file instead of the database's.",
)
@json_option
def validate_command(paths: tuple[Path, ...], directory_file: Path | None) -> tuple[Any, str, int]:
    """Check the RACI matrices among PATHS against their BPMN files and the directory."""
    files = collect_files(paths)
    if not any(f.is_matrix for f in files):
        raise click.UsageError("no RACI matrix (*.raci.csv, *.raci.yaml) among the paths given")
    directory = (
        load_directory(directory_file.name, directory_file.read_bytes()) if directory_file else None
    )
    review = engine().review_matrices(files, directory)
    warnings = [w for found in review.warnings.values() for w in found]
    lines = [f"error: {p}" for p in review.problems] + [f"warning: {w}" for w in warnings]
    valid = not review.problems
    lines.append("valid" if valid else f"invalid: {len(review.problems)} error(s)")
    result = {"valid": valid, "errors": review.problems, "warnings": warnings}
    return result, "\n".join(lines), 0 if valid else 1


@raci_group.command("show")
@click.argument("process_id")
@click.option("--version", type=int, help="Process version (default: the latest).")
@json_option
def show_command(process_id: str, version: int | None) -> tuple[Any, str]:
    """Show the RACI matrix of a deployed process."""
    number, matrix = engine().matrix(process_id, version)
    if matrix is None:
        return (
            {"process_id": process_id, "version": number, "rows": None},
            f"{process_id} v{number} has no RACI matrix",
        )
    title = f"{process_id} v{number} ({matrix.source})"
    result = {"process_id": process_id, "version": number, "roles": list(matrix.roles)}
    return {**result, "rows": render.as_rows(matrix)}, f"{title}\n{render.as_text_table(matrix)}"


@raci_group.command("report")
@click.argument("process_id")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="From this day (UTC).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Before this day (UTC).")
@click.option("--instance", "instance_id", help="Only this instance.")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "csv", "json"]), default="text", show_default=True
)
def report_command(
    process_id: str,
    since: datetime | None,
    until: datetime | None,
    instance_id: str | None,
    fmt: str,
) -> None:
    """Who did R, signed A, answered C and was told I in each activity, with violations."""
    executions = engine().compliance_report(
        process_id=process_id,
        instance_id=instance_id,
        since=since.replace(tzinfo=UTC) if since else None,
        until=until.replace(tzinfo=UTC) if until else None,
    )
    formats = {"text": report.as_text, "csv": report.as_csv, "json": report.as_json}
    click.echo(formats[fmt](executions).rstrip("\n"))


@click.group("directory")
def directory_group() -> None:
    """Users, roles, membership and deputies."""


@directory_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@actor_option("Who imports.")
@click.option(
    "--new-role",
    "new_roles",
    multiple=True,
    metavar="ROLE",
    help="A role the directory does not have yet, to add (repeat for each); any other "
    "new role is refused as a likely typo.",
)
@json_option
def import_command(file: Path, user: str, new_roles: tuple[str, ...]) -> tuple[Any, str]:
    """Replace the directory with FILE (YAML or CSV); users left out are deactivated."""
    directory = load_directory(file.name, file.read_bytes())
    engine().import_directory(directory, user=user, new_roles=new_roles)
    counts = {
        "users": len(directory.users),
        "roles": len(directory.roles),
        "deputies": len(directory.deputies),
    }
    return counts, ", ".join(f"{n} {what}" for what, n in counts.items()) + " imported"


@directory_group.command("export")
@click.option(
    "--format", "fmt", type=click.Choice(["yaml", "csv"]), default="yaml", show_default=True
)
@json_option
def export_command(fmt: str) -> tuple[Any, str]:
    """Print the directory as YAML or CSV (the format `directory import` reads)."""
    directory = engine().directory()
    as_data = yaml.safe_load(dump_directory(directory, "yaml"))
    return as_data, dump_directory(directory, fmt).rstrip("\n")  # type: ignore[arg-type]


@directory_group.command("set-password")
@click.argument("username")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="The new password (asked for when not given; at least 10 characters).",
)
@actor_option("Who sets it.", "by")
@json_option
def set_password_command(username: str, password: str, by: str) -> tuple[Any, str]:
    """Set USERNAME's sign-in password (stored as a scrypt hash)."""
    engine().set_password(username, password, by=by)
    return {"user": username, "password_set": True}, f"password set for {username}"


@directory_group.command("create-token")
@click.argument("username")
@click.option("--label", default="cli", show_default=True, help="What the token is for.")
@click.option(
    "--expires-in",
    "days",
    type=click.IntRange(1, MAX_TOKEN_DAYS),
    default=DEFAULT_TOKEN_DAYS,
    show_default=True,
    help="Days until the token stops working.",
)
@actor_option("Who creates it.", "by")
@json_option
def create_token_command(username: str, label: str, days: int, by: str) -> tuple[Any, str]:
    """Create an API token for USERNAME; it is shown once, only its hash is kept.

    Prints the token; with --json also its id (for revoke-token) and expiry."""
    issued = engine().issue_token(username, label=label, expires_in_days=days, by=by)
    result = {
        "user": username,
        "token": issued.token,
        "id": issued.id,
        "label": label,
        "expires_at": issued.expires_at.isoformat(),
    }
    return result, issued.token


@directory_group.command("revoke-token")
@click.argument("username")
@click.option("--id", "token_id", help="The token's id (shown when it was created).")
@click.option("--label", help="Every token of USERNAME with this label.")
@click.option("--all", "everything", is_flag=True, help="Every token of USERNAME.")
@actor_option("Who revokes it.", "by")
@json_option
def revoke_token_command(
    username: str, token_id: str | None, label: str | None, everything: bool, by: str
) -> tuple[Any, str]:
    """Revoke USERNAME's API tokens: one by --id, those with --label, or --all."""
    if sum((token_id is not None, label is not None, everything)) != 1:
        raise click.UsageError("give exactly one of --id, --label or --all")
    revoked = engine().revoke_tokens(username, token_id=token_id, label=label, by=by)
    return {"user": username, "revoked": revoked}, f"{revoked} token(s) of {username} revoked"


@click.command()
@click.argument("task_id")
@click.option("--user", required=True, help="Who signs off (a member of the A role).")
@json_option
def approve(task_id: str, user: str) -> tuple[Any, str]:
    """Sign off the work submitted on TASK_ID; the process runs on."""
    state = engine().approve(task_id, user=user)
    data = {**asdict(state), "status": str(state.status)}
    if state.error:  # signed, but what ran next failed: say so, and exit non-zero
        text = f"approved, but the next step failed: {state.error}; instance {state.instance_id}"
        return data, f"{text} is in error (the task's roles and the admins were notified)", 1
    return data, f"approved; instance {state.status}"


@click.command()
@click.argument("task_id")
@click.option("--user", required=True, help="Who signs off (a member of the A role).")
@click.option("--reason", required=True, help="Why the work goes back to its performer.")
@json_option
def reject(task_id: str, user: str, reason: str) -> tuple[Any, str]:
    """Send the work submitted on TASK_ID back to its performer."""
    engine().reject(task_id, user=user, reason=reason)
    return {"task_id": task_id, "rejected": True}, "rejected; back with the performer"


@click.command()
@click.argument("task_id")
@click.option("--user", required=True, help="An R member or an admin.")
@click.option("--to", "target", required=True, help="The R member who takes the task.")
@click.option("--reason", help="Why (recorded).")
@json_option
def reassign(task_id: str, user: str, target: str, reason: str | None) -> tuple[Any, str]:
    """Hand TASK_ID to another member of its R role."""
    engine().reassign(task_id, user=user, to=target, reason=reason)
    return {"task_id": task_id, "assignee": target}, f"reassigned to {target}"


@click.group("consult")
def consult_group() -> None:
    """Consultations (RACI C): list, answer, override."""


@consult_group.command("list")
@click.argument("task_id")
@json_option
def consult_list(task_id: str) -> tuple[Any, str]:
    """Show the consultations of TASK_ID and their answers."""
    found = views.task_detail(engine().uow(), task_id)["consultations"]
    lines = [
        f"{c['id']}  {c['role']}  "
        + (
            f"answered by {c['answered_by']}: {c['comment']}"
            if c["answered_at"]
            else f"overridden by {c['overridden_by']}: {c['override_reason']}"
            if c["overridden_by"]
            else "waiting"
        )
        for c in found
    ]
    return found, "\n".join(lines) or "no consultations"


@consult_group.command("answer")
@click.argument("consultation_id", type=int)
@click.option("--user", required=True, help="A member of the consulted role.")
@click.option("--comment", required=True, help="The answer.")
@json_option
def consult_answer(consultation_id: int, user: str, comment: str) -> tuple[Any, str]:
    """Answer a consultation for your role."""
    engine().answer_consultation(consultation_id, user=user, comment=comment)
    return {"consultation_id": consultation_id, "answered": True}, "answered"


@consult_group.command("override")
@click.argument("task_id")
@click.option("--user", required=True, help="A member of the A role.")
@click.option("--reason", required=True, help="Why the work may go on unanswered.")
@json_option
def consult_override(task_id: str, user: str, reason: str) -> tuple[Any, str]:
    """Let TASK_ID be completed without the consultations still waiting."""
    engine().override_consultation(task_id, user=user, reason=reason)
    return {"task_id": task_id, "overridden": True}, "consultation overridden"


@click.command()
@click.option("--user", required=True)
@click.option("--unread", is_flag=True, help="Only unread notifications.")
@json_option
def notifications(user: str, unread: bool) -> tuple[Any, str]:
    """List a user's notifications, newest first."""
    found = [
        {
            "id": n.id,
            "subject": n.subject,
            "body": n.body,
            "created_at": n.created_at.isoformat(),
            "read": n.read_at is not None,
        }
        for n in engine().notifications(user, unread_only=unread)
    ]
    lines = [
        f"{n['id']}  {'  ' if n['read'] else '* '}{n['subject']}\n      {n['body']}" for n in found
    ]
    return found, "\n".join(lines) or "no notifications"


COMMANDS = [
    raci_group,
    directory_group,
    approve,
    reject,
    reassign,
    consult_group,
    notifications,
]
