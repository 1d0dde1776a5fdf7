"""Contacts corrected from the desk: unverified when added or corrected, never taken from another person's record,
and the last way to reach a person or the only way they sign in removed only when staff say they mean it."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_citizen, create_staff
from townsquare.casework import record_contacts, record_edit
from townsquare.citizens.models import Identity, IdentityKind, VerificationMethod
from townsquare.errors import Problem
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel, Direction, Interaction, InteractionKind
from townsquare.staff.auth import Principal
from townsquare.staff.models import StaffRole


async def _admin(session: AsyncSession) -> Principal:
    account = await create_staff(session, email="admin@city.example", role=StaffRole.admin)
    return Principal("staff", account.id, "Wren", StaffRole.admin, None)


async def _identities(session: AsyncSession, citizen_id: uuid.UUID) -> list[Identity]:
    stmt = select(Identity).where(Identity.citizen_id == citizen_id).order_by(Identity.created_at)
    return list((await session.execute(stmt)).scalars())


async def test_a_contact_of_another_person_is_refused_and_stays_theirs(session: AsyncSession) -> None:
    me = await _admin(session)
    ana = await create_citizen(session, name="Ana")
    ben = await create_citizen(session, name="Ben", email="ben@example.org")
    with pytest.raises(Problem) as refused:
        await record_contacts.add_contact(
            session, me=me, region="CA", citizen_id=ana.id, kind="email", value="BEN@example.org", reason="r"
        )
    assert refused.value.status == 409
    assert [e.message for e in refused.value.errors] == ["elsewhere"]
    assert "ben@example.org" not in refused.value.detail  # the problem names no one's contact
    assert [i.value for i in await _identities(session, ben.id)] == ["ben@example.org"]
    assert await _identities(session, ana.id) == []


async def test_a_corrected_phone_is_a_new_unverified_one_and_its_history_stays_on_the_timeline(
    session: AsyncSession,
) -> None:
    me = await _admin(session)
    ana = await create_citizen(session, name="Ana", phone="+16135550142", phone_verified=True)
    ana_id = ana.id
    old = (await _identities(session, ana_id))[0]
    old_id = old.id
    talk = await interactions.start_conversation(session, citizen_id=ana_id, channel=Channel.sms)
    text = await interactions.record(
        session,
        conversation=talk,
        channel=Channel.sms,
        direction=Direction.inbound,
        kind=InteractionKind.message,
        body="hello",
        identity_id=old_id,
    )
    text_id = text.id
    new = await record_contacts.correct_contact(
        session, me=me, region="CA", citizen_id=ana_id, identity_id=old_id, value="(613) 555-0143", reason="r"
    )
    assert (new.value, new.verified, new.verification_method) == ("+16135550143", False, None)
    new_id = new.id
    await session.flush()
    session.expire_all()
    assert [i.id for i in await _identities(session, ana_id)] == [new_id]
    kept = await session.get(Interaction, text_id)
    assert kept is not None
    assert kept.identity_id is None


async def test_removing_the_last_way_in_or_to_reach_someone_needs_a_yes(session: AsyncSession) -> None:
    me = await _admin(session)
    ana = await create_citizen(session, name="Ana", phone="+16135550142", email="ana@example.org")
    ana_id = ana.id
    phone, email = await _identities(session, ana_id)
    email.verified, email.verification_method = True, VerificationMethod.email_link
    phone_id, email_id = phone.id, email.id
    await session.flush()
    session.expire_all()
    person = await record_edit.editable(session, me=me, citizen_id=ana_id)
    assert record_contacts.losing(person, next(i for i in person.identities if i.kind is IdentityKind.email)) == (
        "last_sign_in"
    )
    assert record_contacts.losing(person, next(i for i in person.identities if i.kind is IdentityKind.phone)) is None
    with pytest.raises(Problem) as refused:
        await record_contacts.remove_contact(
            session, me=me, citizen_id=ana_id, identity_id=email_id, reason="gone", confirmed=False
        )
    assert [(e.field, e.message) for e in refused.value.errors] == [("confirm", "last_sign_in")]
    await record_contacts.remove_contact(
        session, me=me, citizen_id=ana_id, identity_id=phone_id, reason="not hers", confirmed=False
    )
    await session.flush()
    session.expire_all()
    person = await record_edit.editable(session, me=me, citizen_id=ana_id)
    assert record_contacts.losing(person, person.identities[0]) == "last_way"
    await record_contacts.remove_contact(
        session, me=me, citizen_id=ana_id, identity_id=email_id, reason="closed", confirmed=True
    )
    assert await _identities(session, ana_id) == []
