"""Comments and files on a case: comment, comments, attach, attachments, fetch."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Any

import click

from engine.attachments import Upload

from .common import engine, json_option


@click.command()
@click.argument("instance_id")
@click.option("--text", required=True, help="The comment (it cannot be changed later).")
@click.option("--user", required=True, help="Who writes it.")
@click.option("--task", "task_id", help="A task of the instance it is about.")
@json_option
def comment(instance_id: str, text: str, user: str, task_id: str | None) -> tuple[Any, str]:
    """Add a comment to INSTANCE_ID."""
    new_id = engine().add_comment(instance_id, user=user, text=text, task_id=task_id)
    return {"id": new_id}, f"comment {new_id} added"


@click.command()
@click.argument("instance_id")
@click.option("--user", required=True, help="Who reads them (must be able to see the case).")
@json_option
def comments(instance_id: str, user: str) -> tuple[Any, str]:
    """List the comments of INSTANCE_ID, oldest first."""
    found = engine().comments(instance_id, user=user)
    lines = [f"{c['written_at']:%Y-%m-%d %H:%M}Z  {c['author']}: {c['text']}" for c in found]
    return found, "\n".join(lines) or "no comments"


@click.command()
@click.argument("instance_id")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--user", required=True, help="Who uploads them.")
@click.option("--task", "task_id", help="A task of the instance they are about.")
@click.option("--kind", help="What they are for a form's rule, e.g. signed_contract.")
@json_option
def attach(
    instance_id: str, files: tuple[str, ...], user: str, task_id: str | None, kind: str | None
) -> tuple[Any, str]:
    """Attach FILES (photos or PDF) to INSTANCE_ID: all of them, or none."""
    with ExitStack() as stack:
        uploads = [
            Upload(Path(path).name, stack.enter_context(open(path, "rb")), kind) for path in files
        ]
        stored = engine().attach(instance_id, uploads, user=user, task_id=task_id)
    return stored, "\n".join(_line(f) for f in stored)


@click.command()
@click.argument("instance_id")
@click.option("--user", required=True, help="Who reads them (must be able to see the case).")
@json_option
def attachments(instance_id: str, user: str) -> tuple[Any, str]:
    """List the files of INSTANCE_ID with their SHA-256."""
    found = engine().attachments(instance_id, user=user)
    return found, "\n".join(_line(f) for f in found) or "no files"


@click.command()
@click.argument("attachment_id", type=int)
@click.option("--user", required=True, help="Who fetches it (must be able to see the case).")
@click.option(
    "--output", required=True, type=click.Path(dir_okay=False, writable=True), help="Where to."
)
@json_option
def fetch(attachment_id: int, user: str, output: str) -> tuple[Any, str]:
    """Write the stored bytes of ATTACHMENT_ID to a file."""
    found = engine().open_attachment(attachment_id, user=user)
    with open(output, "wb") as out:
        for chunk in found.chunks:
            out.write(chunk)
    return {**found.row, "output": output}, f"{found.row['name']} written to {output}"


def _line(f: dict[str, Any]) -> str:
    return f"{f['id']}  {f['name']}  {f['media_type']}  {f['size']} bytes  sha256 {f['sha256']}"


COMMANDS = (comment, comments, attach, attachments, fetch)
