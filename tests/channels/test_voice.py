"""The phone menu on Twilio Voice webhooks: signed requests, TwiML answers, and what lands on the record."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.channels.conftest import TWILIO_ACCOUNT, post_twilio, twilio_signature
from tests.factories import count, counts, create_agency, create_citizen, create_service
from tests.support.db import fresh
from townsquare.app import Runtime
from townsquare.cases import service as cases
from townsquare.citizens.models import Citizen, Identity
from townsquare.clock import utcnow
from townsquare.engagement import calls
from townsquare.interactions.models import Attachment, Channel, Interaction, InteractionKind
from townsquare.routing.models import WorkItem, WorkItemStatus
from townsquare.settings import Settings

CITY = "+16135550100"
MARIA = "+16135550123"
OTHER = "+16135550199"


@dataclass
class World:
    citizen: Citizen
    citizen_id: uuid.UUID
    case_id: uuid.UUID
    reference: str


@pytest.fixture
async def world(session: AsyncSession) -> World:
    agency = await create_agency(session, slug="city-works", contact=("voice", CITY))
    service = await create_service(session, agency=agency, code="POTHOLE", name="Pothole repair")
    citizen = await create_citizen(session, name="Maria Lopez", phone=MARIA, phone_verified=True)
    case = await cases.open_case(
        session,
        prefix="TS",
        agency_id=agency.id,
        title="Hole outside 12 Elm Street",
        channel="web",
        service_id=service.id,
        sla_target_hours=72,
        citizen_id=citizen.id,
    )
    await session.commit()
    return World(citizen, citizen.id, case.id, case.reference)


def form(sid: str, frm: str = MARIA, **extra: str) -> dict[str, str]:
    return {
        "CallSid": sid,
        "AccountSid": TWILIO_ACCOUNT,
        "From": frm,
        "To": CITY,
        "CallStatus": "in-progress",
        "Direction": "inbound",
        **extra,
    }


def new_sid() -> str:
    return "CA" + uuid.uuid4().hex


def parse(response: httpx.Response) -> ET.Element:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(response.text)
    assert root.tag == "Response"
    return root


def said(root: ET.Element) -> str:
    return " ".join(el.text or "" for el in root.iter("Say"))


def path_of(url: str) -> str:
    return url.removeprefix("http://testserver")


def the_gather(root: ET.Element) -> ET.Element:
    """The menu's <Gather>, which must be there."""
    gather = root.find("Gather")
    assert gather is not None, ET.tostring(root)
    return gather


def gather_action(root: ET.Element) -> str:
    return path_of(the_gather(root).attrib["action"])


async def call(client: httpx.AsyncClient, sid: str, frm: str = MARIA) -> ET.Element:
    return parse(await post_twilio(client, "/channels/voice/twilio", form(sid, frm)))


async def press(client: httpx.AsyncClient, root: ET.Element, sid: str, digits: str, frm: str = MARIA) -> ET.Element:
    return parse(await post_twilio(client, gather_action(root), form(sid, frm, Digits=digits)))


async def the_call(session: AsyncSession, sid: str) -> Interaction:
    await fresh(session)
    stmt = select(Interaction).where(Interaction.channel == Channel.voice, Interaction.external_id == sid)
    return (await session.execute(stmt)).scalar_one()


async def test_a_missing_or_wrong_signature_is_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    before = await counts(session)
    unsigned = await post_twilio(client, "/channels/voice/twilio", form(new_sid()), signature="")
    forged = await post_twilio(client, "/channels/voice/twilio", form(new_sid()), signature="bm90IGEgc2lnbmF0dXJl")
    other_url = await post_twilio(client, "/channels/voice/twilio", form(new_sid()), public_url="http://evil.example")
    assert [r.status_code for r in (unsigned, forged, other_url)] == [403, 403, 403]
    assert await counts(session) == before


async def test_a_verified_caller_is_greeted_by_name_and_offered_their_open_case(
    client: httpx.AsyncClient, world: World
) -> None:
    root = await call(client, new_sid())
    text = said(root)
    assert "Hello Maria Lopez" in text
    assert "Pothole repair" in text
    assert "T S, 2 0" in text
    assert "press 1" in text
    assert "Pour le français, appuyez sur 9" in text
    gather = root.find("Gather")
    assert gather is not None
    assert gather.attrib["input"] == "dtmf speech"
    assert gather.attrib["numDigits"] == "1"
    assert gather.attrib["language"] == "en-CA"


async def test_an_unverified_caller_is_not_greeted_by_name(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    await create_citizen(session, name="Sam Unverified", phone=OTHER)
    await session.commit()
    text = said(await call(client, new_sid(), OTHER))
    assert "Sam" not in text
    assert "Unverified" not in text
    assert text.startswith("Hello. Thank you for calling")


async def test_a_french_speaking_caller_hears_fr_ca_and_9_switches_language(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    world.citizen.language = "fr"
    session.add(world.citizen)
    await session.commit()
    sid = new_sid()
    root = await call(client, sid)
    assert "Bonjour Maria Lopez" in said(root)
    assert {say.attrib["language"] for say in root.iter("Say")} == {"fr-CA", "en-CA"}  # "For English, press 9"
    assert the_gather(root).attrib["language"] == "fr-CA"
    english = await press(client, root, sid, "9")
    assert the_gather(english).attrib["language"] == "en-CA"
    assert "press 2" in said(english)


async def test_pressing_1_hears_the_open_cases_status(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    sid = new_sid()
    root = await press(client, await call(client, sid), sid, "1")
    text = said(root)
    assert "Your request Pothole repair" in text
    assert "is received and waiting to be reviewed" in text
    assert root.find("Gather") is not None  # back to the menu
    interaction = await the_call(session, sid)
    assert interaction.payload["menu_path"] == ["main", "1:case-status"]
    assert interaction.case_id == world.case_id


async def test_a_reference_keyed_or_spoken_gives_its_status_and_a_non_owner_hears_no_details(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    number = world.reference.replace("TS-", "").replace("-", "")  # YYYYNNNNNN
    sid = new_sid()
    menu = await call(client, sid, OTHER)
    assert "open request" not in said(menu)
    ask = await press(client, menu, sid, "2", OTHER)
    assert "ten digit reference" in said(ask)
    answer = await press(client, ask, sid, number, OTHER)
    text = said(answer)
    assert "is received and waiting to be reviewed" in text
    assert "Pothole" not in text
    assert "Elm" not in text
    assert "Maria" not in text

    own = new_sid()
    ask = await press(client, await call(client, own), own, "2")
    spoken = f"T S {number[:4]} {number[4:]}"
    root = parse(await post_twilio(client, gather_action(ask), form(own, SpeechResult=spoken, Confidence="0.9")))
    assert "Your request Pothole repair" in said(root)
    six = await press(client, await press(client, await call(client, new_sid()), own, "2"), own, number[4:])
    assert "is received" in said(six)


async def test_an_unknown_reference_gets_a_spoken_apology(client: httpx.AsyncClient, world: World) -> None:
    sid = new_sid()
    ask = await press(client, await call(client, sid), sid, "2")
    root = await press(client, ask, sid, "1999000999")
    assert "could not find a request with that reference" in said(root)
    assert root.find("Gather") is not None
    garbled = parse(await post_twilio(client, gather_action(root), form(sid, SpeechResult="I don't know")))
    assert "could not find" in said(garbled)


async def test_a_voicemail_reaches_the_queue_on_the_callers_open_case(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    sid = new_sid()
    root = await press(client, await call(client, sid), sid, "3")
    record = root.find("Record")
    assert record is not None
    assert record.attrib["finishOnKey"] == "#"
    assert int(record.attrib["maxLength"]) > 0
    recording = {
        "RecordingSid": "RE" + uuid.uuid4().hex,
        "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1",
        "RecordingDuration": "14",
    }
    done = parse(await post_twilio(client, path_of(record.attrib["action"]), form(sid, **recording)))
    assert "Thank you" in said(done)
    assert done.find("Hangup") is not None
    await fresh(session)
    vm = (await session.execute(select(Interaction).where(Interaction.kind == InteractionKind.voicemail))).scalar_one()
    assert vm.duration_seconds == 14
    assert vm.case_id == world.case_id
    attachment = (await session.execute(select(Attachment))).scalar_one()
    assert attachment.source_url == recording["RecordingUrl"] + ".wav"
    assert attachment.content_type == "audio/wav"
    item = (await session.execute(select(WorkItem))).scalar_one()
    assert item.kind == "voicemail"
    assert item.case_id == world.case_id
    assert item.citizen_id == world.citizen_id
    assert (await the_call(session, sid)).payload["outcome"] == "voicemail"


async def test_pressing_0_queues_a_voice_work_item_with_everything_already_known(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    sid = new_sid()
    root = await press(client, await call(client, sid), sid, "0")
    enqueue = root.find("Enqueue")
    assert enqueue is not None
    assert enqueue.text == "townsquare-city-works"
    assert "/channels/voice/twilio/wait" in enqueue.attrib["waitUrl"]
    await fresh(session)
    item = (await session.execute(select(WorkItem))).scalar_one()
    assert (item.channel, item.kind, item.status.value) == ("voice", "call", "queued")
    assert item.citizen_id == world.citizen_id
    assert item.case_id == world.case_id
    assert item.context["identified_by"] == {"how": "phone", "verified": True, "verification_method": "sms_code"}
    assert item.context["case_reference"] == world.reference
    assert item.context["service_code"] == "POTHOLE"
    assert item.context["menu_path"] == ["main", "0:agent"]


async def test_a_call_back_from_the_queue_keeps_the_work_items_place(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    sid = new_sid()
    root = await press(client, await call(client, sid), sid, "0")
    enqueue = root.find("Enqueue")
    assert enqueue is not None
    await fresh(session)
    queued = (await session.execute(select(WorkItem))).scalar_one()
    first_id, created, due = queued.id, queued.created_at, queued.sla_due_at
    wait = parse(await post_twilio(client, path_of(enqueue.attrib["waitUrl"]), form(sid, QueuePosition="2")))
    assert "You are number 2 in line" in said(wait)
    assert "you keep your place" in said(wait).lower()
    left = await press(client, wait, sid, "1")
    assert left.find("Leave") is not None
    after = parse(
        await post_twilio(client, path_of(enqueue.attrib["action"]), form(sid, QueueResult="leave", QueueTime="30"))
    )
    assert after.find("Hangup") is not None
    await fresh(session)
    item = (await session.execute(select(WorkItem))).scalar_one()
    assert (item.id, item.created_at, item.sla_due_at) == (first_id, created, due)
    assert item.kind == "callback"
    assert item.context["callback_number"] == MARIA
    interaction = await the_call(session, sid)
    assert interaction.payload["outcome"] == "callback"
    assert interaction.payload["menu_path"] == ["main", "0:agent", "queue:1:callback"]


async def test_pressing_4_asks_for_a_call_back(client: httpx.AsyncClient, session: AsyncSession, world: World) -> None:
    sid = new_sid()
    root = await press(client, await call(client, sid), sid, "4")
    assert "ending in 0 1 2 3" in said(root)
    assert root.find("Hangup") is not None
    await fresh(session)
    item = (await session.execute(select(WorkItem))).scalar_one()
    assert item.kind == "callback"
    assert item.context["callback_number"] == MARIA
    assert item.case_id == world.case_id


async def test_the_status_callback_stores_duration_and_outcome(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    served, abandoned = new_sid(), new_sid()
    await press(client, await call(client, served), served, "1")
    await call(client, abandoned)
    for sid, seconds in ((served, "42"), (abandoned, "7")):
        r = await post_twilio(
            client, "/channels/voice/twilio/status", form(sid, CallStatus="completed", CallDuration=seconds)
        )
        assert r.status_code == 200
    first = await the_call(session, served)
    assert (first.duration_seconds, first.payload["outcome"]) == (42, "self-served")
    assert first.payload["call_status"] == "completed"
    second = await the_call(session, abandoned)
    assert (second.duration_seconds, second.payload["outcome"]) == (7, "abandoned")


async def test_a_retried_first_webhook_records_one_call(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    sid = new_sid()
    first, again = await call(client, sid), await call(client, sid)
    assert said(first) == said(again)
    assert await count(session, Interaction, Interaction.external_id == sid) == 1
    assert (await the_call(session, sid)).payload["menu_path"] == ["main"]


async def test_no_answer_three_times_puts_the_caller_through_to_a_person(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    sid = new_sid()
    root = await call(client, sid)
    redirect = root.find("Redirect")
    assert redirect is not None  # silence comes back as an empty answer
    for _ in range(2):
        root = parse(await post_twilio(client, path_of(redirect.text or ""), form(sid)))
        assert "Sorry, I did not get that" in said(root)
        redirect = root.find("Redirect")
        assert redirect is not None
    root = parse(await post_twilio(client, path_of(redirect.text or ""), form(sid, Digits="7")))
    assert "put you through to a person" in said(root)
    assert root.find("Enqueue") is not None
    assert (await the_call(session, sid)).payload["menu_path"] == ["main", "invalid", "invalid", "invalid", "0:agent"]


async def test_a_transfer_number_dials_instead_of_queueing(
    app: FastAPI, client: httpx.AsyncClient, settings: Settings, world: World
) -> None:
    app.state.settings = settings.model_copy(update={"voice_transfer_number": "+16135550111"})
    sid = new_sid()
    root = await press(client, await call(client, sid), sid, "0")
    dial = root.find("Dial")
    assert dial is not None
    assert dial.text == "+16135550111"
    assert root.find("Enqueue") is None


async def test_a_failure_still_answers_twiml_with_a_spoken_apology(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    sid = new_sid()  # no agency exists, so the hand-off to a person cannot find a queue
    root = await call(client, sid, OTHER)
    answer = await press(client, root, sid, "0", OTHER)
    assert "something went wrong" in said(answer)
    assert answer.find("Hangup") is not None
    assert await count(session, WorkItem) == 0


@pytest.mark.parametrize("withheld", ["anonymous", "+266696687", "Restricted"])
async def test_a_withheld_number_is_an_anonymous_caller_who_can_still_reach_a_person(
    client: httpx.AsyncClient, session: AsyncSession, world: World, withheld: str
) -> None:
    sid = new_sid()
    root = await call(client, sid, withheld)
    text = said(root)
    assert "Hello. Thank you" in text
    assert "press 4" not in text
    assert "open request" not in text
    assert await count(session, Identity) == 1  # only Maria's
    queued = await press(client, root, sid, "0", withheld)
    assert queued.find("Enqueue") is not None
    await fresh(session)
    item = (await session.execute(select(WorkItem))).scalar_one()
    assert item.context["identified_by"] == {"how": "anonymous"}
    assert item.case_id is None
    voicemail_sid = new_sid()
    record = (await press(client, await call(client, voicemail_sid, withheld), voicemail_sid, "3", withheld)).find(
        "Record"
    )
    assert record is not None
    recording = {"RecordingSid": "RE" + uuid.uuid4().hex, "RecordingUrl": "https://api.twilio.com/R1"}
    await post_twilio(client, path_of(record.attrib["action"]), form(voicemail_sid, withheld, **recording))
    await fresh(session)
    vm = (await session.execute(select(Interaction).where(Interaction.kind == InteractionKind.voicemail))).scalar_one()
    assert vm.citizen_id == (await the_call(session, voicemail_sid)).citizen_id  # the caller's, not a new stranger


async def test_malformed_requests_get_a_4xx_and_store_nothing(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    before = await counts(session)
    url = "http://testserver/channels/voice/twilio"
    sig = {"X-Twilio-Signature": twilio_signature(url, {})}
    as_json = await client.post("/channels/voice/twilio", json={"CallSid": new_sid()}, headers=sig)
    bad_bytes = await client.post(
        "/channels/voice/twilio",
        content=b"CallSid=CA1&From=%ff%fe",
        headers={**sig, "Content-Type": "application/x-www-form-urlencoded"},
    )
    no_sid = await post_twilio(client, "/channels/voice/twilio", {"From": MARIA, "To": CITY})
    assert as_json.status_code == 415
    assert bad_bytes.status_code == 422
    assert no_sid.status_code == 422
    assert no_sid.json()["errors"][0]["field"] == "CallSid"
    assert await counts(session) == before


async def test_a_caller_who_hangs_up_in_the_queue_leaves_it_and_a_call_back_stays(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    gone, wants_call = new_sid(), new_sid()
    await press(client, await call(client, gone), gone, "0")
    await post_twilio(client, "/channels/voice/twilio/status", form(gone, CallStatus="completed", CallDuration="50"))
    await press(client, await call(client, wants_call, frm="+16135550999"), wants_call, "4")
    await post_twilio(client, "/channels/voice/twilio/status", form(wants_call, "+16135550999", CallStatus="completed"))
    await fresh(session)
    left = {item.kind: item for item in (await session.execute(select(WorkItem))).scalars()}
    assert left["call"].status is WorkItemStatus.cancelled
    assert left["callback"].status is WorkItemStatus.queued


async def test_a_call_gone_silent_leaves_the_queue_when_no_status_callback_comes(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime, world: World
) -> None:
    ghost, waiting = new_sid(), new_sid()
    await press(client, await call(client, ghost), ghost, "0")  # the caller's phone died; no callback ever came
    await press(client, await call(client, waiting, frm=OTHER), waiting, "0", frm=OTHER)
    silence = 180
    later = utcnow() + timedelta(seconds=silence + 20)
    heard_now = await the_call(session, waiting)
    calls.heard(heard_now, at=later)  # Twilio asked the wait URL for this caller: still on the line
    await session.commit()
    async with runtime.db.session() as s:
        assert await calls.withdraw_silent(s, now=later, silence_seconds=silence) == 1
        await s.commit()
    still = (await the_call(session, waiting)).conversation_id
    gone = await the_call(session, ghost)
    assert gone.payload["outcome"] == "abandoned"
    statuses = dict((await session.execute(select(WorkItem.conversation_id, WorkItem.status))).all())
    assert statuses[gone.conversation_id] is WorkItemStatus.cancelled
    assert statuses[still] is WorkItemStatus.queued
    async with runtime.db.session() as s:  # asking again changes nothing
        assert await calls.withdraw_silent(s, now=later, silence_seconds=silence) == 0
