"""A Messenger, Instagram or WhatsApp account joins its person's record by a code sent to their phone or email, as a
chat device does: asked for with VERIFY on the account, answered there through the outbox, opening no work."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import count, create_agency, create_citizen
from tests.support import meta as wire
from tests.support.db import fresh
from tests.support.messages import body_of, code_in, last_sent_to
from townsquare.citizens.models import Citizen, CitizenStatus, Identity, IdentityKind
from townsquare.engagement.meta_policy import asked_for_code
from townsquare.interactions.models import Direction, Interaction
from townsquare.notify.models import OutboxMessage
from townsquare.routing.models import WorkItem
from townsquare.settings import Settings

MARIA = "+16135550142"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return wire.meta_settings(settings)


@pytest.fixture
async def maria(session: AsyncSession) -> uuid.UUID:
    await create_agency(session)
    found = await create_citizen(session, name="Maria Lopez", phone=MARIA, phone_verified=True)
    await session.commit()
    return found.id


async def says(client: httpx.AsyncClient, text: str) -> None:
    response = await wire.post_meta(client, wire.whatsapp(wire.wa_text(text), name="maria"))
    assert response.status_code == 200, response.text


async def answers(session: AsyncSession) -> list[str]:
    """What the account was told on WhatsApp, oldest first."""
    await fresh(session)
    stmt = select(OutboxMessage).where(OutboxMessage.channel == "meta").order_by(OutboxMessage.created_at)
    return [str(m.payload["text"]) for m in (await session.execute(stmt)).scalars()]


async def whatsapp_account(session: AsyncSession) -> Identity:
    await fresh(session)
    stmt = select(Identity).where(Identity.namespace == "whatsapp", Identity.value == wire.WA_ID)
    return (await session.execute(stmt)).scalar_one()


def test_verify_is_asked_for_in_english_or_french_and_nothing_else_is() -> None:
    assert asked_for_code("VERIFY +1 613 555 0142") is not None
    found = asked_for_code("  vérifier marie@example.org ")
    assert found is not None
    assert (found.contact, found.language) == ("marie@example.org", "fr")
    assert asked_for_code("Please verify my address") is None


async def test_a_code_sent_to_marias_phone_joins_the_whatsapp_account_and_its_history_to_her_record(
    client: httpx.AsyncClient, session: AsyncSession, maria: uuid.UUID
) -> None:
    await says(client, "The streetlight on Oak Ave is out")
    stranger = (await whatsapp_account(session)).citizen_id
    assert stranger != maria
    await says(client, "VERIFY (613) 555-0142")
    sms = await last_sent_to(session, MARIA)
    assert sms.channel == "sms"
    code = code_in(body_of(sms))
    told = await answers(session)
    assert told == [
        "Thanks, we have your message. A member of staff will answer here.",  # the streetlight, a new conversation
        "We sent a 6-digit code to •••0142. Send it here to join this WhatsApp account to your record.",
    ]
    await says(client, code)
    assert (await answers(session))[-1] == "Thank you: this WhatsApp account is now joined to your record."
    account = await whatsapp_account(session)
    assert account.citizen_id == maria
    assert (await session.get_one(Citizen, stranger)).status is CitizenStatus.merged
    everything = (await session.execute(select(Interaction.citizen_id))).scalars().all()
    assert set(everything) == {maria}  # the streetlight, the VERIFY, the code and the answers
    # The codes and their answers opened no work; the first message did.
    assert await count(session, WorkItem) == 1
    phone = (await session.execute(select(Identity).where(Identity.kind == IdentityKind.phone))).scalar_one()
    assert phone.verified


async def test_a_wrong_code_says_how_many_tries_are_left_and_joins_nothing(
    client: httpx.AsyncClient, session: AsyncSession, maria: uuid.UUID
) -> None:
    await says(client, "VERIFY +1 613 555 0142")
    right = code_in(body_of(await last_sent_to(session, MARIA)))
    await says(client, "000000" if right != "000000" else "111111")
    assert (await answers(session))[-1] == "That code is not right. You can try 4 more time(s)."
    assert (await whatsapp_account(session)).citizen_id != maria


async def test_verify_without_a_contact_explains_itself_in_the_persons_language(
    client: httpx.AsyncClient, session: AsyncSession, maria: uuid.UUID
) -> None:
    await says(client, "VERIFY my street")
    await says(client, "Vérifier n'importe quoi")
    english, french = await answers(session)
    assert english.startswith("Send VERIFY and your phone number or email address")
    assert french.startswith("Envoyez VERIFIER suivi de votre numéro")
    assert await count(session, WorkItem) == 0
    assert await count(session, Interaction, Interaction.direction == Direction.outbound) == 2


async def test_six_digits_with_no_code_outstanding_are_an_ordinary_message(
    client: httpx.AsyncClient, session: AsyncSession, maria: uuid.UUID
) -> None:
    await says(client, "123456")
    assert await answers(session) == ["Thanks, we have your message. A member of staff will answer here."]
    assert await count(session, WorkItem) == 1
