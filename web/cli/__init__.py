"""The `raciflow` command line: thin wrappers over the service layer."""

from __future__ import annotations

import sys

import click
from sqlalchemy.exc import OperationalError

from engine.errors import EngineError, InvalidMatrices
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
    """Run the CLI; every failure is one line on stderr and a non-zero exit."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("error: aborted", err=True)
        sys.exit(1)
    except click.ClickException as err:
        click.echo(f"error: {err.format_message()}", err=True)
        sys.exit(err.exit_code)
    except InvalidMatrices as err:
        click.echo(f"error: invalid RACI matrices, {summary(err.problems)}", err=True)
        sys.exit(1)
    except (EngineError, ConfigError, FileFormatError) as err:
        click.echo(f"error: {' '.join(str(err).split())}", err=True)
        sys.exit(1)
    except OperationalError as err:
        reason = " ".join(str(err.orig).split())
        click.echo(f"error: the database is not ready ({reason}); run `raciflow init`", err=True)
        sys.exit(1)
