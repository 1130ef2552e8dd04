"""Deploying from the command line, under the same rule as the web: drafts and approval.

`raciflow deploy` submits each changed process as a draft, in the name of the holder
of the API token (RACIFLOW_TOKEN or --token), for an approver to sign: on the web, the
API, or `raciflow drafts approve`. `--bootstrap` deploys at once: an admin's token,
or a directory with nobody in it yet (a fresh install); the audit trail says so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from engine import collect_files
from engine.drafts import Draft
from engine.errors import InvalidDefinition, InvalidDraft, InvalidState, NotAllowed

from .common import engine, json_option

token_option = click.option(
    "--token",
    envvar="RACIFLOW_TOKEN",
    help="Your API token (or RACIFLOW_TOKEN): who you are.",
)
password_option = click.option(
    "--password",
    envvar="RACIFLOW_PASSWORD",
    prompt=True,
    hide_input=True,
    help="Your password: signing re-authenticates (or RACIFLOW_PASSWORD).",
)


def _user(token: str | None, *, required: bool = True) -> str | None:
    if not token:
        if required:
            raise click.ClickException(
                "who are you? give your API token with --token or RACIFLOW_TOKEN"
                " (raciflow directory create-token USER)"
            )
        return None
    signed_in = engine().signed_in_by_token(token.strip())
    if signed_in is None:
        raise click.ClickException("the API token is unknown, expired or revoked")
    return signed_in.user.username


def deployed(results: list[Any]) -> tuple[list[dict[str, Any]], str]:
    data = [
        {
            "process_id": r.process_id,
            "version": r.version,
            "created": r.created,
            "warnings": list(r.warnings),
        }
        for r in results
    ]
    lines = []
    for r in results:
        lines.append(f"{r.process_id} v{r.version} {'deployed' if r.created else 'unchanged'}")
        lines.extend(f"  warning: {warning}" for warning in r.warnings)
    return data, "\n".join(lines) or "nothing to deploy"


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--comment", help="What changes and why: the approver reads it.")
@click.option(
    "--bootstrap",
    is_flag=True,
    help="Deploy at once, without approval: an admin's token, or an empty directory. Audited.",
)
@click.option(
    "--partial",
    is_flag=True,
    help="Deploy (or submit) the good files and list the bad ones (else: none of them).",
)
@token_option
@json_option
def deploy(
    paths: tuple[Path, ...], comment: str | None, bootstrap: bool, partial: bool, token: str | None
) -> Any:
    """Submit BPMN/DMN files and RACI matrices (or folders of them) for approval."""
    files = collect_files(paths)
    if bootstrap:
        refused: list[InvalidDefinition] = []
        results = engine().deploy_bootstrap(
            files, user=_user(token, required=False), partial=partial, refused=refused
        )
        data, text = deployed(results)
        for problem in refused:
            data.append({"file": problem.file_name, "status": "refused", "problem": str(problem)})
            text += f"\nrefused {problem}"
        return data, text.strip(), 1 if refused else 0
    user = _user(token)
    if not comment or not comment.strip():
        raise click.ClickException("--comment is required: say what changes and why")
    process_engine = engine()
    results, lines, failed = [], [], 0
    bad: list[InvalidDefinition] | None = [] if partial else None
    for process_id, draft_files in process_engine.draft_files(files, bad).items():
        draft = process_engine.open_draft(process_id, user=user, files=draft_files)
        try:
            process_engine.submit_draft(draft.id, user=user, comment=comment)
        except (InvalidDraft, InvalidState) as refused:
            process_engine.delete_draft(draft.id, user=user)
            if isinstance(refused, InvalidDraft):
                failed = 1
                problems = [p.as_dict() for p in refused.problems]
                results.append(
                    {"process_id": process_id, "status": "invalid", "problems": problems}
                )
                lines.append(f"{process_id}: refused")
                lines.extend(f"  {_where(p)}: {p['message']}" for p in problems)
            else:
                results.append({"process_id": process_id, "status": "unchanged"})
                lines.append(f"{process_id}: unchanged")
            continue
        results.append({"process_id": process_id, "status": "submitted", "draft": draft.id})
        lines.append(f"{process_id}: draft {draft.id} submitted for approval")
    for problem in bad or []:
        failed = 1
        results.append({"file": problem.file_name, "status": "refused", "problem": str(problem)})
        lines.append(f"refused {problem}")
    return results, "\n".join(lines), failed


def _where(problem: dict[str, Any]) -> str:
    parts = [problem["file"], problem["element_id"] and f"element '{problem['element_id']}'"]
    return ", ".join(p for p in parts if p) or problem["kind"]


@click.group()
def drafts() -> None:
    """Drafts waiting for approval: list, approve, reject."""


def _row(draft: Draft) -> dict[str, Any]:
    return {
        "id": draft.id,
        "process_id": draft.process_id,
        "owner": draft.owner,
        "status": draft.status.value,
        "comment": draft.comment,
    }


@drafts.command("list")
@token_option
@json_option
def list_drafts(token: str | None) -> tuple[Any, str]:
    """Your drafts, and those waiting for you to sign."""
    found = engine().drafts(user=_user(token))
    data = {key: [_row(d) for d in listed] for key, listed in found.items()}
    lines = [
        f"{d['id']} {d['process_id']} {d['status']} by {d['owner']}: {d['comment'] or ''}"
        for d in data["own"] + data["to_approve"]
    ]
    return data, "\n".join(lines) or "no drafts"


@drafts.command()
@click.argument("draft_id")
@token_option
@password_option
@json_option
def approve(draft_id: str, token: str | None, password: str) -> tuple[Any, str]:
    """Sign a submitted draft (approver role, never your own): it becomes a version."""
    user = _signer(token, password)
    data, text = deployed([engine().approve_draft(draft_id, user=user)])
    return data[0], text


@drafts.command()
@click.argument("draft_id")
@click.option("--reason", required=True, help="Why it goes back to its owner.")
@token_option
@password_option
@json_option
def reject(draft_id: str, reason: str, token: str | None, password: str) -> tuple[Any, str]:
    """Send a submitted draft back to its owner with a reason."""
    draft = engine().reject_draft(draft_id, user=_signer(token, password), reason=reason)
    return _row(draft), f"{draft.process_id}: draft {draft.id} rejected"


def _signer(token: str | None, password: str) -> str:
    user = _user(token)
    assert user is not None
    if not engine().authenticate(user, password):
        raise NotAllowed("signing needs your own password")
    return user


@click.command("export")
@click.argument("process_id")
@click.option("--version", "number", type=click.IntRange(min=1), help="Its number (the latest).")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder to write the files to (default: PROCESS-vN here); it must not hold them.",
)
@token_option
@json_option
def export(process_id: str, number: int | None, out: Path | None, token: str | None) -> Any:
    """Write a version's files (BPMN, DMN, RACI matrix) to a folder: `deploy` takes them back."""
    version, files = engine().version_files(process_id, number, user=_user(token))
    folder = out or Path(f"{process_id}-v{version}")
    clashes = sorted(name for name in files if (folder / name).exists())
    if clashes:
        raise click.ClickException(f"{folder} already holds {', '.join(clashes)}: nothing written")
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in sorted(files.items()):
        (folder / name).write_text(text, encoding="utf-8")
    data = {"process_id": process_id, "version": version, "folder": str(folder)}
    return {
        **data,
        "files": sorted(files),
    }, f"{process_id} v{version}: {len(files)} files in {folder}"


COMMANDS = (deploy, drafts, export)
