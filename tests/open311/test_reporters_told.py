"""Open311 reporters who gave an email or a phone hear from the city: the acknowledgement with the reference, and
a staff status change with its note."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.factories import create_staff
from tests.open311.conftest import City, pothole_form

from townsquare.app import Runtime
from townsquare.cases.models import Case, CaseStatus
from townsquare.casework import cases as casework
from townsquare.content.notification_templates import import_notification_templates
from townsquare.demo.city import NOTIFICATIONS_DIR
from townsquare.settings import Settings
from townsquare.staff.auth import Principal
from townsquare.staff.models import StaffRole


async def test_a_reporter_with_an_email_is_acknowledged_and_told_of_a_status_change(
    client: httpx.AsyncClient, city: City, session: AsyncSession, runtime: Runtime, settings: Settings
) -> None:
    await import_notification_templates(session, NOTIFICATIONS_DIR)
    await session.commit()
    form = pothole_form(city, email="reporter@example.org")
    response = await client.post("/open311/v2/requests.json", data=form)
    assert response.status_code == 200, response.text
    reference = response.json()[0]["service_request_id"]
    await runtime.worker.drain()
    [ack] = runtime.recording.sent
    assert (ack.channel, ack.recipient) == ("email", "reporter@example.org")
    assert reference in ack.payload["subject"]

    case = (await session.execute(select(Case).where(Case.reference == reference))).scalar_one()
    wren = await create_staff(session, email="wren@city.example", agencies=[city.agency])
    me = Principal("staff", wren.id, "Wren", StaffRole.agent, frozenset({city.agency.id}))
    await casework.change_status(
        session, settings=settings, actor=me, case=case, status=CaseStatus.in_progress, note="Crew booked for Friday"
    )
    await session.commit()
    await runtime.worker.drain()
    told = runtime.recording.sent[-1]
    assert told.recipient == "reporter@example.org"
    assert "Crew booked for Friday" in told.payload["text"]


async def test_an_anonymous_report_opens_its_case_with_nobody_to_tell(
    client: httpx.AsyncClient, city: City, session: AsyncSession, runtime: Runtime
) -> None:
    await import_notification_templates(session, NOTIFICATIONS_DIR)
    await session.commit()
    response = await client.post("/open311/v2/requests.json", data=pothole_form(city))
    assert response.status_code == 200, response.text
    await runtime.worker.drain()
    assert runtime.recording.sent == []
