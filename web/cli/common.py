"""What every command shares: settings, the engine, output in text or JSON."""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

import click

from engine import ProcessEngine
from engine.payload import MAX_PAYLOAD_DEPTH
from web.bootstrap import engine_for
from web.config import Settings

COMMAND_LINE = "cli"


def command_line_actor() -> str:
    """Who the trail records for a command not told `--user`: the command line and the
    operating-system login that ran it ("cli:maria"), never nobody. A directory import
    or a revoked token must say who did it."""
    try:
        login = getpass.getuser()
    except (KeyError, OSError):  # no login name: a container's uid without a passwd entry
        login = str(os.getuid()) if hasattr(os, "getuid") else "?"
    return f"{COMMAND_LINE}:{login[:40]}"


def actor_option(help_text: str, *names: str) -> Callable[[Callable[..., Any]], Any]:
    """`--user`, defaulting to the command line and its login (command_line_actor)."""
    return click.option(
        "--user",
        *names,
        default=command_line_actor,
        show_default="cli:<your login>",
        help=help_text,
    )


def settings() -> Settings:
    return Settings.from_env()


def engine(*, migrate: bool = False) -> ProcessEngine:
    return engine_for(settings(), migrate=migrate)


def json_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add `--json`: the command's result printed as JSON instead of text.

    The command returns (result, text) or (result, text, exit_code).
    """

    @click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
    @wraps(command)
    def wrapper(*args: Any, as_json: bool, **kwargs: Any) -> None:
        result, text, *exit_code = command(*args, **kwargs)
        if as_json:
            click.echo(json.dumps(result, indent=2, default=str, ensure_ascii=False))
        elif text:
            click.echo(text)
        if exit_code and exit_code[0]:
            raise SystemExit(exit_code[0])

    return wrapper


def parse_json_data(raw: str | None, option: str = "--data") -> dict[str, Any]:
    if raw is None:
        return {}
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as err:
        raise click.BadParameter(f"not valid JSON ({err})", param_hint=option) from None
    except RecursionError:
        message = f"nested too deeply (the limit is {MAX_PAYLOAD_DEPTH} levels)"
        raise click.BadParameter(message, param_hint=option) from None
    if not isinstance(data, dict):
        raise click.BadParameter("must be a JSON object", param_hint=option)
    return data


def summary(problems: list[str], *, shown: int = 3) -> str:
    """The count of `problems` and the first few, short enough to read in one line."""
    first = "; ".join(problems[:shown])
    more = f"; and {len(problems) - shown} more" if len(problems) > shown else ""
    return f"{len(problems)} problem(s): {first}{more}"


@contextmanager
def terminal_progress(what: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress callback (done, total) drawn on stderr, or None when it is not a terminal."""
    if not sys.stderr.isatty():
        yield None
        return

    def show(done: int, total: int) -> None:
        percent = f" ({100 * done // total}%)" if total else ""
        sys.stderr.write(f"\r{what}: {done:,} of {total:,} events{percent}")
        sys.stderr.flush()

    try:
        yield show
    finally:
        sys.stderr.write("\n")
