"""The desk's use cases of filling in a form together, without HTTP: the link's message on each channel as its
provider takes it, what may be sent for whom, and when the agent's answers are refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_service
from tests.support.together import EMAIL, Together, together_world
from townsquare.agencies.models import Service
from townsquare.casework import cofill, cofill_view
from townsquare.casework.cofill import Sending
from townsquare.citizens.models import Citizen
from townsquare.clock import utcnow
from townsquare.drafts import links
from townsquare.drafts.links import DraftLink
from townsquare.drafts.models import Draft
from townsquare.engagement.replies import ReplyOptions
from townsquare.errors import Problem
from townsquare.notify.models import OutboxMessage
from townsquare.settings import Settings
from townsquare.staff.auth import Principal
from townsquare.staff.models import AuditEntry, StaffRole


def _wren(world: Together) -> Principal:
    return Principal("staff", world.agent_id, "Wren", StaffRole.agent, frozenset({world.agency_id}))


def _answers(service: Service, tz: str) -> dict[str, object]:
    return {"colour": "red"}


async def _sent(session: AsyncSession, settings: Settings, to: str = "") -> tuple[Together, DraftLink]:
    world = await together_world(session)
    link = await cofill.send_link(
        session,
        me=_wren(world),
        item_id=world.item_id,
        sent=Sending("PERMIT", "form", to or f"sms:{world.phone_id}"),
        settings=settings,
        options=ReplyOptions(settings=settings),
    )
    return world, link


async def test_an_email_link_is_an_email_with_a_subject_greeting_and_the_link_in_her_language(
    session: AsyncSession, settings: Settings
) -> None:
    world = await together_world(session)
    (await session.get_one(Citizen, world.citizen_id)).language = "fr"
    await cofill.send_link(
        session,
        me=_wren(world),
        item_id=world.item_id,
        sent=Sending("PERMIT", "upload", f"email:{world.email_id}"),
        settings=settings,
        options=ReplyOptions(settings=settings),
    )
    message = (await session.execute(select(OutboxMessage).where(OutboxMessage.recipient == EMAIL))).scalar_one()
    assert message.channel == "email"
    assert message.payload["subject"] == "Un formulaire à remplir ensemble : Residential parking permit"
    assert "vous demande une photo" in str(message.payload["text"])
    assert "/together/" in str(message.payload["html"])
    link = (await session.execute(select(DraftLink))).scalar_one()
    assert (link.channel, link.purpose.value) == ("email", "upload")


async def test_a_link_is_sent_only_for_a_service_of_the_agents_agencies(
    session: AsyncSession, settings: Settings
) -> None:
    world = await together_world(session)
    parks = await create_agency(session, slug="parks", name="Parks")
    await create_service(session, agency=parks, code="PICNIC", name="Book a picnic shelter")
    with pytest.raises(Problem) as refused:
        await cofill.send_link(
            session,
            me=_wren(world),
            item_id=world.item_id,
            sent=Sending("PICNIC", "form", f"sms:{world.phone_id}"),
            settings=settings,
            options=ReplyOptions(),
        )
    assert refused.value.status == 422
    assert "not one your agencies offer" in refused.value.detail


async def test_the_agents_answers_wait_for_her_and_stop_when_her_time_is_up(
    session: AsyncSession, settings: Settings
) -> None:
    world, link = await _sent(session, settings)
    me = _wren(world)
    with pytest.raises(Problem) as unopened:
        await cofill.save_answers(session, me=me, item_id=world.item_id, base=0, read_changes=_answers)
    assert (unopened.value.status, "not opened the link yet" in unopened.value.detail) == (409, True)
    link.opened_at, link.session_expires_at = utcnow(), utcnow() + timedelta(minutes=5)
    link.allowed_at = utcnow()
    saved = await cofill.save_answers(session, me=me, item_id=world.item_id, base=0, read_changes=_answers)
    assert saved.applied == ["colour"]
    link.session_expires_at = utcnow() - timedelta(seconds=1)
    with pytest.raises(Problem) as late:
        await cofill.save_answers(session, me=me, item_id=world.item_id, base=1, read_changes=_answers)
    assert (late.value.status, "time is up" in late.value.detail) == (409, True)


async def test_an_answer_another_agency_verified_is_not_the_agents_to_change(
    session: AsyncSession, settings: Settings
) -> None:
    world, link = await _sent(session, settings)
    link.opened_at, link.session_expires_at, link.allowed_at = utcnow(), utcnow() + timedelta(minutes=5), utcnow()
    draft = await session.get_one(Draft, link.draft_id)
    draft.prefill = {"colour": {"source": "licensing.colour", "verified": True, "hash": "x"}}
    with pytest.raises(Problem) as locked:
        await cofill.save_answers(session, me=_wren(world), item_id=world.item_id, base=0, read_changes=_answers)
    assert locked.value.status == 422
    assert draft.answers == {}


async def test_the_panel_is_a_read_of_her_draft_and_is_audited(session: AsyncSession, settings: Settings) -> None:
    world, link = await _sent(session, settings)
    await links.end(session, link=link)
    panel = await cofill_view.read_panel(session, me=_wren(world), item_id=world.item_id, purpose="test")
    assert panel.state == "ended"
    assert panel.can_send
    assert [c.to for c in panel.contacts] == [f"sms:{world.phone_id}", f"email:{world.email_id}"]
    reads = (await session.execute(select(AuditEntry).where(AuditEntry.action == cofill_view.READ))).scalars().all()
    assert [(r.actor_kind, r.citizen_id) for r in reads] == [("staff", world.citizen_id)]
