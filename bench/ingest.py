"""Ingestion throughput and latency over HTTP, reported as ratios against a floor measured in the same run.

Starts the real server (uvicorn, one process, outbox worker off) on a free loopback port against a fresh,
migrated and seeded database, then measures with a bounded-concurrency httpx client:

  floor   GET /healthz (no database, no auth): what HTTP, uvicorn, FastAPI and this client cost on this
          machine today; half of its requests run before the workload and half after, pooled
  ingest  POST /api/v1/interactions with a mixed, seeded batch of inbound contact (SMS, email threads, chat,
          calls, web forms, attachments, ~5% duplicate deliveries), checking every answer as it goes

and prints requests/s and p50/p90/p99 latency for both, the ratios ingest/floor, and how much CPU the server,
the client and the rest of the machine used in each phase (so a busy neighbour shows). Absolute numbers
depend on the machine; the ratios are what to compare between runs and machines.

    .venv/bin/python bench/ingest.py                      # SQLite in a temp dir, 2000 requests, concurrency 8
    .venv/bin/python bench/ingest.py --json bench/results/ingest.json
    .venv/bin/python bench/ingest.py --database-url postgresql+asyncpg://u:p@127.0.0.1/throwaway

--database-url must point at a THROWAWAY database: it is migrated, seeded with the demo city if it has no
agencies, and then receives thousands of benchmark citizens, conversations and work items.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import gc
import json
import os
import platform
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import make_url

HOST = "127.0.0.1"
INGEST_PATH = "/api/v1/interactions"
FLOOR_PATH = "/healthz"

# The demo city's inbound addresses (src/townsquare/demo/catalogue.py), so contact routes to an agency.
AGENCY_LINES = ("+16135550100", "+16135550200", "+16135550300")
AGENCY_MAILBOXES = ("works@city.example", "licensing@city.example", "tax@city.example")
FORM_SERVICES: dict[str, dict[str, str]] = {
    "POTHOLE": {"size": "medium", "in_bike_lane": "no"},
    "STREETLIGHT": {},
    "GARBAGE-MISSED": {},
    "DL-RENEW": {"licence_number": "D1234-56789-01234", "address_changed": "no"},
    "PROP-TAX": {},
}
TEXTS = (
    "Pothole on Elm St, right by the school crossing.",
    "The street light outside 42 Maple has been out for a week.",
    "My recycling wasn't picked up this morning.",
    "How do I renew my driver's licence? It expires next month.",
    "Il y a un gros nid-de-poule dans ma rue.",
    "I got a parking ticket but the sign was covered by snow.",
    "When is the second property tax instalment due?",
    "A big branch fell across the path in the park.",
    "Graffiti all over the bridge underpass on Bank St.",
    "Mon bac de recyclage n'a pas été ramassé.",
)
# Share of unique messages per channel; attachments are added on top, duplicates are extra resends.
MIX = {"sms": 0.34, "email": 0.24, "chat": 0.16, "voice": 0.12, "web_form": 0.14}
ATTACHMENT_SHARE = {"sms": 0.08, "email": 0.12, "web_form": 0.25}
ATTACHMENT_RAW_BYTES = 15_000  # ~20 KB once base64-encoded
DUPLICATE_SHARE = 0.05
WARMUP_CAP_S = 10.0  # hard caps per phase; the ingest phase has --time-limit
FLOOR_CAP_S = 15.0
BUSY_OTHER_PCT = 15.0  # warn when the rest of the machine used more than this much of a core in a phase
DEPENDENCY_GAP = 32  # replies and resends refer to messages at least this many places earlier (when possible)


# --------------------------------------------------------------------------------------------- workload


@dataclass
class Item:
    """One request to send. `after`: index of a request that must have been answered first."""

    index: int
    label: str
    method: str
    path: str
    body: bytes | None = None
    after: int | None = None
    duplicate: bool = False
    attachment: bool = False
    thread_reply: bool = False
    form: bool = False
    identity: tuple[str, str] | None = None  # (kind, canonical value): every message from it is one citizen


@dataclass
class Workload:
    items: list[Item]
    counts: dict[str, int]


class _Generator:
    """A deterministic mixed batch of inbound contact; `tag` keeps external ids unique per run."""

    def __init__(self, rng: random.Random, tag: str) -> None:
        self.rng = rng
        self.tag = tag
        self.used_numbers: set[str] = set()
        self.phones = [self._new_phone() for _ in range(150)]
        self.emails = [f"resident{n}@mail.example" for n in range(60)]
        self.devices = [f"dev-{rng.getrandbits(64):016x}" for _ in range(80)]
        self.email_count = 0
        self.threads: dict[str, list[list[tuple[int, str]]]] = {}  # sender -> threads of (index, external id)

    def _new_phone(self) -> str:
        while True:
            area = self.rng.choice(("613", "343", "819"))
            number = f"+1{area}{self.rng.randint(200, 999)}{self.rng.randint(0, 9999):04d}"
            if number not in self.used_numbers:
                self.used_numbers.add(number)
                return number

    def _phone(self) -> tuple[str, str]:
        """(as written by the sender, E.164): 60% repeat callers; a third written in national format."""
        e164 = self.rng.choice(self.phones) if self.rng.random() < 0.6 else self._new_phone()
        area, exchange, line = e164[2:5], e164[5:8], e164[8:]
        written = self.rng.choices(
            (e164, f"({area}) {exchange}-{line}", f"{area}-{exchange}-{line}", f"+1 {area} {exchange} {line}"),
            weights=(66, 20, 7, 7),
        )[0]
        return written, e164

    def _email(self) -> str:
        if self.rng.random() < 0.5:
            return self.rng.choice(self.emails)
        self.email_count += 1
        return f"newcomer{self.email_count}.{self.tag}@mail.example"

    def _attachment(self, filename: str, content_type: str) -> dict[str, str]:
        data = self.rng.randbytes(ATTACHMENT_RAW_BYTES)
        return {"filename": filename, "content_type": content_type, "content_base64": base64.b64encode(data).decode()}

    def message(self, index: int) -> tuple[Item, dict[str, Any]]:
        label = self.rng.choices(list(MIX), weights=list(MIX.values()))[0]
        body: dict[str, Any]
        item = Item(index, label, "POST", INGEST_PATH)
        ext = f"{self.tag}-{index:06d}"
        with_attachment = self.rng.random() < ATTACHMENT_SHARE.get(label, 0.0)
        text = self.rng.choice(TEXTS)
        if label in ("sms", "voice"):
            written, e164 = self._phone()
            item.identity = ("phone", e164)
            body = {"channel": label, "from": {"kind": "phone", "value": written}, "to": self.rng.choice(AGENCY_LINES)}
            if label == "sms":
                body |= {"external_id": f"SM{ext}", "text": text}
                if with_attachment:
                    body["attachments"] = [self._attachment("photo.jpg", "image/jpeg")]
            else:
                body |= {
                    "external_id": f"CA{ext}",
                    "kind": "call",
                    "text": f"Call summary: {text}",
                    "duration_seconds": self.rng.randint(20, 900),
                }
        elif label == "email":
            sender = self._email()
            item.identity = ("email", sender)
            external_id = f"<{ext}@mail.example>"
            body = {
                "channel": "email",
                "external_id": external_id,
                "from": {"kind": "email", "value": sender.upper() if self.rng.random() < 0.1 else sender},
                "to": self.rng.choice(AGENCY_MAILBOXES),
                "subject": text[:40],
                "text": text,
            }
            threads = self.threads.setdefault(sender, [])
            ready = [t for t in threads if t[-1][0] <= index - DEPENDENCY_GAP]
            if ready and self.rng.random() < 0.6:
                thread = self.rng.choice(ready)
                body["thread_refs"] = [ref for _, ref in thread[-3:]]
                body["subject"] = f"Re: {body['subject']}"
                item.after = thread[-1][0]
                item.thread_reply = True
                label = item.label = "email_reply"
                thread.append((index, external_id))
            else:
                threads.append([(index, external_id)])
            if with_attachment:
                body["attachments"] = [self._attachment("letter.pdf", "application/pdf")]
        elif label == "chat":
            device = self.rng.choice(self.devices) if self.rng.random() < 0.6 else f"dev-{self.tag}-{index}"
            item.identity = ("device", device)
            body = {
                "channel": "chat",
                "external_id": f"chat-{ext}",
                "from": {"kind": "device", "value": device, "namespace": "web-chat"},
                "text": text,
            }
        else:  # web_form
            sender = self._email()
            item.identity = ("email", sender)
            code = self.rng.choice(list(FORM_SERVICES))
            item.form = True
            body = {
                "channel": "web",
                "external_id": f"form-{ext}",
                "kind": "form_submission",
                "service_code": code,
                "from": {"kind": "email", "value": sender},
                "subject": f"{code} request",
                "text": text,
                "metadata": {"attributes": FORM_SERVICES[code]},
            }
            if with_attachment:
                body["attachments"] = [self._attachment("photo.png", "image/png")]
        item.attachment = "attachments" in body
        return item, body


def build_workload(total: int, *, seed: int, tag: str, duplicate_share: float = DUPLICATE_SHARE) -> Workload:
    """`total` ingest requests, of which round(total * duplicate_share) resend an earlier one byte for byte."""
    rng = random.Random(seed)
    gen = _Generator(rng, tag)
    duplicates = round(total * duplicate_share)
    # Resends go after the first few dozen messages, each somewhere after the message it repeats.
    start = max(1, min(2 * DEPENDENCY_GAP, total - duplicates))
    duplicates = max(0, min(duplicates, total - start))
    positions = set(rng.sample(range(start, total), duplicates))
    items: list[Item] = []
    originals: list[int] = []
    resent: set[int] = set()
    for index in range(total):
        if index in positions:
            far = [i for i in originals[:-DEPENDENCY_GAP] if i not in resent]
            candidates = far or [i for i in originals if i not in resent]
            j = rng.choice(candidates)
            resent.add(j)
            src = items[j]
            items.append(
                Item(index, "duplicate", "POST", INGEST_PATH, src.body, after=j, duplicate=True, identity=src.identity)
            )
            continue
        item, body = gen.message(index)
        item.body = json.dumps(body, separators=(",", ":")).encode()
        items.append(item)
        originals.append(index)
    counts = Counter(i.label for i in items)
    counts["with_attachment"] = sum(i.attachment for i in items)
    counts["national_format_phone"] = sum(
        1 for i in items if i.identity and i.identity[0] == "phone" and i.body and b'"value":"+' not in i.body
    )
    return Workload(items, dict(sorted(counts.items())))


def floor_workload(total: int) -> list[Item]:
    return [Item(i, "healthz", "GET", FLOOR_PATH) for i in range(total)]


# --------------------------------------------------------------------------------------------- measuring


@dataclass
class Checks:
    """What the answers must show; any failure makes the run exit non-zero."""

    duplicates_sent: int = 0
    duplicates_seen: int = 0
    unexpected_duplicates: int = 0
    duplicate_id_mismatches: int = 0
    thread_replies: int = 0
    thread_mismatches: int = 0
    forms: int = 0
    forms_without_case: int = 0
    senders: int = 0
    senders_split: int = 0  # one phone/email/device seen as more than one citizen
    failures: list[str] = field(default_factory=list)

    def ok(self) -> bool:
        return not self.failures and not (
            self.unexpected_duplicates
            or self.duplicate_id_mismatches
            or self.thread_mismatches
            or self.forms_without_case
            or self.senders_split
            or self.duplicates_seen != self.duplicates_sent
        )


@dataclass
class Phase:
    name: str
    planned: int
    completed: int
    errors: int
    elapsed_s: float
    requests_per_s: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    truncated: bool
    by_label: dict[str, dict[str, float]] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)  # % of one core: server, client, everything else


class CpuMeter:
    """CPU time of the server, this client and the rest of the machine (Linux /proc; empty elsewhere).

    "other" includes the database server when it runs on this machine (PostgreSQL), and anyone else's work.
    """

    def __init__(self, server_pid: int) -> None:
        self.server_stat = Path(f"/proc/{server_pid}/stat")
        self.tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def snapshot(self) -> tuple[float, float, float] | None:
        try:
            fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
            # user nice system idle iowait irq softirq steal: busy = all but idle and iowait
            busy = sum(int(v) for i, v in enumerate(fields[:8]) if i not in (3, 4)) / self.tick
            stat = self.server_stat.read_text().rsplit(")", 1)[1].split()
            server = (int(stat[11]) + int(stat[12])) / self.tick  # utime, stime
        except (OSError, ValueError, IndexError):
            return None
        return busy, server, time.process_time()

    @staticmethod
    def usage(
        before: tuple[float, float, float] | None, after: tuple[float, float, float] | None, wall: float
    ) -> dict[str, float]:
        if before is None or after is None or wall <= 0:
            return {}
        busy, server, client = (b - a for a, b in zip(before, after, strict=True))
        pct = {"server": server / wall * 100, "client": client / wall * 100}
        pct["other"] = max(busy / wall * 100 - pct["server"] - pct["client"], 0.0)
        return {k: round(v, 1) for k, v in pct.items()}


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks; q in [0, 100]."""
    if not sorted_values:
        return float("nan")
    pos = (len(sorted_values) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


@dataclass
class Run:
    phase: Phase
    checks: Checks
    samples: list[tuple[str, bool, float]]  # (label, has attachment, seconds)


def pooled(name: str, runs: Sequence[Run]) -> Phase:
    """One phase out of several runs of the same requests (the floor before and after the workload)."""
    elapsed = sum(r.phase.elapsed_s for r in runs)
    phase = Runner.summarise(
        name,
        sum(r.phase.planned for r in runs),
        [x for r in runs for x in r.samples],
        sum(r.phase.errors for r in runs),
        elapsed,
        any(r.phase.truncated for r in runs),
    )
    if elapsed > 0 and all(r.phase.cpu for r in runs):
        phase.cpu = {
            k: round(sum(r.phase.cpu[k] * r.phase.elapsed_s for r in runs) / elapsed, 1) for k in runs[0].phase.cpu
        }
    return phase


class Runner:
    def __init__(self, client: httpx.AsyncClient, api_key: str, meter: CpuMeter) -> None:
        self.client = client
        self.meter = meter
        self.ingest_headers = {"authorization": f"Bearer {api_key}", "content-type": "application/json"}

    async def run(self, name: str, items: list[Item], concurrency: int, time_limit: float) -> Run:
        checks = Checks()
        answers: dict[int, dict[str, Any]] = {}
        done = [asyncio.Event() for _ in items]
        latencies: list[tuple[str, bool, float]] = []
        errors = 0
        citizens: dict[tuple[str, str], set[str]] = {}
        cursor = iter(items)
        cpu_before = self.meter.snapshot()
        started = time.perf_counter()
        deadline = started + time_limit
        truncated = False

        def fail(message: str) -> None:
            if len(checks.failures) < 20:
                checks.failures.append(message)

        async def worker() -> None:
            nonlocal errors, truncated
            for item in cursor:
                # Let the other workers run first: without this a worker that loops straight into its next
                # request can starve another one inside the connection pool (1-2 s outliers on /healthz).
                await asyncio.sleep(0)
                if time.perf_counter() >= deadline:
                    truncated = True
                    return
                try:
                    if item.after is not None:
                        await asyncio.wait_for(done[item.after].wait(), max(deadline - time.perf_counter(), 0.01))
                    headers = self.ingest_headers if item.method == "POST" else None
                    t0 = time.perf_counter()
                    response = await self.client.request(item.method, item.path, content=item.body, headers=headers)
                    elapsed = time.perf_counter() - t0
                except TimeoutError:
                    truncated = True
                    return
                except httpx.HTTPError as exc:
                    errors += 1
                    fail(f"#{item.index} {item.label}: {type(exc).__name__}: {exc}")
                    done[item.index].set()
                    continue
                latencies.append((item.label, item.attachment, elapsed))
                if item.method == "GET":
                    if response.status_code != 200:
                        errors += 1
                        fail(f"#{item.index} {item.path}: HTTP {response.status_code}")
                elif response.status_code not in (200, 201):
                    errors += 1
                    fail(f"#{item.index} {item.label}: HTTP {response.status_code} {response.text[:300]}")
                else:
                    self._check(item, response, answers, checks, citizens, fail)
                done[item.index].set()

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        total = time.perf_counter() - started
        cpu = self.meter.usage(cpu_before, self.meter.snapshot(), total)
        checks.senders = len(citizens)
        checks.senders_split = sum(1 for ids in citizens.values() if len(ids) > 1)
        phase = self.summarise(name, len(items), latencies, errors, total, truncated)
        phase.cpu = cpu
        return Run(phase, checks, latencies)

    @staticmethod
    def _check(
        item: Item,
        response: httpx.Response,
        answers: dict[int, dict[str, Any]],
        checks: Checks,
        citizens: dict[tuple[str, str], set[str]],
        fail: Callable[[str], None],
    ) -> None:
        out: dict[str, Any] = response.json()
        answers[item.index] = out
        if item.identity is not None:
            citizens.setdefault(item.identity, set()).add(out["citizen_id"])
        if (response.status_code == 200) != bool(out["duplicate"]):
            fail(f"#{item.index}: HTTP {response.status_code} with duplicate={out['duplicate']}")
        if item.duplicate:
            checks.duplicates_sent += 1
            checks.duplicates_seen += bool(out["duplicate"])
            first = answers.get(item.after) if item.after is not None else None
            if first is None or first["interaction_id"] != out["interaction_id"]:
                checks.duplicate_id_mismatches += 1
            return
        if out["duplicate"]:
            checks.unexpected_duplicates += 1
        if item.thread_reply:
            checks.thread_replies += 1
            parent = answers.get(item.after) if item.after is not None else None
            if parent is None or parent["conversation_id"] != out["conversation_id"]:
                checks.thread_mismatches += 1
        if item.form:
            checks.forms += 1
            if not out.get("case_reference"):
                checks.forms_without_case += 1

    @staticmethod
    def summarise(
        name: str, planned: int, latencies: list[tuple[str, bool, float]], errors: int, total: float, truncated: bool
    ) -> Phase:
        ms = sorted(x[2] * 1000 for x in latencies)
        by_label: dict[str, dict[str, float]] = {}
        groups: dict[str, list[float]] = {}
        for label, attachment, seconds in latencies:
            groups.setdefault(label, []).append(seconds * 1000)
            if attachment:
                groups.setdefault("with_attachment", []).append(seconds * 1000)
        if len(groups) > 1:
            for label, values in sorted(groups.items()):
                values.sort()
                by_label[label] = {
                    "count": len(values),
                    "p50_ms": round(percentile(values, 50), 2),
                    "p99_ms": round(percentile(values, 99), 2),
                }
        return Phase(
            name=name,
            planned=planned,
            completed=len(ms),
            errors=errors,
            elapsed_s=round(total, 3),
            requests_per_s=round(len(ms) / total, 1) if total > 0 else 0.0,
            p50_ms=round(percentile(ms, 50), 2),
            p90_ms=round(percentile(ms, 90), 2),
            p99_ms=round(percentile(ms, 99), 2),
            mean_ms=round(sum(ms) / len(ms), 2) if ms else float("nan"),
            max_ms=round(ms[-1], 2) if ms else float("nan"),
            truncated=truncated,
            by_label=by_label,
        )


# --------------------------------------------------------------------------------------------- setup


def prepare_database(database_url: str, seed_citizens: int) -> tuple[str, str]:
    """Migrate, seed the demo city if there are no agencies yet, and issue an API key.

    Returns the key and the database server's version.
    """
    from townsquare import migrations

    migrations.upgrade(database_url)  # runs its own event loop, so before ours
    return asyncio.run(_seed_and_key(database_url, seed_citizens))


async def _seed_and_key(database_url: str, seed_citizens: int) -> tuple[str, str]:
    from sqlalchemy import text

    from townsquare.db import Database
    from townsquare.demo.seed import seed
    from townsquare.events import EventBus
    from townsquare.staff import service as staff

    db = Database(database_url, EventBus())
    try:
        await seed(db, citizens=seed_citizens)
        async with db.session() as session:
            key, _ = await staff.create_api_key(session, name=f"bench {datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}")
            await session.commit()
            query = "SELECT sqlite_version()" if db.dialect == "sqlite" else "SHOW server_version"
            version = str((await session.execute(text(query))).scalar_one())
        return key, version
    finally:
        await db.dispose()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(
    database_url: str, data_dir: Path, port: int, log_path: Path, extra_env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """The real app under uvicorn (one process, as `townsquare serve` runs it), bound to loopback only."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOWNSQUARE_")}
    env |= {
        "TOWNSQUARE_ENV": "development",
        "TOWNSQUARE_DATABASE_URL": database_url,
        "TOWNSQUARE_DATA_DIR": str(data_dir),
        "TOWNSQUARE_OUTBOX_WORKER": "false",
        "TOWNSQUARE_LOG_LEVEL": "WARNING",
        "TOWNSQUARE_PUBLIC_URL": f"http://{HOST}:{port}",
    } | (extra_env or {})
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "townsquare.app:create_app",
        "--host",
        HOST,
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    with log_path.open("wb") as log:
        return subprocess.Popen(command, env=env, cwd=data_dir, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603


async def wait_ready(base_url: str, proc: subprocess.Popen[bytes], ready_within: float) -> None:
    deadline = time.perf_counter() + ready_within
    async with httpx.AsyncClient(base_url=base_url, trust_env=False, timeout=2.0) as client:
        while time.perf_counter() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited with code {proc.returncode} before it was ready")
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(FLOOR_PATH)).status_code == 200:
                    return
            await asyncio.sleep(0.1)
    raise RuntimeError(f"the server was not ready after {ready_within:.0f}s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


def code_version() -> dict[str, Any]:
    """The commit under test, and whether src/ differs from it (read-only git; empty outside a checkout)."""
    root = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=10, check=True)  # noqa: S603, S607
        return done.stdout.strip()

    try:
        return {
            "commit": git("rev-parse", "--short=12", "HEAD"),
            "src_modified": bool(git("status", "--porcelain", "--", "src")),
        }
    except (OSError, subprocess.SubprocessError):
        return {}


def load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def machine_info(database_url: str, db_version: str) -> dict[str, Any]:
    def version(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "-"

    dialect = make_url(database_url).get_backend_name()
    return {
        "cpu_count": os.cpu_count(),
        "load_average_at_end": load_average(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "db_dialect": dialect,
        "db_version": db_version,
        "server": f"uvicorn {version('uvicorn')} (uvloop {version('uvloop')}, httptools {version('httptools')})",
        "client": f"httpx {version('httpx')}",
        "fastapi": version("fastapi"),
        "sqlalchemy": version("sqlalchemy"),
    }


# --------------------------------------------------------------------------------------------- report


def ratio(a: float, b: float) -> float:
    return round(a / b, 3) if b else float("nan")


def print_report(result: dict[str, Any]) -> None:
    m, cfg = result["machine"], result["config"]
    print()
    code = result["code"]
    where = f"commit {code['commit']}{' + uncommitted changes in src/' if code['src_modified'] else ''}" if code else ""
    print(f"Townsquare ingestion benchmark  {result['started_at']}  {where}")
    print(f"  machine   {m['cpu_count']} CPUs, {m['python']}, {m['platform']}")
    print(
        f"  load      1/5/15-min load average {m['load_average_at_start']} at start, {m['load_average_at_end']} at end"
    )
    db = f"{m['db_dialect']} {m['db_version']}"
    print(f"  stack     {m['server']}, {m['client']}, database {db}")
    print(
        f"  run       {cfg['requests']} ingests and {cfg['requests']} floor requests (half before, half after), "
        f"concurrency {cfg['concurrency']}, seed {cfg['seed']}, warm-up {cfg['warmup']} ingests first"
    )
    mix = ", ".join(f"{k} {v}" for k, v in result["workload"].items())
    print(f"  workload  {mix}")
    print()
    header = (
        f"  {'phase':<26}{'done':>7}{'errors':>8}{'req/s':>10}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'max ms':>9}"
        f"  {'CPU % of a core: server/client/other':>36}"
    )
    print(header)
    print("  " + "-" * (len(header) - 2))
    for key, title in (
        ("floor", "floor  GET /healthz"),
        ("floor_before", "  half before the workload"),
        ("floor_after", "  half after the workload"),
        ("ingest", "ingest POST /interactions"),
    ):
        p = result["phases"][key]
        mark = " (time cap hit)" if p["truncated"] else ""
        cpu = "/".join(f"{p['cpu'][k]:.0f}" for k in ("server", "client", "other")) if p["cpu"] else "-"
        print(
            f"  {title:<26}{p['completed']:>7}{p['errors']:>8}{p['requests_per_s']:>10.1f}"
            f"{p['p50_ms']:>9.2f}{p['p90_ms']:>9.2f}{p['p99_ms']:>9.2f}{p['max_ms']:>9.2f}{cpu:>38}{mark}"
        )
    r = result["ratios"]
    print()
    print(
        f"  ratios ingest/floor: throughput {r['throughput']:.3f}x   "
        f"p50 {r['p50_latency']:.1f}x   p90 {r['p90_latency']:.1f}x   p99 {r['p99_latency']:.1f}x   "
        f"(floor after vs before: {r['floor_drift_pct']:+.1f}%)"
    )
    print()
    print("  ingest latency by kind   count   p50 ms   p99 ms")
    for label, s in result["phases"]["ingest"]["by_label"].items():
        print(f"    {label:<22}{int(s['count']):>7}{s['p50_ms']:>9.2f}{s['p99_ms']:>9.2f}")
    c = result["checks"]
    print()
    print(
        f"  checks: duplicates {c['duplicates_seen']}/{c['duplicates_sent']} answered 200 duplicate=true "
        f"(same interaction: {c['duplicates_sent'] - c['duplicate_id_mismatches']}), "
        f"unexpected duplicates {c['unexpected_duplicates']},"
    )
    print(
        f"          email replies threaded {c['thread_replies'] - c['thread_mismatches']}/{c['thread_replies']}, "
        f"forms with a case {c['forms'] - c['forms_without_case']}/{c['forms']}, "
        f"senders seen as one citizen {c['senders'] - c['senders_split']}/{c['senders']}"
    )
    for key, p in result["phases"].items():
        if p["truncated"] and key != "floor":
            print(
                f"  NOTE: {key} hit its time cap after {p['completed']} of {p['planned']} requests; rates cover those."
            )
    busy = {k: p["cpu"]["other"] for k, p in result["phases"].items() if p["cpu"].get("other", 0) > BUSY_OTHER_PCT}
    if busy and result["machine"]["db_dialect"] == "sqlite":
        shown = ", ".join(f"{k} {v:.0f}%" for k, v in busy.items())
        print(f"  WARNING: other processes used CPU during the run ({shown} of a core); the numbers are disturbed.")
    for message in c["failures"]:
        print(f"  FAILED: {message}")
    print(f"  result: {'OK' if result['ok'] else 'FAILED'}   total {result['total_seconds']:.1f}s")
    print()


# --------------------------------------------------------------------------------------------- main


async def measure(base_url: str, api_key: str, args: argparse.Namespace, tag: str, server_pid: int) -> dict[str, Any]:
    workload = build_workload(args.requests, seed=args.seed, tag=tag)
    warmup = build_workload(args.warmup, seed=args.seed + 1, tag=f"{tag}w") if args.warmup else None
    limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=args.concurrency)
    timeout = httpx.Timeout(30.0)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=timeout, trust_env=False) as client:
        runner = Runner(client, api_key, CpuMeter(server_pid))
        if warmup is not None:
            await runner.run("warmup floor", floor_workload(5 * args.warmup), args.concurrency, WARMUP_CAP_S)
            warm = await runner.run("warmup ingest", warmup.items, args.concurrency, WARMUP_CAP_S)
            if warm.checks.failures:
                raise RuntimeError("warm-up ingestion failed: " + "; ".join(warm.checks.failures[:3]))
        # Settle the heap (the workload is built, connections are open) so the client's garbage collector does
        # not keep re-scanning the harness's own data during the first measured phase.
        gc.collect()
        gc.freeze()
        # The floor's requests are split around the workload, so slow drift of the machine hits both alike.
        half = args.requests - args.requests // 2
        before = await runner.run("floor_before", floor_workload(half), args.concurrency, FLOOR_CAP_S)
        ingest = await runner.run("ingest", workload.items, args.concurrency, args.time_limit)
        after = await runner.run("floor_after", floor_workload(args.requests // 2), args.concurrency, FLOOR_CAP_S)
    floor = pooled("floor", [before, after])
    checks = ingest.checks
    checks.failures = before.checks.failures + checks.failures + after.checks.failures
    phases = {"floor": floor, "floor_before": before.phase, "floor_after": after.phase, "ingest": ingest.phase}
    i = ingest.phase
    return {
        "workload": workload.counts,
        "phases": {k: asdict(v) for k, v in phases.items()},
        "ratios": {
            "throughput": ratio(i.requests_per_s, floor.requests_per_s),
            "p50_latency": ratio(i.p50_ms, floor.p50_ms),
            "p90_latency": ratio(i.p90_ms, floor.p90_ms),
            "p99_latency": ratio(i.p99_ms, floor.p99_ms),
            "floor_drift_pct": round((ratio(after.phase.requests_per_s, before.phase.requests_per_s) - 1) * 100, 1),
        },
        "checks": asdict(checks),
        "ok": checks.ok() and not (floor.errors or i.errors),
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--requests", type=int, default=2000, help="ingest requests, and as many floor requests (default 2000)"
    )
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight at once (default 8)")
    parser.add_argument(
        "--warmup", type=int, default=100, help="unmeasured ingests first, and 5x as many floor requests (default 100)"
    )
    parser.add_argument(
        "--time-limit", type=float, default=75.0, help="hard cap on the ingest phase, seconds (default 75)"
    )
    parser.add_argument("--seed", type=int, default=2026, help="random seed of the workload (default 2026)")
    parser.add_argument("--seed-citizens", type=int, default=100, help="demo citizens to seed first (default 100)")
    parser.add_argument(
        "--database-url",
        help="use this THROWAWAY database instead of a fresh SQLite file (migrated, seeded, then written to)",
    )
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    if args.requests < 2 or args.concurrency < 1 or args.warmup < 0 or args.time_limit <= 0:
        parser.error("--requests must be at least 2, --concurrency positive, --warmup not negative, --time-limit > 0")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started_at = datetime.now(UTC)
    t0 = time.perf_counter()
    tag = secrets.token_hex(4)
    load_at_start = load_average()
    code = code_version()  # before the server starts, which imports src/ as it is now
    with tempfile.TemporaryDirectory(prefix="townsquare-bench-") as tmp:
        workdir = Path(tmp)
        database_url = args.database_url or f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
        shown_url = make_url(database_url).render_as_string(hide_password=True)
        print(f"preparing {shown_url} (migrate, seed {args.seed_citizens} demo citizens, API key) ...", flush=True)
        api_key, db_version = prepare_database(database_url, args.seed_citizens)
        port = free_port()
        log_path = workdir / "server.log"
        proc = start_server(database_url, workdir, port, log_path)
        base_url = f"http://{HOST}:{port}"
        try:
            asyncio.run(wait_ready(base_url, proc, ready_within=30.0))
            print(f"server up at {base_url}; measuring ...", flush=True)
            outcome = asyncio.run(measure(base_url, api_key, args, tag, proc.pid))
        except BaseException:
            log = log_path.read_text(errors="replace")[-3000:]
            if log.strip():
                print("--- server log (tail) ---\n" + log, file=sys.stderr)
            raise
        finally:
            stop_server(proc)
    result: dict[str, Any] = {
        "benchmark": "ingest",
        "code": code,
        "started_at": started_at.isoformat(timespec="seconds"),
        "machine": {"load_average_at_start": load_at_start, **machine_info(database_url, db_version)},
        "config": {
            "requests": args.requests,
            "concurrency": args.concurrency,
            "warmup": args.warmup,
            "time_limit_s": args.time_limit,
            "seed": args.seed,
            "seed_citizens": args.seed_citizens,
            "database": shown_url if args.database_url else "sqlite (fresh temp file)",
        },
        **outcome,
        "total_seconds": round(time.perf_counter() - t0, 1),
    }
    print_report(result)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")
        print(f"wrote {args.json}")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
