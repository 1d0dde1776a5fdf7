"""Proactive reminders: scheduled from a case's date or an unfinished application, sent when due through the
notification path, visible to the resident and cancellable."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_citizen, create_service
from townsquare.agencies.models import Service
from townsquare.app import build_runtime
from townsquare.cases import service as cases
from townsquare.cases.models import Case
from townsquare.citizens.models import Citizen
from townsquare.content.notification_templates import import_notification_templates
from townsquare.demo.city import NOTIFICATIONS_DIR
from townsquare.drafts import service as drafts
from townsquare.drafts.models import Draft
from townsquare.errors import Problem
from townsquare.notify import reminders
from townsquare.notify.kinds import MessageType, ReminderStatus
from townsquare.notify.models import Reminder
from townsquare.notify.notifications import Notifier
from townsquare.notify.progress import NotificationWorker
from townsquare.settings import Settings

NOW = datetime(2027, 1, 4, 15, 0, tzinfo=UTC)
EXPIRY = [{"code": "expiry_date", "datatype": "datetime", "description": "When does it expire?"}]


async def _licence(session: AsyncSession) -> tuple[uuid.UUID, uuid.UUID]:
    await import_notification_templates(session, NOTIFICATIONS_DIR)
    agency = await create_agency(session, slug="licensing", name="Licensing")
    service = await create_service(session, agency=agency, code="DL-RENEW", name="Driver's licence", attributes=EXPIRY)
    citizen = await create_citizen(session, phone="+16135550142")
    await reminders.add_rule(
        session,
        service_id=service.id,
        message_type=MessageType.renewal_reminder,
        days=30,
        attribute_code="expiry_date",
    )
    return service.id, citizen.id


async def _case(session: AsyncSession, service_id: uuid.UUID, citizen_id: uuid.UUID, expiry: str) -> Case:
    service = await session.get_one(Service, service_id)
    return await cases.open_case(
        session,
        prefix="TS",
        agency_id=service.agency_id,
        title="Renewal",
        channel="web",
        service_id=service_id,
        citizen_id=citizen_id,
        attributes={"expiry_date": expiry},
    )


async def test_a_licence_expiry_schedules_a_reminder_30_days_before_sent_when_due(settings: Settings) -> None:
    rt = build_runtime(settings)
    now = [NOW]
    worker = NotificationWorker(rt.db, Notifier(settings, clock=lambda: now[0]))
    async with rt.db.session() as s:
        service_id, citizen_id = await _licence(s)
        case = await _case(s, service_id, citizen_id, "2027-03-01")
        [made] = await reminders.for_case(s, case, now=NOW)
        assert await reminders.for_case(s, case, now=NOW) == []  # scheduled once
        assert made.due_at == datetime(2027, 1, 30, 14, 0, tzinfo=UTC)
        past = await _case(s, service_id, citizen_id, "2027-01-20")  # its reminder day is gone
        assert await reminders.for_case(s, past, now=NOW) == []
        await s.commit()
    await worker.drain()
    await rt.worker.drain()
    assert rt.recording.sent == []
    now[0] = datetime(2027, 1, 30, 14, 0, tzinfo=UTC)
    await worker.drain()
    await rt.worker.drain()
    [sms] = rt.recording.sent
    assert "expires on March 1, 2027" in sms.payload["body"]  # written out, in the reader's language
    assert "Driver's licence" in sms.payload["body"]
    async with rt.db.session() as s:
        reminder = (await s.execute(select(Reminder))).scalar_one()
    assert reminder.status is ReminderStatus.sent
    assert reminder.notification_id is not None


async def test_a_dated_rule_needs_a_date_question_of_the_service(session: AsyncSession) -> None:
    service_id, _ = await _licence(session)
    with pytest.raises(Problem) as refused:
        await reminders.add_rule(
            session,
            service_id=service_id,
            message_type=MessageType.appointment_reminder,
            days=2,
            attribute_code="licence_number",
        )
    assert refused.value.status == 422
    with pytest.raises(Problem):
        await reminders.add_rule(session, service_id=service_id, message_type=MessageType.general, days=2)


async def test_an_application_left_unfinished_is_reminded_once(settings: Settings) -> None:
    rt = build_runtime(settings)
    now = [NOW]
    worker = NotificationWorker(rt.db, Notifier(settings, clock=lambda: now[0]))
    async with rt.db.session() as s:
        service_id, citizen_id = await _licence(s)
        await reminders.add_rule(s, service_id=service_id, message_type=MessageType.application_reminder, days=3)
        draft = await drafts.start_or_resume(s, citizen_id=citizen_id, service_id=service_id)
        await s.execute(update(Draft).where(Draft.id == draft.id).values(updated_at=NOW - timedelta(days=2)))
        await s.commit()
    await worker.drain()
    assert await rt.worker.drain() == 0  # two days: not yet
    now[0] = NOW + timedelta(days=1, seconds=1)
    await worker.drain()
    await rt.worker.drain()
    [sms] = rt.recording.sent
    assert "application for Driver's licence is not finished" in sms.payload["body"]
    now[0] += timedelta(days=5)
    await worker.drain()
    assert await rt.worker.drain() == 0


async def test_a_cancelled_reminder_is_not_sent_and_another_persons_cannot_be_cancelled(settings: Settings) -> None:
    rt = build_runtime(settings)
    async with rt.db.session() as s:
        service_id, citizen_id = await _licence(s)
        [made] = await reminders.for_case(s, await _case(s, service_id, citizen_id, "2027-03-01"), now=NOW)
        other = await create_citizen(s, name="Someone Else")
        with pytest.raises(Problem):
            await reminders.cancel(s, citizen_id=other.id, reminder_id=made.id, now=NOW)
        await reminders.cancel(s, citizen_id=citizen_id, reminder_id=made.id, now=NOW)
        with pytest.raises(Problem):
            await reminders.cancel(s, citizen_id=citizen_id, reminder_id=made.id, now=NOW)
        await s.commit()
    later = NotificationWorker(rt.db, Notifier(settings, clock=lambda: datetime(2027, 2, 1, tzinfo=UTC)))
    await later.drain()
    assert await rt.worker.drain() == 0


async def test_a_reminder_names_the_service_and_agency_in_the_person_s_language(settings: Settings) -> None:
    rt = build_runtime(settings)
    now = [NOW]
    worker = NotificationWorker(rt.db, Notifier(settings, clock=lambda: now[0]))
    async with rt.db.session() as s:
        service_id, citizen_id = await _licence(s)
        service = await s.get_one(Service, service_id)
        service.translations = {"fr": {"name": "Permis de conduire"}}
        await reminders.add_rule(s, service_id=service_id, message_type=MessageType.application_reminder, days=3)
        draft = await drafts.start_or_resume(s, citizen_id=citizen_id, service_id=service_id)
        await s.execute(update(Draft).where(Draft.id == draft.id).values(updated_at=NOW - timedelta(days=4)))
        citizen = await s.get_one(Citizen, citizen_id)
        citizen.language = "fr"  # the reminder keeps its words in English; it is sent in the person's language
        await s.commit()
    await worker.drain()
    await rt.worker.drain()
    [sms] = rt.recording.sent
    assert "Permis de conduire" in sms.payload["body"]
    assert "Driver's licence" not in sms.payload["body"]
    async with rt.db.session() as s:
        [shown] = await reminders.upcoming(s, citizen_id=citizen_id, language="fr")
    assert shown.about == "Permis de conduire"
