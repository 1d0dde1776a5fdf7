"""The desk's case list at city scale: every kind of search and filter over a million cases on PostgreSQL, each
timed against a primary-key read of the same run.

Runs on a database bench/analytics.py (or bench/scale.py) loaded: a THROWAWAY one, migrated here to the newest
schema (the case list's indexes are built then, and timed). Each search is `casework.case_list.case_page` as the
page calls it (the count up to 10,000, one page of 50 in its order, the names it shows, and the access-log rows
for every case shown, committed), for a supervisor of one agency and for an administrator, with the values
rotating through a sample drawn from the data: references, family names, phone numbers, email addresses, words of
titles, and the filters a supervisor combines ("overdue, roads, this week").

    .venv/bin/python bench/case_search.py --database-url postgresql+asyncpg://USER@127.0.0.1:5432/analytics_bench
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

import ingest  # this script's directory is on sys.path
import scale
from analytics import Timing, _timed

SAMPLE = 200
BUDGET_MS = 200.0  # the p95 for a search over a million cases


@dataclass(frozen=True)
class Search:
    label: str
    params: Callable[[int], dict[str, str]]  # the n-th run's query string
    admin: bool = False


async def _sample(session: Any) -> dict[str, Any]:
    """Values to search for, drawn at random from the data, and the busiest agency with its busiest service."""

    async def column(sql: str) -> list[str]:
        rows = await session.execute(text(sql), {"n": SAMPLE, "agency": agency})
        return [str(v) for v in rows.scalars() if v]

    agency, service = (
        await session.execute(
            text(
                "SELECT agency_id, service_id FROM cases WHERE service_id IS NOT NULL GROUP BY 1, 2"
                " ORDER BY count(*) DESC LIMIT 1"
            )
        )
    ).one()
    return {
        "agency": str(agency),
        "service": str(service),
        "references": await column("SELECT reference FROM cases WHERE agency_id = :agency ORDER BY random() LIMIT :n"),
        "names": await column(
            "SELECT family_name FROM citizens WHERE family_name IS NOT NULL ORDER BY random() LIMIT :n"
        ),
        "phones": await column("SELECT value FROM identities WHERE kind = 'phone' ORDER BY random() LIMIT :n"),
        "emails": await column("SELECT value FROM identities WHERE kind = 'email' ORDER BY random() LIMIT :n"),
        "words": await column(
            "SELECT split_part(title, ' ', 1 + (random() * 2)::int) FROM cases TABLESAMPLE SYSTEM (1)"
            " WHERE length(title) > 10 AND agency_id = :agency LIMIT :n"
        ),
        "areas": await column(
            "SELECT left(zipcode, 3) FROM cases WHERE zipcode IS NOT NULL AND agency_id = :agency"
            " ORDER BY random() LIMIT :n"
        ),
        "teams": await column("SELECT id FROM teams ORDER BY random() LIMIT :n"),
    }


def searches(s: dict[str, Any]) -> list[Search]:
    def pick(name: str) -> Callable[[int], str]:
        values = s[name] or [""]
        return lambda n: values[n % len(values)]

    ref, name, phone, email, word, area = (
        pick(k) for k in ("references", "names", "phones", "emails", "words", "areas")
    )
    agency, service = s["agency"], s["service"]
    return [
        Search("first page, no filter", lambda n: {}),
        Search("reference", lambda n: {"q": ref(n)}),
        Search("family name", lambda n: {"q": name(n)}),
        Search("phone number", lambda n: {"q": phone(n)}),
        Search("email address", lambda n: {"q": email(n)}),
        Search("a word of the title", lambda n: {"q": word(n)}),
        Search("overdue, one agency, this week", lambda n: {"sla": "overdue", "agency": agency, "period": "week"}),
        Search("open, one service, due soonest", lambda n: {"state": "open", "service": service, "sort": "due"}),
        Search("overdue, oldest first", lambda n: {"sla": "overdue", "sort": "oldest"}),
        Search("nobody assigned, open", lambda n: {"assignee": "none", "state": "open"}),
        Search("postal area, this month", lambda n: {"area": area(n), "period": "month"}),
        Search("a word, open, by channel", lambda n: {"q": word(n), "state": "open", "channel": "voice"}),
        Search("a word, every agency (administrator)", lambda n: {"q": word(n)}, admin=True),
        Search("family name, every agency (administrator)", lambda n: {"q": name(n)}, admin=True),
    ]


def _request(query: dict[str, str]) -> Any:
    from urllib.parse import urlencode

    from starlette.requests import Request

    return Request(
        {
            "type": "http",
            "method": "GET",
            "scheme": "http",
            "server": ("bench", 80),
            "path": "/desk/cases",
            "query_string": urlencode(query).encode(),
            "headers": [],
        }
    )


async def time_searches(url: str, *, runs: int, warmup: int) -> tuple[list[Timing], dict[str, Any]]:
    importlib.import_module("townsquare.app")  # registers every model, as the app does
    from townsquare.casework import case_list
    from townsquare.casework.case_filters import CaseFilters
    from townsquare.db import Database
    from townsquare.events import EventBus
    from townsquare.staff.auth import Principal
    from townsquare.staff.models import StaffRole

    db = Database(url, EventBus())
    try:
        async with db.session() as session:
            picked = await _sample(session)
            admin = (
                await session.execute(
                    text("SELECT id FROM staff_accounts WHERE role = 'admin' AND active ORDER BY created_at LIMIT 1")
                )
            ).scalar_one()
            ids = list(
                (
                    await session.execute(text("SELECT id FROM cases ORDER BY random() LIMIT :n"), {"n": SAMPLE})
                ).scalars()
            )
        agency = uuid.UUID(picked["agency"])
        supervisor = Principal("staff", admin, "bench supervisor", StaffRole.supervisor, frozenset({agency}))
        administrator = Principal("staff", admin, "bench administrator", StaffRole.admin, None)
        turn = iter(range(10**9))

        async def pk(session: Any) -> int:
            case_id = ids[next(turn) % len(ids)]
            row = (
                await session.execute(text("SELECT id, reference, status FROM cases WHERE id = :id"), {"id": case_id})
            ).one()
            return len(row)

        results: list[Timing] = []
        for search in searches(picked):
            me = administrator if search.admin else supervisor
            runs_made = iter(range(10**9))

            async def work(session: Any, search: Search = search, me: Any = me, runs_made: Any = runs_made) -> int:
                query = search.params(next(runs_made))
                page = await case_list.case_page(
                    session, me=me, request=_request(query), filters=CaseFilters.parse(query), after=None,
                    region="CA", reference_prefix="TS",
                )  # fmt: skip
                return len(page.lines)

            mine, floor, size = await _timed(db, runs, warmup, work, pk)
            who = "administrator" if search.admin else "one agency's supervisor"
            timing = Timing.of(search.label, who, mine, floor, size)
            results.append(timing)
            print(
                f"  {search.label:<42} p50 {timing.p50_ms:7.2f} ms  p95 {timing.p95_ms:7.2f} ms  "
                f"pk p50 {timing.pk_p50_ms:5.2f} ms  {timing.ratio_p95:6.1f}x p95  (last page {size} cases)",
                flush=True,
            )
        return results, {k: v for k, v in picked.items() if isinstance(v, str)}
    finally:
        await db.dispose()


def migrate(url: str) -> float:
    """Bring the database to the newest schema (the case list's indexes among it); seconds it took."""
    from townsquare import migrations

    started = time.perf_counter()
    migrations.upgrade(url)
    return round(time.perf_counter() - started, 1)


async def _counts(url: str) -> dict[str, int]:
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            out = {}
            for table in ("cases", "citizens", "identities", "audit_log"):
                out[table] = int((await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())  # noqa: S608
            await conn.execute(text("ANALYZE cases"))
            return out
    finally:
        await engine.dispose()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True, help="a THROWAWAY PostgreSQL database, loaded already")
    parser.add_argument("--runs", type=int, default=100, help="timed runs per search (default 100)")
    parser.add_argument("--warmup", type=int, default=5, help="unmeasured runs per search (default 5)")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    if make_url(args.database_url).get_backend_name() != "postgresql":
        parser.error("--database-url must be PostgreSQL")
    return args


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    started, load_at_start = datetime.now(UTC), ingest.load_average()
    print("migrating (the case list's indexes are built now) ...", flush=True)
    migrated = migrate(args.database_url)
    rows = asyncio.run(_counts(args.database_url))
    print(f"  migrated in {migrated}s; " + ", ".join(f"{k} {v:,}" for k, v in rows.items()), flush=True)
    if rows["cases"] < 1000:
        raise SystemExit("load a city first (bench/analytics.py or bench/scale.py)")
    timings, picked = asyncio.run(time_searches(args.database_url, runs=args.runs, warmup=args.warmup))
    worst = max(t.p95_ms for t in timings)
    result = {
        "benchmark": "case_search",
        "date": started.isoformat(timespec="seconds"),
        "code": ingest.code_version(),
        "command": scale.the_command(args, argv),
        "machine": {"load_average_at_start": load_at_start, **scale.machine()},
        "rows": rows,
        "migrated_seconds": migrated,
        "picked": picked,
        "timings": [asdict(t) | {"ratio_p50": t.ratio_p50, "ratio_p95": t.ratio_p95} for t in timings],
        "worst_p95_ms": worst,
    }
    ok = worst <= BUDGET_MS
    print(f"  worst p95 {worst:.1f} ms against a budget of {BUDGET_MS:.0f} ms: {'OK' if ok else 'OVER'}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2, default=str) + "\n")
        print(f"wrote {args.json}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
