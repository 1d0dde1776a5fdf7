"""Latency at city scale: every page an agent or resident uses, over a database of a whole city, against a floor.

Migrates a THROWAWAY PostgreSQL database, seeds the demo city's catalogue, staff and knowledge (the demo's own
seed), bulk-loads N residents with two years of contact on every channel (bench/scale_load.py: set-based SQL,
minutes, not ORM objects), then starts the real server (uvicorn, one process, outbox worker off, as
bench/ingest.py does) and measures each endpoint separately with wrk (bench/scale.lua rotates through hundreds of
real ids and prints p50/p95/p99 and every status code). Prints each endpoint's p95 as a ratio of the floor's
(GET /healthz, measured in the same run), and whether it answered in under 100 ms. With --processes N the same
reads go through HAProxy (deploy/haproxy.cfg) to N app processes, with Redis and a worker, as deployed.

    .venv/bin/python bench/scale.py --database-url postgresql+asyncpg://USER@127.0.0.1:5432/throwaway
    .venv/bin/python bench/scale.py --database-url URL --citizens 20000 --duration 5 --json bench/results/scale.json
    .venv/bin/python bench/scale.py --database-url URL --reuse          # measure again without loading
    .venv/bin/python bench/scale.py --database-url URL --reuse --processes 3 --connections 12   # behind HAProxy

The database must be new (no residents yet) unless --reuse, which skips loading and only measures. wrk is the
Debian package `wrk`; the script installs it with apt-get when run as root, else says how.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

import ingest  # this script's directory is on sys.path: the server helpers are bench/ingest.py's
import ingest_wrk
import scale_load
import scale_targets
import throwaway

LUA = Path(__file__).resolve().parent / "scale.lua"
TARGET_MS = 100.0  # the goal: every page an agent uses answers in under 100 ms
DEMO_CITIZENS = 20  # the demo's own residents, seeded through the product before the bulk load


@dataclass
class Result:
    name: str
    request: str
    auth: str
    paths: int
    requests: int = 0
    requests_per_s: float = 0.0
    p50_ms: float = float("nan")
    p90_ms: float = float("nan")
    p95_ms: float = float("nan")
    p99_ms: float = float("nan")
    max_ms: float = float("nan")
    socket_errors: int = 0
    non_2xx_3xx: int = 0
    codes: dict[str, int] = field(default_factory=dict)
    preflight: dict[str, Any] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    p95_vs_floor: float = float("nan")


# --------------------------------------------------------------------------------------------- database


async def _citizen_count(url: str) -> tuple[int, str]:
    """How many citizens the database holds (0 before it is migrated), and the server's version."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            version = (await conn.execute(text("SHOW server_version"))).scalar_one()
            if (await conn.execute(text("SELECT to_regclass('citizens')"))).scalar_one() is None:
                return 0, str(version)
            count = (await conn.execute(text("SELECT count(*) FROM citizens"))).scalar_one()
        return int(count), str(version)
    finally:
        await engine.dispose()


async def _seed_and_load(url: str, citizens: int) -> scale_load.LoadReport:
    from townsquare.db import Database
    from townsquare.demo.seed import seed
    from townsquare.events import EventBus

    started = time.perf_counter()
    db = Database(url, EventBus())
    try:
        await seed(db, citizens=DEMO_CITIZENS)
    finally:
        await db.dispose()
    print(f"  demo city seeded in {time.perf_counter() - started:.1f}s; loading {citizens:,} residents ...", flush=True)
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            return await scale_load.load(conn, citizens, now=datetime.now(UTC))
    finally:
        await engine.dispose()


def prepare_database(args: argparse.Namespace) -> tuple[scale_load.LoadReport | None, str]:
    """Refuse a database that has residents (unless --reuse) before changing anything; migrate, seed and load.
    Returns the load report."""
    from townsquare import migrations

    count, version = asyncio.run(_citizen_count(args.database_url))
    if count and not args.reuse:
        raise SystemExit(
            f"refusing: this database already has {count:,} citizens. Point --database-url at a new, empty, "
            "THROWAWAY database, or pass --reuse to measure the one loaded earlier."
        )
    migrations.upgrade(args.database_url)  # runs its own event loop, so before ours
    if args.reuse:
        if not count:
            raise SystemExit("--reuse: this database has no residents yet; run once without --reuse to load it")
        print(f"  reusing {count:,} residents already loaded (PostgreSQL {version})", flush=True)
        return None, version
    return asyncio.run(_seed_and_load(args.database_url, args.citizens)), version


# --------------------------------------------------------------------------------------------- wrk


def run_wrk(wrk: str, base_url: str, paths: Path, headers: Path, args: argparse.Namespace, seconds: float) -> Any:
    command = [
        wrk,
        f"-t{min(args.threads, args.connections)}",
        f"-c{args.connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(LUA),
        base_url,
        "--",
        str(paths),
        str(headers),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120, check=False)  # noqa: S603
    for line in done.stdout.splitlines():
        if line.startswith("SCALE_RESULT "):
            return json.loads(line.removeprefix("SCALE_RESULT "))
    raise RuntimeError(f"wrk exited {done.returncode} without a result: {done.stderr.strip()[:500]}")


def measure(
    wrk: str, base_url: str, endpoint: scale_targets.Endpoint, headers: dict[str, str], args: argparse.Namespace
) -> Result:
    result = Result(endpoint.name, endpoint.title, endpoint.auth, len(endpoint.paths))
    result.preflight = scale_targets.preflight(base_url, endpoint, headers)
    if result.preflight.get("failure"):
        result.failures.append(str(result.preflight["failure"]))
    with tempfile.TemporaryDirectory(prefix="townsquare-scale-wrk-") as tmp:
        paths, header_file = Path(tmp) / "paths.txt", Path(tmp) / "headers.txt"
        paths.write_text("\n".join(endpoint.paths) + "\n")
        header_file.write_text("".join(f"{k}: {v}\n" for k, v in headers.items()))
        if args.warmup > 0:
            run_wrk(wrk, base_url, paths, header_file, args, args.warmup)
        out = run_wrk(wrk, base_url, paths, header_file, args, args.duration)
    seconds = out["duration_us"] / 1e6
    result.requests = int(out["requests"])
    result.requests_per_s = round(result.requests / seconds, 1) if seconds > 0 else 0.0
    for key in ("p50", "p90", "p95", "p99", "max"):
        setattr(result, f"{key}_ms", round(out[f"{key}_us"] / 1000, 2))
    result.socket_errors = sum(int(out[k]) for k in ("connect", "read", "write", "timeout"))
    result.non_2xx_3xx = int(out["non_2xx_3xx"])
    result.codes = {str(k): int(v) for k, v in sorted(out["codes"].items())}
    unexpected = {k: v for k, v in result.codes.items() if k != "200"}
    if unexpected:
        result.failures.append(f"status codes other than 200: {unexpected}")
    if result.socket_errors:
        result.failures.append(f"{result.socket_errors} socket errors or timeouts (10 s)")
    if not result.requests:
        result.failures.append("no request completed")
    return result


# --------------------------------------------------------------------------------------------- report


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "cpu_model": platform.processor() or "-",
        "cores": os.cpu_count(),
        "ram_gb": None,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "load_average_at_end": ingest.load_average(),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["ram_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return info


def print_table(results: list[Result]) -> None:
    header = (
        f"  {'endpoint':<24}{'request':<52}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'req/s':>9}"
        f"{'errors':>8}{'p95/floor':>11}  <100ms"
    )
    print(header)
    print("  " + "-" * (len(header) - 2))
    for r in results:
        errors = r.non_2xx_3xx + r.socket_errors + sum(v for k, v in r.codes.items() if k.startswith("3"))
        under = "yes" if r.p95_ms < TARGET_MS else "NO"
        request = r.request if len(r.request) <= 50 else r.request[:49] + "…"
        print(
            f"  {r.name:<24}{request:<52}{r.p50_ms:>9.1f}{r.p95_ms:>9.1f}{r.p99_ms:>9.1f}{r.requests_per_s:>9.1f}"
            f"{errors:>8}{r.p95_vs_floor:>10.1f}x  {under}"
        )


def report(result: dict[str, Any]) -> None:
    m, load = result["machine"], result["load"]
    print()
    print(f"Townsquare at city scale  {result['date']}  commit {result['code'].get('commit', '-')}")
    print(f"  machine   {m['cpu_model']}, {m['cores']} cores, {m['ram_gb']} GB RAM, {m['python']}")
    print(
        f"  load      1/5/15-min load average {m['load_average_at_start']} at start, {m['load_average_at_end']} at end"
        " (above the core count, other work shared the machine and every latency includes waiting for a core)"
    )
    print(f"  database  PostgreSQL {result['postgres']}, {result['citizens']:,} residents")
    if load:
        print(f"  loading   {load['seconds']:.0f}s: " + ", ".join(f"{k} {v:.0f}s" for k, v in load["phases"].items()))
        print("  rows      " + ", ".join(f"{k} {v:,}" for k, v in load["rows"].items()))
    print(f"  served by {result.get('served_by', served_by(1))}")
    w = result["wrk"]
    print(
        f"  wrk       -t{w['threads']} -c{w['connections']} -d{w['duration_s']}s per endpoint, warm-up {w['warmup_s']}s"
    )
    print()
    results = [Result(**r) for r in result["endpoints"]]
    print_table(results)
    print()
    for r in results:
        for failure in r.failures:
            print(f"  FAILED {r.name}: {failure}")
    for problem in (load or {}).get("problems", []):
        print(f"  FAILED loading: {problem}")
    for note in result["notes"]:
        print(f"  NOTE: {note}")
    print(f"  result: {'OK' if result['ok'] else 'FAILED'}   total {result['total_seconds']:.0f}s")


# --------------------------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True, help="a THROWAWAY PostgreSQL database (postgresql+asyncpg)")
    parser.add_argument("--citizens", type=int, default=1_000_000, help="residents to load (default 1,000,000)")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of wrk per endpoint (default 15)")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections (default 4)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds of wrk first (default 3)")
    parser.add_argument("--reuse", action="store_true", help="skip loading; measure a database loaded earlier")
    parser.add_argument(
        "--settle", type=float, default=900.0, help="seconds to wait for the start-up open data export (default 900)"
    )
    parser.add_argument("--only", default="", help="comma-separated endpoint names to measure (default: every one)")
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="1 (default): one process measured directly; N: N app processes and a worker behind HAProxy, with Redis",
    )
    args = parser.parse_args(argv)
    if make_url(args.database_url).get_backend_name() != "postgresql":
        parser.error("--database-url must be PostgreSQL (the loader is PostgreSQL's set-based SQL)")
    if args.citizens < 100 or args.duration < 1 or args.connections < 1 or args.threads < 1 or args.processes < 1:
        parser.error("--citizens >= 100, --duration >= 1 s, --connections, --threads and --processes >= 1")
    return args


def the_command(args: argparse.Namespace, argv: list[str]) -> str:
    shown = make_url(args.database_url).render_as_string(hide_password=True)
    words = [shown if word == args.database_url else word for word in argv]
    words = [w.replace(args.database_url, shown) if args.database_url in w else w for w in words]
    return shlex.join([sys.executable, sys.argv[0], *words])


def empty_searches(results: list[Result]) -> list[str]:
    """A search measured while it finds nobody measures the wrong thing: say so."""
    notes = []
    for r in results:
        found = [q.get("records") for q in r.preflight.get("requests", []) if "search" in r.name]
        if any(n == 0 for n in found):
            notes.append(f"{r.name} found nobody for {found.count(0)} of its first {len(found)} queries")
    return notes


@contextlib.contextmanager
def serving(args: argparse.Namespace, workdir: Path, extra: dict[str, str]) -> Iterator[tuple[str, list[Path]]]:
    """One process served directly (uvicorn, as bench/ingest.py), or --processes N behind HAProxy
    (bench/throwaway.py). Yields the URL to measure and the servers' logs; stops them whatever happens."""
    if args.processes > 1:
        with throwaway.behind_haproxy(args.database_url, workdir, args.processes, extra) as served:
            yield served
        return
    port, log_path = ingest.free_port(), workdir / "server.log"
    proc = ingest.start_server(args.database_url, workdir, port, log_path, extra_env=extra)
    try:
        asyncio.run(ingest.wait_ready(f"http://{ingest.HOST}:{port}", proc, ready_within=60.0))
        yield f"http://{ingest.HOST}:{port}", [log_path]
    finally:
        ingest.stop_server(proc)


def settled(data_dir: Path, limit: float) -> str:
    """Waits for the open data export a new deployment runs at start (a minute or more of CPU at a million
    residents, in whichever process holds the loops) to write its data package, so the reads are measured in the
    steady state; says how long it took, or that it was still running."""
    package = data_dir / "open-data" / "datapackage.json"
    started = time.monotonic()
    while not package.exists() and time.monotonic() - started < limit:
        time.sleep(1.0)
    waited = time.monotonic() - started
    if package.exists():
        return f"the start-up open data export finished {waited:.0f} s after the server was up"
    return f"the start-up open data export was still running after {limit:.0f} s: measured beside it"


def chosen(endpoints: list[scale_targets.Endpoint], only: str) -> list[scale_targets.Endpoint]:
    """The endpoints `--only` names, and always the floor (all when it names none); an unknown name stops the run
    before it starts."""
    names = [name.strip() for name in only.split(",") if name.strip()]
    unknown = set(names) - {e.name for e in endpoints}
    if unknown:
        raise SystemExit(f"--only: no endpoint is called {', '.join(sorted(unknown))}")
    return [e for e in endpoints if not names or e.name in names or e.name == "floor"]


def serve_and_measure(args: argparse.Namespace, wrk: str, workdir: Path) -> tuple[list[Result], list[str]]:
    targets = asyncio.run(scale_targets.prepare(args.database_url, citizens=args.citizens))
    scale_targets.write_attachments(workdir / "attachments")
    extra = {
        "TOWNSQUARE_OPEN311_PUBLIC_RATE_LIMIT_PER_MINUTE": "100000000",  # the floor of a GET, not its limit
        "TOWNSQUARE_OUTBOX_WORKER": "false",
    }
    results: list[Result] = []
    with serving(args, workdir, extra) as (base_url, logs):
        print(f"server up at {base_url}", flush=True)
        targets.notes.append(settled(workdir, args.settle))
        print(f"  {targets.notes[-1]}; measuring {len(targets.endpoints)} endpoints ...", flush=True)
        for endpoint in chosen(targets.endpoints, args.only):
            try:
                result = measure(wrk, base_url, endpoint, targets.headers(endpoint.auth), args)
            except (httpx.HTTPError, RuntimeError, subprocess.SubprocessError, ValueError) as exc:
                result = Result(endpoint.name, endpoint.title, endpoint.auth, len(endpoint.paths))
                result.failures.append(f"not measured: {type(exc).__name__}: {exc}")
            print(f"  {endpoint.name:<24} p50 {result.p50_ms:8.1f} ms  p95 {result.p95_ms:8.1f} ms  "
                  f"{result.requests_per_s:8.1f} req/s  {result.codes}", flush=True)  # fmt: skip
            results.append(result)
    log = "".join(path.read_text(errors="replace") for path in logs if path.exists())
    notes = targets.notes + empty_searches(results)
    if "Traceback" in log or " ERROR " in log:
        notes.append(f"the server logged {log.count('Traceback')} tracebacks; tail:\n{log[-2000:]}")
    return results, notes


def served_by(processes: int) -> str:
    if processes == 1:
        return "one app process (uvicorn), measured directly"
    return (f"{processes} app processes (townsquare serve) and a worker (townsquare worker), with Redis, "
            "behind HAProxy (deploy/haproxy.cfg: leastconn, /readyz checks)")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    started, t0, load_at_start = datetime.now(UTC), time.perf_counter(), ingest.load_average()
    code = ingest.code_version()
    wrk = ingest_wrk.ensure_wrk()
    shown = make_url(args.database_url).render_as_string(hide_password=True)
    print(f"preparing {shown} (migrate, seed the demo city, load {args.citizens:,} residents) ...", flush=True)
    load, version = prepare_database(args)
    requested = args.citizens
    citizens, _ = asyncio.run(_citizen_count(args.database_url))
    args.citizens = citizens
    with tempfile.TemporaryDirectory(prefix="townsquare-scale-") as tmp:
        results, notes = serve_and_measure(args, wrk, Path(tmp))
    floor = next((r for r in results if r.name == "floor"), None)
    for r in results:
        r.p95_vs_floor = round(r.p95_ms / floor.p95_ms, 1) if floor and floor.p95_ms > 0 else float("nan")
    result: dict[str, Any] = {
        "benchmark": "scale",
        "date": started.isoformat(timespec="seconds"),
        "code": code,
        "command": the_command(args, argv),
        "machine": {"load_average_at_start": load_at_start, **machine()},
        "postgres": version,
        "citizens": citizens,
        "citizens_requested": None if args.reuse else requested,
        "load": asdict(load) if load else None,
        "served_by": served_by(args.processes),
        "wrk": {
            "threads": args.threads,
            "connections": args.connections,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
        },
        "endpoints": [asdict(r) for r in results],
        "notes": notes,
        "ok": not any(r.failures for r in results) and not (load and load.problems),
        "total_seconds": round(time.perf_counter() - t0, 1),
    }
    report(result)
    return ingest.finish(result, args.json)


if __name__ == "__main__":
    sys.exit(main())
