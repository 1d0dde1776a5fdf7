"""Conversations, interactions and the cross-channel timeline.

The timeline is read with a fixed number of queries, whatever its length.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from townsquare.clock import utcnow
from townsquare.db import keyset, new_id
from townsquare.errors import not_found
from townsquare.interactions.models import (
    Attachment,
    Channel,
    Conversation,
    ConversationStatus,
    DeliveryStatus,
    Direction,
    Interaction,
    InteractionKind,
)

# Timelines page by keyset: (occurred_at, id) of the oldest entry shown, newest first.
TimelineCursor = keyset.Position


def older_than(cursor: TimelineCursor) -> ColumnElement[bool]:
    """Interactions after `cursor` in newest-first order (older, or as old with a smaller id)."""
    return keyset.older_than(Interaction.occurred_at, Interaction.id, cursor)


# The lookups every contact makes, built once (building a statement cost more than running it on SQLite).
_BY_EXTERNAL_ID = select(Interaction).where(
    Interaction.channel == bindparam("channel"), Interaction.external_id == bindparam("external_id")
)
_RECENT_OPEN = (
    select(Conversation)
    .where(
        Conversation.citizen_id == bindparam("citizen_id"),
        Conversation.status == ConversationStatus.open,
        Conversation.last_activity_at >= bindparam("active_since"),
    )
    .order_by(Conversation.last_activity_at.desc())
    .limit(1)
)


async def find_by_external_id(session: AsyncSession, *, channel: Channel, external_id: str) -> Interaction | None:
    """The interaction a provider already delivered under this id on this channel."""
    params = {"channel": channel, "external_id": external_id}
    return (await session.execute(_BY_EXTERNAL_ID, params)).scalar_one_or_none()


async def conversation_by_external_refs(
    session: AsyncSession, *, channel: Channel, refs: Sequence[str]
) -> Conversation | None:
    """The conversation holding any of the referenced provider message ids (email In-Reply-To, References)."""
    if not refs:
        return None
    stmt = (
        select(Conversation)
        .join(Interaction, Interaction.conversation_id == Conversation.id)
        .where(Interaction.channel == channel, Interaction.external_id.in_(list(refs)))
        .order_by(Interaction.occurred_at.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def conversation_for_case(
    session: AsyncSession, *, case_id: uuid.UUID, citizen_id: uuid.UUID
) -> Conversation | None:
    """The citizen's most recent open conversation about a case."""
    stmt = (
        select(Conversation)
        .where(
            Conversation.case_id == case_id,
            Conversation.citizen_id == citizen_id,
            Conversation.status == ConversationStatus.open,
        )
        .order_by(Conversation.last_activity_at.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def recent_open_conversation(
    session: AsyncSession, *, citizen_id: uuid.UUID, active_since: datetime
) -> Conversation | None:
    """The citizen's open conversation with activity since the given time, on any channel."""
    params = {"citizen_id": citizen_id, "active_since": active_since}
    return (await session.execute(_RECENT_OPEN, params)).scalar_one_or_none()


async def start_conversation(
    session: AsyncSession,
    *,
    citizen_id: uuid.UUID,
    channel: Channel,
    case_id: uuid.UUID | None = None,
    subject: str | None = None,
    started_at: datetime | None = None,
) -> Conversation:
    """A new open conversation, active from `started_at` (the first contact's time; default now)."""
    conversation = Conversation(citizen_id=citizen_id, channel=channel, case_id=case_id, subject=subject)
    if started_at is not None:
        conversation.last_activity_at = started_at
    session.add(conversation)
    await session.flush()
    return conversation


async def get_conversation(session: AsyncSession, *, conversation_id: uuid.UUID) -> Conversation:
    """A conversation by id, or a 404 problem."""
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None:
        raise not_found("Conversation")
    return conversation


async def record(
    session: AsyncSession,
    *,
    conversation: Conversation,
    channel: Channel,
    direction: Direction,
    kind: InteractionKind,
    body: str,
    occurred_at: datetime | None = None,
    case_id: uuid.UUID | None = None,
    external_id: str | None = None,
    payload: dict[str, Any] | None = None,
    staff_id: uuid.UUID | None = None,
    delivery_status: DeliveryStatus | None = None,
    duration_seconds: int | None = None,
    attachments: Sequence[Attachment] = (),
    identity_id: uuid.UUID | None = None,
    interaction_id: uuid.UUID | None = None,
) -> Interaction:
    """Write one touchpoint on the conversation's citizen timeline and mark the conversation active (with
    `interaction_id`, under that id: a caller that writes the id into the payload needs no second statement)."""
    when = occurred_at or utcnow()
    interaction = Interaction(
        id=interaction_id or new_id(),
        conversation_id=conversation.id,
        citizen_id=conversation.citizen_id,
        case_id=case_id if case_id is not None else conversation.case_id,
        channel=channel,
        direction=direction,
        kind=kind,
        body=body,
        payload=payload or {},
        external_id=external_id,
        staff_id=staff_id,
        delivery_status=delivery_status,
        duration_seconds=duration_seconds,
        occurred_at=when,
        identity_id=identity_id,
    )
    session.add(interaction)
    await session.flush()
    for attachment in attachments:
        attachment.interaction_id = interaction.id
        session.add(attachment)
    conversation.last_activity_at = max(conversation.last_activity_at, when)
    if case_id is not None and conversation.case_id is None:
        conversation.case_id = case_id
    await session.flush()
    return interaction


async def get_interaction(session: AsyncSession, *, interaction_id: uuid.UUID) -> Interaction:
    """An interaction with its attachments, or a 404 problem."""
    stmt = select(Interaction).where(Interaction.id == interaction_id).options(selectinload(Interaction.attachments))
    interaction = (await session.execute(stmt)).scalar_one_or_none()
    if interaction is None:
        raise not_found("Interaction")
    return interaction


async def timeline(
    session: AsyncSession,
    *,
    citizen_id: uuid.UUID | None = None,
    case_id: uuid.UUID | None = None,
    conversation_id: uuid.UUID | None = None,
    before: tuple[datetime, uuid.UUID] | None = None,
    visible: ColumnElement[bool] | None = None,
    limit: int = 200,
) -> list[Interaction]:
    """Every channel's touchpoints in one scroll, newest first, with attachments; two queries in all.

    `before` is a (time, id) cursor; `visible`, when given, is the condition a shown touchpoint meets (the
    caller's agency scope on its case).
    """
    stmt = select(Interaction).options(selectinload(Interaction.attachments))
    if citizen_id is not None:
        stmt = stmt.where(Interaction.citizen_id == citizen_id)
    if case_id is not None:
        stmt = stmt.where(Interaction.case_id == case_id)
    if conversation_id is not None:
        stmt = stmt.where(Interaction.conversation_id == conversation_id)
    if before is not None:
        stmt = stmt.where(older_than(before))
    if visible is not None:
        stmt = stmt.where(visible)
    stmt = stmt.order_by(Interaction.occurred_at.desc(), Interaction.id.desc()).limit(limit)
    return list((await session.execute(stmt)).scalars())


async def last_inbound_channel(session: AsyncSession, *, conversation_id: uuid.UUID) -> Channel | None:
    """The channel the citizen last used in a conversation: where a reply goes by default."""
    stmt = (
        select(Interaction.channel)
        .where(Interaction.conversation_id == conversation_id, Interaction.direction == Direction.inbound)
        .order_by(Interaction.occurred_at.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def last_inbound(
    session: AsyncSession, *, conversation_id: uuid.UUID, channel: Channel | None = None
) -> Interaction | None:
    """The citizen's latest inbound touchpoint in a conversation, on one channel or any."""
    stmt = select(Interaction).where(
        Interaction.conversation_id == conversation_id, Interaction.direction == Direction.inbound
    )
    if channel is not None:
        stmt = stmt.where(Interaction.channel == channel)
    stmt = stmt.order_by(Interaction.occurred_at.desc(), Interaction.id.desc()).limit(1)
    return (await session.execute(stmt)).scalar_one_or_none()


async def set_delivery(
    session: AsyncSession,
    *,
    interaction_id: uuid.UUID,
    status: DeliveryStatus,
    external_id: str | None = None,
) -> None:
    """Record what the provider said about an outbound interaction.

    Delivered is never taken back by a later "sent" or "queued": a device's acknowledgement (web push) or a
    provider's delivery report can arrive before the outbox worker has written down that it sent the message.
    """
    interaction = await session.get(Interaction, interaction_id)
    if interaction is None:
        return
    if interaction.delivery_status is DeliveryStatus.delivered and status in (
        DeliveryStatus.queued,
        DeliveryStatus.sent,
    ):
        status = DeliveryStatus.delivered
    interaction.delivery_status = status
    if external_id and interaction.external_id is None:
        interaction.external_id = external_id
    await session.flush()


def _conversation_messages(conversation_id: uuid.UUID) -> Select[Interaction]:
    return select(Interaction).where(
        Interaction.conversation_id == conversation_id,
        Interaction.kind == InteractionKind.message,
        Interaction.direction.in_((Direction.inbound, Direction.outbound)),
    )


async def messages_after(
    session: AsyncSession,
    *,
    conversation_id: uuid.UUID,
    after: tuple[datetime, uuid.UUID] | None = None,
    limit: int = 50,
) -> list[Interaction]:
    """A conversation's messages (every channel, both directions), oldest first.

    `after` is a (time, id) cursor: only messages after it, the oldest `limit` of them; without a cursor,
    the latest `limit` messages.
    """
    stmt = _conversation_messages(conversation_id)
    if after is not None:
        at, last_id = after
        stmt = stmt.where(
            or_(Interaction.occurred_at > at, and_(Interaction.occurred_at == at, Interaction.id > last_id))
        )
        stmt = stmt.order_by(Interaction.occurred_at, Interaction.id).limit(limit)
        return list((await session.execute(stmt)).scalars())
    stmt = stmt.order_by(Interaction.occurred_at.desc(), Interaction.id.desc()).limit(limit)
    return list(reversed((await session.execute(stmt)).scalars().all()))
