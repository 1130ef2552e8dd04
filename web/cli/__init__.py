"""The `raciflow` command line: thin wrappers over the service layer."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import click
from sqlalchemy.exc import OperationalError

from engine.errors import EngineError, InvalidMatrices, InvalidTaskData
from raci.files import FileFormatError
from web.config import ConfigError

from . import admin, analytics, drafts, events, instances, notes, people, raci
from .common import summary


@click.group(help="raciflow: BPMN processes governed by RACI matrices.")
def cli() -> None:
    pass


for command in (
    *admin.COMMANDS,
    *analytics.COMMANDS,
    *drafts.COMMANDS,
    *instances.COMMANDS,
    *events.COMMANDS,
    *raci.COMMANDS,
    *people.COMMANDS,
    *notes.COMMANDS,
):
    cli.add_command(command)


def main() -> None:
    """Run the CLI; every failure is one line on stderr and a non-zero exit: with `--json`,
    the API's error shape `{"error": {"code", "message", "fields"?}}`, for a script."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        _fail("Abort", "aborted")
    except click.ClickException as err:
        _fail(type(err).__name__, err.format_message(), exit_code=err.exit_code)
    except InvalidMatrices as err:
        _fail("InvalidMatrices", f"invalid RACI matrices, {summary(err.problems)}")
    except (EngineError, ConfigError, FileFormatError) as err:
        fields = err.errors if isinstance(err, InvalidTaskData) else None
        _fail(type(err).__name__, " ".join(str(err).split()), fields)
    except OperationalError as err:
        reason = " ".join(str(err.orig).split())
        _fail("DatabaseNotReady", f"the database is not ready ({reason}); run `raciflow init`")


def _fail(code: str, message: str, fields: Any = None, *, exit_code: int = 1) -> NoReturn:
    if "--json" in sys.argv[1:]:
        error: dict[str, Any] = {"code": code, "message": message}
        if fields:
            error["fields"] = fields
        click.echo(json.dumps({"error": error}, ensure_ascii=False, default=str), err=True)
    else:
        click.echo(f"error: {message}", err=True)
    sys.exit(exit_code)
