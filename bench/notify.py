"""Notifications: accepted per second through the API and delivered per second through the workers, as ratios
against the same run's floor (GET /healthz with wrk).

Starts the real server (uvicorn, one process, outbox and notifications workers off) against a fresh, migrated and
seeded database (the demo city, with its notification templates), then:

  floor    GET /healthz with wrk -tN -cN, half of --duration before the accept phase and half after, pooled
  accept   POST /api/v1/notifications with the same wrk -tN -cN for --duration seconds: the `general` message type
           to a new person each time (by email address or phone number, half each), each with its own idempotency
           key; every answer must be 201. The per-key limits are raised for the run.
  deliver  the server is stopped; in this process, the outbox worker (`OutboxWorker.drain`, the recording
           provider) sends every accepted notification's first attempt and the notifications worker takes the step
           that follows (the attempt `sent`); timed from the first claim to the last step. CPU is this process's.

Prints requests/s and latency for the floor and accept phases, notifications delivered/s, and the ratios
accept/floor and deliver/floor. Exits 1 if any answer had an unexpected status, wrk saw errors, or a notification
was not sent.

    .venv/bin/python bench/notify.py
    .venv/bin/python bench/notify.py --database-url postgresql+asyncpg://u:p@127.0.0.1/throwaway --json out.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import secrets
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

import ingest  # this script's directory is on sys.path: the server, database and machine helpers
import ingest_wrk

PATH = "/api/v1/notifications"
LIMITS = {"TOWNSQUARE_NOTIFY_API_RATE_LIMIT_PER_MINUTE": "100000000", "TOWNSQUARE_NOTIFY_API_DAILY_CAP": "100000000"}


@dataclass
class Item:
    """One POST body for the wrk script (bench/ingest_wrk.Request)."""

    index: int
    label: str
    body: bytes | None
    after: int | None = None
    duplicate: bool = False
    attachment: bool = False
    identity: tuple[str, str] | None = None


def workload(total: int, *, tag: str) -> list[Item]:
    """`total` notifications, each to a person nobody has written to before."""
    items = []
    for n in range(total):
        person = (
            {"email_address": f"bench-{tag}-{n}@example.org"}
            if n % 2 == 0
            else {"phone_number": f"+1613{2_000_000 + n % 7_000_000:07d}"}
        )
        body = {
            "template": "general",
            **person,
            "personalisation": {"subject": "Your permit", "message": f"Permit {n} ends on 31 January; renew online."},
            "reference": f"bench-{n}",
            "idempotency_key": f"bench-{tag}-{n}",
        }
        items.append(Item(n, "email" if n % 2 == 0 else "sms", json.dumps(body, separators=(",", ":")).encode()))
    return items


async def deliver(database_url: str, data_dir: Path) -> dict[str, Any]:
    """Drain the outbox and step the notifications in this process; how long and how much CPU it took."""
    from sqlalchemy import func, select

    from townsquare.app import build_runtime
    from townsquare.notify.models import Notification, NotificationStatus
    from townsquare.settings import Settings

    settings = Settings(
        env="development",
        database_url=database_url,
        data_dir=data_dir,
        outbox_worker=False,
        routing_worker=False,
        notifications_worker=False,
    )
    rt = build_runtime(settings)
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        sent = await rt.worker.drain()
        await rt.bus.wait_idle()
        stepped = await rt.notices.drain()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        async with rt.db.session() as session:
            rows = await session.execute(select(Notification.status, func.count()).group_by(Notification.status))
            statuses = {status.value: n for status, n in rows.all()}
        waiting = sum(n for s, n in statuses.items() if s != NotificationStatus.sent.value)
        return {
            "sent": sent,
            "stepped": stepped,
            "elapsed_s": round(wall, 3),
            "cpu_s": round(cpu, 3),
            "per_s": round(sent / wall, 1) if wall else 0.0,
            "cpu_ms_each": round(cpu / sent * 1000, 2) if sent else None,
            "statuses": statuses,
            "not_sent": waiting,
        }
    finally:
        await rt.db.dispose()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--duration", type=int, default=20, help="seconds of accept, and as many of floor (default 20)")
    parser.add_argument("--concurrency", type=int, default=8, help="wrk threads, one connection each (default 8)")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured seconds of each wrk phase first (default 3)")
    parser.add_argument("--max-rate", type=float, default=400.0, help="accepts/s the workload is sized for")
    parser.add_argument("--seed-citizens", type=int, default=100, help="demo citizens to seed first (default 100)")
    parser.add_argument("--database-url", help="a THROWAWAY database instead of a fresh SQLite file")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    if args.duration < 2 or args.concurrency < 1 or args.warmup < 0:
        parser.error("--duration must be at least 2, --concurrency positive, --warmup not negative")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started_at = datetime.now(UTC)
    tag = secrets.token_hex(4)
    wrk = ingest_wrk.ensure_wrk()
    load_at_start = ingest.load_average()
    code = ingest.code_version()
    with tempfile.TemporaryDirectory(prefix="townsquare-bench-notify-") as tmp:
        workdir = Path(tmp)
        database_url = args.database_url or f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
        shown_url = make_url(database_url).render_as_string(hide_password=True)
        print(f"preparing {shown_url} (migrate, seed {args.seed_citizens} demo citizens, API key) ...", flush=True)
        api_key, db_version = ingest.prepare_database(database_url, args.seed_citizens)
        port = ingest.free_port()
        log_path = workdir / "server.log"
        extra = LIMITS | {"TOWNSQUARE_NOTIFICATIONS_WORKER": "false", "TOWNSQUARE_ROUTING_WORKER": "false"}
        proc = ingest.start_server(database_url, workdir, port, log_path, extra_env=extra)
        base_url = f"http://{ingest.HOST}:{port}"
        try:
            asyncio.run(ingest.wait_ready(base_url, proc, ready_within=30.0))
            print(f"server up at {base_url}; measuring ...", flush=True)
            items = workload(math.ceil(args.max_rate * args.duration), tag=tag)
            warm = workload(math.ceil(args.max_rate * args.warmup), tag=f"{tag}w")
            timed = ingest_wrk.timed_phases(wrk, base_url, api_key, proc.pid, items, warm, args, path=PATH)
        except BaseException:
            print("--- server log (tail) ---\n" + log_path.read_text(errors="replace")[-3000:], file=sys.stderr)
            raise
        finally:
            ingest.stop_server(proc)
        print("  deliver: outbox and notifications workers, in-process ...", end="", flush=True)
        delivered = asyncio.run(deliver(database_url, workdir))
        print(f" {delivered['per_s']:.1f} sent/s", flush=True)
    floor, accept = timed.phases["floor"], timed.phases["ingest"]
    failures = list(timed.failures)
    if delivered["not_sent"]:
        failures.append(f"deliver: {delivered['not_sent']} notifications were not sent")
    result = {
        "benchmark": "notify",
        "code": code,
        "started_at": started_at.isoformat(timespec="seconds"),
        "machine": {"load_average_at_start": load_at_start, **ingest.machine_info(database_url, db_version, wrk)},
        "config": {**{k: v for k, v in vars(args).items() if k != "json"}, "database": shown_url},
        "phases": {"floor": asdict(floor), "accept": asdict(accept)},
        "deliver": delivered,
        "ratios": {
            "accept/floor": ingest_wrk.ratio(accept.requests_per_s, floor.requests_per_s),
            "deliver/floor": ingest_wrk.ratio(delivered["per_s"], floor.requests_per_s),
        },
        "failures": failures,
        "ok": not failures,
    }
    _report(result)
    return ingest.finish(result, args.json)


def _report(result: dict[str, Any]) -> None:
    print()
    print(f"notify benchmark, {result['started_at']}, commit {result['code'].get('commit', '?')}")
    for name in ("floor", "accept"):
        p = result["phases"][name]
        print(
            f"  {name:7} {p['requests_per_s']:9.1f} req/s  p50 {p['p50_ms']:.1f}  p90 {p['p90_ms']:.1f}  "
            f"p99 {p['p99_ms']:.1f}  max {p['max_ms']:.1f} ms  cpu {p['cpu']}"
        )
    d = result["deliver"]
    print(f"  deliver {d['per_s']:9.1f} sent/s  ({d['sent']} in {d['elapsed_s']} s, {d['cpu_ms_each']} ms CPU each)")
    print(f"  ratios  {result['ratios']}")
    for failure in result["failures"]:
        print(f"  FAILED: {failure}")


if __name__ == "__main__":
    sys.exit(main())
