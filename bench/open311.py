"""Open311 GeoReport v2 over HTTP, reported as ratios against a floor measured in the same run.

Starts the real server (uvicorn, one process, outbox worker off, rate limits raised out of the way) on a free
loopback port against a fresh, migrated database seeded with the demo city, then measures with a
bounded-concurrency httpx client:

  floor     GET /healthz (no database, no auth), half before the workload and half after, pooled
  post      POST /open311/v2/requests.xml: form-encoded reports on the demo city's Open311 services, spread
            around the map centre so that some land within the likely-duplicate radius of an earlier one,
            half with an email (the reporter is identified), every answer checked (a service_request_id)
  get_one   GET /open311/v2/requests/{id}.json for requests just created
  list      GET /open311/v2/requests.json (the default: the last 90 days, the first 1,000) and .xml, after the
            posts, so each answer carries up to 1,000 requests with their latest status note

and prints requests/s and p50/p90/p99 latency per phase, with ratios against the floor. Absolute numbers depend
on the machine; the ratios are what to compare between runs.

    .venv/bin/python bench/open311.py                     # SQLite in a temp dir, 2000 posts, concurrency 8
    .venv/bin/python bench/open311.py --json bench/results/open311.json
    .venv/bin/python bench/open311.py --database-url postgresql+asyncpg://u:p@127.0.0.1/throwaway
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest import (  # the shared harness of the benchmarks
    HOST,
    code_version,
    finish,
    free_port,
    load_average,
    machine_info,
    percentile,
    stop_server,
    wait_ready,
)
from ingest import start_server as start_ingest_server

CENTRE = (43.6535, -79.3841)
# The demo city's Open311 services and valid answers to their required questions.
SERVICES: dict[str, dict[str, str]] = {
    "POTHOLE": {"attribute[size]": "medium", "attribute[in_bike_lane]": "no"},
    "STREETLIGHT": {"attribute[pole_number]": "P-1234"},
    "GARBAGE-MISSED": {"attribute[streams][]": "recycling"},
    "GRAFFITI": {},
    "TREE": {"attribute[blocking]": "no"},
}
DESCRIPTIONS = (
    "Deep pothole in the right lane, cars swerving around it.",
    "The light on this pole has been out since Monday.",
    "Recycling was not picked up on our street this week.",
    "Tags sprayed across the underpass wall.",
    "A large branch hangs over the sidewalk after the storm.",
)


@dataclass
class Phase:
    name: str
    completed: int
    errors: int
    elapsed_s: float
    requests_per_s: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float


def summarise(name: str, latencies: list[float], errors: int, elapsed: float) -> Phase:
    ms = sorted(x * 1000 for x in latencies)
    return Phase(
        name=name,
        completed=len(ms),
        errors=errors,
        elapsed_s=round(elapsed, 3),
        requests_per_s=round(len(ms) / elapsed, 1) if elapsed > 0 else 0.0,
        p50_ms=round(percentile(ms, 50), 2),
        p90_ms=round(percentile(ms, 90), 2),
        p99_ms=round(percentile(ms, 99), 2),
        max_ms=round(ms[-1], 2) if ms else float("nan"),
    )


def post_bodies(total: int, *, seed: int, api_key: str) -> list[bytes]:
    """Reports scattered within ~600 m of the centre: about one in ten lands near an earlier one."""
    rng = random.Random(seed)
    bodies = []
    for i in range(total):
        code = rng.choice(list(SERVICES))
        lat = CENTRE[0] + rng.uniform(-0.005, 0.005)
        long = CENTRE[1] + rng.uniform(-0.007, 0.007)
        fields = {
            "api_key": api_key,
            "service_code": code,
            "lat": f"{lat:.6f}",
            "long": f"{long:.6f}",
            "description": rng.choice(DESCRIPTIONS),
            **SERVICES[code],
        }
        if i % 2 == 0:
            fields |= {"email": f"reporter{rng.randrange(total // 3 + 1)}@bench.example", "first_name": "Bench"}
        bodies.append(urlencode(fields).encode())
    return bodies


async def run_phase(
    client: httpx.AsyncClient,
    name: str,
    requests: Sequence[tuple[str, str, bytes | None]],
    concurrency: int,
    check: Any = None,
) -> tuple[Phase, list[httpx.Response]]:
    latencies: list[float] = []
    answers: list[httpx.Response] = []
    errors = 0
    cursor = iter(requests)
    form = {"content-type": "application/x-www-form-urlencoded; charset=utf-8"}

    async def worker() -> None:
        nonlocal errors
        for method, path, body in cursor:
            await asyncio.sleep(0)
            t0 = time.perf_counter()
            response = await client.request(method, path, content=body, headers=form if body else None)
            latencies.append(time.perf_counter() - t0)
            if response.status_code != 200 or (check is not None and not check(response)):
                errors += 1
                if errors <= 3:
                    print(f"  {name}: HTTP {response.status_code} {response.text[:300]}", file=sys.stderr)
            answers.append(response)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return summarise(name, latencies, errors, time.perf_counter() - started), answers


async def measure(base_url: str, api_key: str, args: argparse.Namespace) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=args.concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60.0, trust_env=False) as client:
        floor_requests = [("GET", "/healthz", None)] * (args.requests // 2)
        await run_phase(client, "warm-up", floor_requests[:200], args.concurrency)
        gc.collect()
        gc.freeze()
        before, _ = await run_phase(client, "floor_before", floor_requests, args.concurrency)
        posts = [
            ("POST", "/open311/v2/requests.xml", b) for b in post_bodies(args.requests, seed=args.seed, api_key=api_key)
        ]
        post, answers = await run_phase(
            client, "post", posts, args.concurrency, check=lambda r: b"<service_request_id>" in r.content
        )
        ids = [r.text.split("<service_request_id>")[1].split("<")[0] for r in answers if r.status_code == 200]
        rng = random.Random(args.seed)
        one = [("GET", f"/open311/v2/requests/{rng.choice(ids)}.json", None) for _ in range(args.requests // 2)]
        get_one, _ = await run_phase(client, "get_one", one, args.concurrency)
        lists = [
            ("GET", "/open311/v2/requests.json" if i % 2 == 0 else "/open311/v2/requests.xml", None)
            for i in range(args.lists)
        ]
        listing, listed = await run_phase(client, "list", lists, args.concurrency)
        after, _ = await run_phase(client, "floor_after", floor_requests, args.concurrency)
    latencies_floor = before.elapsed_s + after.elapsed_s
    floor = Phase(
        name="floor",
        completed=before.completed + after.completed,
        errors=before.errors + after.errors,
        elapsed_s=round(latencies_floor, 3),
        requests_per_s=round((before.completed + after.completed) / latencies_floor, 1),
        p50_ms=round((before.p50_ms + after.p50_ms) / 2, 2),
        p90_ms=round((before.p90_ms + after.p90_ms) / 2, 2),
        p99_ms=round(max(before.p99_ms, after.p99_ms), 2),
        max_ms=max(before.max_ms, after.max_ms),
    )
    sizes = [len(r.json()) for r in listed if r.headers.get("content-type", "").startswith("application/json")]
    phases = {"floor": floor, "post": post, "get_one": get_one, "list": listing}
    return {
        "phases": {k: asdict(v) for k, v in phases.items()},
        "requests_per_list": max(sizes) if sizes else 0,
        "ratios": {
            name: {
                "throughput": round(p.requests_per_s / floor.requests_per_s, 4),
                "p50_latency": round(p.p50_ms / floor.p50_ms, 1),
                "p99_latency": round(p.p99_ms / floor.p99_ms, 1),
            }
            for name, p in phases.items()
            if name != "floor"
        },
        "ok": not any(p.errors for p in phases.values()),
    }


def prepare(database_url: str) -> tuple[str, str]:
    from townsquare import migrations

    migrations.upgrade(database_url)
    return asyncio.run(_seed(database_url))


async def _seed(database_url: str) -> tuple[str, str]:
    from sqlalchemy import text

    from townsquare.db import Database
    from townsquare.demo.seed import seed
    from townsquare.events import EventBus
    from townsquare.staff import service as staff
    from townsquare.staff.models import ApiKeyScope

    db = Database(database_url, EventBus())
    try:
        await seed(db, citizens=20)
        async with db.session() as session:
            key, row = await staff.create_api_key(session, name="bench integrator")
            row.scope = ApiKeyScope.open311
            row.rate_limit_per_minute = 10_000_000
            await session.commit()
            query = "SELECT sqlite_version()" if db.dialect == "sqlite" else "SHOW server_version"
            version = str((await session.execute(text(query))).scalar_one())
        return key, version
    finally:
        await db.dispose()


def print_report(result: dict[str, Any]) -> None:
    m = result["machine"]
    print()
    print(f"Townsquare Open311 benchmark  {result['started_at']}  commit {result['code'].get('commit', '-')}")
    print(f"  machine   {m['cpu_count']} CPUs, {m['python']}, database {m['db_dialect']} {m['db_version']}")
    print(f"  run       {result['config']}")
    print()
    print(f"  {'phase':<10}{'done':>7}{'errors':>8}{'req/s':>10}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for name, p in result["phases"].items():
        print(
            f"  {name:<10}{p['completed']:>7}{p['errors']:>8}{p['requests_per_s']:>10.1f}{p['p50_ms']:>9.2f}"
            f"{p['p90_ms']:>9.2f}{p['p99_ms']:>9.2f}{p['max_ms']:>9.2f}"
        )
    print()
    for name, r in result["ratios"].items():
        print(
            f"  {name:<10} vs floor: throughput {r['throughput']:.3f}x  p50 {r['p50_latency']:.1f}x  "
            f"p99 {r['p99_latency']:.1f}x"
        )
    print(f"  each list answer carried {result['requests_per_list']} requests")
    print(f"  result: {'OK' if result['ok'] else 'FAILED'}   total {result['total_seconds']:.1f}s")
    print()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=2000, help="Open311 POSTs (default 2000)")
    parser.add_argument("--lists", type=int, default=100, help="list requests, half XML (default 100)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", help="a THROWAWAY database instead of a fresh SQLite file")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    started_at = datetime.now(UTC)
    t0 = time.perf_counter()
    load_at_start = load_average()
    code = code_version()
    with tempfile.TemporaryDirectory(prefix="townsquare-bench-") as tmp:
        workdir = Path(tmp)
        database_url = args.database_url or f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
        print(f"preparing {make_url(database_url).render_as_string(hide_password=True)} ...", flush=True)
        api_key, db_version = prepare(database_url)
        port = free_port()
        log_path = workdir / "server.log"
        proc = start_server(database_url, workdir, port, log_path)
        base_url = f"http://{HOST}:{port}"
        try:
            asyncio.run(wait_ready(base_url, proc, ready_within=30.0))
            print(f"server up at {base_url}; measuring ...", flush=True)
            outcome = asyncio.run(measure(base_url, api_key, args))
        except BaseException:
            print(log_path.read_text(errors="replace")[-3000:], file=sys.stderr)
            raise
        finally:
            stop_server(proc)
    result: dict[str, Any] = {
        "benchmark": "open311",
        "code": code,
        "started_at": started_at.isoformat(timespec="seconds"),
        "machine": {"load_average_at_start": load_at_start, **machine_info(database_url, db_version)},
        "config": {"posts": args.requests, "lists": args.lists, "concurrency": args.concurrency, "seed": args.seed},
        **outcome,
        "total_seconds": round(time.perf_counter() - t0, 1),
    }
    print_report(result)
    return finish(result, args.json)


def start_server(database_url: str, data_dir: Path, port: int, log_path: Path) -> Any:
    """The ingest benchmark's server, with Open311's public rate limit raised so the client is not throttled."""
    raised = {"TOWNSQUARE_OPEN311_PUBLIC_RATE_LIMIT_PER_MINUTE": "10000000"}
    return start_ingest_server(database_url, data_dir, port, log_path, extra_env=raised)


if __name__ == "__main__":
    sys.exit(main())
