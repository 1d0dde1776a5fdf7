"""What the email channel needs from the database beyond the pipeline: agency mailboxes and bounces.

A bounce (a delivery status notification) only marks our outbound message failed; it never records a
contact or opens work. Nothing here commits: the adapter that received the mail owns the transaction.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import service as agencies
from townsquare.events import DeliveryChanged, publish_after_commit
from townsquare.interactions.models import Channel, DeliveryStatus, Direction, Interaction
from townsquare.notify.models import OutboxMessage

log = logging.getLogger(__name__)


async def agency_mailbox(session: AsyncSession, *, addresses: Sequence[str]) -> str | None:
    """The first of these addresses that is an agency's email contact point, lower-cased."""
    for address in addresses:
        candidate = address.strip().lower()
        if candidate and await agencies.agency_id_for_address(session, channel="email", address=candidate):
            return candidate
    return None


async def mark_bounced(session: AsyncSession, *, message_ids: Sequence[str]) -> list[uuid.UUID]:
    """Mark the outbound emails with these Message-IDs failed (a bounce came back); returns their ids."""
    if not message_ids:
        return []
    stmt = select(Interaction).where(
        Interaction.channel == Channel.email,
        Interaction.direction == Direction.outbound,
        Interaction.external_id.in_(list(message_ids)),
    )
    marked: list[uuid.UUID] = []
    for interaction in (await session.execute(stmt)).scalars():
        if interaction.delivery_status is DeliveryStatus.failed:
            continue
        interaction.delivery_status = DeliveryStatus.failed
        marked.append(interaction.id)
        publish_after_commit(
            session, DeliveryChanged(interaction_id=interaction.id, status=DeliveryStatus.failed.value)
        )
    await session.flush()
    log.info("bounce marked %d outbound email(s) failed", len(marked))
    return marked


@dataclass(frozen=True)
class SentMail:
    """One email the platform sent (or is sending) to an address: what the simulator's inbox shows."""

    id: str
    at: datetime
    sender: str | None
    subject: str
    text: str
    status: str
    message_id: str | None  # what a reply's In-Reply-To names
    references: list[str] = field(default_factory=list)
    unsubscribe: str | None = None  # the List-Unsubscribe link of an email we sent on our own


async def sent_to(session: AsyncSession, *, address: str, limit: int = 50) -> list[SentMail]:
    """The emails the platform has queued or sent to a lower-cased address, newest first."""
    rows = await session.execute(
        select(OutboxMessage, Interaction.external_id)
        .outerjoin(Interaction, Interaction.id == OutboxMessage.interaction_id)
        .where(OutboxMessage.channel == Channel.email.value, OutboxMessage.recipient == address)
        .order_by(OutboxMessage.created_at.desc())
        .limit(limit)
    )
    found: list[SentMail] = []
    for row, external_id in rows.all():
        payload = row.payload
        message_id = external_id or row.provider_message_id
        found.append(
            SentMail(
                id=str(row.id),
                at=row.created_at,
                sender=payload.get("from"),
                subject=str(payload.get("subject", "")),
                text=str(payload.get("text", "")),
                status=row.status.value,
                message_id=message_id,
                references=[str(r) for r in payload.get("references") or [] if isinstance(r, str)],
                unsubscribe=str(payload["list_unsubscribe"]) if payload.get("list_unsubscribe") else None,
            )
        )
    return found
