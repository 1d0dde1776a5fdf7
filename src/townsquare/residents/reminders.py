"""A resident's reminders: what the city will remind them of and when, and cancelling one (audited).

Never commits; the route does, once.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.clock import utcnow
from townsquare.notify import reminders
from townsquare.notify.reminders import Upcoming
from townsquare.staff import service as staff

__all__ = ["Upcoming", "cancel", "is_theirs", "upcoming"]


async def is_theirs(session: AsyncSession, *, citizen_id: uuid.UUID, reminder_id: uuid.UUID) -> bool:
    return await reminders.owner(session, reminder_id=reminder_id) == citizen_id


async def upcoming(session: AsyncSession, *, citizen_id: uuid.UUID, language: str = "en") -> list[Upcoming]:
    """What is scheduled, soonest first, then the latest ones already sent, skipped or cancelled (each named in
    `language`)."""
    return await reminders.upcoming(session, citizen_id=citizen_id, language=language)


async def cancel(session: AsyncSession, *, citizen_id: uuid.UUID, reminder_id: uuid.UUID) -> None:
    """The resident does not want this reminder (another person's is not found)."""
    await reminders.cancel(session, citizen_id=citizen_id, reminder_id=reminder_id, now=utcnow())
    staff.audit(
        session,
        actor_kind="citizen",
        actor_id=str(citizen_id),
        action="reminder.cancelled",
        subject_kind="reminder",
        subject_id=str(reminder_id),
        citizen_id=citizen_id,
    )
