"""What the soak reads from the database, with plain SQL (the tables' own columns, read-only, a new connection each
time so a restarted PostgreSQL is no matter): the inbound interactions, the offers, the outbox, and the outbox's
backlog while the chaos runs.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from .counting import Offer, OutboxRow, Recorded
from .standin import content_key


def epoch(value: datetime | None) -> float | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


def engine(database_url: str) -> AsyncEngine:
    """An engine that keeps no connection between reads."""
    return create_async_engine(database_url, poolclass=NullPool, connect_args={"timeout": 5, "command_timeout": 30})


async def _fetch(db: AsyncEngine, sql: str) -> list[Any]:
    async with db.connect() as conn:
        return list((await conn.execute(text(sql))).mappings())


async def inbound(db: AsyncEngine) -> list[Recorded]:
    rows = await _fetch(db, "SELECT channel, external_id, body FROM interactions WHERE direction = 'inbound'")
    return [Recorded(str(r["channel"]), r["external_id"], r["body"] or "") for r in rows]


async def offers(db: AsyncEngine) -> list[Offer]:
    rows = await _fetch(db, "SELECT work_item_id, staff_id, offered_at, released_at FROM work_offers")
    return [
        Offer(str(r["work_item_id"]), str(r["staff_id"]), epoch(r["offered_at"]) or 0.0, epoch(r["released_at"]))
        for r in rows
    ]


def _payload(raw: Any) -> dict[str, Any]:
    if isinstance(raw, str):
        raw = json.loads(raw)
    return raw if isinstance(raw, dict) else {}


async def outbox(db: AsyncEngine) -> dict[str, list[OutboxRow]]:
    """The outbox rows of the providers the stand-in plays, by provider, each under the key the stand-in files
    its requests by: the idempotency key Twilio is given, the text (its marker) Graph is given."""
    rows = await _fetch(db, "SELECT channel, idempotency_key, recipient, payload, sent_at FROM outbox")
    found: dict[str, list[OutboxRow]] = {"twilio": [], "graph": []}
    for r in rows:
        if r["channel"] == "sms":
            found["twilio"].append(OutboxRow(r["idempotency_key"], epoch(r["sent_at"])))
        elif r["channel"] == "meta":
            payload = _payload(r["payload"])
            text = str(payload.get("text", "")) + (f"\n{payload['link']}" if payload.get("link") else "")
            found["graph"].append(OutboxRow(content_key(r["recipient"], text), epoch(r["sent_at"])))
    return found


async def backlog(db: AsyncEngine) -> tuple[int, float | None]:
    """Outbox messages not yet sent (or given up on), and the oldest due time among them."""
    pending = "SELECT count(*) AS n, min(next_attempt_at) AS due FROM outbox WHERE status = 'pending'"
    row = (await _fetch(db, pending))[0]
    return int(row["n"]), epoch(row["due"])


async def queued_work(db: AsyncEngine) -> dict[str, int]:
    rows = await _fetch(db, "SELECT status, count(*) AS n FROM work_items GROUP BY status")
    return {str(r["status"]): int(r["n"]) for r in rows}
