"""A city for survey tests: an agency that texts from its own number, a service, a resident with a phone and an
email address, a supervisor, the demo's notification templates; and keyword-only helpers to close cases and to
make surveys (factories in the style of tests/factories.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_citizen, create_service, create_staff
from tests.support.db import fresh
from townsquare.agencies.models import Agency, Service
from townsquare.analytics.surveys.models import Survey
from townsquare.cases.models import Case, CaseStatus
from townsquare.casework import cases as casework
from townsquare.citizens.models import Citizen
from townsquare.clock import utcnow
from townsquare.content.notification_templates import import_notification_templates
from townsquare.demo.city import NOTIFICATIONS_DIR
from townsquare.interactions.models import Channel
from townsquare.notify.models import OutboxMessage
from townsquare.routing.models import WorkItem
from townsquare.settings import Settings
from townsquare.staff.auth import Principal
from townsquare.staff.models import StaffAccount, StaffRole

CITY = "+16135550100"
MARIA = "+16135551234"
MARIA_EMAIL = "maria@example.org"


@dataclass
class World:
    agency: Agency
    service: Service
    citizen: Citizen
    supervisor: StaffAccount
    # The ids, to read after `expire_all()` without a lazy load.
    agency_id: uuid.UUID
    service_id: uuid.UUID
    citizen_id: uuid.UUID
    supervisor_id: uuid.UUID

    @property
    def clerk(self) -> Principal:
        return Principal("staff", self.supervisor_id, "Lead", StaffRole.supervisor, frozenset({self.agency_id}))


async def build_world(session: AsyncSession, *, slug: str = "city-works", language: str = "en") -> World:
    agency = await create_agency(session, slug=slug, name="City Works", contact=("sms", CITY))
    service = await create_service(session, agency=agency, code="POTHOLE", name="Pothole repair")
    citizen = await create_citizen(session, name="Maria Lopez", phone=MARIA, email=MARIA_EMAIL, phone_verified=True)
    citizen.language = language
    supervisor = await create_staff(session, email=f"lead@{slug}.example", role=StaffRole.supervisor, agencies=[agency])
    await import_notification_templates(session, NOTIFICATIONS_DIR)
    await session.commit()
    return World(agency, service, citizen, supervisor, agency.id, service.id, citizen.id, supervisor.id)


async def close_case(
    session: AsyncSession,
    settings: Settings,
    world: World,
    *,
    channel: Channel = Channel.sms,
    status: CaseStatus = CaseStatus.resolved,
) -> Case:
    """Open a case for the resident on `channel`, then move it to `status`, as staff do; committed."""
    case = await casework.open_case(
        session,
        settings=settings,
        actor=world.clerk,
        service_code="POTHOLE",
        channel=channel,
        citizen_id=world.citizen_id,
        description="A hole outside 12 Elm Street",
    )
    await casework.change_status(
        session, settings=settings, actor=world.clerk, case=case, status=status, note="Filled today."
    )
    await session.commit()
    return case


async def surveys_of(session: AsyncSession, citizen_id: uuid.UUID) -> list[Survey]:
    await fresh(session)
    rows = await session.execute(select(Survey).where(Survey.citizen_id == citizen_id).order_by(Survey.sent_at))
    return list(rows.scalars())


async def contacts_for_people(session: AsyncSession) -> int:
    """How many contacts the queue has been given (new work items and contacts touching an open one)."""
    await fresh(session)
    total = await session.scalar(select(func.coalesce(func.sum(WorkItem.interaction_count), 0)))
    return int(total or 0)


async def survey_messages(session: AsyncSession, *, channel: str) -> list[OutboxMessage]:
    """What the outbox holds for surveys on `channel`."""
    await fresh(session)
    rows = await session.execute(select(OutboxMessage).where(OutboxMessage.channel == channel))
    return [m for m in rows.scalars() if m.payload.get("type") == "satisfaction_survey"]


async def create_survey(
    session: AsyncSession,
    *,
    citizen: Citizen,
    agency: Agency | None,
    channel: str = "sms",
    service: Service | None = None,
    staff_id: uuid.UUID | None = None,
    article_id: uuid.UUID | None = None,
    score: int | None = None,
    comment: str | None = None,
    about: str = "contact",
    days_ago: int = 1,
) -> Survey:
    """A survey as if it had been put `days_ago` and answered with `score` (None: not answered)."""
    sent = utcnow() - timedelta(days=days_ago)
    survey = Survey(
        subject_key=f"test:{uuid.uuid4()}",
        about=about,
        citizen_id=citizen.id,
        channel=channel,
        contact_channel=channel,
        agency_id=agency.id if agency else None,
        service_id=service.id if service else None,
        staff_id=staff_id,
        article_id=article_id,
        sent_at=sent,
        expires_at=sent + timedelta(days=7),
        score=score,
        answered_at=sent + timedelta(hours=1) if score is not None else None,
        comment=comment,
        commented_at=sent + timedelta(hours=1) if comment else None,
    )
    session.add(survey)
    await session.flush()
    return survey
