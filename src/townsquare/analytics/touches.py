"""Writing touches: what the engagement flow and the portal tell analytics, in the caller's transaction.

A touch is one row with ids and small words (a channel, a kind, a subject key); never what the person said. The
analytics worker folds it into a journey later, so the door that writes it pays for one insert and nothing else.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.analytics.models import DirtyDay, Journey, Touch
from townsquare.clock import utcnow

ANSWERED = "answered"  # the person got what they came for without a person (a knowledge answer)
FAILED = "failed"  # self-service could not help: the assistant handed over or did not understand, a page "did not help"
WEB_VISIT = "web_visit"  # a signed-in person looked at a service's or a help page on the portal


def contact(
    session: AsyncSession,
    *,
    citizen_id: uuid.UUID,
    channel: str,
    kind: str,
    occurred_at: datetime,
    interaction_id: uuid.UUID | None = None,
    conversation_id: uuid.UUID | None = None,
    case_id: uuid.UUID | None = None,
    service_id: uuid.UUID | None = None,
    agency_id: uuid.UUID | None = None,
    subject: str | None = None,
    self_service: str | None = None,
    language: str | None = None,
) -> Touch:
    """Note one thing a person did towards a need (added to the session, not flushed)."""
    touch = Touch(
        citizen_id=citizen_id,
        channel=channel,
        kind=kind,
        occurred_at=occurred_at,
        interaction_id=interaction_id,
        conversation_id=conversation_id,
        case_id=case_id,
        service_id=service_id,
        agency_id=agency_id,
        subject=subject[:120] if subject else None,
        self_service=self_service,
        language=language,
        recorded_at=utcnow(),
    )
    session.add(touch)
    return touch


VISIT_GAP = timedelta(minutes=30)  # the same person looking at the same thing again within this is one visit


async def web_visit(
    session: AsyncSession,
    *,
    citizen_id: uuid.UUID,
    service_id: uuid.UUID | None,
    agency_id: uuid.UUID | None,
    subject: str | None = None,
    failed: bool = False,
    language: str | None = None,
) -> Touch | None:
    """Note that a signed-in person looked at a service or a help page on the portal (`failed`: said it did not
    help). A second look at the same thing within `VISIT_GAP` is the same visit and writes nothing, unless it
    says what the first did not (that it failed)."""
    now = utcnow()
    recent = await session.execute(
        select(Touch.id, Touch.self_service).where(
            Touch.citizen_id == citizen_id,
            Touch.occurred_at >= now - VISIT_GAP,
            Touch.kind == WEB_VISIT,
            Touch.service_id.is_(None) if service_id is None else Touch.service_id == service_id,
            Touch.subject.is_(None) if subject is None else Touch.subject == subject[:120],
        )
    )
    seen = list(recent)
    if seen and (not failed or any(outcome == FAILED for _, outcome in seen)):
        return None
    return contact(
        session,
        citizen_id=citizen_id,
        channel="web",
        kind=WEB_VISIT,
        occurred_at=now,
        service_id=service_id,
        agency_id=agency_id,
        subject=subject,
        self_service=FAILED if failed else None,
        language=language,
    )


async def asked_again(session: AsyncSession, *, interaction_id: uuid.UUID, times: int = 1) -> bool:
    """Count that the person was asked, during the contact of `interaction_id`, for something the platform
    already held (a verified identity checked again on a call, a held value typed again). A touch already folded
    carries the count to its journey and has its days computed again. False when that contact left no touch."""
    touch = (await session.execute(select(Touch).where(Touch.interaction_id == interaction_id))).scalar_one_or_none()
    if touch is None:
        return False
    touch.asked_again += times
    if touch.journey_id is not None:
        await session.execute(
            update(Journey).where(Journey.id == touch.journey_id).values(asked_again=Journey.asked_again + times)
        )
        journey_day = await session.scalar(select(Journey.day).where(Journey.id == touch.journey_id))
        await dirty(session, [d for d in (touch.day, journey_day) if d is not None])
    return True


async def dirty(session: AsyncSession, days: Iterable[date]) -> None:
    """Have the worker compute these days' rollups again (a day already waiting is left as it is)."""
    wanted = [{"day": d} for d in sorted(set(days))]
    if not wanted:
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    await session.execute(insert(DirtyDay).values(wanted).on_conflict_do_nothing(index_elements=["day"]))
