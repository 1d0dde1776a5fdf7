"""The demo writes a handled contact's work item and offer itself (routing writes offers only in its routing pass,
and calling the agent's answers for each of a year's contacts cost nearly half the history's CPU); what it writes
must be what the routing pass and the agent's answers leave, so the dashboards' handle time means the same."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories
from townsquare.analytics.models import Touch
from townsquare.clock import replaying
from townsquare.demo.contacts import Contacts, Resident
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel, Direction, Interaction, InteractionKind
from townsquare.routing import answers, dispatch
from townsquare.routing import service as routing
from townsquare.routing.models import Agent, Presence, WorkItem, WorkOffer

NOW = datetime(2026, 6, 1, 15, 0, tzinfo=UTC)


async def _call(session: AsyncSession, citizen_id: uuid.UUID, at: datetime) -> Interaction:
    conversation = await interactions.start_conversation(session, citizen_id=citizen_id, channel=Channel.voice)
    return await interactions.record(
        session,
        conversation=conversation,
        channel=Channel.voice,
        direction=Direction.inbound,
        kind=InteractionKind.call,
        body="A call",
        occurred_at=at,
    )


def _item(item: WorkItem) -> tuple[object, ...]:
    return (item.status, item.assigned_to_id, item.wrap_up_code, item.closed_at, item.first_answered_at)


def _offer(offer: WorkOffer) -> tuple[object, ...]:
    return (offer.staff_id, offer.outcome, offer.responded_at, offer.released_at, offer.released_how)


async def test_a_handled_call_leaves_what_the_routing_pass_and_the_agents_answers_leave(session: AsyncSession) -> None:
    agency = await factories.create_agency(session)
    service = await factories.create_service(session, agency=agency)
    agent = await factories.create_agent(session, agencies=[agency], presence="offline")
    citizen = await factories.create_citizen(session, phone="+16135550100")
    resident = Resident(citizen, "+16135550100", None)
    received = NOW - timedelta(hours=2)
    answered, released = received + timedelta(minutes=2), received + timedelta(minutes=9)

    contacts = Contacts(session, random.Random(1), NOW, {agency.id: [agent.id]}, [])
    by_demo = await _call(session, citizen.id, received)
    assert await contacts.handle(by_demo, resident, service, None, wait=answered - received, minutes=7) == agent.id
    await session.flush()

    live = await _call(session, citizen.id, received)
    with replaying(received):
        item = await routing.create(
            session, channel="voice", kind="call", agency_id=agency.id, received_at=received, service_id=service.id
        )
    profile = await session.get_one(Agent, agent.id)
    profile.presence = Presence.available
    await dispatch.route(session, now=answered - timedelta(seconds=5))
    await answers.accept(session, item_id=item.id, staff_id=agent.id, now=answered)
    await answers.complete(session, item_id=item.id, staff_id=agent.id, wrap_up_code="answered", now=released)
    assert live.id != by_demo.id

    items = {i.conversation_id: i for i in (await session.execute(select(WorkItem))).scalars()}
    demo_item = items[by_demo.conversation_id]
    assert _item(demo_item) == _item(item)
    offers = {o.work_item_id: o for o in (await session.execute(select(WorkOffer))).scalars()}
    assert _offer(offers[demo_item.id]) == _offer(offers[item.id])
    assert contacts.handled == 1
    assert not (await session.execute(select(Touch))).scalars().all()  # touches are `inbound`'s, not `handle`'s


async def test_work_not_done_by_now_is_left_out(session: AsyncSession) -> None:
    agency = await factories.create_agency(session)
    service = await factories.create_service(session, agency=agency)
    agent = await factories.create_agent(session, agencies=[agency], presence="offline")
    citizen = await factories.create_citizen(session)
    contacts = Contacts(session, random.Random(1), NOW, {agency.id: [agent.id]}, [])
    call = await _call(session, citizen.id, NOW - timedelta(minutes=3))
    resident = Resident(citizen, None, None)
    assert await contacts.handle(call, resident, service, None, wait=timedelta(minutes=1), minutes=5) is None
    assert not (await session.execute(select(WorkItem))).scalars().all()
