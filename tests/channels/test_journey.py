"""Journey 1 across channels: a text, then a call from the same phone; the person who answers asks nothing again."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.channels.conftest import TWILIO_ACCOUNT, post_twilio
from tests.factories import create_agency, create_citizen, create_service
from townsquare.cases import service as cases
from townsquare.citizens.models import Citizen
from townsquare.interactions.models import Channel, Interaction
from townsquare.routing.models import WorkItem

CITY_NUMBER = "+16135550100"
MARIA = "+16135550142"


def _gather_action(twiml: str) -> str:
    """The path (with its signed query) the caller's keypress goes to."""
    gather = ET.fromstring(twiml).find(".//Gather")
    assert gather is not None, twiml
    return str(gather.get("action")).removeprefix("http://testserver")


def _spoken(twiml: str) -> str:
    return " ".join((say.text or "") for say in ET.fromstring(twiml).iter("Say"))


async def test_a_text_then_a_call_reach_one_citizen_and_pressing_0_hands_over_everything(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    agency = await create_agency(session, slug="city-works", contact=("sms", CITY_NUMBER))
    await create_agency(session, slug="other", contact=("voice", "+16135550999"))
    service = await create_service(session, agency=agency, code="licence-renewal", name="Renew a licence")
    maria = await create_citizen(session, name="Maria Lopez", phone=MARIA, phone_verified=True)
    case = await cases.open_case(
        session,
        prefix="TS",
        agency_id=agency.id,
        title="Renew a licence",
        channel="web",
        service_id=service.id,
        citizen_id=maria.id,
    )
    await session.commit()

    text = {
        "MessageSid": "SM" + uuid.uuid4().hex,
        "AccountSid": TWILIO_ACCOUNT,
        "From": MARIA,
        "To": CITY_NUMBER,
        "Body": "I'm stuck on my licence renewal",
        "NumMedia": "0",
    }
    sms = await post_twilio(client, "/channels/sms/twilio", text)
    assert sms.status_code == 200, sms.text

    call_sid = "CA" + uuid.uuid4().hex
    call = {"CallSid": call_sid, "AccountSid": TWILIO_ACCOUNT, "From": MARIA, "To": CITY_NUMBER}
    call["CallStatus"] = "ringing"
    greeting = await post_twilio(client, "/channels/voice/twilio", call)
    assert greeting.status_code == 200, greeting.text
    spoken = _spoken(greeting.text)
    assert "Maria" in spoken  # a verified phone: greeted by name
    assert "You have an open request, Renew a licence" in spoken  # her application is offered first

    pressed = {**call, "CallStatus": "in-progress", "Digits": "0"}
    to_person = await post_twilio(client, _gather_action(greeting.text), pressed)
    assert to_person.status_code == 200, to_person.text
    assert ET.fromstring(to_person.text).find(".//Enqueue") is not None or "<Dial" in to_person.text

    rows = (await session.execute(select(Interaction).order_by(Interaction.occurred_at))).scalars().all()
    inbound = [i for i in rows if i.direction.value == "inbound"]
    assert {i.channel for i in inbound} == {Channel.sms, Channel.voice}
    assert {i.citizen_id for i in inbound} == {maria.id}  # one person, not two
    assert (await session.execute(select(Citizen))).scalars().all() == [maria]

    item = (await session.execute(select(WorkItem).where(WorkItem.channel == "voice"))).scalar_one()
    assert item.citizen_id == maria.id
    assert item.case_id == case.id
    assert item.context["identified_by"] == {"how": "phone", "verified": True, "verification_method": "sms_code"}
    assert item.context["case_reference"] == case.reference
    assert item.context["menu_path"][-1].startswith("0")
