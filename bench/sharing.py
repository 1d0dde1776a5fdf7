"""Tell us once: how fast an agency's file is taken in, and what the access decision adds to a read, each as a ratio
against a floor measured in the same run on the same database.

Builds a fresh, migrated database (SQLite by default, or --database-url) with three agencies, their held
attributes, --people residents each with a proved email, and the agreements and consents the reads need, then:

  import   a CSV file of --people records (email, income, address) through `sharing.records.import_csv` in one
           transaction, against a floor: the same number of rows inserted with one executemany into a scratch
           table of the same shape (what writing the rows costs at all)
  read     `sharing.access.read` of two attributes of a random resident (the decision, the values, the access-log
           row and its commit), --reads times, against a floor of `SELECT 1` and a commit in the same session

    .venv/bin/python bench/sharing.py
    .venv/bin/python bench/sharing.py --people 20000 --database-url postgresql+asyncpg://u@127.0.0.1/throwaway
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from townsquare import migrations
from townsquare.agencies.models import Agency
from townsquare.citizens import service as citizens
from townsquare.citizens.kinds import IdentityKind
from townsquare.citizens.models import VerificationMethod
from townsquare.clock import utcnow
from townsquare.db import Database
from townsquare.events import EventBus
from townsquare.sharing import access, agreements, consents
from townsquare.sharing.holdings import put_attribute
from townsquare.sharing.models import ValueType
from townsquare.sharing.records import import_csv
from townsquare.staff import service as staff
from townsquare.staff.models import StaffRole

PURPOSE = "benefit-eligibility"
KEYS = ["revenue.household_income", "licensing.home_address"]


def pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _world(db: Database, people: int) -> tuple[Agency, Agency, list[Any]]:
    async with db.session() as s:
        revenue, licensing, benefits = (Agency(slug=x, name=x.title()) for x in ("revenue", "licensing", "benefits"))
        s.add_all([revenue, licensing, benefits])
        await s.flush()
        await put_attribute(
            s, agency_id=revenue.id, code="household_income", name="Income", value_type=ValueType.number
        )
        await put_attribute(s, agency_id=revenue.id, code="mailing_address", name="Mail", value_type=ValueType.address)
        await put_attribute(s, agency_id=licensing.id, code="home_address", name="Home", value_type=ValueType.address)
        ids = []
        for i in range(people):
            person = await citizens.create(s, display_name=f"Person {i}")
            await citizens.add_identity(s, citizen_id=person.id, kind=IdentityKind.email, value=f"p{i}@example.org",
                                        region="CA", verification_method=VerificationMethod.email_link)  # fmt: skip
            ids.append(person.id)
        admins = [
            await staff.create_staff(
                s, email=f"{n}@city.example", display_name=n, password="bench-password-1", role=StaffRole.admin
            )
            for n in ("one", "two")
        ]
        first, second = admins
        for provider, codes in ((revenue, ["household_income"]), (licensing, ["home_address"])):
            row = await agreements.propose(
                s,
                agreements.Terms(
                    provider.id,
                    benefits.id,
                    codes,
                    PURPOSE,
                    "eligibility",
                    "by-law",
                    utcnow().date() - timedelta(days=1),
                ),
                proposed_by_id=first.id,
            )
            await agreements.approve(s, row, staff_id=first.id, for_agency_id=provider.id)
            await agreements.approve(s, row, staff_id=second.id, for_agency_id=benefits.id)
        for person_id in ids:
            await consents.give(s, citizen_id=person_id, consumer_agency_id=benefits.id, purpose=PURPOSE,
                                attributes=KEYS, agreements=[], channel="web")  # fmt: skip
        await s.commit()
        return revenue, benefits, ids


def _csv(people: int) -> str:
    lines = ["record_id,last_updated,email,household_income,mailing_address"]
    lines += [
        f'RT-{i},2026-11-30T09:00:00Z,p{i}@example.org,{30000 + i},"{i} Elm St\nToronto ON"' for i in range(people)
    ]
    return "\n".join(lines) + "\n"


async def run(url: str, args: argparse.Namespace) -> dict[str, Any]:
    await asyncio.to_thread(migrations.upgrade, url)
    db = Database(url, EventBus())
    try:
        revenue, benefits, ids = await _world(db, args.people)
        async with db.session() as s:
            await s.execute(text("CREATE TABLE scratch_rows (id INTEGER PRIMARY KEY, a VARCHAR(128), b TEXT, c TEXT)"))
            rows = [
                {"id": i, "a": f"RT-{i}", "b": str(30000 + i), "c": f"{i} Elm St\nToronto ON"}
                for i in range(args.people)
            ]
            started = time.perf_counter()
            await s.execute(text("INSERT INTO scratch_rows (id, a, b, c) VALUES (:id, :a, :b, :c)"), rows)
            await s.commit()
            floor_import = time.perf_counter() - started
        async with db.session() as s:
            revenue = await s.get_one(Agency, revenue.id)
            started = time.perf_counter()
            result = await import_csv(s, revenue, _csv(args.people), source="bench", provenance={}, region="CA")
            await s.commit()
            took_import = time.perf_counter() - started
        assert result.linked == args.people, result
        rng = random.Random(args.seed)
        reads: list[float] = []
        floor: list[float] = []
        async with db.session() as s:
            consumer = await s.get_one(Agency, benefits.id)
            reader = access.Reader("api_key", "bench", consumer.id, "api", "bench")
            for i in range(args.reads):
                if i % 2 == 0:
                    started = time.perf_counter()
                    await s.execute(text("SELECT 1"))
                    await s.commit()
                    floor.append(time.perf_counter() - started)
                started = time.perf_counter()
                grants = await access.read(s, reader=reader, consumer=consumer, citizen_id=rng.choice(ids), keys=KEYS,
                                           purpose=PURPOSE)  # fmt: skip
                reads.append(time.perf_counter() - started)
                assert grants[0].held is not None
        return {
            "people": args.people,
            "import_seconds": took_import,
            "import_records_per_s": args.people / took_import,
            "import_floor_seconds": floor_import,
            "import_over_floor": took_import / floor_import,
            "read_ms_p50": pct(reads, 0.5) * 1000,
            "read_ms_p99": pct(reads, 0.99) * 1000,
            "floor_ms_p50": pct(floor, 0.5) * 1000,
            "floor_ms_p99": pct(floor, 0.99) * 1000,
            "read_p50_over_floor": statistics.median(reads) / statistics.median(floor),
        }
    finally:
        await db.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--reads", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    load = [round(x, 2) for x in os.getloadavg()]
    print(f"Townsquare tell-us-once bench  {os.cpu_count()} CPUs, {platform.python_implementation()} "
          f"{platform.python_version()}, load average {load}", flush=True)  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="townsquare-sharing-") as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'sharing.db'}"
        result = asyncio.run(run(url, args))
    print(f"\nimport: {result['people']:,} records in {result['import_seconds']:.2f} s "
          f"({result['import_records_per_s']:,.0f}/s); floor (bare insert) {result['import_floor_seconds']:.3f} s; "
          f"{result['import_over_floor']:.0f}x the floor")  # fmt: skip
    print(f"read:   p50 {result['read_ms_p50']:.2f} ms, p99 {result['read_ms_p99']:.2f} ms; floor (SELECT 1 + commit) "
          f"p50 {result['floor_ms_p50']:.3f} ms, p99 {result['floor_ms_p99']:.3f} ms; "
          f"p50 {result['read_p50_over_floor']:.0f}x the floor")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
