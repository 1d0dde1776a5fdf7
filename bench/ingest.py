"""Ingestion throughput and latency over HTTP, as ratios against a floor measured in the same run, with the same
load generator (wrk).

Starts the real server (uvicorn, one process, outbox worker off) on a free loopback port against a fresh,
migrated and seeded database, then runs, in this order:

  verify  untimed: --verify ingests (default 600) of the mix below, sent with an httpx client at --concurrency,
          every answer checked in full: a resend is recognised with the first delivery's interaction_id, an email
          reply lands in its parent's conversation, a form gets a case reference, and each phone number, address
          or device resolves to one citizen however it was written
  floor   GET /healthz (no database, no auth) with wrk -tN -cN (N = --concurrency): half of --duration before the
          ingest phase and half after, pooled; what HTTP, uvicorn and FastAPI cost on this machine today
  ingest  POST /api/v1/interactions with the same wrk -tN -cN for --duration seconds: a mixed, seeded batch of
          inbound contact (SMS, email threads, chat, calls, web forms, attachments, ~5% duplicate deliveries)
          with external ids new to this run. Each sender's messages, and the replies and resends that refer to
          them, go to one wrk thread, which has one connection and sends its list once, in order, so a reply or
          a resend goes out only after what it refers to was answered. Every status is checked (201 new, 200 a
          recognised resend). The batch is sized for --max-rate ingests/s, so no thread runs out in time; if
          one does, the run fails rather than resend or change the mix

Both wrk phases start with --warmup seconds of the same, unmeasured. wrk and its script (bench/ingest.lua,
driven from bench/ingest_wrk.py) cost little CPU, so unlike the httpx client this bench used before, the client
no longer limits the floor. It prints requests/s and p50/p90/p99 latency for both, the ratios ingest/floor, and
how much CPU the server, wrk and the rest of the machine used in each phase (so a busy neighbour shows). Absolute
numbers depend on the machine; the ratios are what to compare between runs and machines. Exits 1 if any check
fails, any answer has an unexpected status, or wrk saw socket errors or timeouts.

    .venv/bin/python bench/ingest.py                      # SQLite in a temp dir, 20 s of ingest, concurrency 8
    .venv/bin/python bench/ingest.py --json bench/results/ingest.json
    .venv/bin/python bench/ingest.py --database-url postgresql+asyncpg://u:p@127.0.0.1/throwaway

wrk is the Debian package `wrk` (installed with apt-get when missing and run as root). --database-url must point
at a THROWAWAY database: it is migrated, seeded with the demo city if it has no agencies, and then receives
thousands of benchmark citizens, conversations and work items.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import math
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

import ingest_wrk  # this script's directory is on sys.path: the wrk side of this benchmark
from ingest_wrk import FLOOR_PATH, INGEST_PATH, Phase

HOST = "127.0.0.1"

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
VERIFY_CAP_S = 120.0  # hard cap on the untimed verify phase
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


def finish(result: dict[str, Any], json_path: Path | None) -> int:
    """A benchmark's end: its results written to `json_path` when one was given; 1 if they were not ok, else 0."""
    if json_path:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(result, indent=2) + "\n")
        print(f"wrote {json_path}")
    return 0 if result["ok"] else 1


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
    return Workload(items, mix(items))


def mix(items: Sequence[ingest_wrk.Request]) -> dict[str, int]:
    """How many of each kind, with attachments, and with a phone number written in national format."""
    counts = Counter(i.label for i in items)
    counts["with_attachment"] = sum(i.attachment for i in items)
    counts["national_format_phone"] = sum(
        1 for i in items if i.identity and i.identity[0] == "phone" and i.body and b'"value":"+' not in i.body
    )
    return dict(sorted(counts.items()))


# --------------------------------------------------------------------------------------------- verify


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


class Runner:
    """Sends a workload with httpx at bounded concurrency and checks every answer in full (the verify phase).

    A request with `after` waits until that one was answered; the wait is not counted in its latency.
    """

    def __init__(self, client: httpx.AsyncClient, api_key: str) -> None:
        self.client = client
        self.headers = {"authorization": f"Bearer {api_key}", "content-type": "application/json"}

    async def run(self, name: str, items: list[Item], concurrency: int, time_limit: float) -> Run:
        checks = Checks()
        answers: dict[int, dict[str, Any]] = {}
        done = {item.index: asyncio.Event() for item in items}
        latencies: list[tuple[str, bool, float]] = []
        errors = 0
        citizens: dict[tuple[str, str], set[str]] = {}
        cursor = iter(items)
        started = time.perf_counter()
        deadline = started + time_limit
        truncated = False

        def fail(message: str) -> None:
            if len(checks.failures) < 20:
                checks.failures.append(message)

        async def worker() -> None:
            nonlocal errors, truncated
            for item in cursor:
                await asyncio.sleep(0)  # let the other workers in, so none starves inside the connection pool
                if time.perf_counter() >= deadline:
                    truncated = True
                    return
                try:
                    if item.after is not None:
                        await asyncio.wait_for(done[item.after].wait(), max(deadline - time.perf_counter(), 0.01))
                    t0 = time.perf_counter()
                    response = await self.client.post(item.path, content=item.body, headers=self.headers)
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
                if response.status_code not in (200, 201):
                    errors += 1
                    fail(f"#{item.index} {item.label}: HTTP {response.status_code} {response.text[:300]}")
                else:
                    self._check(item, response, answers, checks, citizens, fail)
                done[item.index].set()

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        total = time.perf_counter() - started
        if truncated:
            fail(f"{name}: hit its {time_limit:.0f} s cap before every request was answered, so not all was checked")
        checks.senders = len(citizens)
        checks.senders_split = sum(1 for ids in citizens.values() if len(ids) > 1)
        phase = self.summarise(name, latencies, errors, total)
        phase.planned, phase.truncated = len(items), truncated
        return Run(phase, checks)

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
    def summarise(name: str, latencies: list[tuple[str, bool, float]], errors: int, total: float) -> Phase:
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
            completed=len(ms),
            errors=errors,
            elapsed_s=round(total, 3),
            requests_per_s=round(len(ms) / total, 1) if total > 0 else 0.0,
            p50_ms=round(percentile(ms, 50), 2),
            p90_ms=round(percentile(ms, 90), 2),
            p99_ms=round(percentile(ms, 99), 2),
            mean_ms=round(sum(ms) / len(ms), 2) if ms else float("nan"),
            max_ms=round(ms[-1], 2) if ms else float("nan"),
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


def machine_info(database_url: str, db_version: str, wrk: str | None = None) -> dict[str, Any]:
    """The machine, the stack and the database; `wrk`: the load generator's binary (else httpx is the client)."""

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
        "client": ingest_wrk.wrk_version(wrk) if wrk else f"httpx {version('httpx')}",
        "verify_client": f"httpx {version('httpx')}",
        "fastapi": version("fastapi"),
        "sqlalchemy": version("sqlalchemy"),
    }


# --------------------------------------------------------------------------------------------- main


async def verify(base_url: str, api_key: str, items: list[Item], concurrency: int) -> Run:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30.0, trust_env=False) as client:
        return await Runner(client, api_key).run("verify", items, concurrency, VERIFY_CAP_S)


def measure(
    base_url: str, api_key: str, args: argparse.Namespace, tag: str, server_pid: int, wrk: str
) -> dict[str, Any]:
    """The verify phase (httpx, untimed), then the timed phases with wrk (bench/ingest_wrk.py)."""
    print(f"  verify: {args.verify} ingests with httpx, every answer checked ...", end="", flush=True)
    verify_items = build_workload(args.verify, seed=args.seed + 2, tag=f"{tag}v").items
    checked = asyncio.run(verify(base_url, api_key, verify_items, args.concurrency))
    print(f" {checked.phase.requests_per_s:.1f} req/s", flush=True)
    # Sized for --max-rate ingests/s over the whole time, far above what one server process does, so no wrk thread
    # comes to the end of its list (the run fails if one does).
    workload = build_workload(math.ceil(args.max_rate * args.duration), seed=args.seed, tag=tag).items
    warmup = build_workload(math.ceil(args.max_rate * args.warmup), seed=args.seed + 1, tag=f"{tag}w").items
    timed = ingest_wrk.timed_phases(wrk, base_url, api_key, server_pid, workload, warmup, args)
    checks = checked.checks
    failures = checks.failures + timed.failures
    if not checks.ok() and not checks.failures:
        failures.append("verify: a check failed (see the counts above)")
    return {
        "workload": mix([item for sent in timed.sent for item in sent]),
        "lists": {
            "prepared": len(workload),
            "per_thread": timed.lists,
            "sent_per_thread": [len(sent) for sent in timed.sent],
        },
        "phases": {k: asdict(v) for k, v in {**timed.phases, "verify": checked.phase}.items()},
        "ratios": ingest_wrk.ratios(timed.phases),
        "checks": asdict(checks),
        "failures": failures,
        "wrk": timed.raw,
        "ok": not failures,
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--duration", type=int, default=20, help="seconds of ingest, and as many of floor split around it (default 20)"
    )
    parser.add_argument(
        "--concurrency", type=int, default=8, help="wrk threads, one connection each; verify concurrency (default 8)"
    )
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured seconds of each wrk phase first (default 3)")
    parser.add_argument("--verify", type=int, default=600, help="untimed ingests checked in full first (default 600)")
    parser.add_argument(
        "--max-rate",
        type=float,
        default=500.0,
        help="ingests/s the timed workload is sized for, well above what one server process does (default 500)",
    )
    parser.add_argument("--seed", type=int, default=2026, help="random seed of the workload (default 2026)")
    parser.add_argument("--seed-citizens", type=int, default=100, help="demo citizens to seed first (default 100)")
    parser.add_argument(
        "--database-url",
        help="use this THROWAWAY database instead of a fresh SQLite file (migrated, seeded, then written to)",
    )
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    if args.duration < 2 or args.concurrency < 1 or args.warmup < 0 or args.verify < 100:
        parser.error("--duration must be at least 2, --concurrency positive, --warmup not negative, --verify >= 100")
    if args.max_rate * args.duration < 20 * args.concurrency:
        parser.error("--max-rate x --duration must give every wrk thread at least 20 ingests")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started_at = datetime.now(UTC)
    t0 = time.perf_counter()
    tag = secrets.token_hex(4)
    wrk = ingest_wrk.ensure_wrk()
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
            outcome = measure(base_url, api_key, args, tag, proc.pid, wrk)
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
        "machine": {"load_average_at_start": load_at_start, **machine_info(database_url, db_version, wrk)},
        "config": {
            "duration_s": args.duration,
            "concurrency": args.concurrency,
            "warmup_s": args.warmup,
            "verify": args.verify,
            "max_rate": args.max_rate,
            "seed": args.seed,
            "seed_citizens": args.seed_citizens,
            "database": shown_url if args.database_url else "sqlite (fresh temp file)",
        },
        **outcome,
        "total_seconds": round(time.perf_counter() - t0, 1),
    }
    ingest_wrk.print_report(result)
    return finish(result, args.json)


if __name__ == "__main__":
    sys.exit(main())
