"""/account/reminders: the resident sees what the city will remind them of, in their language, and cancels it."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_citizen, create_service
from tests.web.portal.conftest import Resident, sign_in
from townsquare.cases import service as cases
from townsquare.notify import reminders
from townsquare.notify.kinds import MessageType, ReminderStatus
from townsquare.notify.models import Reminder
from townsquare.staff.models import AuditEntry

EXPIRY = [{"code": "expiry_date", "datatype": "datetime", "description": "When does it expire?"}]


async def _reminder(session: AsyncSession, citizen_id: object) -> Reminder:
    agency = await create_agency(session, slug="licensing", name="Licensing")
    service = await create_service(session, agency=agency, code="DL-RENEW", name="Driver's licence", attributes=EXPIRY)
    await reminders.add_rule(
        session, service_id=service.id, message_type=MessageType.renewal_reminder, days=30, attribute_code="expiry_date"
    )
    case = await cases.open_case(
        session,
        prefix="TS",
        agency_id=agency.id,
        title="Renewal",
        channel="web",
        service_id=service.id,
        citizen_id=citizen_id,  # type: ignore[arg-type]
        attributes={"expiry_date": "2099-03-01"},
    )
    [made] = await reminders.for_case(session, case, now=datetime(2099, 1, 1, tzinfo=UTC))
    await session.commit()
    return made


async def _status(session: AsyncSession, reminder: Reminder) -> ReminderStatus:
    await session.commit()  # a fresh read, not the one this session made before the request
    return (await session.execute(select(Reminder.status).where(Reminder.id == reminder.id))).scalar_one()


async def test_the_resident_sees_a_reminder_and_cancels_it(
    client: httpx.AsyncClient, session: AsyncSession, resident: Resident
) -> None:
    made = await _reminder(session, resident.citizen_id)
    sign_in(client, resident)
    page = await client.get("/account/reminders")
    assert page.status_code == 200
    assert "Renewal: Driver&#39;s licence" in page.text or "Renewal: Driver's licence" in page.text
    assert "Scheduled" in page.text
    assert f'action="/account/reminders/{made.id}/cancel"' in page.text
    client.cookies.set("ts_lang", "fr")
    assert "Vos rappels" in (await client.get("/account/reminders")).text
    client.cookies.set("ts_lang", "en")

    done = await client.post(f"/account/reminders/{made.id}/cancel", headers={"origin": "http://testserver"})
    assert done.status_code == 303
    after = await client.get(done.headers["location"])
    assert "The reminder was cancelled" in after.text
    assert await _status(session, made) is ReminderStatus.cancelled
    audit = (await session.execute(select(AuditEntry).where(AuditEntry.action == "reminder.cancelled"))).scalar_one()
    assert audit.subject_id == str(made.id)


async def test_someone_elses_reminder_is_the_same_404_as_none(
    client: httpx.AsyncClient, session: AsyncSession, resident: Resident
) -> None:
    other = await create_citizen(session, name="Someone Else")
    theirs = await _reminder(session, other.id)
    sign_in(client, resident)
    for target in (str(theirs.id), "not-an-id"):
        refused = await client.post(f"/account/reminders/{target}/cancel", headers={"origin": "http://testserver"})
        assert refused.status_code == 404
        assert "Reminder not found" in refused.text
    assert await _status(session, theirs) is ReminderStatus.scheduled
