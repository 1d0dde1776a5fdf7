"""Writing to the transactional outbox: the message leaves only if the caller's transaction commits."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.events import OutboxEnqueued, publish_after_commit
from townsquare.notify.models import OutboxMessage


async def enqueue(
    session: AsyncSession,
    *,
    channel: str,
    recipient: str,
    payload: dict[str, Any],
    idempotency_key: str,
    interaction_id: uuid.UUID | None = None,
) -> OutboxMessage:
    """Add a message to the outbox in the caller's transaction; the worker is woken after commit."""
    row = OutboxMessage(
        channel=channel,
        recipient=recipient,
        payload=payload,
        idempotency_key=idempotency_key,
        interaction_id=interaction_id,
    )
    session.add(row)
    await session.flush()
    publish_after_commit(session, OutboxEnqueued(outbox_id=row.id, channel=channel))
    return row
