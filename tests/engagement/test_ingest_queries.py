"""Ingestion reads and writes a fixed number of rows, however long the citizen's history: what a contact must read
about the person and their conversation, and nothing about the configuration it was read with a moment ago."""

from __future__ import annotations

from tests.factories import create_agency
from tests.support.db import Statements, record_statements
from townsquare.app import Runtime
from townsquare.citizens.models import IdentityKind
from townsquare.engagement.messages import InboundMessage, Sender
from townsquare.interactions.models import Channel

KNOWN = "+16135550142"


async def _ingest(runtime: Runtime, n: int, phone: str = KNOWN) -> Statements:
    message = InboundMessage(
        channel=Channel.sms,
        text=f"message {n}",
        sender=Sender(IdentityKind.phone, phone),
        external_id=f"SM{n}",
    )
    async with runtime.db.session() as s:
        with record_statements(runtime.db.engine) as seen:
            await runtime.pipeline.ingest(s, message)
    return seen


def _tables(seen: Statements) -> list[str]:
    """Each statement as its verb and the table it reads or writes."""
    out = []
    for statement in seen.queries:
        words = statement.replace("\n", " ").split()
        verb = words[0].upper()
        keyword = {"SELECT": "FROM", "INSERT": "INTO", "UPDATE": "UPDATE"}[verb]
        out.append(f"{verb} {words[words.index(keyword) + 1]}")
    return out


def _savepoints(seen: Statements) -> int:
    return sum(1 for s in seen if s.upper().startswith("SAVEPOINT"))


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
    # The savepoint that catches a racing redelivery (PostgreSQL; SQLite has its BEGIN), 4 reads, 4 writes.
    assert _savepoints(fortieth) == (0 if runtime.db.dialect == "sqlite" else 1)
    assert _tables(fortieth) == [
        "SELECT interactions",  # delivered before?
        "SELECT identities",  # with its citizen
        "SELECT conversations",  # the one they were active in lately
        "INSERT interactions",
        "UPDATE conversations",  # active now
        "SELECT work_items",  # the conversation's open work
        "UPDATE work_items",  # touched: it keeps its place
        "INSERT analytics_touches",
    ]
    assert len(fortieth) <= 10, fortieth


async def test_a_new_senders_contact_reads_only_what_may_already_know_them(runtime: Runtime) -> None:
    async with runtime.db.session() as s:
        await create_agency(s)
        await s.commit()
    await _ingest(runtime, 0)  # the configuration is read once, and the matching base's size
    first = await _ingest(runtime, 1, "+16135550999")
    assert _savepoints(first) == (0 if runtime.db.dialect == "sqlite" else 1)
    assert _tables(first) == [
        "SELECT interactions",
        "SELECT identities",
        "INSERT citizens",
        "INSERT identities",
        "SELECT source_records",  # the handle's earlier record, if any
        "SELECT source_records",  # the people whose records it may be
        "INSERT source_records",
        "INSERT match_decisions",
        "INSERT conversations",  # no conversation nor work item to look for: the person is new
        "INSERT interactions",
        "INSERT work_items",
        "INSERT analytics_touches",
    ]
