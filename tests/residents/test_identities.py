"""Adding, moving and removing a resident's contacts: never merges two confirmed people."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_citizen
from tests.support.messages import token_in
from townsquare.citizens import sessions
from townsquare.citizens.models import Citizen, CitizenStatus, Identity, IdentityKind, VerificationMethod
from townsquare.errors import Problem
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel, Direction, Interaction, InteractionKind
from townsquare.notify.models import OutboxMessage
from townsquare.residents import identities
from townsquare.settings import Settings


async def _link(session: AsyncSession, settings: Settings, citizen_id: uuid.UUID, address: str) -> str:
    await identities.start_email(session, settings=settings, citizen_id=citizen_id, raw_email=address)
    mail = (await session.execute(select(OutboxMessage).where(OutboxMessage.recipient == address))).scalars().all()[-1]
    return token_in(str(mail.payload["text"]), "/account/identities/email/confirm/")


async def test_an_email_link_joins_the_citizen_it_was_made_for(session: AsyncSession, settings: Settings) -> None:
    maria = await create_citizen(session, name="Maria")
    token = await _link(session, settings, maria.id, "maria@example.org")
    attached = await identities.confirm_email(session, token=token)
    assert attached.citizen_id == maria.id
    identity = await session.get_one(Identity, attached.identity_id)
    assert (identity.value, identity.verified, identity.verification_method) == (
        "maria@example.org",
        True,
        VerificationMethod.email_link,
    )
    with pytest.raises(Problem) as used:
        await identities.confirm_email(session, token=token)
    assert identities.reason_of(used.value) == "link_invalid"


async def test_a_contact_of_a_provisional_record_with_nothing_verified_moves(
    session: AsyncSession, settings: Settings
) -> None:
    maria = await create_citizen(session, name="Maria")
    stranger = await create_citizen(session, name="Someone", email="maria@example.org")
    stranger.status = CitizenStatus.provisional
    await session.flush()
    token = await _link(session, settings, maria.id, "maria@example.org")
    attached = await identities.confirm_email(session, token=token)
    assert attached.moved_from == stranger.id
    assert (await session.get_one(Identity, attached.identity_id)).citizen_id == maria.id
    assert stranger.status is CitizenStatus.provisional  # only the contact moved; nothing merged


@pytest.mark.parametrize("status", [CitizenStatus.confirmed, CitizenStatus.provisional])
async def test_a_contact_of_someone_with_something_verified_never_moves(
    session: AsyncSession, settings: Settings, status: CitizenStatus
) -> None:
    maria = await create_citizen(session, name="Maria")
    other = await create_citizen(
        session, name="Sam", email="sam@example.org", phone="+16135550177", phone_verified=True
    )
    other.status = status
    await session.flush()
    token = await _link(session, settings, maria.id, "sam@example.org")
    with pytest.raises(Problem) as refused:
        await identities.confirm_email(session, token=token)
    assert refused.value.status == 409
    assert identities.reason_of(refused.value) == "elsewhere"
    owner = (await session.execute(select(Identity.citizen_id).where(Identity.value == "sam@example.org"))).scalar()
    assert owner == other.id


async def test_removing_a_phone_keeps_its_history_and_drops_its_channels(session: AsyncSession) -> None:
    maria = await create_citizen(
        session, name="Maria", email="maria@example.org", phone="+16135550142", phone_verified=True
    )
    rows = (await session.execute(select(Identity).where(Identity.citizen_id == maria.id))).scalars().all()
    phone = next(i for i in rows if i.kind is IdentityKind.phone)
    email = next(i for i in rows if i.kind is IdentityKind.email)
    email.verified = True
    maria.preferred_channels = ["sms", "email", "voice"]
    conversation = await interactions.start_conversation(session, citizen_id=maria.id, channel=Channel.sms)
    said = await interactions.record(
        session,
        conversation=conversation,
        channel=Channel.sms,
        direction=Direction.inbound,
        kind=InteractionKind.message,
        body="hello",
        identity_id=phone.id,
    )
    phone_id = phone.id
    await identities.remove(session, citizen=maria, identity_id=phone_id)
    assert await session.get(Identity, phone_id) is None
    assert (await session.get_one(Interaction, said.id)).body == "hello"
    assert maria.preferred_channels == ["email"]
    with pytest.raises(Problem) as last:
        await identities.remove(session, citizen=maria, identity_id=email.id)
    assert identities.reason_of(last.value) == "last_sign_in"


async def test_channels_come_only_from_verified_contacts(session: AsyncSession) -> None:
    maria = await create_citizen(
        session, name="Maria", email="maria@example.org", phone="+16135550142", phone_verified=True
    )
    rows = list((await session.execute(select(Identity).where(Identity.citizen_id == maria.id))).scalars())
    assert identities.channels_for(rows) == ["sms", "voice"]
    with pytest.raises(Problem):
        await identities.update_preferences(session, citizen=maria, language="en", channels=["email"], quiet_hours=None)


async def test_too_many_email_links_in_an_hour_are_refused(session: AsyncSession, settings: Settings) -> None:
    maria = await create_citizen(session, name="Maria")
    for n in range(identities.MAX_EMAIL_LINKS_PER_HOUR):
        await identities.start_email(session, settings=settings, citizen_id=maria.id, raw_email=f"m{n}@example.org")
    with pytest.raises(Problem) as refused:
        await identities.start_email(session, settings=settings, citizen_id=maria.id, raw_email="late@example.org")
    assert identities.reason_of(refused.value) == "too_many_links"


async def test_a_sign_in_link_is_not_an_address_confirmation(session: AsyncSession) -> None:
    token = await sessions.create_link(session, email="maria@example.org", minutes=5)
    assert await sessions.use_citizen_link(session, token=token) is None
    assert (await session.execute(select(Citizen))).first() is None
