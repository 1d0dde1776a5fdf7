"""Reading notifications back: one with its attempts, for the API and the desk."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.cases.models import Case
from townsquare.interactions.models import Interaction
from townsquare.notify.models import Notification, NotificationAttempt
from townsquare.notify.schemas import AttemptOut, NotificationOut


async def describe(session: AsyncSession, notification: Notification) -> NotificationOut:
    """The notification as the API shows it."""
    rows = await session.execute(
        select(NotificationAttempt, Interaction.delivery_status)
        .join(Interaction, Interaction.id == NotificationAttempt.interaction_id)
        .where(NotificationAttempt.notification_id == notification.id)
        .order_by(NotificationAttempt.number)
    )
    attempts = [
        AttemptOut(
            channel=a.channel,
            outcome=a.outcome,
            delivery_status=d.value if d else None,
            interaction_id=a.interaction_id,
            created_at=a.created_at,
            finished_at=a.finished_at,
        )
        for a, d in rows.all()
    ]
    reference = None
    if notification.case_id is not None:
        reference = (await session.execute(select(Case.reference).where(Case.id == notification.case_id))).scalar()
    return NotificationOut(
        id=notification.id,
        template=notification.message_type,
        citizen_id=notification.citizen_id,
        case_reference=reference,
        reference=notification.reference,
        status=notification.status,
        channels=[str(step[0]) for step in notification.plan],
        attempts=attempts,
        created_at=notification.created_at,
        completed_at=notification.completed_at,
    )


async def sent_by_key_since(session: AsyncSession, *, api_key_id: uuid.UUID, since: datetime) -> int:
    """How many notifications an API key has asked for since a moment (its daily cap counts these)."""
    stmt = select(func.count()).where(Notification.api_key_id == api_key_id, Notification.created_at >= since)
    return int((await session.execute(stmt)).scalar_one())
