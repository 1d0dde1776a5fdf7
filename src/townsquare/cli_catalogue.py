"""`townsquare catalogue`: the catalogue as data, both ways — `export DIR` writes the database's catalogue as the
files `import DIR` reads; `diff DIR` and `import DIR --dry-run` show what an import would change; `import DIR`
shows it and applies it in one transaction.

Never writes half an import: every problem is printed with its file, field and line, and nothing is applied.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import typer
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.content import catalogue_export, catalogue_plan
from townsquare.content.catalogue_plan import Plan
from townsquare.content.files import ContentInvalid
from townsquare.db import Database
from townsquare.errors import Problem
from townsquare.events import EventBus
from townsquare.settings import get_settings

catalogue_cli = typer.Typer(
    help="The service catalogue: agencies, services and forms, the contact centre, staff.", no_args_is_help=True
)
T = TypeVar("T")
DIRECTORY = "A directory of catalogue files (*.toml: one per agency, and the staff file)"


def _in_session(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async def run() -> T:
        db = Database(get_settings().database_url, EventBus())
        try:
            async with db.session() as session:
                return await work(session)
        finally:
            await db.dispose()

    return asyncio.run(run())


def _refused(error: Exception) -> None:
    if isinstance(error, ContentInvalid):
        typer.echo(f"Nothing imported: {len(error.errors)} problem(s) to correct.", err=True)
        for problem in error.errors:
            typer.echo(f"  {problem}", err=True)
    else:
        detail = error.detail if isinstance(error, Problem) else "a value clashes with one already in the database"
        typer.echo(f"Nothing imported: {detail}", err=True)
    raise typer.Exit(1) from error


def _show(planned: Plan) -> None:
    if planned.diff.empty:
        typer.echo("Nothing to change: the database already says what the files say.")
    for line in planned.diff.text():
        typer.echo(f"  {line}")


@catalogue_cli.command("export")
def catalogue_export_command(
    directory: Path = typer.Argument(..., help="Where to write the files (new or empty)"),
    force: bool = typer.Option(False, "--force", help="Write into a directory that already holds files"),
) -> None:
    """Write every agency's catalogue and the staff file as the TOML files `catalogue import` reads."""

    async def work(session: AsyncSession) -> list[Path]:
        return catalogue_export.write(directory, await catalogue_export.export(session), force=force)

    try:
        written = _in_session(work)
    except catalogue_export.NotEmpty:
        typer.echo(f"Error: {directory} already holds files; give --force to write into it.", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Exported {len(written)} file(s) to {directory}.")


@catalogue_cli.command("diff")
def catalogue_diff(directory: Path = typer.Argument(..., help=DIRECTORY)) -> None:
    """Show what importing DIRECTORY would change, writing nothing."""
    try:
        planned = _in_session(lambda session: catalogue_plan.plan(session, directory))
    except (ContentInvalid, Problem) as error:
        _refused(error)
        return
    _show(planned)


@catalogue_cli.command("import")
def catalogue_import(
    directory: Path = typer.Argument(..., help=DIRECTORY),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would change without writing anything"),
) -> None:
    """Show what the files change, then apply it in one transaction: all or nothing, and importing the same files
    again changes nothing. Entries the files leave out are deactivated where they can be
    (docs/configuration-as-data.md)."""

    async def work(session: AsyncSession) -> Plan:
        planned = await catalogue_plan.plan(session, directory)
        if not dry_run and not planned.diff.empty:
            await catalogue_plan.apply(session, planned)
            await session.commit()
        return planned

    try:
        planned = _in_session(work)
    except (ContentInvalid, Problem, IntegrityError) as error:
        _refused(error)
        return
    if not planned.diff.empty:
        typer.echo("Dry run, nothing written; importing would change:" if dry_run else "Imported; changed:")
    _show(planned)
