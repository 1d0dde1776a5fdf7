"""`townsquare records`: link a file of person records into the citizen base (or find its duplicates alone),
and train the matching model on the jurisdiction's own records.

A file goes through the same code as one record arriving in real time (`engagement.record_intake`), a
chunk per transaction: an interrupted run keeps what it finished, and running it again takes each record
once. Prints no personal data; the output file holds only record ids and citizen ids.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare import migrations
from townsquare.db import Database
from townsquare.demo.people import Population, written
from townsquare.engagement import merges, record_intake
from townsquare.events import EventBus
from townsquare.matching import fields, files, intake, store
from townsquare.matching.model import MatchModel
from townsquare.matching.training import train
from townsquare.settings import get_settings

linking_cli = typer.Typer(help="One person, one record: link records that name the same person.", no_args_is_help=True)
CHUNK = 500


@dataclass
class Tally:
    outcomes: dict[str, int] = field(default_factory=dict)
    citizens: dict[str, uuid.UUID] = field(default_factory=dict)

    def count(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


def _quiet_train(tables: list[tuple[dict[str, list[str | None]], list[str]]]) -> MatchModel:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return train(tables)


def _columns(people: list[dict[str, str]], region: str) -> dict[str, list[str | None]]:
    columns: dict[str, list[str | None]] = {c: [] for c in fields.COLUMNS}
    for raw in people:
        for column, value in fields.person(raw, region=region).items():
            columns[column].append(value)
    return columns


async def _link(db: Database, data: files.PersonFile, source: str, model: tuple[int, MatchModel], queue: bool) -> Tally:
    tally = Tally()
    columns = [TextColumn("Linking"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()]
    with Progress(*columns, transient=True, console=Console(stderr=True)) as progress:  # stdout is the output file
        task = progress.add_task("link", total=len(data.rows))
        for start in range(0, len(data.rows), CHUNK):
            async with db.session() as session:
                for record_id, raw in data.rows[start : start + CHUNK]:
                    taken = await _one(session, source, record_id, raw, model, queue)
                    tally.citizens[record_id] = taken.citizen_id
                    tally.count(
                        "repeated" if taken.repeated else taken.decision.outcome.value if taken.decision else "?"
                    )
                await session.commit()
            progress.advance(task, min(CHUNK, len(data.rows) - start))
    async with db.session() as session:
        current = await intake.current_citizens(session, set(tally.citizens.values()))
    tally.citizens = {k: current.get(v, v) for k, v in tally.citizens.items()}
    return tally


async def _one(
    session: AsyncSession,
    source: str,
    record_id: str,
    raw: dict[str, str],
    model: tuple[int, MatchModel],
    queue: bool,
) -> intake.TakenIn:
    real = get_settings()
    if queue:
        return await record_intake.take_in(session, real, source=source, source_key=record_id, raw=raw, model=model)
    taken = await intake.take_in(
        session,
        model,
        source=source,
        source_key=record_id,
        raw=raw,
        region=real.default_region,
        household_rule=real.match_household_rule,
    )
    for other in taken.also:  # a file alone: one record linking two people makes them one (a scratch base)
        await merges.merge(
            session,
            survivor_id=taken.citizen_id,
            merged_id=other.citizen_id,
            actor_kind="system",
            actor_id="townsquare records link",
            reason="One record links both.",
            source="matching",
        )
    return taken


@linking_cli.command("link")
def link(
    file: Path = typer.Argument(..., help="A CSV file of person records, header first"),
    id_column: str = typer.Option(..., "--id-column", help="The column holding each record's id in its system"),
    exclude: list[str] = typer.Option([], "--exclude", help="A column to neither keep nor compare (repeatable)"),
    out: Path | None = typer.Option(None, "--out", help="Write record_id,citizen_id here (default: standard output)"),
    dedupe_only: bool = typer.Option(False, "--dedupe-only", help="Find the file's duplicates alone; write nothing"),
    train_on_file: bool = typer.Option(False, "--train", help="Train the model on this file first (for this run)"),
    source: str | None = typer.Option(None, "--source", help="Name of the system the file comes from"),
) -> None:
    """Link every record of FILE to the person it names; a record that names no one known becomes a new one."""
    try:
        data = files.read(file.read_text(encoding="utf-8-sig"), id_column=id_column, exclude=exclude)
    except (OSError, UnicodeDecodeError) as error:
        typer.echo(f"Error: cannot read {file} as UTF-8 text: {error}", err=True)
        raise typer.Exit(2) from error
    except files.FileRefused as refused:
        typer.echo("Nothing linked. The file was refused:", err=True)
        for problem in refused.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(1) from refused
    compared = ", ".join(f"{field_name} ← {column}" for column, field_name in data.mapping.items())
    typer.echo(
        f"Comparing {compared}" + (f"; kept, not compared: {', '.join(data.kept)}" if data.kept else ""), err=True
    )
    settings = get_settings()
    tally = asyncio.run(_run(data, source or f"file:{file.name}", dedupe_only, train_on_file, settings.database_url))
    lines = ["record_id,citizen_id", *(f"{_csv(k)},{v}" for k, v in tally.citizens.items())]
    if out is not None:
        out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    else:
        typer.echo("\n".join(lines))
    summary = ", ".join(f"{n} {name}" for name, n in sorted(tally.outcomes.items()))
    people = len(set(tally.citizens.values()))
    typer.echo(f"{len(tally.citizens)} records, {people} people: {summary}.", err=True)


def _csv(value: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow([value])
    return buffer.getvalue()


async def _run(data: files.PersonFile, source: str, dedupe_only: bool, train_on_file: bool, url: str) -> Tally:
    region = get_settings().default_region
    with tempfile.TemporaryDirectory() as scratch:
        if dedupe_only:
            url = f"sqlite+aiosqlite:///{scratch}/dedupe.db"
            await asyncio.to_thread(migrations.upgrade, url)
        db = Database(url, EventBus())
        try:
            if train_on_file:
                columns = _columns([raw for _, raw in data.rows], region)
                model: tuple[int, MatchModel] = (-1, _quiet_train([(columns, [k for k, _ in data.rows])]))
            else:
                async with db.session() as session:
                    model = await record_intake.model_in_force(session, get_settings())
            return await _link(db, data, source, model, queue=not dedupe_only)
        finally:
            await db.dispose()


@linking_cli.command("train")
def train_model(
    synthetic: int = typer.Option(0, "--synthetic", help="Train on this many generated people instead of the base"),
    write: Path | None = typer.Option(None, "--write", help="Write the model as JSON here instead of storing it"),
) -> None:
    """Train the matching model on the citizen base's source records (or synthetic people) and put it in force."""
    region = get_settings().default_region
    if synthetic:
        population = Population(seed=21)
        people = list(population.people(synthetic))
        first = [written(population, p, errors=population.rng.choice((0, 0, 1, 2))) for p in people]
        second = [written(population, p, errors=population.rng.choice((0, 1, 1, 2))) for p in people[: synthetic // 2]]
        second += [population.person(f"n{i}").record() for i in range(synthetic // 2)]
        tables = [
            (
                _columns([{k: v for k, v in r.items() if v} for r in first], region),
                [f"a{i}" for i in range(len(first))],
            ),
            (
                _columns([{k: v for k, v in r.items() if v} for r in second], region),
                [f"b{i}" for i in range(len(second))],
            ),
        ]
        model = _quiet_train(tables)
        trained_on = len(first) + len(second)
    else:
        model, trained_on = asyncio.run(_train_on_base(region))
    if write is not None:
        write.write_text(json.dumps(model.to_json(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
        typer.echo(f"Model trained on {trained_on:,} records written to {write}.")
        return
    version = asyncio.run(_store(model, trained_on))
    typer.echo(f"Model version {version}, trained on {trained_on:,} records, is now in force.")


async def _train_on_base(region: str) -> tuple[MatchModel, int]:
    db = Database(get_settings().database_url, EventBus())
    try:
        async with db.session() as session:
            columns, ids = await intake.all_records(session)
    finally:
        await db.dispose()
    if len(ids) < 1000:
        typer.echo(f"Only {len(ids)} source records: too few to learn from (1,000 at least).", err=True)
        raise typer.Exit(1)
    return _quiet_train([(columns, ids)]), len(ids)


async def _store(model: MatchModel, trained_on: int) -> int:
    db = Database(get_settings().database_url, EventBus())
    try:
        async with db.session() as session:
            version = await store.put(session, model, trained_on=trained_on)
            await session.commit()
            return version
    finally:
        await db.dispose()
