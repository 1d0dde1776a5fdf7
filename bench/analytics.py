"""Analytics at city scale: a year of a million-resident city's contact folded into journeys, and every dashboard
query timed against a primary-key read of the same run.

Migrates a THROWAWAY PostgreSQL database with the real migrations, seeds the demo city, bulk-loads N residents
with a year of contact on every channel (bench/scale_load.py's set-based loader, with `--days 365`), adds the
people who looked on the web or the chat before they called (bench/analytics_sql.py) and one analytics touch per
inbound contact as the engagement flow writes it. Then:

1. folds every touch with the real `AnalyticsWorker` (`run_once` until nothing is left) and reports touches/s and
   the total time: how long a city waits for a refold after changing the journey window;
2. times each dashboard query (`measures.volume`, `journeys`, `shift`, `cost` and `casework.dashboards.dashboard`,
   the page's data as a whole) over a year by month, a quarter by week and a month by day, for every agency, one
   agency, one service and one channel, each run beside a primary-key read of a case through the same session
   machinery (`Database.session()`), one at a time, and prints p50/p95 and the ratios;
3. measures the page `/desk/analytics` through the real server with wrk (bench/scale.py's harness), beside the
   `/healthz` floor and `GET /api/v1/cases/{ref}` (a primary-key read over HTTP).

    .venv/bin/python bench/analytics.py --database-url postgresql+asyncpg://USER@127.0.0.1:5432/throwaway
    .venv/bin/python bench/analytics.py --database-url URL --citizens 20000 --runs 50     # a quick small city
    .venv/bin/python bench/analytics.py --database-url URL --reuse                        # measure again
    .venv/bin/python bench/analytics.py --database-url URL --reuse --refold               # fold everything again
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import math
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

import analytics_sql
import ingest  # this script's directory is on sys.path
import ingest_wrk
import scale
import scale_load
import scale_sql
import scale_targets

DEMO_CITIZENS = 20
SAMPLE = 200  # case ids the primary-key read rotates through


# --------------------------------------------------------------------------------------------- loading


async def _count(url: str, table: str) -> int:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            if (await conn.execute(text("SELECT to_regclass(:t)"), {"t": table})).scalar_one() is None:
                return 0
            return int((await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())  # noqa: S608
    finally:
        await engine.dispose()


async def _seed_and_load(url: str, citizens: int, days: int, seed: int) -> scale_load.LoadReport:
    from townsquare.db import Database
    from townsquare.demo.seed import seed as seed_demo
    from townsquare.events import EventBus

    db = Database(url, EventBus())
    try:
        await seed_demo(db, citizens=DEMO_CITIZENS)
    finally:
        await db.dispose()
    print(f"  demo city seeded; loading {citizens:,} residents, {days} days of contact ...", flush=True)
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            report = await scale_load.load(
                conn, citizens, now=datetime.now(UTC), seed=seed, days=days, extra=analytics_sql.PHASES
            )
            for table in ("analytics_touches", "analytics_journeys"):
                report.rows[table] = int((await conn.exec_driver_sql(f"SELECT count(*) FROM {table}")).scalar_one())  # noqa: S608
            return report
    finally:
        await engine.dispose()


async def _add_surveys(url: str) -> int:
    """Satisfaction surveys after the loaded cases (analytics_sql.SURVEYS), once: a database loaded before this
    step existed is given them on its next run."""
    if await _count(url, "satisfaction_surveys"):
        return 0
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            for statement in scale_sql.SETUP.session:  # the loader's session: its uuid7() above all
                await conn.exec_driver_sql(statement)
            started = time.perf_counter()
            await conn.exec_driver_sql(analytics_sql.SURVEYS)
            await conn.exec_driver_sql("ANALYZE satisfaction_surveys")
            added = int((await conn.exec_driver_sql("SELECT count(*) FROM satisfaction_surveys")).scalar_one())
            print(f"  {added:,} satisfaction surveys added in {time.perf_counter() - started:.0f}s", flush=True)
            return added
    finally:
        await engine.dispose()


def prepare_database(args: argparse.Namespace) -> scale_load.LoadReport | None:
    from townsquare import migrations

    count = asyncio.run(_count(args.database_url, "citizens"))
    if count and not args.reuse:
        raise SystemExit(
            f"refusing: this database already has {count:,} citizens. Point --database-url at a new, empty, "
            "THROWAWAY database, or pass --reuse to measure the one loaded earlier."
        )
    migrations.upgrade(args.database_url)  # runs its own event loop, so before ours
    if args.reuse:
        if not count:
            raise SystemExit("--reuse: this database has no residents yet; run once without --reuse to load it")
        print(f"  reusing {count:,} residents already loaded", flush=True)
        asyncio.run(_add_surveys(args.database_url))
        return None
    report = asyncio.run(_seed_and_load(args.database_url, args.citizens, args.days, args.seed))
    report.rows["satisfaction_surveys"] = asyncio.run(_add_surveys(args.database_url))
    return report


# --------------------------------------------------------------------------------------------- folding


@dataclass
class FoldReport:
    touches: int = 0
    seconds: float = 0.0
    touches_per_s: float = 0.0
    passes: int = 0
    journeys: int = 0
    days: int = 0
    finished: bool = True
    rows: dict[str, int] = field(default_factory=dict)


async def fold(url: str, *, batch: int, refold: bool, recount: bool, limit_s: float) -> FoldReport:
    """Run the real worker until nothing is left (or `limit_s` passed); time it."""
    importlib.import_module("townsquare.app")  # registers every model, as the app does
    from townsquare.analytics import worker as worker_
    from townsquare.analytics.models import Touch
    from townsquare.db import Database
    from townsquare.events import EventBus

    db = Database(url, EventBus())
    out = FoldReport()
    try:
        if refold:
            async with db.session() as session:
                print("  dropping every journey and rollup; every touch waits to be folded again ...", flush=True)
                await worker_.start_over(session)
                await session.commit()
        elif recount:  # the loader wrote a year of offers and cases behind the marks the demo's seeding set
            async with db.session() as session:
                print("  handle time, cases by day and hotspots to be counted again over every day ...", flush=True)
                await worker_.recount(session)
                await session.commit()
        async with db.session() as session:
            waiting = int(await session.scalar(select(func.count()).where(Touch.journey_id.is_(None))) or 0)
        print(f"  folding {waiting:,} touches with AnalyticsWorker(batch={batch}) ...", flush=True)
        worker = worker_.AnalyticsWorker(db, batch=batch, lease_seconds=3600)
        started = time.perf_counter()
        while True:
            report = await worker.run_once(now=datetime.now(UTC))
            out.passes += 1
            out.touches += report.touches
            out.journeys += report.journeys
            out.days += report.days
            elapsed = time.perf_counter() - started
            rate = out.touches / elapsed if elapsed else 0.0
            left = (waiting - out.touches) / rate if rate else 0.0
            print(
                f"\r  pass {out.passes:4d}: {out.touches:>11,} / {waiting:,} touches, {out.journeys:,} journeys, "
                f"{rate:8.0f} touches/s, {elapsed:7.0f}s, ~{left:5.0f}s left ",
                end="",
                flush=True,
            )
            if not report.held:
                raise SystemExit("another process holds the analytics lease: is a server running on this database?")
            if not (report.touches or report.decided or report.outcomes):  # and this pass rolled up what was left
                break
            if elapsed > limit_s:
                out.finished = False
                break
        print(flush=True)
        out.seconds = round(time.perf_counter() - started, 1)
        out.touches_per_s = round(out.touches / out.seconds, 1) if out.seconds else 0.0
        async with db.session() as session:
            for table in (
                "analytics_touches",
                "analytics_journeys",
                "analytics_contact_days",
                "analytics_journey_days",
                "analytics_handle_days",
            ):
                out.rows[table] = int((await session.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())  # noqa: S608
    finally:
        await db.dispose()
    return out


# --------------------------------------------------------------------------------------------- timing


@dataclass(frozen=True)
class Case:
    """One scope a dashboard is read over: its label and the page's filters."""

    label: str
    since: date
    until: date
    period: str
    agency: uuid.UUID | None = None  # a supervisor of this one agency (the others: an administrator)
    service: uuid.UUID | None = None
    channel: str | None = None

    def filters(self) -> dict[str, str | None]:
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "period": self.period,
            "agency": str(self.agency) if self.agency else None,
            "service": str(self.service) if self.service else None,
            "channel": self.channel,
        }

    def query(self) -> str:
        shown = {"from": self.since.isoformat(), "to": self.until.isoformat(), "period": self.period}
        shown |= {k: str(v) for k, v in (("agency", self.agency), ("service", self.service)) if v}
        shown |= {"channel": self.channel} if self.channel else {}
        return "&".join(f"{k}={v}" for k, v in shown.items())


def cases(today: date, agency: uuid.UUID, service: uuid.UUID, channel: str) -> list[Case]:
    """A year by month, a quarter by week, a month by day; every agency, one agency, one service, one channel."""
    year = ((today.replace(day=1) - timedelta(days=334)).replace(day=1), today, "month")
    quarter = (today - timedelta(days=today.weekday()) - timedelta(weeks=12), today, "week")
    month = (today - timedelta(days=29), today, "day")
    out = []
    for name, (since, until, period) in (("year/month", year), ("quarter/week", quarter), ("month/day", month)):
        out += [
            Case(f"{name}, all agencies", since, until, period),
            Case(f"{name}, one agency", since, until, period, agency=agency),
            Case(f"{name}, one service", since, until, period, service=service),
            Case(f"{name}, one channel", since, until, period, channel=channel),
        ]
    return out


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), nearest rank on the sorted values."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


@dataclass
class Timing:
    query: str
    scope: str
    runs: int
    p50_ms: float
    p95_ms: float
    pk_p50_ms: float
    pk_p95_ms: float
    rows: int  # rollup rows the query read, or figures it returned (a sanity check it measured real data)

    @classmethod
    def of(cls, query: str, scope: str, mine: list[float], floor: list[float], rows: int) -> Timing:
        """The p50 and p95 of the timed runs and of their primary-key floor, in milliseconds."""
        return cls(
            query,
            scope,
            len(mine),
            round(statistics.median(mine), 2),
            round(percentile(mine, 95), 2),
            round(statistics.median(floor), 2),
            round(percentile(floor, 95), 2),
            rows,
        )

    @property
    def ratio_p50(self) -> float:
        return self.p50_ms / self.pk_p50_ms if self.pk_p50_ms else float("nan")

    @property
    def ratio_p95(self) -> float:
        return self.p95_ms / self.pk_p95_ms if self.pk_p95_ms else float("nan")


async def _timed(
    db: Any, runs: int, warmup: int, work: Callable[[Any], Awaitable[int]], pk: Callable[[Any], Awaitable[int]]
) -> tuple[list[float], list[float], int]:
    """`work` and a primary-key read, alternately, each in its own session as a request has; milliseconds."""
    mine: list[float] = []
    floor: list[float] = []
    size = 0
    for n in range(warmup + runs):
        for which, out in ((pk, floor), (work, mine)):
            t0 = time.perf_counter()
            async with db.session() as session:
                got = await which(session)
            spent = (time.perf_counter() - t0) * 1000
            if n >= warmup:
                out.append(spent)
                if which is work:
                    size = got
    return mine, floor, size


async def time_queries(url: str, *, runs: int, warmup: int) -> tuple[list[Timing], dict[str, Any]]:
    from townsquare.analytics import config as config_
    from townsquare.analytics import measures
    from townsquare.cases.models import Case as CaseRow
    from townsquare.casework import dashboards
    from townsquare.db import Database
    from townsquare.events import EventBus
    from townsquare.staff.auth import Principal
    from townsquare.staff.models import StaffRole

    db = Database(url, EventBus())
    try:
        async with db.session() as session:
            config = await config_.current(session)
            ids = list(
                (
                    await session.execute(text("SELECT id FROM cases ORDER BY random() LIMIT :n"), {"n": SAMPLE})
                ).scalars()
            )
            busiest = (
                await session.execute(
                    text(
                        "SELECT agency_id, service_id FROM analytics_contact_days WHERE agency_id IS NOT NULL"
                        " AND service_id IS NOT NULL GROUP BY 1, 2 ORDER BY sum(contacts) DESC LIMIT 1"
                    )
                )
            ).one()
            admin = (
                await session.execute(
                    text("SELECT id FROM staff_accounts WHERE role = 'admin' AND active ORDER BY created_at LIMIT 1")
                )
            ).scalar_one()
        agency, service = busiest
        today = datetime.now(UTC).astimezone(config.zone).date()
        admin_me = Principal(kind="staff", id=admin, name="bench admin", role=StaffRole.admin, agency_ids=None)
        one_me = Principal(
            kind="staff", id=admin, name="bench supervisor", role=StaffRole.supervisor, agency_ids=frozenset({agency})
        )
        turn = iter(range(10**9))

        async def pk(session: Any) -> int:
            case_id = ids[next(turn) % len(ids)]
            row = (
                await session.execute(
                    select(CaseRow.id, CaseRow.reference, CaseRow.status).where(CaseRow.id == case_id)
                )
            ).one()
            return len(row)

        results: list[Timing] = []
        for case in cases(today, agency, service, "voice"):
            me = one_me if case.agency else admin_me
            scope, _, _ = await _scope(db, dashboards, me, case)
            works = _works(measures, dashboards, scope, config, me, case.filters())
            for name, work in works.items():
                mine, floor, size = await _timed(db, runs, warmup, work, pk)
                timing = Timing.of(name, case.label, mine, floor, size)
                results.append(timing)
                print(
                    f"  {case.label:<28} {name:<10} p50 {timing.p50_ms:7.2f} ms  p95 {timing.p95_ms:7.2f} ms  "
                    f"pk p50 {timing.pk_p50_ms:5.2f} ms  {timing.ratio_p50:5.1f}x  ({size} figures)",
                    flush=True,
                )
        picked = {"agency": str(agency), "service": str(service), "channel": "voice", "today": today.isoformat()}
        return results, picked
    finally:
        await db.dispose()


def _works(
    measures: Any, dashboards: Any, scope: Any, config: Any, me: Any, filters: dict[str, str | None]
) -> dict[str, Callable[[Any], Awaitable[int]]]:
    """Each query of the page, as the dashboard calls it; each returns how many figures it gave."""
    from townsquare.analytics import case_measures, mix
    from townsquare.analytics.rollups import DIMENSIONS

    async def volume(session: Any) -> int:
        return len((await measures.volume(session, scope)).counts)

    async def journeys(session: Any) -> int:
        return len((await measures.journeys(session, scope)).by_service)

    async def shift(session: Any) -> int:
        return len((await measures.shift(session, scope)).counts)

    async def cost(session: Any) -> int:
        return len((await measures.cost(session, scope, config)).by_service)

    async def sla(session: Any) -> int:
        return len((await case_measures.sla(session, scope)).by_service)

    async def demography(session: Any) -> int:  # the three mixes: language, age band, area
        rows = 0
        for dimension in DIMENSIONS:
            rows += len((await mix.mix(session, scope, dimension, contacts=1)).rows)
        return rows

    async def hotspots(session: Any) -> int:
        return len(await case_measures.hotspots(session, scope))

    async def satisfaction(session: Any) -> int:
        return len(await dashboards.satisfaction(session, scope, config.zone))

    async def dashboard(session: Any) -> int:
        return len((await dashboards.dashboard(session, me, **filters)).volume.counts)

    return {
        "volume": volume,
        "journeys": journeys,
        "shift": shift,
        "cost": cost,
        "sla": sla,
        "demography": demography,
        "hotspots": hotspots,
        "satisfaction": satisfaction,
        "dashboard": dashboard,
    }


async def _scope(db: Any, dashboards: Any, me: Any, case: Case) -> Any:
    async with db.session() as session:
        return await dashboards.scope_for(session, me, **case.filters())


# --------------------------------------------------------------------------------------------- HTTP


async def _http_targets(url: str, picked: dict[str, Any]) -> tuple[dict[str, dict[str, str]], list[str]]:
    from sqlalchemy.ext.asyncio import AsyncSession

    from townsquare.staff import service as staff
    from townsquare.staff.auth import SESSION_COOKIE

    engine = create_async_engine(url)
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session:
            admin = (
                await session.execute(
                    text("SELECT id FROM staff_accounts WHERE role = 'admin' AND active ORDER BY created_at LIMIT 1")
                )
            ).scalar_one()
            key, _ = await staff.create_api_key(
                session, name=f"analytics bench {datetime.now(UTC):%H%M%S}", created_by_id=admin
            )
            cookie = await staff.start_session(session, staff_id=admin, hours=12)
            refs = list(
                (await session.execute(text("SELECT reference FROM cases ORDER BY random() LIMIT 200"))).scalars()
            )
            await session.commit()
    finally:
        await engine.dispose()
    return {"key": {"Authorization": f"Bearer {key}"}, "admin": {"Cookie": f"{SESSION_COOKIE}={cookie}"}}, refs


def measure_http(args: argparse.Namespace, picked: dict[str, Any]) -> list[scale.Result]:
    wrk = ingest_wrk.ensure_wrk()
    credentials, refs = asyncio.run(_http_targets(args.database_url, picked))
    today = date.fromisoformat(picked["today"])
    all_cases = cases(today, uuid.UUID(picked["agency"]), uuid.UUID(picked["service"]), picked["channel"])
    endpoints = [
        scale_targets.Endpoint("floor", "GET /healthz", ["/healthz"], "none"),
        scale_targets.Endpoint(
            "case_pk", "GET /api/v1/cases/{ref} (primary key)", [f"/api/v1/cases/{r}" for r in refs], "key"
        ),
        scale_targets.Endpoint("page_default", "GET /desk/analytics (last 12 months)", ["/desk/analytics"], "admin"),
    ]
    for case in all_cases:
        if "all agencies" in case.label or "year/month" in case.label:
            endpoints.append(
                scale_targets.Endpoint(
                    "page " + case.label,
                    f"GET /desk/analytics?{case.query()}"[:60],
                    [f"/desk/analytics?{case.query()}"],
                    "admin",
                )
            )
    results = []
    with tempfile.TemporaryDirectory(prefix="townsquare-analytics-") as tmp:
        port = ingest.free_port()
        log_path = Path(tmp) / "server.log"
        proc = ingest.start_server(
            args.database_url, Path(tmp), port, log_path, extra_env={"TOWNSQUARE_ANALYTICS_WORKER": "false"}
        )
        base_url = f"http://{ingest.HOST}:{port}"
        try:
            asyncio.run(ingest.wait_ready(base_url, proc, ready_within=90.0))
            for endpoint in endpoints:
                result = scale.measure(wrk, base_url, endpoint, credentials.get(endpoint.auth, {}), args)
                print(
                    f"  {endpoint.name:<34} p50 {result.p50_ms:8.1f} ms  p95 {result.p95_ms:8.1f} ms  "
                    f"{result.requests_per_s:7.1f} req/s  {result.codes} {result.failures or ''}",
                    flush=True,
                )
                results.append(result)
        finally:
            ingest.stop_server(proc)
    return results


# --------------------------------------------------------------------------------------------- report


def print_timings(timings: list[Timing]) -> None:
    header = (
        f"  {'scope':<30}{'query':<11}{'p50 ms':>9}{'p95 ms':>9}{'pk p50':>8}{'pk p95':>8}"
        f"{'p50/pk':>8}{'p95/pk':>8}{'figures':>9}"
    )
    print(header)
    print("  " + "-" * (len(header) - 2))
    for t in timings:
        print(
            f"  {t.scope:<30}{t.query:<11}{t.p50_ms:>9.2f}{t.p95_ms:>9.2f}{t.pk_p50_ms:>8.2f}{t.pk_p95_ms:>8.2f}"
            f"{t.ratio_p50:>7.1f}x{t.ratio_p95:>7.1f}x{t.rows:>9}"
        )


def print_http(results: list[scale.Result]) -> None:
    pk = next((r for r in results if r.name == "case_pk"), None)
    print(f"  {'page':<36}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'req/s':>9}{'p95/pk':>9}  codes")
    for r in results:
        ratio = r.p95_ms / pk.p95_ms if pk and pk.p95_ms else float("nan")
        print(
            f"  {r.name:<36}{r.p50_ms:>9.1f}{r.p95_ms:>9.1f}{r.p99_ms:>9.1f}{r.requests_per_s:>9.1f}"
            f"{ratio:>8.1f}x  {r.codes}"
        )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True, help="a THROWAWAY PostgreSQL database (postgresql+asyncpg)")
    parser.add_argument("--citizens", type=int, default=1_000_000, help="residents to load (default 1,000,000)")
    parser.add_argument("--days", type=int, default=365, help="days of contact to load (default 365)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reuse", action="store_true", help="skip loading; measure a database loaded earlier")
    parser.add_argument("--load-only", action="store_true", help="stop after loading (fold and measure later)")
    parser.add_argument("--refold", action="store_true", help="drop every journey and fold every touch again")
    parser.add_argument(
        "--recount", action="store_true", help="count handle time, cases by day and hotspots again over every day"
    )
    parser.add_argument("--batch", type=int, default=5000, help="the worker's batch (default 5000, the app's)")
    parser.add_argument("--fold-limit", type=float, default=3600, help="stop folding after this many seconds")
    parser.add_argument("--runs", type=int, default=100, help="timed runs per query and scope (default 100)")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured runs per query; wrk seconds (3)")
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP page measurements")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of wrk per page (default 10)")
    parser.add_argument("--connections", type=int, default=1, help="wrk connections (default 1: service time)")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (default 1)")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    if make_url(args.database_url).get_backend_name() != "postgresql":
        parser.error("--database-url must be PostgreSQL (the loader is PostgreSQL's set-based SQL)")
    if args.citizens < 100 or args.runs < 5:
        parser.error("--citizens must be at least 100 and --runs at least 5")
    return args


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    started, t0, load_at_start = datetime.now(UTC), time.perf_counter(), ingest.load_average()
    shown = make_url(args.database_url).render_as_string(hide_password=True)
    print(f"preparing {shown} ...", flush=True)
    load = prepare_database(args)
    if args.load_only:
        print(
            f"  loaded in {load.seconds if load else 0:.0f}s: {load.rows if load else {}}",
            load.problems if load else "",
        )
        return 0 if not (load and load.problems) else 1
    print("folding ...", flush=True)
    recount = load is not None or args.recount
    folded = asyncio.run(
        fold(args.database_url, batch=args.batch, refold=args.refold, recount=recount, limit_s=args.fold_limit)
    )
    print(
        f"  {folded.touches:,} touches in {folded.seconds:,.0f}s: {folded.touches_per_s:,.0f} touches/s; {folded.rows}"
    )
    print("timing dashboard queries (one at a time, each beside a primary-key read) ...", flush=True)
    timings, picked = asyncio.run(time_queries(args.database_url, runs=args.runs, warmup=max(1, round(args.warmup))))
    http = [] if args.no_http else measure_http(args, picked)
    result: dict[str, Any] = {
        "benchmark": "analytics",
        "date": started.isoformat(timespec="seconds"),
        "code": ingest.code_version(),
        "command": scale.the_command(args, argv),
        "machine": {"load_average_at_start": load_at_start, **scale.machine()},
        "load": asdict(load) if load else None,
        "fold": asdict(folded),
        "picked": picked,
        "timings": [asdict(t) | {"ratio_p50": t.ratio_p50, "ratio_p95": t.ratio_p95} for t in timings],
        "http": [asdict(r) for r in http],
        "total_seconds": round(time.perf_counter() - t0, 1),
    }
    print()
    print(f"Analytics at city scale  {result['date']}  commit {result['code'].get('commit', '-')}")
    m = result["machine"]
    print(
        f"  machine  {m['cpu_model']}, {m['cores']} cores, {m['ram_gb']} GB;"
        f" load average {load_at_start} at start, {m['load_average_at_end']} at end"
    )
    if load:
        print(f"  loading  {load.seconds:.0f}s; rows " + ", ".join(f"{k} {v:,}" for k, v in load.rows.items()))
        for problem in load.problems:
            print(f"  FAILED loading: {problem}")
    print(
        f"  folding  {folded.touches:,} touches in {folded.seconds:,.0f}s ({folded.touches_per_s:,.0f}/s, "
        f"{folded.passes} passes){'' if folded.finished else ' NOT FINISHED'}; "
        + ", ".join(f"{k} {v:,}" for k, v in folded.rows.items())
    )
    print()
    print_timings(timings)
    if http:
        print()
        print_http(http)
    ok = folded.finished and not (load and load.problems) and not any(r.failures for r in http)
    print(f"  result: {'OK' if ok else 'FAILED'}   total {result['total_seconds']:.0f}s")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2, default=str) + "\n")
        print(f"wrote {args.json}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
