"""Ingest with one app process and with two, on PostgreSQL: bench/ingest.py's workload, checks and wrk phases run
against `townsquare serve --workers N`, each N on a fresh database of a throwaway cluster this script starts.

For each N (default 1, then 2): a new database in the cluster is migrated and seeded (as bench/ingest.py does),
`townsquare serve --workers N` starts on a free loopback port with Redis (the bus between processes, as deployed)
and the background loops moved out (`TOWNSQUARE_BACKGROUND_IN_APP=false`: worker processes do that work in a
deployment; none runs here), the verify phase checks 600 ingests in full (sent at concurrency 8, so they land on
every process), then the same wrk phases as bench/ingest.py: floor (GET /healthz) in two halves around the
ingest (POST /api/v1/interactions). Prints, for each N, the ratios against its own floor, CPU as % of one core for
the app processes, wrk, PostgreSQL, Redis, the rest and what was left idle, contacts per second per core the app
processes used, and how wrk's connections were spread over the processes; then two against one.

    .venv/bin/python bench/processes.py                       # 1 then 2 processes, 20 s of ingest each
    .venv/bin/python bench/processes.py --processes 1,2,1,2   # alternate, to see the noise
    .venv/bin/python bench/processes.py --json bench/results/processes.json

Why `serve --workers N` and not N processes behind HAProxy: it is how one machine runs several processes (the
kernel hands connections to the processes sharing the port), and a balancer on the same two cores would take CPU
from the servers that the comparison is about. bench/scale.py --processes 3 measures through HAProxy.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import secrets
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import cpu_caps
import ingest  # this script's directory is on sys.path
import ingest_wrk
import pg_waits
import proc_cpu
import scale
import throwaway

TARGET = 1.6  # the issue's: two app processes ingest at least 1.6 times one
CONNECTION_SAMPLE_S = 1.0


class Spread:
    """Samples, once a second while running, how many of wrk's connections each app process holds."""

    def __init__(self, port: int, pids: list[int]) -> None:
        self.port, self.pids = port, pids
        self.seen: Counter[str] = Counter()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.wait(CONNECTION_SAMPLE_S):
            counts = proc_cpu.established_by_process(self.port, self.pids)
            if sum(counts.values()):
                self.seen["/".join(str(counts[pid]) for pid in self.pids)] += 1

    def __enter__(self) -> Spread:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.thread.join(timeout=10)


def one_run(
    n: int, number: int, pg: throwaway.Postgres, redis: tuple[str, int], args: argparse.Namespace, workdir: Path
) -> dict[str, Any]:
    """A fresh database, `serve --workers n`, the verify phase, the wrk phases; the server stopped whatever happens."""
    url = pg.create_database(f"ingest_{number}_{n}")
    print(f"run {number}: {n} process{'es' if n > 1 else ''}; preparing a new database ...", flush=True)
    api_key, _ = ingest.prepare_database(url, args.seed_citizens)
    port = ingest.free_port()
    base_url = f"http://{ingest.HOST}:{port}"
    data_dir = workdir / f"data-{number}"
    data_dir.mkdir()
    env = throwaway.app_env(url, redis[0], data_dir, base_url, TOWNSQUARE_BACKGROUND_IN_APP="false")
    log_path = workdir / f"server-{number}.log"
    proc = throwaway.serve(env, data_dir, port, log_path, workers=n)
    try:
        pids = throwaway.wait_serving(base_url, proc, workers=n)
        print(f"  serving at {base_url}: pids {pids}", flush=True)
        verify_items = ingest.build_workload(args.verify, seed=args.seed + 2, tag=f"{args.tag}v").items
        print(f"  verify: {args.verify} ingests with httpx, every answer checked ...", end="", flush=True)
        checked = asyncio.run(ingest.verify(base_url, api_key, verify_items, args.concurrency))
        print(f" {checked.phase.requests_per_s:.1f} req/s", flush=True)
        workload = ingest.build_workload(math.ceil(args.max_rate * args.duration), seed=args.seed, tag=args.tag)
        warmup = ingest.build_workload(math.ceil(args.max_rate * args.warmup), seed=args.seed + 1, tag=f"{args.tag}w")
        meter = proc_cpu.CpuMeter(proc.pid, database=pg.pid, redis=redis[1])
        caps = cpu_caps.capped(pids, args.cpu_per_process) if args.cpu_per_process else contextlib.nullcontext()
        with caps, Spread(port, pids) as spread, pg_waits.Sampler(url) as waits:
            timed = ingest_wrk.timed_phases(
                wrk=args.wrk,
                base_url=base_url,
                api_key=api_key,
                server_pid=proc.pid,
                workload=workload.items,
                warmup=warmup.items,
                args=args,
                meter=meter,
            )
    except BaseException:
        print("--- server log (tail) ---\n" + log_path.read_text(errors="replace")[-3000:], file=sys.stderr)
        raise
    finally:
        throwaway.stop(proc)
    log = log_path.read_text(errors="replace")
    failures = checked.checks.failures + timed.failures
    if not checked.checks.ok() and not checked.checks.failures:
        failures.append("verify: a check failed (see the counts)")
    if "Traceback" in log:
        failures.append(f"the server logged {log.count('Traceback')} tracebacks")
    run = summarise(n, timed, asdict(checked.checks), dict(spread.seen), failures)
    return run | {"postgres_waits": waits.shares()}


def summarise(
    n: int, timed: ingest_wrk.Timed, checks: dict[str, Any], spread: dict[str, int], failures: list[str]
) -> dict[str, Any]:
    ingest_phase, floor = timed.phases["ingest"], timed.phases["floor"]
    servers = ingest_phase.cpu.get("server", float("nan"))
    return {
        "processes": n,
        "floor": asdict(floor),
        "ingest": asdict(ingest_phase),
        "ratios": ingest_wrk.ratios(timed.phases),
        "contacts_per_server_core_s": round(ingest_phase.requests_per_s / (servers / 100), 1) if servers else None,
        "connections_per_process": spread,
        "checks": checks,
        "failures": failures,
    }


def compare(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Two (or the most) processes against one: ingest, floor, the servers' CPU, and throughput per server core."""
    counts = sorted({run["processes"] for run in runs})
    if len(counts) < 2 or counts[0] != 1:
        return {}
    many = counts[-1]

    def med(n: int, phase: str, field: str) -> float:
        if phase == "cpu":
            values = [run["ingest"]["cpu"].get(field, math.nan) for run in runs if run["processes"] == n]
        elif phase == "per_core":
            values = [run["contacts_per_server_core_s"] or math.nan for run in runs if run["processes"] == n]
        else:
            values = [run[phase][field] for run in runs if run["processes"] == n]
        return float(statistics.median(values))

    def ratio(phase: str, field: str) -> float:
        return round(med(many, phase, field) / med(1, phase, field), 3)

    return {
        "processes": many,
        "ingest": ratio("ingest", "requests_per_s"),
        "floor": ratio("floor", "requests_per_s"),
        "server_cpu": ratio("cpu", "server"),
        "per_server_core": ratio("per_core", ""),
        "target": TARGET,
        "met": ratio("ingest", "requests_per_s") >= TARGET,
        "ingest_cpu": {k: med(many, "cpu", k) for k in ("server", "client", "database", "redis", "other", "idle")},
    }


# --------------------------------------------------------------------------------------------- report


def report(result: dict[str, Any]) -> None:
    m, cfg = result["machine"], result["config"]
    print()
    print(
        f"Townsquare: ingest with one app process and with several, on PostgreSQL  {result['started_at']}  "
        f"commit {result['code'].get('commit', '-')}{' + changes in src/' * bool(result['code'].get('src_modified'))}"
    )
    print(f"  machine   {m['cpu_model']}, {m['cores']} cores, {m['ram_gb']} GB RAM, {m['python']}")
    print(
        f"  load      1/5/15-min load average {m['load_average_at_start']} at start, {m['load_average_at_end']} at end"
    )
    print(
        f"  stack     townsquare serve --workers N ({m['server']}), PostgreSQL {result['postgres']} (a throwaway "
        f"cluster on the same cores, fsync off), Redis (the bus), background loops off in the app"
    )
    if cfg.get("cpu_per_process"):
        print(f"  caps      each app process held to {cfg['cpu_per_process']:.0%} of a core (a cgroup of its own)")
    n = cfg["concurrency"]
    print(
        f"  load gen  {m['client']} -t{n} -c{n}, {cfg['duration_s']} s of ingest between two halves of floor, "
        f"{cfg['warmup_s']} s warm-up each; the same seeded workload ({cfg['seed']}) on a fresh database per run"
    )
    print()
    header = (
        f"  {'procs':>5}{'floor/s':>9}{'ingest/s':>10}{'ingest/floor':>14}{'p50 ms':>8}{'p99 ms':>8}"
        f"   CPU % of a core during ingest: {'apps':>5}{'wrk':>5}{'pg':>5}{'redis':>6}{'other':>6}{'idle':>6}"
        f"{'per app core/s':>16}  connections"
    )
    print(header)
    print("  " + "-" * (len(header) - 2))
    for run in result["runs"]:
        c, i = run["ingest"]["cpu"], run["ingest"]
        spread = ", ".join(
            f"{k} ({v} s)" for k, v in sorted(run["connections_per_process"].items(), key=lambda x: -x[1])
        )
        print(
            f"  {run['processes']:>5}{run['floor']['requests_per_s']:>9.0f}{i['requests_per_s']:>10.1f}"
            f"{run['ratios']['throughput']:>14.3f}{i['p50_ms']:>8.1f}{i['p99_ms']:>8.1f}{'':>34}"
            + "".join(
                f"{c.get(k, math.nan):>{w}.0f}"
                for k, w in (("server", 5), ("client", 5), ("database", 5), ("redis", 6), ("other", 6), ("idle", 6))
            )
            + f"{run['contacts_per_server_core_s'] or math.nan:>16.1f}  {spread}"
        )
    print()
    print("  PostgreSQL's active backends, sampled 4 times a second over the timed phases (the floor uses none):")
    for run in result["runs"]:
        w = run["postgres_waits"]
        top = ", ".join(f"{k} {v:.0%}" for k, v in list(w["shares"].items())[:5])
        print(f"    {run['processes']} process(es): {w['active_per_sample']} active per sample; {top or w['error']}")
        for lock, count in list(w.get("lock_waits", {}).items())[:3]:
            print(f"      waited on a lock {count}x: {lock}")
    cmp = result["comparison"]
    if cmp:
        print()
        print(
            f"  {cmp['processes']} processes against 1 (medians): ingest {cmp['ingest']:.2f}x (target {TARGET}x: "
            f"{'met' if cmp['met'] else 'NOT met'}), floor {cmp['floor']:.2f}x, CPU the app processes got "
            f"{cmp['server_cpu']:.2f}x, contacts per app core {cmp['per_server_core']:.2f}x"
        )
        for line in limits(cmp, result["machine"]["cores"]):
            print(f"  {line}")
    for run in result["runs"]:
        for failure in run["failures"]:
            print(f"  FAILED (run with {run['processes']}): {failure}")
    print(f"  result: {'OK' if result['ok'] else 'FAILED'}   total {result['total_seconds']:.0f}s")


def limits(cmp: dict[str, Any], cores: int) -> list[str]:
    """What bounded the ratio, read from the CPU figures."""
    c = cmp["ingest_cpu"]
    lines = [
        f"during the {cmp['processes']}-process ingest the {cores} cores went to the app processes {c['server']:.0f}%, "
        f"PostgreSQL {c['database']:.0f}%, wrk {c['client']:.0f}%, Redis {c['redis']:.0f}%, anything else "
        f"{c['other']:.0f}%; {c['idle']:.0f}% was left idle"
    ]
    if cmp.get("cpu_per_process"):
        lines.append(
            f"each app process was held to {cmp['cpu_per_process']:.0%} of a core: what two did beyond one is what the "
            "processes allow (a shared lock, pool or queue would show here), not what the cores left"
        )
    elif c["idle"] < 15:
        lines.append(
            "no core was left: the app processes could only get what PostgreSQL, wrk and the rest did not use, so "
            "the ratio is bounded by the machine, not by the processes (see contacts per app core)"
        )
    return lines


# --------------------------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--processes", default="1,2", help="app processes per run, in order (default 1,2)")
    parser.add_argument("--duration", type=int, default=20, help="seconds of ingest per run, as many of floor (20)")
    parser.add_argument("--concurrency", type=int, default=8, help="wrk threads, one connection each (default 8)")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured seconds before each wrk phase (default 3)")
    parser.add_argument("--verify", type=int, default=600, help="ingests checked in full first, per run (600)")
    parser.add_argument("--max-rate", type=float, default=1000.0, help="ingests/s the lists are sized for (1000)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed of the workload (default 2026)")
    parser.add_argument("--seed-citizens", type=int, default=100, help="demo citizens seeded per database (100)")
    parser.add_argument(
        "--cpu-per-process",
        type=float,
        help="hold each app process to this share of a core (e.g. 0.6; a cgroup each, root): the processes, not the "
        "cores PostgreSQL and wrk leave, set the ratio (see bench/cpu_caps.py)",
    )
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    if args.cpu_per_process is not None and not 0 < args.cpu_per_process <= 1:
        parser.error("--cpu-per-process is a share of one core: more than 0, at most 1")
    try:
        args.counts = [int(x) for x in args.processes.split(",")]
    except ValueError:
        parser.error("--processes is a comma-separated list of process counts, e.g. 1,2")
    if not args.counts or min(args.counts) < 1 or max(args.counts) > 16:
        parser.error("--processes: counts between 1 and 16")
    if args.duration < 2 or args.concurrency < 1 or args.warmup < 0 or args.verify < 100:
        parser.error("--duration must be at least 2, --concurrency positive, --warmup not negative, --verify >= 100")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started, t0, load_at_start = datetime.now(UTC), time.perf_counter(), ingest.load_average()
    code = ingest.code_version()
    args.wrk = ingest_wrk.ensure_wrk()
    args.tag = secrets.token_hex(4)
    with tempfile.TemporaryDirectory(prefix="townsquare-processes-") as tmp:
        workdir = Path(tmp)
        print("starting a throwaway PostgreSQL cluster and a redis-server ...", flush=True)
        with throwaway.postgres(workdir) as pg, throwaway.redis_server(workdir) as redis:
            runs = [one_run(n, number, pg, redis, args, workdir) for number, n in enumerate(args.counts, start=1)]
            version = pg.version()
    comparison = compare(runs)
    if comparison:
        comparison["cpu_per_process"] = args.cpu_per_process
    result: dict[str, Any] = {
        "benchmark": "processes",
        "code": code,
        "started_at": started.isoformat(timespec="seconds"),
        "machine": {
            "load_average_at_start": load_at_start,
            **scale.machine(),
            **ingest.machine_info("postgresql+asyncpg://x/y", version, args.wrk),
        },
        "postgres": version,
        "config": {k: getattr(args, k) for k in ("duration", "concurrency", "warmup", "verify", "max_rate", "seed")}
        | {"duration_s": args.duration, "warmup_s": args.warmup, "processes": args.counts}
        | {"cpu_per_process": args.cpu_per_process},
        "runs": runs,
        "comparison": comparison,
        "ok": not any(run["failures"] for run in runs),
        "total_seconds": round(time.perf_counter() - t0, 1),
    }
    report(result)
    return ingest.finish(result, args.json)


if __name__ == "__main__":
    sys.exit(main())
