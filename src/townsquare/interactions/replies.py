"""Answers given on a contact's own channel, in band (TwiML, a chat frame, speech): one rule for every channel.

An answer to inbound interaction X is recorded as an outbound interaction on X's channel whose external id is
`reply:X` (then `reply:X:1`, `reply:X:2`, ...), in the same transaction as X. A redelivered contact is answered
from these rows, so every channel gives the same answers twice and never acts twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.clock import utcnow
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel, DeliveryStatus, Direction, Interaction, InteractionKind

PREFIX = "reply:"


def reply_id(inbound_id: uuid.UUID, n: int) -> str:
    """The external id of the n-th answer (from 0) to an inbound interaction."""
    return f"{PREFIX}{inbound_id}" if n == 0 else f"{PREFIX}{inbound_id}:{n}"


async def record_answers(
    session: AsyncSession,
    *,
    inbound: Interaction,
    texts: Sequence[str],
    payloads: Sequence[dict[str, Any]] = (),
) -> list[Interaction]:
    """Record `texts` as the answers to `inbound`, in order, just after it; `payloads[i]` is kept with text i."""
    conversation = await interactions.get_conversation(session, conversation_id=inbound.conversation_id)
    start = max(utcnow(), inbound.occurred_at + timedelta(milliseconds=1))
    recorded = []
    for i, text in enumerate(texts):
        payload = {"in_reply_to": str(inbound.id), **(payloads[i] if i < len(payloads) else {})}
        recorded.append(
            await interactions.record(
                session,
                conversation=conversation,
                channel=inbound.channel,
                direction=Direction.outbound,
                kind=InteractionKind.message,
                body=text,
                occurred_at=start + timedelta(milliseconds=i),
                external_id=reply_id(inbound.id, i),
                payload=payload,
                delivery_status=DeliveryStatus.sent,
                identity_id=inbound.identity_id,
            )
        )
    return recorded


async def answers_to(session: AsyncSession, *, inbound: Interaction) -> list[Interaction]:
    """The answers recorded for `inbound`, in the order they were given."""
    key = reply_id(inbound.id, 0)
    rows = await session.execute(
        select(Interaction)
        .where(
            Interaction.channel == inbound.channel,
            Interaction.direction == Direction.outbound,
            (Interaction.external_id == key) | Interaction.external_id.startswith(key + ":", autoescape=True),
        )
        .order_by(Interaction.occurred_at, Interaction.external_id)
    )
    return list(rows.scalars())


async def sent_in_band(
    session: AsyncSession, *, identity_id: uuid.UUID, channel: Channel, limit: int
) -> list[Interaction]:
    """What was answered in band to one contact address, newest first (the phone simulator's inbox)."""
    rows = await session.execute(
        select(Interaction)
        .where(
            Interaction.identity_id == identity_id,
            Interaction.channel == channel,
            Interaction.direction == Direction.outbound,
            Interaction.external_id.startswith(PREFIX, autoescape=True),
        )
        .order_by(Interaction.occurred_at.desc())
        .limit(limit)
    )
    return list(rows.scalars())
