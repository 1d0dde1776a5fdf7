"""Writing to a person first from the desk: the message leaves through the outbox on the channel and to the contact
chosen, sits on their timeline, and what they answer comes back to the same thread; refused forms say why."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_citizen, create_staff
from tests.support.db import fresh
from tests.support.staff import sign_in_staff
from townsquare.app import Runtime
from townsquare.cases import service as cases
from townsquare.citizens import service as citizens
from townsquare.citizens.models import Identity, IdentityKind
from townsquare.clock import utcnow
from townsquare.engagement.messages import InboundMessage, Sender
from townsquare.interactions.models import Channel, Direction, Interaction
from townsquare.notify.models import OutboxMessage
from townsquare.notify.push.models import PushSubscription
from townsquare.staff.models import AuditEntry


@dataclass
class World:
    maria: uuid.UUID
    second_phone: uuid.UUID
    email: uuid.UUID
    reference: str


async def _world(session: AsyncSession) -> World:
    roads = await create_agency(session, slug="roads", name="Roads")
    parks = await create_agency(session, slug="parks", name="Parks")
    await create_staff(session, email="agent@city.example", agencies=[roads])
    await create_staff(session, email="parks@city.example", agencies=[parks])
    maria = await create_citizen(session, name="Maria Lopez", phone="+16135550142", email="maria@example.org")
    second = await citizens.add_identity(
        session, citizen_id=maria.id, kind=IdentityKind.phone, value="+16135550199", region="CA"
    )
    email = await citizens.contact_for(session, citizen_id=maria.id, kind=IdentityKind.email)
    assert email is not None
    case = await cases.open_case(
        session, prefix="TS", agency_id=roads.id, title="Pothole on Elm", channel="web", citizen_id=maria.id
    )
    await session.commit()
    return World(maria.id, second.id, email.id, case.reference)


async def _outbox(session: AsyncSession) -> list[OutboxMessage]:
    await fresh(session)
    return list((await session.execute(select(OutboxMessage).order_by(OutboxMessage.created_at))).scalars())


async def test_a_text_written_first_goes_to_the_number_chosen_and_the_answer_comes_back_to_its_thread(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    world = await _world(session)
    await sign_in_staff(client, "agent@city.example")
    page = await client.get(f"/desk/citizens/{world.maria}/message")
    assert page.status_code == 200
    assert "Text message to +1 613-555-0199" in page.text
    sent = await client.post(
        f"/desk/citizens/{world.maria}/message",
        data={"way": f"sms:{world.second_phone}", "case": "", "subject": "", "text": "Your bin is booked for Monday."},
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/desk/citizens/{world.maria}?record=sent#timeline-title"
    (row,) = await _outbox(session)
    assert (row.channel, row.recipient) == ("sms", "+16135550199")
    assert row.payload["body"] == "Your bin is booked for Monday."
    written = await session.get_one(Interaction, row.interaction_id)
    assert (written.channel, written.direction, written.citizen_id) == (Channel.sms, Direction.outbound, world.maria)
    logged = (
        await session.execute(select(AuditEntry).where(AuditEntry.action == "conversation.outbound"))
    ).scalar_one()
    assert (logged.subject_id, logged.citizen_id) == (str(written.id), world.maria)
    page = await client.get(f"/desk/citizens/{world.maria}?record=sent")
    assert "The message is on its way." in page.text
    assert "Your bin is booked for Monday." in page.text  # on the timeline

    async with runtime.db.session() as s:
        answer = InboundMessage(
            channel=Channel.sms, text="Thanks!", sender=Sender(IdentityKind.phone, "+16135550199"), external_id="SM1"
        )
        outcome = await runtime.pipeline.ingest(s, answer)
    assert uuid.UUID(outcome.conversation_id) == written.conversation_id


async def test_an_email_about_a_case_goes_in_the_cases_conversation_to_the_address_chosen(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await _world(session)
    await sign_in_staff(client, "agent@city.example")
    sent = await client.post(
        f"/desk/citizens/{world.maria}/message",
        data={"way": f"email:{world.email}", "case": world.reference, "subject": "Your pothole", "text": "Fixed."},
    )
    assert sent.status_code == 303
    (row,) = await _outbox(session)
    assert (row.channel, row.recipient) == ("email", "maria@example.org")
    assert row.payload["subject"] == f"Your pothole [{world.reference}]"
    written = await session.get_one(Interaction, row.interaction_id)
    case = await cases.get_by_reference(session, reference=world.reference)
    assert case is not None
    assert written.case_id == case.id


async def test_a_push_goes_to_their_devices_and_opens_the_conversation(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await _world(session)
    device = PushSubscription(citizen_id=world.maria, endpoint="https://push.example/1", p256dh="k" * 20, auth="a" * 16)
    session.add(device)
    await session.commit()
    device_id = device.id
    await sign_in_staff(client, "agent@city.example")
    sent = await client.post(
        f"/desk/citizens/{world.maria}/message", data={"way": "push", "subject": "", "text": "Your permit is ready."}
    )
    assert sent.status_code == 303
    (row,) = await _outbox(session)
    written = await session.get_one(Interaction, row.interaction_id)
    assert (row.channel, row.recipient) == ("push", str(device_id))
    assert row.payload["url"] == f"/account/messages/{written.conversation_id}"
    assert row.payload["title"] == "A new message from us"
    assert row.payload["interaction_id"] == str(written.id)


async def test_refused_messages_say_why_and_send_nothing(client: httpx.AsyncClient, session: AsyncSession) -> None:
    world = await _world(session)
    stopped = await session.get_one(Identity, world.second_phone)
    stopped.opted_out_at = utcnow()
    await session.commit()
    await sign_in_staff(client, "agent@city.example")
    base = f"/desk/citizens/{world.maria}/message"
    for data, says in [
        ({"way": f"email:{world.email}", "text": "  "}, "Write the message."),
        ({"way": "push", "text": "Hello"}, "Choose how to reach them."),  # no device of hers has push on
        ({"way": f"sms:{world.second_phone}", "text": "Hello"}, "They texted STOP to that number"),
        ({"way": f"email:{world.email}", "case": "TS-2099-000001", "text": "Hello"}, "Choose one of their open cases"),
    ]:
        answer = await client.post(base, data=data)
        assert answer.status_code == 422, data
        assert says in answer.text
        assert 'aria-invalid="true"' in answer.text or "field-error" in answer.text
    assert await _outbox(session) == []
    await sign_in_staff(client, "parks@city.example")
    assert (await client.get(base)).status_code == 403
    assert (await client.post(base, data={"way": f"email:{world.email}", "text": "Hi"})).status_code == 403
    assert await _outbox(session) == []
