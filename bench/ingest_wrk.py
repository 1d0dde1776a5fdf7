"""The timed phases of bench/ingest.py, with wrk as the load generator, and the report.

wrk (the Debian package: C, one event loop per thread) sends the requests, so the client no longer limits the
floor (the httpx client this benchmark used before took a whole core to push /healthz). Its Lua script,
bench/ingest.lua, sends either `GET /healthz` (the floor) or the workload's POST bodies from one file per wrk
thread, checks the status of every answer, and prints one result line. This module

- splits a workload into one ordered list per wrk thread: everything from one sender, and anything that refers to
  it (a reply, a resend), goes to the same thread, and each thread has one connection, so it is sent in order and
  only after what it refers to was answered;
- runs wrk as a subprocess: its CPU time comes from the kernel when it exits (wait4), the server's (with every
  process it started) from /proc (bench/proc_cpu.py);
- makes phases of wrk's results, and pools the two halves of the floor exactly from wrk's latency histograms;
- runs warm-up floor, warm-up ingest, floor (first half), ingest, floor (second half), and prints the report.

It imports nothing from bench/ingest.py, which imports it.
"""

from __future__ import annotations

import argparse
import heapq
import json
import math
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from proc_cpu import CpuMeter  # this script's directory is on sys.path

LUA = Path(__file__).resolve().parent / "ingest.lua"
RESULT_PREFIX = "INGEST_RESULT "
FLOOR_PATH = "/healthz"
INGEST_PATH = "/api/v1/interactions"
WRK_TIMEOUT_S = 10  # a request slower than this counts as a wrk timeout, which fails the run
SETTLE_S = 1.0  # pause before each timed phase, so requests still in the server from the last one finish first
BUSY_OTHER_PCT = 15.0  # warn when the rest of the machine used more than this much of a core in a phase


class Request(Protocol):
    """What the wrk side needs of a workload item (bench/ingest.py's Item)."""

    index: int
    label: str
    body: bytes | None
    after: int | None
    duplicate: bool
    attachment: bool
    identity: tuple[str, str] | None


R = TypeVar("R", bound=Request)


@dataclass
class Phase:
    """One measured phase. errors: socket errors and timeouts; mismatches: answers with an unexpected status."""

    name: str
    completed: int
    errors: int
    elapsed_s: float
    requests_per_s: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    mismatches: int = 0
    planned: int = 0  # the verify phase: requests it had to send
    truncated: bool = False  # the verify phase: it hit its time cap
    codes: dict[str, int] = field(default_factory=dict)
    by_label: dict[str, dict[str, float]] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)  # % of one core: server, client, everything else


@dataclass
class WrkRun:
    """One wrk process: its result line (bench/ingest.lua's done()), CPU use while it ran, and its wall time."""

    out: dict[str, Any]
    cpu: dict[str, float]
    wall_s: float


@dataclass
class Timed:
    """What the timed phases produced. sent: the ingest phase's items that were answered, per wrk thread."""

    phases: dict[str, Phase]
    failures: list[str]
    lists: list[int]
    sent: list[Sequence[Request]]
    raw: dict[str, dict[str, Any]]


# --------------------------------------------------------------------------------------------- wrk


def ensure_program(program: str, *, hint: str) -> str:
    """A Debian program (`wrk`, `haproxy`): on the path or in /usr/sbin, installed with apt-get (its package has its
    name) when missing and we are root; else SystemExit saying how (`hint`)."""

    def where() -> str | None:
        return shutil.which(program) or (f"/usr/sbin/{program}" if Path(f"/usr/sbin/{program}").exists() else None)

    found = where()
    if found is None and hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"  installing {program} (apt-get install -y {program}) ...", flush=True)
        for command in (
            ["apt-get", "install", "-y", program],
            ["apt-get", "update"],
            ["apt-get", "install", "-y", program],
        ):
            subprocess.run(command, check=False, capture_output=True, timeout=600)  # noqa: S603
            if found := where():
                break
    if found is None:
        raise SystemExit(f"{program} is not installed: {hint}, and try again")
    return found


def ensure_wrk() -> str:
    """The wrk binary (bench/scale.py and bench/processes.py use this one too)."""
    return ensure_program("wrk", hint="run `sudo apt-get install -y wrk` (Debian/Ubuntu)")


def wrk_version(wrk: str) -> str:
    """ "wrk 4.1.0" from its usage text (`wrk -v` prints "wrk debian/4.1.0-3+b2 [epoll] ..." and exits 1)."""
    done = subprocess.run([wrk, "-v"], capture_output=True, text=True, timeout=10, check=False)  # noqa: S603
    words = (done.stdout or done.stderr).split()
    return f"wrk {words[1].rsplit('/', 1)[-1]}" if len(words) > 1 else "wrk"


def partition(items: Sequence[R], threads: int) -> list[list[R]]:
    """One list per wrk thread, each in workload order; a sender's items and what refers to them stay together.

    Groups are joined over the sender identity and `after` (a reply's parent, a resend's original), then dealt
    largest first to the shortest list, so the lists end up nearly equal in length.
    """
    parent: dict[tuple[str, ...], tuple[str, ...]] = {}

    def find(key: tuple[str, ...]) -> tuple[str, ...]:
        root = key
        while parent.setdefault(root, root) != root:
            root = parent[root]
        while key != root:
            parent[key], key = root, parent[key]
        return root

    keys: dict[int, tuple[str, ...]] = {}
    for item in items:
        keys[item.index] = ("sender", *item.identity) if item.identity else ("item", str(item.index))
        root = find(keys[item.index])
        if item.after is not None and item.after in keys:
            parent[root] = find(keys[item.after])
    groups: dict[tuple[str, ...], list[R]] = {}
    for item in items:
        groups.setdefault(find(keys[item.index]), []).append(item)
    lists: list[list[R]] = [[] for _ in range(threads)]
    shortest = [(0, n) for n in range(threads)]
    for group in sorted(groups.values(), key=lambda g: (-len(g), g[0].index)):
        length, n = heapq.heappop(shortest)
        lists[n].extend(group)
        heapq.heappush(shortest, (length + len(group), n))
    for items_of_thread in lists:
        items_of_thread.sort(key=lambda item: item.index)
    return lists


def write_lists(lists: Sequence[Sequence[Request]], directory: Path, name: str) -> str:
    """One file per thread (PREFIX0, PREFIX1, ...): "<index> <expected status> <body>" per line. Returns PREFIX."""
    prefix = directory / f"{name}-"
    for n, items in enumerate(lists):
        with Path(f"{prefix}{n}").open("wb") as file:
            for item in items:
                body = item.body or b""
                if b"\n" in body or b"\r" in body:
                    raise ValueError(f"item {item.index}: a body must be one line for the wrk script")
                file.write(b"%d %d " % (item.index, 200 if item.duplicate else 201) + body + b"\n")
    return str(prefix)


def run_wrk(
    wrk: str, base_url: str, connections: int, seconds: int, script_args: Sequence[str], meter: CpuMeter
) -> WrkRun:
    """wrk -tN -cN (one connection per thread) for `seconds`, with bench/ingest.lua and its arguments."""
    command = [wrk, f"-t{connections}", f"-c{connections}", f"-d{seconds}s", "--timeout", f"{WRK_TIMEOUT_S}s"]
    command += ["-s", str(LUA), base_url, "--", *script_args]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        before = meter.snapshot()
        started = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=err)  # noqa: S603
        watchdog = threading.Timer(seconds + 120, proc.kill)
        watchdog.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)  # wrk's own CPU time, all its threads, from the kernel
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        finally:
            watchdog.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        cpu = meter.usage(before, meter.snapshot(), wall, usage.ru_utime + usage.ru_stime)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    for line in stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            return WrkRun(json.loads(line.removeprefix(RESULT_PREFIX)), cpu, wall)
    raise RuntimeError(f"wrk exited {proc.returncode} without a result: {(stderr or stdout).strip()[-800:]}")


# --------------------------------------------------------------------------------------------- phases


def wrk_percentile(histogram: Sequence[tuple[int, int]], q: float) -> int:
    """wrk's own definition (stats_percentile): the first value whose running count reaches round(q% * n + 0.5)."""
    rank = math.floor(q / 100 * sum(count for _, count in histogram) + 1.0)  # C round(x + 0.5) for x >= 0
    total = 0
    for value, count in histogram:
        total += count
        if total >= rank:
            return value
    return 0


def socket_errors(out: dict[str, Any]) -> int:
    return sum(int(out[k]) for k in ("connect", "read", "write", "timeout"))


def phase_of(name: str, run: WrkRun) -> Phase:
    o = run.out
    seconds = o["duration_us"] / 1e6
    return Phase(
        name=name,
        completed=int(o["requests"]),
        errors=socket_errors(o),
        mismatches=int(o["mismatches"]),
        elapsed_s=round(seconds, 3),
        requests_per_s=round(o["requests"] / seconds, 1) if seconds > 0 else 0.0,
        p50_ms=round(o["p50_us"] / 1000, 2),
        p90_ms=round(o["p90_us"] / 1000, 2),
        p99_ms=round(o["p99_us"] / 1000, 2),
        mean_ms=round(o["mean_us"] / 1000, 2),
        max_ms=round(o["max_us"] / 1000, 2),
        codes={str(k): int(v) for k, v in sorted(o["codes"].items())},
        cpu=run.cpu,
    )


def pooled(name: str, runs: Sequence[WrkRun]) -> Phase:
    """One phase out of several wrk runs of the same requests (the floor's halves), from their histograms."""
    merged: Counter[int] = Counter()
    for run in runs:
        merged.update({int(value): int(count) for value, count in run.out["histogram"]})
    histogram = sorted(merged.items())
    n = sum(merged.values())
    seconds = sum(run.out["duration_us"] for run in runs) / 1e6
    requests = sum(int(run.out["requests"]) for run in runs)
    codes: Counter[str] = Counter()
    for run in runs:
        codes.update({str(k): int(v) for k, v in run.out["codes"].items()})
    wall = sum(run.wall_s for run in runs)
    cpu = {}
    if wall > 0 and all(run.cpu for run in runs):
        cpu = {k: round(sum(run.cpu[k] * run.wall_s for run in runs) / wall, 1) for k in runs[0].cpu}
    return Phase(
        name=name,
        completed=requests,
        errors=sum(socket_errors(run.out) for run in runs),
        mismatches=sum(int(run.out["mismatches"]) for run in runs),
        elapsed_s=round(seconds, 3),
        requests_per_s=round(requests / seconds, 1) if seconds > 0 else 0.0,
        p50_ms=round(wrk_percentile(histogram, 50) / 1000, 2),
        p90_ms=round(wrk_percentile(histogram, 90) / 1000, 2),
        p99_ms=round(wrk_percentile(histogram, 99) / 1000, 2),
        mean_ms=round(sum(v * c for v, c in histogram) / n / 1000, 2) if n else float("nan"),
        max_ms=round(histogram[-1][0] / 1000, 2) if histogram else float("nan"),
        codes=dict(sorted(codes.items())),
        cpu=cpu,
    )


def problems(name: str, out: dict[str, Any]) -> list[str]:
    """What makes a wrk run unusable: socket errors, unexpected statuses, a thread that ran out, no answers."""
    found = []
    if socket_errors(out):
        found.append(f"{name}: {socket_errors(out)} socket errors or timeouts ({WRK_TIMEOUT_S} s)")
    if out["mismatches"]:
        samples = ", ".join(out["mismatch_samples"])
        found.append(
            f"{name}: {out['mismatches']} answers with another status than expected "
            f"(thread:item:expected:got {samples}); codes {out['codes']}"
        )
    if out["exhausted"]:
        found.append(
            f"{name}: a wrk thread sent its whole list before the time was up (lines {out['lines']}, answered "
            f"{out['answered']}); the load shrank, so the numbers are not valid: raise --max-rate"
        )
    if not out["requests"]:
        found.append(f"{name}: no request completed")
    return found


def timed_phases(
    wrk: str,
    base_url: str,
    api_key: str,
    server_pid: int,
    workload: Sequence[R],
    warmup: Sequence[R],
    args: argparse.Namespace,
    path: str = INGEST_PATH,
    meter: CpuMeter | None = None,
) -> Timed:
    """Warm-up floor and ingest (unmeasured), then floor (first half), ingest, floor (second half). `path` is where
    the workload's bodies are POSTed (bench/notify.py sends notifications the same way); `meter` also follows other
    processes (bench/processes.py: the database server and Redis)."""
    meter = meter or CpuMeter(server_pid)
    n = args.concurrency
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="townsquare-ingest-wrk-") as tmp:
        directory = Path(tmp)
        headers = directory / "headers.txt"
        headers.write_text(f"Authorization: Bearer {api_key}\nContent-Type: application/json\n")
        lists = partition(workload, n)
        if min(len(x) for x in lists) == 0:
            raise RuntimeError("the workload is too small to give every wrk thread a list: raise --max-rate")
        floor_args = ["floor", FLOOR_PATH]
        ingest_args = ["ingest", FLOOR_PATH, path, write_lists(lists, directory, "ingest"), str(headers)]
        steps: list[tuple[str, int, list[str]]] = []
        if args.warmup:
            warm = [
                "ingest",
                FLOOR_PATH,
                path,
                write_lists(partition(warmup, n), directory, "warm"),
                str(headers),
            ]
            steps += [("warm-up floor", args.warmup, floor_args), ("warm-up ingest", args.warmup, warm)]
        first = math.ceil(args.duration / 2)
        steps += [
            ("floor_before", first, floor_args),
            ("ingest", args.duration, ingest_args),
            ("floor_after", max(1, args.duration - first), floor_args),
        ]
        runs: dict[str, WrkRun] = {}
        for name, seconds, script_args in steps:
            time.sleep(SETTLE_S)
            print(f"  {name}: wrk -t{n} -c{n} -d{seconds}s ...", end="", flush=True)
            run = runs[name] = run_wrk(wrk, base_url, n, seconds, script_args, meter)
            print(f" {run.out['requests'] / max(run.out['duration_us'] / 1e6, 1e-9):.1f} req/s", flush=True)
            failures += problems(name, run.out)
    phases = {
        "floor": pooled("floor", [runs["floor_before"], runs["floor_after"]]),
        "floor_before": phase_of("floor_before", runs["floor_before"]),
        "floor_after": phase_of("floor_after", runs["floor_after"]),
        "ingest": phase_of("ingest", runs["ingest"]),
    }
    answered = [int(a) for a in runs["ingest"].out["answered"]]
    return Timed(
        phases=phases,
        failures=failures,
        lists=[len(x) for x in lists],
        sent=[list(x[:a]) for x, a in zip(lists, answered, strict=True)],
        raw={
            k: {**{key: v for key, v in r.out.items() if key != "histogram"}, "wall_s": round(r.wall_s, 3)}
            for k, r in runs.items()
        },
    )


def ratio(a: float, b: float) -> float:
    return round(a / b, 3) if b else float("nan")


def ratios(phases: dict[str, Phase]) -> dict[str, float]:
    i, floor = phases["ingest"], phases["floor"]
    drift = ratio(phases["floor_after"].requests_per_s, phases["floor_before"].requests_per_s)
    return {
        "throughput": ratio(i.requests_per_s, floor.requests_per_s),
        "p50_latency": ratio(i.p50_ms, floor.p50_ms),
        "p90_latency": ratio(i.p90_ms, floor.p90_ms),
        "p99_latency": ratio(i.p99_ms, floor.p99_ms),
        "floor_drift_pct": round((drift - 1) * 100, 1),
    }


# --------------------------------------------------------------------------------------------- report


def print_report(result: dict[str, Any]) -> None:
    """The human-readable summary of bench/ingest.py's result (the same dict --json writes)."""
    print()
    _print_setup(result)
    print()
    _print_phases(result)
    print()
    _print_checks(result)
    _print_notes(result)
    print(f"  result: {'OK' if result['ok'] else 'FAILED'}   total {result['total_seconds']:.1f}s")
    print()


def _print_setup(result: dict[str, Any]) -> None:
    m, cfg, code, lists = result["machine"], result["config"], result["code"], result["lists"]
    where = f"commit {code['commit']}{' + uncommitted changes in src/' if code['src_modified'] else ''}" if code else ""
    print(f"Townsquare ingestion benchmark  {result['started_at']}  {where}")
    print(f"  machine   {m['cpu_count']} CPUs, {m['python']}, {m['platform']}")
    print(
        f"  load      1/5/15-min load average {m['load_average_at_start']} at start, {m['load_average_at_end']} at end"
    )
    db = f"{m['db_dialect']} {m['db_version']}"
    print(f"  stack     {m['server']}, load from {m['client']} (verify: {m['verify_client']}), database {db}")
    n, warm = cfg["concurrency"], f"after {cfg['warmup_s']} s warm-up of each" if cfg["warmup_s"] else "no warm-up"
    print(
        f"  run       wrk -t{n} -c{n} (one connection per thread): floor {cfg['duration_s']} s in two halves around "
        f"{cfg['duration_s']} s of ingest, {warm}; seed {cfg['seed']}"
    )
    sent, per_thread = lists["sent_per_thread"], lists["per_thread"]
    used = max((s / p for s, p in zip(sent, per_thread, strict=True) if p), default=0.0)
    print(
        f"  lists     {lists['prepared']} ingests prepared for up to {cfg['max_rate']:g}/s, "
        f"{min(per_thread)}-{max(per_thread)} per thread; {sum(sent)} sent, at most {used:.0%} of a thread's list"
    )
    print(f"  workload  {', '.join(f'{k} {v}' for k, v in result['workload'].items())}")


def _print_phases(result: dict[str, Any]) -> None:
    header = (
        f"  {'phase':<26}{'done':>7}{'errors':>8}{'req/s':>10}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'max ms':>9}"
        f"  {'CPU % of a core: server/wrk/other':>36}"
    )
    print(header)
    print("  " + "-" * (len(header) - 2))
    for key, title in (
        ("floor", "floor  GET /healthz"),
        ("floor_before", "  half before the ingest"),
        ("floor_after", "  half after the ingest"),
        ("ingest", "ingest POST /interactions"),
    ):
        p = result["phases"][key]
        cpu = "/".join(f"{p['cpu'][k]:.0f}" for k in ("server", "client", "other")) if p["cpu"] else "-"
        print(
            f"  {title:<26}{p['completed']:>7}{p['errors'] + p['mismatches']:>8}{p['requests_per_s']:>10.1f}"
            f"{p['p50_ms']:>9.2f}{p['p90_ms']:>9.2f}{p['p99_ms']:>9.2f}{p['max_ms']:>9.2f}{cpu:>38}"
        )
    r = result["ratios"]
    print()
    print(
        f"  ratios ingest/floor: throughput {r['throughput']:.3f}x   "
        f"p50 {r['p50_latency']:.1f}x   p90 {r['p90_latency']:.1f}x   p99 {r['p99_latency']:.1f}x   "
        f"(floor after vs before: {r['floor_drift_pct']:+.1f}%)"
    )


def _print_checks(result: dict[str, Any]) -> None:
    c, v = result["checks"], result["phases"]["verify"]
    print(
        f"  verify (untimed, httpx, concurrency {result['config']['concurrency']}): {v['completed']}/{v['planned']} "
        f"ingests, {v['requests_per_s']:.1f} req/s, p50 {v['p50_ms']:.1f} ms, p99 {v['p99_ms']:.1f} ms; checks:"
    )
    print(
        f"    duplicates {c['duplicates_seen']}/{c['duplicates_sent']} answered 200 duplicate=true "
        f"(same interaction: {c['duplicates_sent'] - c['duplicate_id_mismatches']}), "
        f"unexpected duplicates {c['unexpected_duplicates']},"
    )
    print(
        f"    email replies threaded {c['thread_replies'] - c['thread_mismatches']}/{c['thread_replies']}, "
        f"forms with a case {c['forms'] - c['forms_without_case']}/{c['forms']}, "
        f"senders seen as one citizen {c['senders'] - c['senders_split']}/{c['senders']}"
    )
    timed = [result["phases"][k] for k in ("floor", "ingest")]
    wrong = sum(p["mismatches"] for p in timed)
    print(
        f"  statuses (timed phases): {sum(p['completed'] for p in timed)} answers, {wrong} not as expected; "
        f"ingest codes {result['phases']['ingest']['codes']}"
    )
    if v["by_label"]:
        print("  ingest latency by kind, verify phase   count   p50 ms   p99 ms")
        for label, s in v["by_label"].items():
            print(f"    {label:<34}{int(s['count']):>7}{s['p50_ms']:>9.2f}{s['p99_ms']:>9.2f}")


def _print_notes(result: dict[str, Any]) -> None:
    timed = {k: p for k, p in result["phases"].items() if k != "verify"}
    busy = {k: p["cpu"]["other"] for k, p in timed.items() if p["cpu"].get("other", 0) > BUSY_OTHER_PCT}
    if busy and result["machine"]["db_dialect"] == "sqlite":
        shown = ", ".join(f"{k} {v:.0f}%" for k, v in busy.items())
        print(f"  WARNING: other processes used CPU during the run ({shown} of a core); the numbers are disturbed.")
    for message in result["failures"]:
        print(f"  FAILED: {message}")
