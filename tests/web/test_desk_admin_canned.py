"""Canned replies' administration: a reply per agency and language, unknown placeholders refused, another
agency's reply out of reach, and a deactivated reply no longer offered on the desk's reply box."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import count, create_agency, create_staff
from tests.support.staff import sign_in_staff
from townsquare.agencies import service as catalogue
from townsquare.agencies.models import Agency, CannedResponse
from townsquare.staff.models import AuditEntry, StaffRole

AGENCY_ADMIN = "works.admin@city.example"


async def _city(session: AsyncSession) -> tuple[Agency, CannedResponse]:
    works = await create_agency(session, slug="works", name="Works")
    parks = await create_agency(session, slug="parks", name="Parks")
    theirs = CannedResponse(agency_id=parks.id, slug="thanks", title="Thanks", body="Thanks {first_name}")
    session.add(theirs)
    await create_staff(session, email=AGENCY_ADMIN, role=StaffRole.agency_admin, agencies=[works])
    await session.commit()
    return works, theirs


def _reply(agency: Agency, **changes: Any) -> dict[str, Any]:
    return {
        "agency": str(agency.id),
        "language": "fr",
        "slug": "recu",
        "title": "Reçu",
        "body": "Bonjour {first_name}, votre demande {case_reference} est reçue.",
    } | changes


async def test_a_reply_is_created_edited_and_withdrawn_from_the_desk(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    works, _ = await _city(session)
    works_id = works.id
    await sign_in_staff(client, AGENCY_ADMIN)
    created = await client.post("/desk/admin/canned-replies", data=_reply(works))
    assert created.status_code == 303
    reply = await session.scalar(select(CannedResponse).where(CannedResponse.slug == "recu"))
    assert reply is not None
    reply_id = reply.id
    assert [r.slug for r in await catalogue.canned_responses(session, agency_id=works_id, language="fr")] == ["recu"]

    saved = await client.post(f"/desk/admin/canned-replies/{reply_id}", data=_reply(works, title="Demande reçue"))
    assert saved.headers["location"] == f"/desk/admin/canned-replies/{reply_id}?notice=saved"
    off = await client.post(f"/desk/admin/canned-replies/{reply_id}/active", data={"active": "no"})
    assert off.headers["location"] == "/desk/admin/canned-replies?notice=deactivated"
    await session.commit()
    assert await catalogue.canned_responses(session, agency_id=works_id, language="fr") == []
    actions = await session.scalars(select(AuditEntry.action).where(AuditEntry.subject_id == str(reply_id)))
    assert sorted(actions) == ["canned_reply.create", "canned_reply.deactivate", "canned_reply.update"]


async def test_unknown_placeholders_and_a_taken_slug_are_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    works, _ = await _city(session)
    await sign_in_staff(client, AGENCY_ADMIN)
    assert (await client.post("/desk/admin/canned-replies", data=_reply(works))).status_code == 303
    refused = await client.post(
        "/desk/admin/canned-replies", data=_reply(works, body="Hi {first_name} {last_name}", title="")
    )
    assert refused.status_code == 422
    summary = refused.text.split('id="error-summary"')[1].split("</div>")[0]
    assert "placeholder the desk cannot fill in" in summary
    assert "— last_name" in summary
    assert 'href="#field-slug"' in summary
    assert 'href="#field-title"' in summary
    assert await count(session, CannedResponse) == 2


async def test_another_agencys_reply_answers_as_unknown(client: httpx.AsyncClient, session: AsyncSession) -> None:
    works, theirs = await _city(session)
    theirs_id = theirs.id
    await sign_in_staff(client, AGENCY_ADMIN)
    assert 'data-reply="thanks-en"' not in (await client.get("/desk/admin/canned-replies")).text
    assert (await client.get(f"/desk/admin/canned-replies/{theirs_id}")).status_code == 404
    moved = await client.post(f"/desk/admin/canned-replies/{theirs_id}", data=_reply(works))
    assert moved.status_code == 404
