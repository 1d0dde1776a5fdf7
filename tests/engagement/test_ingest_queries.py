"""Ingestion reads and writes a fixed number of rows, however long the citizen's history."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import create_agency
from townsquare.app import Runtime
from townsquare.citizens.models import IdentityKind
from townsquare.engagement.messages import InboundMessage, Sender
from townsquare.interactions.models import Channel


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(statement.split()[0].upper())

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def _ingest(runtime: Runtime, n: int) -> list[str]:
    message = InboundMessage(
        channel=Channel.sms,
        text=f"message {n}",
        sender=Sender(IdentityKind.phone, "+16135550142"),
        external_id=f"SM{n}",
    )
    async with runtime.db.session() as s:
        with statements(runtime.db.engine) as seen:
            await runtime.pipeline.ingest(s, message)
    return seen


async def test_ingest_statement_count_does_not_grow_with_history(runtime: Runtime) -> None:
    async with runtime.db.session() as s:
        await create_agency(s)
        await s.commit()
    await _ingest(runtime, 0)
    second = await _ingest(runtime, 1)
    for n in range(2, 40):
        await _ingest(runtime, n)
    fortieth = await _ingest(runtime, 40)
    assert second == fortieth
    # BEGIN (SQLite), 6 reads, 3 writes, and the savepoint that catches a racing redelivery
    assert len(fortieth) <= 12, fortieth
