"""One pothole, three doors: an app speaking Open311, a text message an agent turns into a case, and the portal's
report form. Each becomes a case in the roads team's queue, and the two later ones are linked to the first as
likely duplicates, which the desk's case page shows together."""

from __future__ import annotations

import re
import uuid

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.channels.conftest import TWILIO_ACCOUNT, post_twilio
from tests.factories import PASSWORD, create_agency, create_agent, create_place, create_service
from tests.web.portal.conftest import make_resident
from townsquare.cases import service as cases
from townsquare.cases.models import Case
from townsquare.routing.models import WorkItem, WorkItemStatus
from townsquare.staff import service as staff
from townsquare.staff.models import ApiKeyScope

CITY_LINE = "+16135550100"
RESIDENT = "+16135557788"
SPOT = (43.64800, -79.38400)  # 120 King Street West in the register
NEXT_DOOR = (43.64808, -79.38395)  # about 10 m away, where the portal user clicked


def _hidden(page: httpx.Response) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))


async def test_an_open311_report_an_sms_and_a_portal_report_about_one_spot_meet_on_one_case(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    roads = await create_agency(session, slug="city-works", name="City Works", contact=("sms", CITY_LINE))
    await create_service(session, agency=roads, code="POTHOLE", name="Report a pothole", open311=True)
    await create_place(
        session, address_id="A-120", address="120 King Street West", lat=SPOT[0], long=SPOT[1], zipcode="M5H 1J9"
    )
    agent = await create_agent(session, email="roads.agent@city.example", agencies=[roads])
    app_key, row = await staff.create_api_key(session, name="Street app")
    row.scope = ApiKeyScope.open311
    await session.commit()

    # 1. An app reports it through Open311 with a point.
    reported = await client.post(
        "/open311/v2/requests.json",
        data={
            "api_key": app_key,
            "service_code": "POTHOLE",
            "lat": str(SPOT[0]),
            "long": str(SPOT[1]),
            "description": "Deep pothole in the curb lane",
        },
    )
    assert reported.status_code == 200, reported.text
    first_ref = reported.json()[0]["service_request_id"]

    # 2. Someone texts the city about it and asks for a person; the agent who picks the text up opens a case by
    #    typing the address.
    form = {
        "MessageSid": "SM" + uuid.uuid4().hex,
        "AccountSid": TWILIO_ACCOUNT,
        "From": RESIDENT,
        "To": CITY_LINE,
        "Body": "There's a huge pothole outside 120 King St W, my tire burst",
        "NumMedia": "0",
    }
    texted = await post_twilio(client, "/channels/sms/twilio", form)
    assert texted.status_code == 200, texted.text
    assert "I can take your report here" in texted.text  # the assistant offers to guide the report...
    form["MessageSid"], form["Body"] = "SM" + uuid.uuid4().hex, "I'd rather talk to a person"
    handed = await post_twilio(client, "/channels/sms/twilio", form)  # ...but they ask for someone
    assert "with what you have told me so far" in handed.text
    await session.rollback()
    item = (
        await session.execute(select(WorkItem).where(WorkItem.channel == "sms", WorkItem.case_id.is_(None)))
    ).scalar_one()
    item.status, item.assigned_to_id = WorkItemStatus.assigned, agent.id
    await session.commit()
    await client.post("/desk/sign-in", data={"email": agent.email, "password": PASSWORD})
    opened = await client.post(
        f"/desk/work/{item.id}/case",
        data={
            "service_code": "POTHOLE",
            "address": "120 King St W",
            "title": "Pothole reported by text",
            "description": "Caller's tire burst on it",
        },
    )
    assert opened.status_code == 303, opened.text
    client.cookies.clear()

    # 3. A resident reports it on the portal, clicking the map a few metres away.
    resident = await make_resident(session, email="kai@example.org")
    client.cookies.set("ts_citizen", resident.token)
    draft = (await client.get("/services/POTHOLE/apply")).headers["location"].split("/")[2]
    where = await client.get(f"/applications/{draft}/pages/1")
    await client.post(
        f"/applications/{draft}/pages/1",
        data={**_hidden(where), "f._lat": str(NEXT_DOOR[0]), "f._long": str(NEXT_DOOR[1])},
    )
    details = await client.get(f"/applications/{draft}/pages/2")
    await client.post(f"/applications/{draft}/pages/2", data={**_hidden(details), "f._details": "Still there"})
    sent = await client.post(f"/applications/{draft}/submit")
    assert sent.headers["location"] == f"/applications/{draft}/done"
    client.cookies.clear()

    # Three cases, each for the roads team, the later two linked to the first with their distance.
    await session.rollback()
    all_cases = (await session.execute(select(Case).order_by(Case.created_at))).scalars().all()
    assert [(c.opened_channel, c.agency_id) for c in all_cases] == [
        ("api", roads.id),
        ("sms", roads.id),
        ("web", roads.id),
    ]
    first, by_text, by_portal = all_cases
    assert first.reference == first_ref
    assert (by_text.lat, by_text.long, by_text.address_id) == (SPOT[0], SPOT[1], "A-120")  # placed by the register
    linked = await cases.likely_duplicates_of(session, case_id=first.id)
    assert sorted(other.reference for _, other in linked) == sorted([by_text.reference, by_portal.reference])
    distances = {other.reference: link.detail["distance_m"] for link, other in linked}
    assert distances[by_text.reference] == 0.0
    assert 5 < distances[by_portal.reference] < 15
    queued = (await session.execute(select(WorkItem.case_id).where(WorkItem.agency_id == roads.id))).scalars().all()
    assert {first.id, by_text.id, by_portal.id} <= set(queued)

    # The desk's page of the first case shows all three together.
    await client.post("/desk/sign-in", data={"email": agent.email, "password": PASSWORD})
    page = await client.get(f"/desk/cases/{first.reference}")
    assert page.status_code == 200
    likely = page.text.split("Likely duplicates")[1]
    assert by_text.reference in likely
    assert by_portal.reference in likely
    assert "Street app" in page.text  # reported through Open311 by this integrator
