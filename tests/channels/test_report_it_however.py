"""Journey 3, report it however you like: one pothole reported by an app over Open311, by a text with a photo, on
the portal's map, by a phone call and at a service counter becomes five cases in the roads team's one queue, the
later four linked to the first as likely duplicates; once staff merge them and fix the pothole, every reporter is
told on their own channel."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.channels.conftest import TWILIO_ACCOUNT, post_twilio
from tests.channels.test_voice import call, new_sid, press
from tests.factories import PASSWORD, create_agency, create_agent, create_place, create_service
from tests.support.appointments import with_templates
from tests.support.counters import ALWAYS
from tests.web.portal.conftest import make_resident
from townsquare.agencies.models import Agency, ContactPoint
from townsquare.app import Runtime
from townsquare.cases import service as cases
from townsquare.cases.models import Case
from townsquare.counters.kinds import CheckIn
from townsquare.engagement.counter import Visit, check_in
from townsquare.interactions.models import Attachment
from townsquare.offices import service as offices
from townsquare.offices.models import Counter, Office, OfficeService
from townsquare.routing import setup as routing_setup
from townsquare.routing.models import WorkItem, WorkItemStatus
from townsquare.staff import service as staff
from townsquare.staff.models import ApiKeyScope, StaffAccount

CITY_LINE = "+16135550100"
TEXTER = "+16135557788"
CALLER = "+16135550123"
VISITOR = "+16135550166"
APP_USER = "ada@example.org"
SPOT = (43.64800, -79.38400)  # 120 King Street West in the register
NEXT_DOOR = (43.64808, -79.38395)  # about 10 m away, where the portal user clicked
FIXED = "Fixed: the crew filled it this morning."


def _hidden(page: httpx.Response) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))


async def _take(session: AsyncSession, channel: str, agent_id: uuid.UUID) -> WorkItem:
    """The agent takes the channel's one waiting contact that has no case yet."""
    await session.rollback()
    stmt = select(WorkItem).where(WorkItem.channel == channel, WorkItem.case_id.is_(None))
    item = (await session.execute(stmt)).scalar_one()
    item.status, item.assigned_to_id = WorkItemStatus.assigned, agent_id
    await session.commit()
    return item


async def _open_case(client: httpx.AsyncClient, item: WorkItem, title: str) -> None:
    opened = await client.post(
        f"/desk/work/{item.id}/case", data={"service_code": "POTHOLE", "address": "120 King St W", "title": title}
    )
    assert opened.status_code == 303, opened.text


@dataclass
class City:
    roads: Agency
    office: Office
    agent: StaffAccount
    app_key: str


async def _city(session: AsyncSession) -> City:
    """The roads team: its texting and calling line, the pothole service, the register's address, a counter at its
    works yard, an agent and an Open311 app's key."""
    await with_templates(session)  # the city's notification templates: what a status change says
    roads = await create_agency(session, slug="city-works", name="City Works", contact=("sms", CITY_LINE))
    session.add(ContactPoint(agency_id=roads.id, channel="voice", address=CITY_LINE))
    pothole = await create_service(session, agency=roads, code="POTHOLE", name="Report a pothole", open311=True)
    await create_place(
        session, address_id="A-120", address="120 King Street West", lat=SPOT[0], long=SPOT[1], zipcode="M5H 1J9"
    )
    calendar, _ = await routing_setup.put_calendar(
        session, agency_id=roads.id, name="Counter", timezone="America/Toronto", hours=ALWAYS, holidays=[]
    )
    office = await offices.put_office(
        session,
        agency_id=roads.id,
        slug="works-yard",
        name="Works Yard",
        address=["1 Yard Rd"],
        calendar_id=calendar.id,
    )
    session.add_all(
        [
            OfficeService(office_id=office.id, service_id=pothole.id, ticket_prefix="R"),
            Counter(office_id=office.id, label="1"),
        ]
    )
    agent = await create_agent(session, email="roads.agent@city.example", agencies=[roads])
    app_key, row = await staff.create_api_key(session, name="Street app")
    row.scope = ApiKeyScope.open311
    await session.commit()
    return City(roads, office, agent, app_key)


async def test_five_doors_one_pothole_one_queue_and_everyone_told_on_their_own_channel(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    city = await _city(session)
    roads, office, agent, app_key = city.roads, city.office, city.agent, city.app_key

    # 1. An app reports it over Open311, with its user's email.
    reported = await client.post(
        "/open311/v2/requests.json",
        data={
            "api_key": app_key,
            "service_code": "POTHOLE",
            "lat": str(SPOT[0]),
            "long": str(SPOT[1]),
            "email": APP_USER,
            "description": "Deep pothole in the curb lane",
        },
    )
    assert reported.status_code == 200, reported.text

    # 2. Someone texts a photo of it and asks for a person.
    form = {
        "MessageSid": "MM" + uuid.uuid4().hex,
        "AccountSid": TWILIO_ACCOUNT,
        "From": TEXTER,
        "To": CITY_LINE,
        "Body": "Huge pothole outside 120 King St W, photo attached",
        "NumMedia": "1",
        "MediaUrl0": f"https://api.twilio.com/2010-04-01/Accounts/{TWILIO_ACCOUNT}/Messages/MM1/Media/ME1",
        "MediaContentType0": "image/jpeg",
    }
    texted = await post_twilio(client, "/channels/sms/twilio", form)
    assert "I can take your report here" in texted.text  # the assistant offers to guide the report...
    form.update(MessageSid="SM" + uuid.uuid4().hex, Body="I'd rather talk to a person", NumMedia="0")
    handed = await post_twilio(client, "/channels/sms/twilio", form)  # ...but they ask for someone
    assert "with what you have told me so far" in handed.text

    # 3. Someone phones and presses 0 for a person.
    sid = new_sid()
    await press(client, await call(client, sid, CALLER), sid, "0", CALLER)

    # 4. Someone walks into the works yard's counter and leaves their phone at the kiosk.
    await session.rollback()
    visit = Visit(office, "POTHOLE", "en", CheckIn.kiosk, phone=VISITOR, token="yard-1")
    await check_in(session, runtime.pipeline, visit)
    await session.commit()

    # The agent takes the text, the call and the visit, and opens a case for each by typing the address.
    await client.post("/desk/sign-in", data={"email": agent.email, "password": PASSWORD})
    for channel, title in (
        ("sms", "Pothole by text"),
        ("voice", "Pothole by phone"),
        ("counter", "Pothole at the yard"),
    ):
        await _open_case(client, await _take(session, channel, agent.id), title)
    client.cookies.clear()

    # 5. A resident reports it on the portal, clicking the map a few metres away.
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
    assert (await client.post(f"/applications/{draft}/submit")).status_code == 303
    client.cookies.clear()

    # Five cases for the roads team, in its one queue, the later four linked to the first.
    await session.rollback()
    made = (await session.execute(select(Case).order_by(Case.created_at))).scalars().all()
    assert [c.opened_channel for c in made] == ["api", "sms", "voice", "counter", "web"]
    assert {c.agency_id for c in made} == {roads.id}
    first, *later = made
    linked = await cases.likely_duplicates_of(session, case_id=first.id)
    assert sorted(other.reference for _, other in linked) == sorted(c.reference for c in later)
    by_text, by_portal = later[0], later[-1]
    assert (by_text.lat, by_text.long, by_text.address_id) == (SPOT[0], SPOT[1], "A-120")  # placed by the register
    distances = {other.reference: link.detail["distance_m"] for link, other in linked}
    assert distances[by_text.reference] == 0.0
    assert 5 < distances[by_portal.reference] < 15
    queued = set((await session.execute(select(WorkItem.case_id).where(WorkItem.agency_id == roads.id))).scalars())
    assert {c.id for c in made} <= queued
    photo = (await session.execute(select(Attachment).where(Attachment.content_type == "image/jpeg"))).scalar_one()
    assert photo.source_url is not None  # the text's photo, kept with the contact (fetched by an outbox job)

    # The desk's page of the first case shows the four together with it; staff confirm them as duplicates and
    # fix the pothole: every reporter hears, on their own channel.
    await client.post("/desk/sign-in", data={"email": agent.email, "password": PASSWORD})
    page = await client.get(f"/desk/cases/{first.reference}")
    likely = page.text.split("Likely duplicates")[1]
    assert all(c.reference in likely for c in later)
    assert "Street app" in page.text  # reported through Open311 by this integrator
    for link, _ in linked:
        merged = await client.post(f"/desk/cases/{first.reference}/likely-duplicates/{link.id}/merge")
        assert merged.status_code == 303, merged.text
    fixed = await client.post(f"/desk/cases/{first.reference}/status", data={"status": "resolved", "note": FIXED})
    assert fixed.status_code == 303, fixed.text
    await runtime.notices.drain()
    await runtime.worker.drain()
    told = {(e.channel, e.recipient) for e in runtime.recording.sent if "is now resolved" in str(e.payload)}
    assert told == {
        ("email", APP_USER),  # the app's user, by the email the app gave
        ("sms", TEXTER),
        ("sms", CALLER),  # the caller, by text to the number they called from
        ("sms", VISITOR),  # the visitor, by text to the number they gave at the kiosk
        ("email", "kai@example.org"),  # the portal's resident, by their account's email
    }, told
