"""Whose is the work that arrived while two people were merged: the rule an undo follows, by handle.

Run once the recorded rows are back with the merged person. What came after the merge and is still the
survivor's goes back only when a handle says so:
- an interaction that came from one of the merged person's identities (as recorded at the merge);
- a conversation begun after the merge whose inbound interactions all came from those identities (at least one);
- a case opened after the merge that every conversation naming it now belongs to the merged person (at least one);
- the work items, notifications, reminders, interactions (replies, notes) and letters hanging off what went back;
- a source record received after the merge, a later version of a record (same system, same key) of the merged
  person's.
Anything with no handle (a case staff opened for the survivor, a draft, a follow) stays with the survivor.
Reads only; the caller moves the rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Table, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.cases.models import Case
from townsquare.db import Base
from townsquare.engagement.merge_rows import Rows
from townsquare.interactions.models import Conversation, Direction, Interaction
from townsquare.matching.models import SourceRecord

# Rows that follow their thread back, by the columns that name it; in this order (a letter follows its interaction).
BY_THREAD: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("interactions", ("conversation_id", "case_id")),
    ("work_items", ("conversation_id", "case_id")),
    ("notifications", ("conversation_id", "case_id")),
    ("reminders", ("case_id",)),
    ("letters", ("interaction_id",)),
)


async def attributed(
    session: AsyncSession,
    *,
    survivor_id: uuid.UUID,
    merged_id: uuid.UUID,
    identities: Collection[uuid.UUID],
    since: datetime,
) -> list[Rows]:
    """The survivor's rows made since `since` that belong to the merged person by the rules above."""
    found: list[Rows] = []
    by_handle = select(Interaction.id).where(
        Interaction.citizen_id == survivor_id, Interaction.created_at >= since, Interaction.identity_id.in_(identities)
    )
    handled = set((await session.execute(by_handle)).scalars())
    _add(found, "interactions", handled)
    conversations = await _conversations(session, survivor_id, identities, since)
    _add(found, "conversations", conversations)
    cases = await _cases(session, survivor_id, merged_id, conversations, since)
    _add(found, "cases", cases)
    named = {"conversation_id": conversations, "case_id": cases, "interaction_id": set(handled)}
    for name, columns in BY_THREAD:
        table: Table = Base.metadata.tables[name]
        anchors = [table.c[c].in_(named[c]) for c in columns if named[c]]
        if not anchors:
            continue
        query = select(table.c.id).where(table.c.citizen_id == survivor_id, table.c.created_at >= since)
        rows = set((await session.execute(query.where(or_(*anchors)))).scalars())
        rows -= handled if name == "interactions" else set()
        _add(found, name, rows)
        if name == "interactions":
            named["interaction_id"] |= rows
    _add(found, "source_records", await _later_versions(session, survivor_id, merged_id, since))
    return found


async def _later_versions(
    session: AsyncSession, survivor_id: uuid.UUID, merged_id: uuid.UUID, since: datetime
) -> set[uuid.UUID]:
    """The survivor's source records received since the merge that update a record of the merged person's."""
    theirs = select(SourceRecord.source, SourceRecord.source_key).where(SourceRecord.citizen_id == merged_id)
    keys = {(source, key) for source, key in (await session.execute(theirs)).all()}
    if not keys:
        return set()
    since_merge = select(SourceRecord.id, SourceRecord.source, SourceRecord.source_key).where(
        SourceRecord.citizen_id == survivor_id, SourceRecord.received_at >= since
    )
    return {i for i, source, key in (await session.execute(since_merge)).all() if (source, key) in keys}


def _add(found: list[Rows], name: str, ids: Collection[uuid.UUID]) -> None:
    if ids:
        found.append(Rows(name, "citizen_id", ["id"], sorted([str(i)] for i in ids)))


async def _conversations(
    session: AsyncSession, survivor_id: uuid.UUID, identities: Collection[uuid.UUID], since: datetime
) -> set[uuid.UUID]:
    begun = select(Conversation.id).where(Conversation.citizen_id == survivor_id, Conversation.created_at >= since)
    candidates = set((await session.execute(begun)).scalars())
    if not candidates:
        return set()
    inbound = select(Interaction.conversation_id, Interaction.identity_id).where(
        Interaction.conversation_id.in_(candidates), Interaction.direction == Direction.inbound
    )
    handles: dict[uuid.UUID | None, set[uuid.UUID | None]] = {}
    for conversation_id, identity_id in (await session.execute(inbound)).all():
        handles.setdefault(conversation_id, set()).add(identity_id)
    mine = set(identities)
    return {c for c, seen in handles.items() if c is not None and seen and all(i in mine for i in seen)}


async def _cases(
    session: AsyncSession,
    survivor_id: uuid.UUID,
    merged_id: uuid.UUID,
    conversations: set[uuid.UUID],
    since: datetime,
) -> set[uuid.UUID]:
    opened = select(Case.id).where(Case.citizen_id == survivor_id, Case.created_at >= since)
    candidates = set((await session.execute(opened)).scalars())
    if not candidates:
        return set()
    naming = select(Conversation.case_id, Conversation.id, Conversation.citizen_id).where(
        Conversation.case_id.in_(candidates)
    )
    owners: dict[uuid.UUID | None, list[bool]] = {}
    for case_id, conversation_id, citizen_id in (await session.execute(naming)).all():
        owners.setdefault(case_id, []).append(conversation_id in conversations or citizen_id == merged_id)
    return {case_id for case_id, theirs in owners.items() if case_id is not None and theirs and all(theirs)}
