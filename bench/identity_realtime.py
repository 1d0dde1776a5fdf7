"""One person, one record in real time: how long scoring one incoming record against a million people takes,
as a ratio against a primary-key read of the same table in the same run.

Builds a fresh, migrated database (--database-url, PostgreSQL for the million; SQLite for a quick look), loads
--people synthetic residents (`townsquare.demo.people`, each with one source record as a register wrote
them) with COPY, then times --queries calls of `matching.realtime.best_matches` (the candidate query on the
blocking-rule indexes, scoring, best per citizen) for records that are a known person written differently (half)
or a newcomer (half), and as many primary-key reads of `source_records`. Also prints how often a known person
was found above the link threshold and a newcomer was wrongly linked.

    .venv/bin/python bench/identity_realtime.py --database-url postgresql+asyncpg://u@127.0.0.1/throwaway
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare import migrations
from townsquare.db import Base, Database
from townsquare.db.base import new_id
from townsquare.demo.people import Person, Population, written
from townsquare.events import EventBus
from townsquare.matching import fields, store
from townsquare.matching.intake import digest
from townsquare.matching.models import SourceRecord
from townsquare.matching.realtime import best_matches

CHUNK = 50_000
JSON_COLUMNS = ("fields", "preferred_channels")
CITIZEN_COLUMNS = ("id", "display_name", "given_name", "family_name", "status", "language", "preferred_channels",
                   "created_at", "updated_at")  # fmt: skip
RECORD_COLUMNS = ("id", "source", "source_key", "digest", "fields", "received_at", "citizen_id", *fields.COLUMNS)


def _rows(population: Population, start: int, count: int) -> Iterator[tuple[tuple[Any, ...], tuple[Any, ...]]]:
    now = datetime.now(UTC)
    for i in range(start, start + count):
        person = population.person(f"p{i}")
        raw = {k: v for k, v in written(population, person, errors=population.rng.choice((0, 0, 1))).items() if v}
        citizen_id = new_id()
        name = f"{person.given_name} {person.family_name}"
        citizen = (citizen_id, name, person.given_name, person.family_name, "confirmed", "en", "[]", now, now)
        folded = fields.person(raw, region="CA")
        record = (new_id(), "register", f"p{i}", digest(raw), json.dumps(raw), now, citizen_id,
                  *(folded[c] for c in fields.COLUMNS))  # fmt: skip
        yield citizen, record


async def _load(db: Database, population: Population, people: int) -> float:
    """COPY the people in (INSERT on SQLite); returns seconds."""
    started = time.perf_counter()
    indexes = list(Base.metadata.tables["source_records"].indexes) if db.engine.dialect.name == "postgresql" else []
    async with db.engine.begin() as connection:  # a bulk load builds its indexes once, after the rows are in
        for index in indexes:
            await connection.run_sync(index.drop)
    for start in range(0, people, CHUNK):
        pairs = list(_rows(population, start, min(CHUNK, people - start)))
        async with db.session() as session:
            await _copy(session, "citizens", CITIZEN_COLUMNS, [c for c, _ in pairs])
            await _copy(session, "source_records", RECORD_COLUMNS, [r for _, r in pairs])
            await session.commit()
        print(f"  loaded {start + len(pairs):,} people", file=sys.stderr)
    async with db.engine.begin() as connection:
        for index in indexes:
            await connection.run_sync(index.create)
    async with db.session() as session:
        if db.engine.dialect.name == "postgresql":
            await session.execute(text("ANALYZE citizens"))
            await session.execute(text("ANALYZE source_records"))
        await session.commit()
    return time.perf_counter() - started


async def _copy(session: AsyncSession, table_name: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        raw = (await connection.get_raw_connection()).driver_connection
        await raw.copy_records_to_table(table_name, records=rows, columns=list(columns))  # type: ignore[union-attr]
        return
    table = Base.metadata.tables[table_name]
    decoded = [
        {c: json.loads(v) if c in JSON_COLUMNS else v for c, v in zip(columns, row, strict=True)} for row in rows
    ]
    await session.execute(insert(table), decoded)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _person(key: str, raw: dict[str, str]) -> Person | None:
    """A loaded person back from the record the register kept (None when its date of birth was lost)."""
    try:
        born = date.fromisoformat(raw.get("birth_date", ""))
    except ValueError:
        return None
    values = {f: raw.get(f, "") for f in ("given_name", "family_name", "street_number", "street", "locality",
                                          "postcode", "region", "phone", "email")}  # fmt: skip
    return Person(key=key, birth_date=born, **values)


async def _measure(db: Database, population: Population, queries: int) -> dict[str, Any]:
    """Half the queries are loaded people written again differently, half newcomers."""
    rng = random.Random(7)
    async with db.session() as session:
        version, model = await store.in_force(session)
        ids = list((await session.execute(select(SourceRecord.id).limit(20_000))).scalars())
        sample = select(SourceRecord.source_key, SourceRecord.fields, SourceRecord.citizen_id)
        rows = (await session.execute(sample.order_by(func.random()).limit(queries // 2 + queries // 10))).all()
    keys: dict[str, uuid.UUID] = {}
    known: list[tuple[Person, dict[str, str | None]]] = []
    for key, stored, citizen_id in rows:
        person = _person(key, stored)
        if person is not None and citizen_id is not None and len(known) < queries // 2:
            keys[key] = citizen_id
            known.append((person, written(population, person, errors=rng.choice((1, 2)), rng=rng)))
    newcomers = [
        # Drawn from the same city but their own sequence, so they are never a loaded person drawn again.
        written(population, population.person(f"new{i}", rng), errors=0, rng=rng)
        for i in range(queries - len(known))
    ]
    timings: list[float] = []
    floor: list[float] = []
    found = wrong = 0
    gc.collect()
    gc.freeze()  # as the app does once started (townsquare.app): what exists now is never scanned again
    async with db.session() as session:
        work = [(p.key, r) for p, r in known] + [(None, r) for r in newcomers]
        rng.shuffle(work)
        for key, raw in work:
            folded = fields.person({k: v for k, v in raw.items() if v}, region="CA")
            started = time.perf_counter()
            matches = await best_matches(session, model, folded)
            timings.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            await session.execute(select(SourceRecord).where(SourceRecord.id == rng.choice(ids)))
            floor.append((time.perf_counter() - started) * 1000)
            first = matches[0] if matches else None
            linked = first if first and first.probability >= model.thresholds.link and not first.vetoed else None
            if key is not None and linked is not None and linked.citizen_id == keys.get(key):
                found += 1
            if linked is not None and (key is None or linked.citizen_id != keys.get(key)):
                wrong += 1
            session.expunge_all()
    p50, p99, f50, f99 = (_percentile(timings, 0.5), _percentile(timings, 0.99), _percentile(floor, 0.5),
                          _percentile(floor, 0.99))  # fmt: skip
    return {
        "model_version": version,
        "queries": len(timings),
        "match_ms": {"p50": round(p50, 2), "p99": round(p99, 2), "mean": round(statistics.fmean(timings), 2)},
        "primary_key_read_ms": {"p50": round(f50, 3), "p99": round(f99, 3)},
        "ratio_p50": round(p50 / f50, 1),
        "ratio_p99": round(p99 / f99, 1),
        "known_found": round(found / len(known), 4),
        "wrongly_linked": round(wrong / len(timings), 4),
    }


async def run(url: str, people: int, queries: int, reuse: bool) -> dict[str, Any]:
    await asyncio.to_thread(migrations.upgrade, url)
    db = Database(url, EventBus())
    try:
        population = Population(seed=21)
        async with db.session() as session:
            loaded = (await session.execute(select(func.count()).select_from(SourceRecord))).scalar_one()
        seconds = None
        if not (reuse and loaded >= people):
            seconds = round(await _load(db, population, people), 1)
            loaded += people
        result = await _measure(db, population, queries)
        return {"people": loaded, "load_seconds": seconds, **result}
    finally:
        await db.dispose()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--database-url", help="A throwaway database (default: a temporary SQLite file)")
    parser.add_argument("--reuse", action="store_true", help="Measure again on people an earlier run loaded")
    args = parser.parse_args(argv)
    git = ["git", "rev-parse", "--short", "HEAD"]
    commit = subprocess.run(git, capture_output=True, text=True, check=False).stdout.strip()  # noqa: S603
    print(f"# identity real-time bench, commit {commit}, {platform.machine()}, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="townsquare-identity-") as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'identity.db'}"
        print(json.dumps(asyncio.run(run(url, args.people, args.queries, args.reuse)), indent=2))


if __name__ == "__main__":
    main()
