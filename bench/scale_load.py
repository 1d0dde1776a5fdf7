"""Bulk load of a city-sized population into a THROWAWAY PostgreSQL database, for bench/scale.py.

Set-based SQL only (`INSERT … SELECT … FROM generate_series`), chunked by ranges of residents so each chunk is one
statement per table family and a progress bar can follow it. Rows are what the product itself writes (its enum
names, JSON shapes, normalised identities, foreign keys); it reads the catalogue, staff and knowledge the demo
seeded, and never touches a database that was not migrated and seeded for this purpose.
"""

from __future__ import annotations

import hashlib
import importlib
import math
import secrets
import struct
import sys
import time
import unicodedata
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, text
from sqlalchemy.ext.asyncio import AsyncConnection

import scale_sql as people  # this script's directory is on sys.path
import scale_sql_contact as contact
from scale_sql import SETUP, SYNTHETIC_STAFF, Phase, Step

PHASES = (
    Phase("citizens, identities", (Step(people.CITIZENS), Step("ANALYZE scale_citizen", chunked=False))),
    Phase(
        "cases (plan, references, rows)",
        (
            Step(people.CASE_PLAN),
            Step("ANALYZE scale_case", chunked=False),
            Step(people.CASE_REFERENCES, chunked=False),
            Step(people.CASES),
        ),
    ),
    Phase(
        "conversations",
        (
            Step(people.CONV_CASES),
            Step(people.CONV_OTHER),
            Step("ANALYZE scale_conv", chunked=False),
            Step(people.CONVERSATIONS),
        ),
    ),
    Phase("interactions, attachments, knowledge answers", (Step(contact.INTERACTIONS),)),
    Phase("case history: case_updates, timeline, audit", (Step(contact.STEPS),)),
    Phase("work items, offers, transfers", (Step(contact.WORK), Step(contact.ASSIGN, chunked=False))),
    Phase(
        "open311, assistant sessions, audit reads",
        tuple(Step(s) for s in (contact.OPEN311, contact.ASSISTANT, contact.AUDIT_READS)),
    ),
)

# The demo's channel mix (demo/history.py); a channel is open to a resident only with the identity it needs.
CHANNEL_WEIGHTS = {
    "web": 24, "voice": 20, "sms": 15, "email": 15, "chat": 12, "counter": 5, "social": 4, "mail": 3, "mobile": 2,
}  # fmt: skip
NEEDS = {"voice": "phone", "sms": "phone", "email": "email", "chat": "device"}


def tiny_png() -> bytes:
    """A valid one-pixel transparent PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(5))) + chunk(b"IEND", b"")


BLOBS = (  # small files the attachment rows point at; written into the server's attachment store
    ("photo.png", "image/png", tiny_png()),
    ("letter.pdf", "application/pdf", b"%PDF-1.4\n% Townsquare scale benchmark\n%%EOF\n"),
    ("notes.txt", "text/plain", b"Attached by a resident in the scale benchmark.\n"),
)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def channel_mix(phone: bool, email: bool, device: bool) -> list[str]:
    """100 channels in the demo's proportions, leaving out those the resident has no identity for."""
    held = {"phone": phone, "email": email, "device": device}
    weights = {c: w for c, w in CHANNEL_WEIGHTS.items() if c not in NEEDS or held[NEEDS[c]]}
    total = sum(weights.values())
    mix = [c for c, w in weights.items() for _ in range(round(100 * w / total))]
    return (mix + ["web"] * 100)[:100]


def ascii_word(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def names(seed: int) -> tuple[list[tuple[str, int, str, str]], list[tuple[int, str, str]]]:
    """Given names per language and family names, from Faker's Canadian locales (deterministic)."""
    from faker import Faker

    faker = Faker(["en_CA", "fr_CA"])
    faker.seed_instance(seed)
    given: list[tuple[str, int, str, str]] = []
    for lang, locale in (("en", "en_CA"), ("fr", "fr_CA")):
        seen = sorted({faker[locale].first_name() for _ in range(3000)})
        given += [(lang, i, n, ascii_word(n) or "resident") for i, n in enumerate(seen, start=1)]
    family = sorted({faker.last_name() for _ in range(6000)})
    return given, [(i, n, ascii_word(n) or "resident") for i, n in enumerate(family, start=1)]


def phrases() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The demo city's words: openers per service and language; follow-ups and replies per language."""
    from townsquare.demo.city import city

    said = city().phrases
    openers = [
        {"code": code, "lang": lang, "texts": texts}
        for code, by_lang in said.openers.items()
        for lang, texts in by_lang.items()
    ]
    per_lang = []
    for lang in ("en", "fr"):
        follow, reply = said.follow_ups.get(lang, []), said.replies.get(lang, [])
        per_lang.append(
            {
                "lang": lang,
                "follow": follow or ["Any news?"],
                "follow_plain": [t for t in follow if "{ref}" not in t] or ["Thank you."],
                "reply": reply or ["We are looking into it."],
                "reply_plain": [t for t in reply if "{ref}" not in t] or ["Thank you for your message."],
            }
        )
    return openers, per_lang


# --------------------------------------------------------------------------------------------- progress


class Progress:
    """A progress bar per phase: tqdm when the venv has it, else a line redrawn in place."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.done, self.started = label, total, 0, time.perf_counter()
        self._tqdm: Any = None
        try:
            tqdm = importlib.import_module("tqdm")
            self._tqdm = tqdm.tqdm(total=total, desc=f"  {label}", unit="chunk", leave=True)
        except ImportError:
            self._draw()

    def advance(self) -> None:
        self.done += 1
        if self._tqdm is not None:
            self._tqdm.update(1)
        else:
            self._draw()

    def _draw(self) -> None:
        width = 30
        filled = width * self.done // max(self.total, 1)
        elapsed = time.perf_counter() - self.started
        bar = "#" * filled + "." * (width - filled)
        print(f"\r  {self.label:<44} [{bar}] {self.done}/{self.total} {elapsed:7.1f}s", end="", flush=True)

    def close(self) -> float:
        if self._tqdm is not None:
            self._tqdm.close()
        else:
            print(file=sys.stdout, flush=True)
        return time.perf_counter() - self.started


# --------------------------------------------------------------------------------------------- loading


@dataclass
class LoadReport:
    citizens: int
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)  # label → seconds
    rows: dict[str, int] = field(default_factory=dict)  # table → rows after loading
    problems: list[str] = field(default_factory=list)  # rows the product could not read as it reads its own


TABLES = (
    "citizens", "identities", "cases", "case_updates", "conversations", "interactions", "attachments",
    "work_items", "work_offers", "work_item_transfers", "audit_log", "knowledge_answers", "assistant_sessions",
    "open311_requests", "staff_accounts", "agents",
)  # fmt: skip


def chunks(total: int, size: int) -> Iterator[tuple[int, int]]:
    for lo in range(1, total + 1, size):
        yield lo, min(lo + size - 1, total)


def heavy_every(citizens: int) -> int:
    """Every how many residents one is a heavy user: 10 to 100 of them (600+ contacts each)."""
    heavy = max(10, min(100, citizens // 1000))
    return max(2, citizens // heavy)


class Loader:
    """Loads `citizens` residents and their contact over `days` (two years unless told) over one connection (temp
    tables live in it); `extra` phases run after the loader's own, on the same plan tables, before VACUUM."""

    def __init__(
        self,
        conn: AsyncConnection,
        citizens: int,
        *,
        now: datetime,
        prefix: str,
        seed: int,
        days: int = 730,
        extra: tuple[Phase, ...] = (),
    ) -> None:
        self.conn, self.citizens, self.now, self.prefix, self.seed = conn, citizens, now, prefix, seed
        self.days, self.extra = days, extra
        self.chunk = max(1000, min(25_000, math.ceil(citizens / 40)))
        self.report = LoadReport(citizens)

    async def sql(self, statement: str, **params: Any) -> int:
        result = await self.conn.execute(text(statement), params)
        return max(int(result.rowcount or 0), 0)

    async def run(self) -> LoadReport:
        started = time.perf_counter()
        await self._prepare()
        for phase in (*PHASES, *self.extra):
            await self._phase(phase)
        bar = Progress("VACUUM (ANALYZE) every table", 1)
        await self.conn.exec_driver_sql("VACUUM (ANALYZE)")
        bar.advance()
        self.report.phases["vacuum analyze"] = round(bar.close(), 1)
        for table in TABLES:
            count = (await self.conn.exec_driver_sql(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608
            self.report.rows[table] = int(count)
        bar = Progress("checks: enums, JSON types, ORM reads", 1)
        self.report.problems = await check_rows(self.conn)
        bar.advance()
        self.report.phases["checks"] = round(bar.close(), 1)
        self.report.seconds = round(time.perf_counter() - started, 1)
        return self.report

    async def _phase(self, phase: Phase) -> None:
        spans = list(chunks(self.citizens, self.chunk))
        bar = Progress(phase.label, sum(len(spans) if step.chunked else 1 for step in phase.steps))
        for step in phase.steps:
            for lo, hi in spans if step.chunked else [(1, self.citizens)]:
                await self.sql(step.sql, lo=lo, hi=hi)
                bar.advance()
        self.report.phases[phase.label] = round(bar.close(), 1)

    async def _prepare(self) -> None:
        bar = Progress("lookups, synthetic staff", 3)
        for statement in SETUP.session:
            await self.conn.exec_driver_sql(statement)
        await self.sql("SELECT setseed(:seed)", seed=(self.seed % 1000) / 1000)
        given, family = names(self.seed)
        key = (await self.conn.exec_driver_sql(SETUP.open311_key)).scalar_one_or_none()
        await self.sql(
            SETUP.params,
            now=self.now,
            days=self.days,
            n=self.citizens,
            heavy_every=heavy_every(self.citizens),
            prefix=self.prefix,
            key=key,
            n_given_en=sum(1 for g in given if g[0] == "en"),
            n_given_fr=sum(1 for g in given if g[0] == "fr"),
            n_family=len(family),
        )
        await self._names(given, family)
        bar.advance()
        await self._vocabulary()
        bar.advance()
        from townsquare.staff.service import hash_password

        staff = max(0, self.citizens // 5000)  # a desk of one agent per 5,000 residents, beside the demo's staff
        if staff:
            await self.sql(SYNTHETIC_STAFF, count=staff, password_hash=hash_password(secrets.token_urlsafe(24)))
        for statement in SETUP.lookups:
            await self.conn.exec_driver_sql(statement)
        bar.advance()
        self.report.phases["lookups, synthetic staff"] = round(bar.close(), 1)

    async def _names(self, given: list[tuple[str, int, str, str]], family: list[tuple[int, str, str]]) -> None:
        await self.conn.execute(
            text("INSERT INTO s_given (lang, idx, name, ascii) VALUES (:lang, :idx, :name, :ascii)"),
            [{"lang": g[0], "idx": g[1], "name": g[2], "ascii": g[3]} for g in given],
        )
        await self.conn.execute(
            text("INSERT INTO s_family (idx, name, ascii) VALUES (:idx, :name, :ascii)"),
            [{"idx": f[0], "name": f[1], "ascii": f[2]} for f in family],
        )

    async def _vocabulary(self) -> None:
        from townsquare.assistant.phrases import QUICK_REPLIES

        openers, per_lang = phrases()
        await self.conn.execute(text("INSERT INTO s_opener (code, lang, texts) VALUES (:code, :lang, :texts)"), openers)
        for row in per_lang:
            row["quick"] = list(QUICK_REPLIES.get(row["lang"], ("Yes", "No")))
        await self.conn.execute(
            text(
                "INSERT INTO s_phrase (lang, follow, follow_plain, reply, reply_plain, quick) "
                "VALUES (:lang, :follow, :follow_plain, :reply, :reply_plain, :quick)"
            ),
            per_lang,
        )
        mixes = []
        for profile in range(8):
            phone, email, device = bool(profile & 1), bool(profile & 2), bool(profile & 4)
            mixes.append({"profile": profile, "mix": channel_mix(phone, email, device)})
        await self.conn.execute(text("INSERT INTO s_chan (profile, mix) VALUES (:profile, :mix)"), mixes)
        blobs = [
            {"idx": i, "filename": f, "content_type": t, "size": len(b), "sha": sha256(b)}
            for i, (f, t, b) in enumerate(BLOBS, start=1)
        ]
        await self.conn.execute(
            text(
                "INSERT INTO s_blob (idx, filename, content_type, size, sha)"
                " VALUES (:idx, :filename, :content_type, :size, :sha)"
            ),
            blobs,
        )


async def load(
    conn: AsyncConnection,
    citizens: int,
    *,
    now: datetime,
    prefix: str = "TS",
    seed: int = 2026,
    days: int = 730,
    extra: tuple[Phase, ...] = (),
) -> LoadReport:
    """Load `citizens` residents with `days` of contact (two years unless told), then any `extra` phases; returns
    how long each phase took and the row counts."""
    return await Loader(conn, citizens, now=now, prefix=prefix, seed=seed, days=days, extra=extra).run()


def json_kind(model: type, column: str) -> tuple[str, bool] | None:
    """The JSON type a model declares for a column ("object" or "array") and whether it may be null."""
    for klass in model.__mro__:
        hint = str(getattr(klass, "__annotations__", {}).get(column, ""))
        if hint:
            kind = "object" if "dict[" in hint else "array" if "list[" in hint else None
            return (kind, "None" in hint) if kind else None
    return None


async def _distinct(conn: AsyncConnection, table: Any, model: type) -> list[str]:
    """Every enum value and JSON type a table holds, in one pass, against what its model allows."""
    enums = {c.name: set(c.type.enums) for c in table.columns if isinstance(c.type, Enum)}
    jsons = {c.name: k for c in table.columns if isinstance(c.type, JSON) and (k := json_kind(model, c.name))}
    if not enums and not jsons:
        return []
    shown = [f'"{name}"::text' for name in enums] + [f'jsonb_typeof("{name}"::jsonb)' for name in jsons]
    columns = ", ".join(shown)
    query = f'SELECT {columns} FROM "{table.name}" GROUP BY {columns}'  # noqa: S608 - names from the models
    rows = (await conn.exec_driver_sql(query)).all()
    problems = []
    for i, (name, allowed) in enumerate(enums.items()):
        wrong = {row[i] for row in rows} - allowed - {None}
        if wrong:
            problems.append(f"{table.name}.{name} holds {sorted(wrong)}, not one of the enum's names")
    for i, (name, (kind, nullable)) in enumerate(jsons.items(), start=len(enums)):
        wrong = {row[i] for row in rows} - {kind} - ({None, "null"} if nullable else {None})
        if wrong:
            problems.append(f"{table.name}.{name} holds JSON {sorted(wrong)} where the model expects {kind}")
    return problems


async def check_rows(conn: AsyncConnection) -> list[str]:
    """What the loader wrote, the product reads: enum columns hold only names its enums know, JSON columns the
    type its models declare, and the first and last 500 rows of every table load through the ORM."""
    from sqlalchemy import select
    from sqlalchemy.ext.asyncio import AsyncSession

    importlib.import_module("townsquare.app")  # registers every model
    from townsquare.db import Base

    problems: list[str] = []
    async with AsyncSession(bind=conn) as session:
        for mapper in sorted(Base.registry.mappers, key=lambda m: m.class_.__name__):
            problems += await _distinct(conn, mapper.local_table, mapper.class_)
            for descending in (True, False):
                order = [c.desc() if descending else c.asc() for c in mapper.primary_key]
                try:
                    (await session.execute(select(mapper.class_).order_by(*order).limit(500))).scalars().all()
                except Exception as exc:  # whatever the ORM refuses is a row the app cannot read
                    problems.append(f"{mapper.class_.__name__}: {type(exc).__name__}: {str(exc)[:300]}")
                session.expunge_all()
    return problems


def identity_samples(rows: list[tuple[str, str]], region: str = "CA") -> list[str]:
    """Identities whose stored value is not what the product's normaliser makes of it (should be none)."""
    from townsquare.citizens.kinds import IdentityKind
    from townsquare.citizens.service import normalise

    wrong = []
    for kind, value in rows:
        try:
            if normalise(IdentityKind(kind), value, region=region) != value:
                wrong.append(f"{kind} {value}")
        except Exception as exc:  # a Problem from the normaliser: not an identity the product would store
            wrong.append(f"{kind} {value}: {exc}")
    return wrong
