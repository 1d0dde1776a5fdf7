"""A push as the notifications engine would queue it: an outbound push interaction and its outbox row."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.interactions import service as interactions
from townsquare.interactions.kinds import Channel, DeliveryStatus, Direction, InteractionKind
from townsquare.interactions.models import Interaction
from townsquare.notify import service as outbox
from townsquare.notify.providers import Envelope


def push_payload(interaction_id: uuid.UUID, **extra: Any) -> dict[str, Any]:
    """What the engine puts in a push envelope's payload."""
    return {
        "title": "Your case TS-2026-000123 was updated",
        "body": "The pothole on King Street is fixed.",
        "url": "/account/cases/TS-2026-000123",
        "interaction_id": str(interaction_id),
        "notification_id": f"n-{interaction_id.hex[:12]}",
        "language": "en",
        **extra,
    }


async def push_interaction(session: AsyncSession, *, citizen_id: uuid.UUID) -> Interaction:
    """An outbound push on the citizen's timeline, queued."""
    conversation = await interactions.start_conversation(session, citizen_id=citizen_id, channel=Channel.push)
    return await interactions.record(
        session,
        conversation=conversation,
        channel=Channel.push,
        direction=Direction.outbound,
        kind=InteractionKind.message,
        body="The pothole on King Street is fixed.",
        delivery_status=DeliveryStatus.queued,
    )


async def queued_push(session: AsyncSession, *, citizen_id: uuid.UUID, subscription_id: uuid.UUID) -> Envelope:
    """A push interaction and its outbox row (in the session's transaction); the envelope the provider will get."""
    interaction = await push_interaction(session, citizen_id=citizen_id)
    key = f"interaction:{interaction.id}"
    payload = push_payload(interaction.id)
    await outbox.enqueue(
        session,
        channel=Channel.push.value,
        recipient=str(subscription_id),
        payload=payload,
        idempotency_key=key,
        interaction_id=interaction.id,
    )
    return Envelope(Channel.push.value, str(subscription_id), payload, key)
