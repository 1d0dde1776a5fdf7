"""Routing checked against queueing theory, and routing throughput at scale.

Part 1, validation. A discrete-event simulation (`bench/routing_simulation.py`) offers Poisson calls with
exponential handling times to N identical agents (one call each, no wrap-up) who answer every offer at once,
and compares the probability of waiting, the average speed of answer (ASA) and the service level (answered
within T seconds) with Erlang C (pyworkforce), for several loads:

  engine + DB   the first --db-calls calls of each load through the real engine on a fresh migrated SQLite
                database: `routing.service.create`, `engine.route`, `engine.accept`, `engine.complete`, each
                event in its own transaction at the simulated time
  engine core   the same calls, and more (--core-calls), through the engine's in-memory decision code
                (`Matcher`, `AgentState`, `ItemState`) without a database, for tight confidence intervals

Every call the DB path answered must have waited exactly as long (to the microsecond) as in the core run.

Part 2, throughput. 1,000 agents (mixed agencies, languages, skills, capacities) and 10,000 queued items
(mixed channels, priorities, SLA due times, languages, required skills); `engine.route` passes until the agents
are full or nothing more can be offered. Reports decisions/s, p50/p99 decision and pass times, against a floor
(a `SELECT 1` transaction) measured in the same run. With TOWNSQUARE_BENCH_DATABASE_URL set (a THROWAWAY,
empty PostgreSQL database), part 2 also runs there.

    .venv/bin/python bench/routing_sim.py            # full run, several minutes
    .venv/bin/python bench/routing_sim.py --quick    # a smoke run, well under a minute

Exit 1 if a DB-path wait differs from the core's, an agent held two calls at once, or (full run) the long-run
service level differs from Erlang C by more than 2 points at any load.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pyworkforce.queuing import ErlangC
from sqlalchemy import func, select, text

import routing_simulation as simulation  # this script's directory is on sys.path
from townsquare import migrations
from townsquare.agencies.models import Agency
from townsquare.db import Database
from townsquare.events import EventBus
from townsquare.routing import engine
from townsquare.routing.models import (
    Agent,
    AgentSkill,
    OfferOutcome,
    Presence,
    Queue,
    WorkItem,
    WorkItemStatus,
    WorkOffer,
    capacity_class,
)
from townsquare.routing.service import DEFAULT_SLA_SECONDS
from townsquare.staff.models import StaffAccount, StaffAgency

THRESHOLD_SECONDS = 20.0
AHT_SECONDS = 180.0
TOLERANCE_POINTS = 2.0
# (agents, occupancy): offered load A = agents x occupancy erlangs.
LOADS: tuple[tuple[int, float], ...] = ((20, 0.70), (10, 0.80), (4, 0.90))


# --------------------------------------------------------------------------------------------- part 1


def erlang_c(agents: int, offered: float, aht: float, threshold: float) -> dict[str, float]:
    """P(wait), ASA and service level from pyworkforce. It has no ASA, so ASA = P(wait) x AHT / (N - A)."""
    model = ErlangC(transactions=offered / aht * 3600, aht=aht, asa=threshold, interval=3600)  # seconds throughout
    p_wait = float(model.waiting_probability(agents))
    return {
        "p_wait": p_wait,
        "asa_seconds": p_wait * aht / (agents - offered),
        "service_level": float(model.service_level(agents)),
    }


async def db_run(
    calls: simulation.Calls, agents: int, workdir: Path, tag: str
) -> tuple[simulation.SimulationResult, dict[str, Any]]:
    """The calls through the engine and a fresh SQLite database; with what the database shows afterwards."""
    url = f"sqlite+aiosqlite:///{workdir / f'sim-{tag}.db'}"
    await asyncio.to_thread(migrations.upgrade, url)
    db = Database(url, EventBus())
    try:
        agency_id = await simulation.staff_call_centre(db, agents=agents)
        backend = simulation.EngineBackend(db, agency_id=agency_id)
        started = time.perf_counter()
        result = await simulation.simulate(calls, backend)
        seconds = time.perf_counter() - started
        async with db.session(deferred=True) as session:
            offers = (await session.execute(select(func.count()).select_from(WorkOffer))).scalar_one()
            accepted = (
                await session.execute(
                    select(func.count()).select_from(WorkOffer).where(WorkOffer.outcome == OfferOutcome.accepted)
                )
            ).scalar_one()
            done = (
                await session.execute(
                    select(func.count()).select_from(WorkItem).where(WorkItem.status == WorkItemStatus.done)
                )
            ).scalar_one()
            spans = (
                await session.execute(select(WorkOffer.staff_id, WorkOffer.responded_at, WorkOffer.released_at))
            ).all()
            overlaps = overlapping_holds([(s, a, b) for s, a, b in spans if a is not None and b is not None])
    finally:
        await db.dispose()
    return result, {
        "seconds": seconds,
        "events_per_s": 2 * len(calls.arrivals) / seconds,
        "offers": offers,
        "accepted": accepted,
        "done": done,
        "overlaps": overlaps,
    }


def overlapping_holds(spans: Sequence[tuple[uuid.UUID, datetime, datetime]]) -> int:
    """How many times an agent picked up a call before finishing the previous one."""
    by_agent: dict[uuid.UUID, list[tuple[datetime, datetime]]] = {}
    for staff_id, start, end in spans:
        by_agent.setdefault(staff_id, []).append((start, end))
    bad = 0
    for held in by_agent.values():
        held.sort()
        bad += sum(1 for (_, end), (start, _) in itertools.pairwise(held) if start < end)
    return bad


async def validate(args: argparse.Namespace, workdir: Path) -> tuple[list[dict[str, Any]], list[str]]:
    rows: list[dict[str, Any]] = []
    failures: list[str] = []
    for n, (agents, occupancy) in enumerate(LOADS):
        offered = agents * occupancy
        scenario = simulation.Scenario(
            agents=agents, offered_erlangs=offered, aht_seconds=AHT_SECONDS, calls=args.core_calls, seed=args.seed + n
        )
        calls = simulation.draw_calls(scenario)
        theory = erlang_c(agents, offered, AHT_SECONDS, THRESHOLD_SECONDS)
        print(f"load {n + 1}: N={agents} A={offered:.1f}: core {args.core_calls:,} calls ...", flush=True)
        started = time.perf_counter()
        core = await simulation.simulate(calls, simulation.CoreBackend(agents=agents))
        core_seconds = time.perf_counter() - started
        first = simulation.Calls(calls.arrivals[: args.db_calls], calls.handling[: args.db_calls])
        print(f"        engine + DB {args.db_calls:,} calls ...", flush=True)
        db, checks = await db_run(first, agents, workdir, f"load{n}")
        mismatched = sum(1 for a, b in zip(db.answered, core.answered[: args.db_calls], strict=True) if a != b)
        row: dict[str, Any] = {
            "agents": agents,
            "offered_erlangs": offered,
            "occupancy": occupancy,
            "erlang_c": theory,
            "db": asdict(db.measure(THRESHOLD_SECONDS)),
            "core": asdict(core.measure(THRESHOLD_SECONDS)),
            "db_checks": {**checks, "waits_differing_from_core": mismatched},
            "core_seconds": core_seconds,
        }
        rows.append(row)
        if mismatched:
            failures.append(f"load {n + 1}: {mismatched} calls waited differently through the DB than in the core")
        if checks["overlaps"] or checks["accepted"] != args.db_calls or checks["done"] != args.db_calls:
            failures.append(f"load {n + 1}: database shows {checks}")
        diff = 100 * abs(row["core"]["service_level"] - theory["service_level"])
        if not args.quick and diff > TOLERANCE_POINTS:
            failures.append(f"load {n + 1}: long-run service level {diff:.2f} points from Erlang C")
    return rows, failures


# --------------------------------------------------------------------------------------------- part 2

AGENCIES = {  # slug: (share of agents, service codes)
    "city-works": (0.35, ["pothole", "streetlight", "garbage-missed", "graffiti", "tree"]),
    "licensing": (0.25, ["dl-renew", "business-licence", "pet-licence"]),
    "revenue": (0.25, ["prop-tax", "parking-ticket", "water-bill"]),
    "social-services": (0.15, ["housing", "benefits", "childcare"]),
}
CAPACITY_PROFILES = (  # (weight, capacity)
    (0.4, {"voice": 1, "chat": 3, "async": 5}),
    (0.3, {"chat": 3, "async": 5}),
    (0.3, {"async": 8}),
)
CHANNELS = {"voice": 0.10, "chat": 0.15, "sms": 0.25, "email": 0.35, "web": 0.15}


async def seed_floor(db: Database, *, agents: int, items: int, seed: int, now: datetime) -> dict[str, int]:
    """A realistic city: agencies with general and specialist queues, agents, and a backlog of queued work."""
    rng = random.Random(seed)
    async with db.session() as session:
        agencies: dict[str, tuple[Agency, list[str], Queue]] = {}
        for slug, (_, codes) in AGENCIES.items():
            agency = Agency(slug=f"bench-{slug}", name=slug.replace("-", " ").title())
            session.add(agency)
            await session.flush()
            specialist = Queue(
                agency_id=agency.id,
                slug="specialist",
                name="Specialist",
                service_codes=[codes[0]],
                required_skills={codes[0]: 3},
            )
            session.add(specialist)
            agencies[slug] = (agency, codes, specialist)
        await session.flush()
        slugs = list(AGENCIES)
        weights = [share for share, _ in AGENCIES.values()]
        for n in range(agents):
            home = rng.choices(slugs, weights)[0]
            member_of = {home} | ({rng.choice(slugs)} if rng.random() < 0.1 else set())
            account = StaffAccount(
                email=f"bench{n:05d}@city.invalid",
                display_name=f"Bench Agent {n:05d}",
                password_hash=simulation.UNUSABLE_PASSWORD_HASH,
            )
            session.add(account)
            await session.flush()
            for slug in member_of:
                session.add(StaffAgency(staff_id=account.id, agency_id=agencies[slug][0].id))
            languages = rng.choices((["en"], ["en", "fr"], ["fr"]), (0.75, 0.15, 0.10))[0]
            capacity = rng.choices([c for _, c in CAPACITY_PROFILES], [w for w, _ in CAPACITY_PROFILES])[0]
            session.add(
                Agent(
                    staff_id=account.id,
                    presence=Presence.available,
                    presence_since=now - timedelta(minutes=rng.randint(1, 240)),
                    idle_since=now - timedelta(seconds=rng.randint(1, 3600)),
                    capacity=dict(capacity),
                    languages=languages,
                    wrap_up_seconds=30,
                )
            )
            await session.flush()
            codes = agencies[home][1]
            for skill in rng.sample(codes, rng.randint(0, min(3, len(codes)))) + (
                ["accessibility"] if rng.random() < 0.1 else []
            ):
                session.add(AgentSkill(staff_id=account.id, skill=skill, level=rng.randint(1, 5)))
        channels, channel_weights = list(CHANNELS), list(CHANNELS.values())
        for n in range(items):
            agency, codes, specialist = agencies[rng.choices(slugs, weights)[0]]
            channel = rng.choices(channels, channel_weights)[0]
            received = now - timedelta(seconds=rng.randint(0, 8 * 3600))
            code = rng.choice(codes) if rng.random() < 0.6 else None
            to_specialist = code == codes[0]
            required = dict(specialist.required_skills) if to_specialist else {}
            if rng.random() < 0.03:
                required["accessibility"] = 1
            session.add(
                WorkItem(
                    channel=channel,
                    kind="call" if channel == "voice" else "message",
                    agency_id=agency.id,
                    queue_id=specialist.id if to_specialist else None,
                    capacity_class=capacity_class(channel),
                    language=rng.choices(("en", "fr"), (0.8, 0.2))[0],
                    required_skills=required,
                    priority=rng.choices((50, 75, 100), (0.82, 0.15, 0.03))[0],
                    sla_due_at=received + timedelta(seconds=DEFAULT_SLA_SECONDS.get(channel, 48 * 3600)),
                    context={"service_code": code} if code else {},
                    last_activity_at=received,
                    created_at=received,
                )
            )
            if n % 1000 == 999:
                await session.flush()
        await session.commit()
    return {"agents": agents, "items": items}


def pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def floor_ms(db: Database, rounds: int) -> list[float]:
    """A `SELECT 1` in a write transaction (begin, query, commit): what any routing pass pays at least."""
    out = []
    for _ in range(rounds):
        started = time.perf_counter()
        async with db.session() as session:
            await session.execute(text("SELECT 1"))
            await session.commit()
        out.append((time.perf_counter() - started) * 1000)
    return out


async def throughput(url: str, args: argparse.Namespace, fresh: bool) -> dict[str, Any]:
    if fresh:
        await asyncio.to_thread(migrations.upgrade, url)
    db = Database(url, EventBus())
    now = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    try:
        started = time.perf_counter()
        await seed_floor(db, agents=args.agents, items=args.items, seed=args.seed, now=now)
        seed_seconds = time.perf_counter() - started
        floor_before = await floor_ms(db, args.floor_rounds // 2)
        passes: list[dict[str, Any]] = []
        decisions: list[float] = []
        while len(passes) < 1000:
            started = time.perf_counter()
            async with db.session() as session:
                report = await engine.route(session, now=now)
                await session.commit()
            elapsed = time.perf_counter() - started
            passes.append({"seconds": elapsed, "considered": report.considered, "offered": len(report.offered)})
            decisions.extend(report.decision_seconds)
            if not report.offered:
                break
        floor_after = await floor_ms(db, args.floor_rounds - args.floor_rounds // 2)
        async with db.session(deferred=True) as session:
            still_available = (
                await session.execute(
                    select(func.count()).select_from(Agent).where(Agent.presence == Presence.available)
                )
            ).scalar_one()
            still_queued = (
                await session.execute(
                    select(func.count()).select_from(WorkItem).where(WorkItem.status == WorkItemStatus.queued)
                )
            ).scalar_one()
            dialect_version = (
                (await session.execute(text("select sqlite_version()"))).scalar_one()
                if db.dialect == "sqlite"
                else (await session.execute(text("show server_version"))).scalar_one()
            )
    finally:
        await db.dispose()
    pass_s = [p["seconds"] for p in passes]
    considered = sum(p["considered"] for p in passes)
    floor = floor_before + floor_after
    return {
        "database": f"{db.dialect} {dialect_version}",
        "seed_seconds": seed_seconds,
        "passes": len(passes),
        "offers": sum(p["offered"] for p in passes),
        "considered": considered,
        "decisions_per_s": considered / sum(pass_s),
        "decisions_per_s_matcher_only": len(decisions) / sum(decisions) if decisions else float("nan"),
        "decision_ms_p50": pct(decisions, 0.5) * 1000,
        "decision_ms_p99": pct(decisions, 0.99) * 1000,
        "pass_ms_p50": pct(pass_s, 0.5) * 1000,
        "pass_ms_p99": pct(pass_s, 0.99) * 1000,
        "matcher_share_of_pass_time": sum(decisions) / sum(pass_s),
        "floor_ms_p50": statistics.median(floor),
        "floor_ms_p99": pct(floor, 0.99),
        "floor_drift_pct": 100 * (statistics.median(floor_after) / statistics.median(floor_before) - 1),
        "pass_over_floor_p50": pct(pass_s, 0.5) * 1000 / statistics.median(floor),
        "agents_still_available": still_available,
        "items_still_queued": still_queued,
    }


# --------------------------------------------------------------------------------------------- report


def print_validation(rows: list[dict[str, Any]], args: argparse.Namespace) -> None:
    print()
    print(
        f"Routing vs Erlang C: AHT {AHT_SECONDS:.0f} s, service level = answered within {THRESHOLD_SECONDS:.0f} s, "
        f"first 10% of calls discarded, ±: 95% CI from {simulation.BATCHES} batch means"
    )
    head = f"  {'load':<14}{'path':<13}{'calls':>10}{'P(wait) %':>20}{'ASA s':>20}{'SL %':>20}{'SL diff pts':>13}"
    print(head)
    print("  " + "-" * (len(head) - 2))
    for row in rows:
        ec = row["erlang_c"]
        load = f"N={row['agents']} A={row['offered_erlangs']:.1f}"
        print(
            f"  {load:<14}{'Erlang C':<13}{'':>10}{100 * ec['p_wait']:>20.2f}{ec['asa_seconds']:>20.2f}"
            f"{100 * ec['service_level']:>20.2f}"
        )
        for key, label in (("db", "engine + DB"), ("core", "engine core")):
            m = row[key]
            pw = f"{100 * m['p_wait']:.2f} ± {100 * m['p_wait_ci']:.2f}"
            asa = f"{m['asa_seconds']:.2f} ± {m['asa_ci']:.2f}"
            sl = f"{100 * m['service_level']:.2f} ± {100 * m['service_level_ci']:.2f}"
            diff = 100 * (m["service_level"] - ec["service_level"])
            print(f"  {'':<14}{label:<13}{m['calls']:>10,}{pw:>20}{asa:>20}{sl:>20}{diff:>+13.2f}")
        c = row["db_checks"]
        print(
            f"  {'':<14}DB path: {c['events_per_s']:.0f} events/s; {c['offers']} offers, {c['accepted']} accepted, "
            f"{c['done']} done, {c['overlaps']} overlapping calls per agent; "
            f"waits differing from the core: {c['waits_differing_from_core']}"
        )


def print_throughput(t: dict[str, Any], args: argparse.Namespace) -> None:
    print()
    print(
        f"Routing throughput on {t['database']}: {args.agents:,} agents, {args.items:,} queued items "
        f"(seeded in {t['seed_seconds']:.1f} s)"
    )
    print(
        f"  {t['passes']} passes until nothing more could be offered: {t['offers']:,} offers, "
        f"{t['considered']:,} items considered; left: {t['agents_still_available']} agents available, "
        f"{t['items_still_queued']:,} items queued"
    )
    print(
        f"  decisions/s {t['decisions_per_s']:,.0f} (whole pass)   {t['decisions_per_s_matcher_only']:,.0f} "
        f"(Matcher only; {100 * t['matcher_share_of_pass_time']:.0f}% of pass time)"
    )
    print(f"  decision ms p50 {t['decision_ms_p50']:.3f}   p99 {t['decision_ms_p99']:.3f}")
    print(f"  pass ms     p50 {t['pass_ms_p50']:.1f}   p99 {t['pass_ms_p99']:.1f}")
    print(
        f"  floor (SELECT 1 transaction) ms p50 {t['floor_ms_p50']:.2f} p99 {t['floor_ms_p99']:.2f} "
        f"(after vs before {t['floor_drift_pct']:+.0f}%)   pass p50 / floor p50 = {t['pass_over_floor_p50']:.0f}x"
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a smoke run: fewer calls and a smaller floor")
    parser.add_argument("--db-calls", type=int, help="calls per load through the engine and SQLite (default 2000)")
    parser.add_argument("--core-calls", type=int, help="calls per load through the in-memory core (default 1000000)")
    parser.add_argument("--agents", type=int, help="agents for the throughput part (default 1000)")
    parser.add_argument("--items", type=int, help="queued items for the throughput part (default 10000)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--skip-validation", action="store_true")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    quick = args.quick
    args.db_calls = args.db_calls or (200 if quick else 2000)
    args.core_calls = args.core_calls or (20_000 if quick else 1_000_000)
    args.agents = args.agents or (200 if quick else 1000)
    args.items = args.items or (2000 if quick else 10_000)
    args.floor_rounds = 100 if quick else 400
    if args.core_calls < args.db_calls or args.db_calls < 10 * simulation.BATCHES:
        parser.error("--core-calls must be at least --db-calls, and --db-calls at least 200")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started_at = datetime.now(UTC)
    t0 = time.perf_counter()
    result: dict[str, Any] = {
        "benchmark": "routing_sim",
        "started_at": started_at.isoformat(timespec="seconds"),
        "machine": {
            "nproc": os.cpu_count(),
            "python": f"{platform.python_implementation()} {platform.python_version()}",
            "platform": platform.platform(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        },
        "config": {k: v for k, v in vars(args).items() if k != "json"} | {"json": str(args.json or "")},
    }
    failures: list[str] = []
    print(
        f"Townsquare routing bench  {result['started_at']}  {os.cpu_count()} CPUs, {result['machine']['python']}, "
        f"load average {result['machine']['load_average_at_start']}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="townsquare-routing-") as tmp:
        workdir = Path(tmp)
        if not args.skip_validation:
            rows, failures = asyncio.run(validate(args, workdir))
            result["validation"] = rows
            print_validation(rows, args)
        if not args.skip_throughput:
            print(f"\nthroughput: seeding {args.agents} agents and {args.items} items on SQLite ...", flush=True)
            result["throughput"] = [asyncio.run(throughput(f"sqlite+aiosqlite:///{workdir / 'floor.db'}", args, True))]
            print_throughput(result["throughput"][0], args)
            pg_url = os.environ.get("TOWNSQUARE_BENCH_DATABASE_URL", "")
            if pg_url.startswith("postgresql"):
                print("\nthroughput: the same on TOWNSQUARE_BENCH_DATABASE_URL ...", flush=True)
                result["throughput"].append(asyncio.run(throughput(pg_url, args, True)))
                print_throughput(result["throughput"][1], args)
    result["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    result["failures"] = failures
    result["total_seconds"] = round(time.perf_counter() - t0, 1)
    print()
    for message in failures:
        print(f"  FAILED: {message}")
    print(
        f"  result: {'OK' if not failures else 'FAILED'}   total {result['total_seconds']:.0f} s   "
        f"load average at end {result['machine']['load_average_at_end']}"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2, default=str) + "\n")
        print(f"  wrote {args.json}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
