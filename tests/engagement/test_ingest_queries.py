"""Ingestion reads and writes a fixed number of rows, however long the citizen's history."""

from __future__ import annotations

from tests.factories import create_agency
from tests.support.db import record_statements
from townsquare.app import Runtime
from townsquare.citizens.models import IdentityKind
from townsquare.engagement.messages import InboundMessage, Sender
from townsquare.interactions.models import Channel


async def _ingest(runtime: Runtime, n: int) -> list[str]:
    message = InboundMessage(
        channel=Channel.sms,
        text=f"message {n}",
        sender=Sender(IdentityKind.phone, "+16135550142"),
        external_id=f"SM{n}",
    )
    async with runtime.db.session() as s:
        with record_statements(runtime.db.engine) as seen:
            await runtime.pipeline.ingest(s, message)
    return seen.verbs


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
