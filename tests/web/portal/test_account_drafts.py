"""The account page lists what the resident started and has not sent, with the way back to each."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_service
from tests.web.portal.conftest import Resident, sign_in
from townsquare.drafts import service as drafts


async def test_unsent_applications_are_on_the_account_page_and_sent_ones_are_not(
    client: httpx.AsyncClient, session: AsyncSession, resident: Resident
) -> None:
    sign_in(client, resident)
    empty = await client.get("/account")
    assert "Nothing: every application you started has been sent." in empty.text

    agency = await create_agency(session)
    pothole = await create_service(session, agency=agency, code="POTHOLE", name="Report a pothole")
    permit = await create_service(session, agency=agency, code="PARK-PERMIT", name="Parking permit")
    await drafts.start_or_resume(session, citizen_id=resident.citizen_id, service_id=pothole.id)
    sent = await drafts.start_or_resume(session, citizen_id=resident.citizen_id, service_id=permit.id)
    sent.submitted_at = sent.updated_at
    await session.commit()

    page = await client.get("/account")
    assert "Report a pothole" in page.text
    assert 'href="/services/POTHOLE/apply"' in page.text
    assert "Parking permit" not in page.text
    client.cookies.set("ts_lang", "fr")
    assert "Pas encore envoyé" in (await client.get("/account")).text
