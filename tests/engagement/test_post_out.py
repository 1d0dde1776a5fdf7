"""The post out: an answer to a letter goes by letter (the letter provider prints it, with the case's QR code),
unless the person prefers another channel that reaches them; a channel they prefer but cannot be reached on, or
that they stopped, is passed over."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_citizen
from townsquare.app import Runtime
from townsquare.cases import service as cases
from townsquare.citizens import service as citizens
from townsquare.citizens.models import Citizen, IdentityKind
from townsquare.clock import utcnow
from townsquare.engagement import post_out, replies
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel, Direction, InteractionKind
from townsquare.notify.letters.models import Letter
from townsquare.notify.letters.provider import LetterProvider
from townsquare.notify.models import OutboxMessage
from townsquare.notify.providers import Envelope
from townsquare.notify.rendering import Content

ADDRESS = "12 Elm Street\nOttawa ON K1A 0B1"


@pytest.mark.parametrize(
    ("last", "preferred", "reachable", "chosen"),
    [
        (Channel.mail, [], {Channel.mail, Channel.email}, Channel.mail),
        (Channel.mail, ["email"], {Channel.mail, Channel.email}, Channel.email),
        (Channel.mail, ["sms", "email"], {Channel.mail, Channel.email}, Channel.email),  # no phone: the next one
        (Channel.mail, ["sms"], {Channel.mail}, Channel.mail),
        (Channel.mail, ["mail", "email"], {Channel.mail, Channel.email}, Channel.email),
        (Channel.sms, ["email"], {Channel.sms, Channel.email}, Channel.sms),  # only letters follow the rule
    ],
)
def test_the_rule(last: Channel, preferred: list[str], reachable: set[Channel], chosen: Channel) -> None:
    assert post_out.choose(last, preferred, reachable) is chosen


async def _letter_writer(
    session: AsyncSession, *, email: str | None = None, phone: str | None = None
) -> tuple[Citizen, uuid.UUID, str]:
    agency = await create_agency(session)
    person = await create_citizen(session, name="Marie Tremblay", email=email, phone=phone)
    await citizens.add_identity(session, citizen_id=person.id, kind=IdentityKind.postal, value=ADDRESS, region="CA")
    case = await cases.open_case(
        session, prefix="TS", agency_id=agency.id, title="Streetlight", channel="mail", citizen_id=person.id
    )
    conversation = await interactions.start_conversation(
        session, citizen_id=person.id, channel=Channel.mail, case_id=case.id
    )
    await interactions.record(
        session,
        conversation=conversation,
        channel=Channel.mail,
        direction=Direction.inbound,
        kind=InteractionKind.letter,
        body="The streetlight is still out.",
        case_id=case.id,
    )
    await session.commit()
    return person, conversation.id, case.reference


async def test_an_answer_to_a_letter_is_printed_as_a_letter(runtime: Runtime, session: AsyncSession) -> None:
    _, conversation_id, reference = await _letter_writer(session)
    result = await replies.reply(
        session, conversation_id=conversation_id, content=Content("We will repair it on Monday."), staff_id=None
    )
    await session.commit()

    assert result.channel is Channel.mail
    row = (await session.execute(select(OutboxMessage))).scalar_one()
    assert (row.channel, row.recipient) == ("mail", ADDRESS)
    assert (row.payload["body"], row.payload["reference"], row.payload["name"]) == (
        "We will repair it on Monday.",
        reference,
        "Marie Tremblay",
    )
    provider = runtime.providers.for_channel("mail")
    assert isinstance(provider, LetterProvider)
    envelope = Envelope(row.channel, row.recipient, row.payload, row.idempotency_key)
    await session.commit()  # the provider writes in its own session
    letter_id = await provider.send(envelope)
    letter = await session.get_one(Letter, uuid.UUID(letter_id))
    assert (letter.reference, letter.interaction_id) == (reference, uuid.UUID(result.interaction_id))
    assert letter.address_lines[0] == "Marie Tremblay"


async def test_a_person_who_prefers_email_is_answered_by_email(session: AsyncSession) -> None:
    person, conversation_id, _ = await _letter_writer(session, email="marie@example.org")
    await citizens.update_preferences(session, citizen=person, preferred_channels=["email"])
    await session.commit()

    result = await replies.reply(session, conversation_id=conversation_id, content=Content("Repaired on Monday."))
    assert result.channel is Channel.email
    chosen = await replies.reply(
        session, conversation_id=conversation_id, content=Content("And by post."), channel=Channel.mail
    )
    assert chosen.channel is Channel.mail  # staff may still choose a letter


async def test_a_preferred_phone_that_texted_stop_is_passed_over(session: AsyncSession) -> None:
    person, conversation_id, _ = await _letter_writer(session, phone="+16135550142")
    await citizens.update_preferences(session, citizen=person, preferred_channels=["sms"])
    phone = await citizens.contact_for(session, citizen_id=person.id, kind=IdentityKind.phone)
    assert phone is not None
    await citizens.set_opted_out(session, identity_id=phone.id, opted_out=True, at=utcnow())
    await session.commit()

    result = await replies.reply(session, conversation_id=conversation_id, content=Content("Repaired on Monday."))
    assert result.channel is Channel.mail
