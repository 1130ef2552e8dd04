"""Commands that start and work instances: start, tasks, claim, complete, ..."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import click

from engine import views

from .common import actor_option, engine, json_option, parse_json_data


def _state(result: Any) -> tuple[dict[str, Any], str]:
    data = {**asdict(result), "status": str(result.status)}
    text = f"{result.instance_id} {result.process_id} v{result.version} {result.status}"
    if result.held_for_signoff:
        text += (
            f": the data changes what was signed; task {result.held_for_signoff}"
            " waits for a new sign-off before the step runs again"
        )
    elif result.error:
        text += f": {result.error}"
    return data, text


@click.command()
@click.argument("process_id")
@click.option("--data", help="Initial data, a JSON object.")
@actor_option("Who starts the instance.")
@click.option("--business-key", help="The business object this instance is about.")
@click.option("--version", type=int, help="Process version (default: the latest).")
@click.option(
    "--request-key",
    help="Your key for this start: run again with it (after a failure, say), the command"
    " starts nothing and prints the case the first run started.",
)
@json_option
def start(
    process_id: str,
    data: str | None,
    user: str,
    business_key: str | None,
    version: int | None,
    request_key: str | None,
) -> tuple[Any, str]:
    """Start an instance of PROCESS_ID."""
    return _state(
        engine().start(
            process_id,
            user=user,
            data=parse_json_data(data),
            business_key=business_key,
            version=version,
            request_key=request_key,
        )
    )


@click.command()
@click.option(
    "--user",
    help="Only tasks this user may work: unclaimed, or claimed by them or by someone"
    " they stand in for today.",
)
@click.option("--limit", type=click.IntRange(1, 1000), default=100, show_default=True)
@json_option
def tasks(user: str | None, limit: int) -> tuple[Any, str]:
    """List open human tasks."""
    found = views.open_tasks(engine().uow(), user=user, limit=limit)
    lines = [
        f"{t['id']}  {t['process_id']}/{t['element']}  {t['name']}"
        f"  lane={t['lane'] or '-'}  assignee={t['assignee'] or '-'}"
        for t in found
    ]
    return found, "\n".join(lines) or "no open tasks"


@click.command()
@click.argument("task_id")
@click.option("--user", required=True, help="Who claims the task.")
@json_option
def claim(task_id: str, user: str) -> tuple[Any, str]:
    """Claim TASK_ID for USER."""
    engine().claim(task_id, user=user)
    return {"task_id": task_id, "assignee": user}, f"{task_id} claimed by {user}"


@click.command()
@click.argument("task_id")
@click.option("--user", required=True, help="Who releases the task.")
@json_option
def release(task_id: str, user: str) -> tuple[Any, str]:
    """Release TASK_ID so that someone else can claim it."""
    engine().release(task_id, user=user)
    return {"task_id": task_id, "assignee": None}, f"{task_id} released"


@click.command()
@click.argument("task_id")
@click.option("--data", required=True, help="The task's data, a JSON object.")
@click.option("--user", required=True, help="Who completes the task.")
@json_option
def complete(task_id: str, data: str, user: str) -> tuple[Any, str]:
    """Complete TASK_ID with DATA and run the instance on."""
    result, text = _state(engine().complete(task_id, user=user, data=parse_json_data(data)))
    if result["error"]:  # completed, but what ran next failed: say so, and exit non-zero
        return result, f"completed, but the next step failed: {text}", 1
    return result, text


@click.command()
@click.argument("instance_id")
@click.option("--reason", required=True, help="Why the instance is cancelled.")
@click.option("--user", required=True, help="Who cancels it.")
@json_option
def cancel(instance_id: str, reason: str, user: str) -> tuple[Any, str]:
    """Cancel INSTANCE_ID."""
    return _state(engine().cancel(instance_id, user=user, reason=reason))


@click.command()
@click.argument("instance_id")
@click.option("--user", required=True, help="Who retries.")
@click.option("--data", help="Corrections merged into the failed task's data (JSON object).")
@json_option
def retry(instance_id: str, user: str, data: str | None) -> tuple[Any, str]:
    """Run the failed step of INSTANCE_ID (in error) again."""
    return _state(engine().retry(instance_id, user=user, data=parse_json_data(data)))


@click.command()
@click.argument("instance_id")
@json_option
def show(instance_id: str) -> tuple[Any, str]:
    """Show INSTANCE_ID's status."""
    found = views.instance(engine().uow(), instance_id)
    return found, "\n".join(f"{key}: {value}" for key, value in found.items())


COMMANDS = (start, tasks, claim, release, complete, cancel, retry, show)
