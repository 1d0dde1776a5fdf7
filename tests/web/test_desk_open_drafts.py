"""A person's applications in progress on the desk: listed in the citizen context without a single answer (which
service, started and last saved, which page, how many answers), opened with their answers only by staff of the
service's agency, each opening on the access log."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_citizen, create_service, create_staff
from tests.support.staff import sign_in_staff
from townsquare.drafts import service as drafts
from townsquare.staff.models import AuditEntry

SIZES = [{"key": "large", "name": "Bigger than a tyre"}, {"key": "small", "name": "Smaller than a plate"}]


async def _world(session: AsyncSession) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    roads = await create_agency(session, slug="roads", name="Roads")
    parks = await create_agency(session, slug="parks", name="Parks")
    await create_staff(session, email="agent@city.example", agencies=[roads])
    await create_staff(session, email="parks@city.example", agencies=[parks])
    pothole = await create_service(
        session,
        agency=roads,
        code="POTHOLE",
        name="Report a pothole",
        open311=True,
        attributes=[
            {
                "code": "size",
                "datatype": "singlevaluelist",
                "description": "How big is it?",
                "values": SIZES,
                "translations": {"fr": {"description": "Quelle taille?", "values": {"large": "Plus grand qu'un pneu"}}},
            },
            {"code": "lane", "description": "Which lane?", "page": 1},
        ],
    )
    bench = await create_service(session, agency=parks, code="BENCH", name="Broken bench")
    ana = await create_citizen(session, name="Ana Tremblay")
    draft = await drafts.start_or_resume(session, citizen_id=ana.id, service_id=pothole.id)
    await drafts.save(
        session,
        draft_id=draft.id,
        citizen_id=ana.id,
        base_version=0,
        changes={"_address": "12 Elm Street", "size": "large", "lane": "", "_lat": "45.4", "_long": "-75.7"},
        step=2,
    )
    await drafts.start_or_resume(session, citizen_id=ana.id, service_id=bench.id)
    await session.commit()
    return ana.id, draft.id, roads.id


async def test_the_citizen_context_lists_open_drafts_without_their_answers(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    ana, draft, _ = await _world(session)
    await sign_in_staff(client, "agent@city.example")
    page = (await client.get(f"/desk/citizens/{ana}")).text
    assert "Applications in progress" in page
    assert f'<a href="/desk/citizens/{ana}/drafts/{draft}">Report a pothole</a>' in page
    assert "On page 2 of 4" in page  # where is it, the two question pages, the details
    assert "2 answers" in page  # the size and the address; the point behind it is not an answer
    assert "Broken bench" not in page  # another agency's service
    assert "12 Elm Street" not in page
    assert "Bigger than a tyre" not in page
    fragment = (await client.get(f"/desk/citizens/{ana}/_360")).text
    assert "On page 2 of 4" in fragment


async def test_opening_a_draft_shows_its_answers_and_is_on_the_access_log(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    ana, draft, roads = await _world(session)
    await sign_in_staff(client, "agent@city.example")
    page = await client.get(f"/desk/citizens/{ana}/drafts/{draft}")
    assert page.status_code == 200
    assert "<dt>How big is it?</dt><dd>Bigger than a tyre</dd>" in page.text
    assert "<dt>Where it is</dt><dd>12 Elm Street</dd>" in page.text
    assert "Which lane?" not in page.text  # left empty
    logged = (await session.execute(select(AuditEntry).where(AuditEntry.action == "draft.read"))).scalar_one()
    assert (logged.subject_id, logged.citizen_id, logged.agency_id) == (str(draft), ana, roads)
    client.cookies.set("ts_lang", "fr")
    french = (await client.get(f"/desk/citizens/{ana}/drafts/{draft}")).text
    assert "<dt>Quelle taille?</dt><dd>Plus grand qu&#39;un pneu</dd>" in french


async def test_staff_of_another_agency_cannot_open_the_draft(client: httpx.AsyncClient, session: AsyncSession) -> None:
    ana, draft, _ = await _world(session)
    await sign_in_staff(client, "parks@city.example")
    assert (await client.get(f"/desk/citizens/{ana}/drafts/{draft}")).status_code == 404
    assert (await client.get(f"/desk/citizens/{uuid.uuid4()}/drafts/{draft}")).status_code == 404
    reads = await session.execute(select(AuditEntry).where(AuditEntry.action == "draft.read"))
    assert reads.first() is None
