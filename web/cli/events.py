"""Commands that send messages and signals to instances (docs/events.md)."""

from __future__ import annotations

from typing import Any

import click

from .common import actor_option, engine, json_option, parse_json_data


def _correlation(pairs: tuple[str, ...]) -> dict[str, str]:
    correlation = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"'{pair}' is not KEY=VALUE", param_hint="--correlation")
        correlation[key.strip()] = value
    return correlation


def _delivery(result: Any) -> tuple[dict[str, Any], str]:
    data = {
        "kind": result.kind,
        "name": result.name,
        "delivered_to": list(result.delivered_to),
        "started": list(result.started),
        "kept_until": result.kept_until.isoformat() if result.kept_until else None,
    }
    parts = []
    if result.delivered_to:
        parts.append("delivered to " + ", ".join(result.delivered_to))
    if result.started:
        parts.append("started " + ", ".join(result.started))
    if result.kept_until:
        parts.append(f"nobody waits for it yet: kept until {data['kept_until']}")
    return data, f"{result.kind} {result.name}: " + ("; ".join(parts) or "nobody waits for it")


@click.command()
@click.argument("name")
@click.option(
    "--correlation",
    multiple=True,
    metavar="KEY=VALUE",
    help="What the receiving instance must match (repeatable).",
)
@click.option("--payload", help="The data it carries, a JSON object.")
@actor_option("Who sends it (audited).")
@json_option
def message(name: str, correlation: tuple[str, ...], payload: str | None, user: str) -> Any:
    """Send message NAME to the instances waiting for it (or that it starts)."""
    return _delivery(
        engine().send_message(
            name,
            user=user,
            correlation=_correlation(correlation),
            payload=parse_json_data(payload, "--payload"),
        )
    )


@click.command()
@click.argument("name")
@click.option("--payload", help="The data it carries, a JSON object.")
@actor_option("Who sends it (audited).")
@json_option
def signal(name: str, payload: str | None, user: str) -> Any:
    """Broadcast signal NAME to every instance waiting for it."""
    return _delivery(
        engine().send_signal(name, user=user, payload=parse_json_data(payload, "--payload"))
    )


COMMANDS = [message, signal]
