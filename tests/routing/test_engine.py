"""The routing engine: who is offered what, in which order, and what the agent's answers do."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_agent, create_citizen
from townsquare.agencies.models import Agency
from townsquare.app import Runtime
from townsquare.clock import utcnow
from townsquare.errors import Problem
from townsquare.routing import agents, engine
from townsquare.routing import service as items
from townsquare.routing.models import (
    Agent,
    OfferOutcome,
    Presence,
    Team,
    TeamMember,
    TransferKind,
    WorkItem,
    WorkItemStatus,
    WorkOffer,
    WrapUpCode,
)
from townsquare.staff.models import StaffRole


@dataclass
class World:
    session: AsyncSession
    works: Agency
    revenue: Agency
    now: datetime

    async def item(
        self,
        channel: str = "email",
        agency: Agency | None = None,
        *,
        received_at: datetime | None = None,
        priority: int = 50,
        language: str = "en",
        context: dict[str, Any] | None = None,
    ) -> WorkItem:
        return await items.create(
            self.session,
            channel=channel,
            kind="message",
            agency_id=(agency or self.works).id,
            received_at=received_at or self.now,
            priority=priority,
            language=language,
            context=context,
        )

    async def route(self, at: datetime | None = None) -> engine.RoutingReport:
        return await engine.route(self.session, now=at or self.now)

    async def offers(self) -> dict[uuid.UUID, uuid.UUID]:
        rows = await self.session.execute(
            select(WorkItem.id, WorkItem.assigned_to_id).where(WorkItem.status == WorkItemStatus.offered)
        )
        return {item_id: staff_id for item_id, staff_id in rows if staff_id}


@pytest.fixture
async def world(runtime: Runtime) -> AsyncIterator[World]:
    async with runtime.db.session() as session:
        works = await create_agency(session, slug="city-works")
        revenue = await create_agency(session, slug="revenue", name="Revenue")
        yield World(session, works, revenue, utcnow())


async def _agent(world: World, staff_id: uuid.UUID) -> Agent:
    agent = await world.session.get(Agent, staff_id)
    assert agent is not None
    return agent


def _status(item: WorkItem) -> WorkItemStatus:
    """The item's status as it is now: an engine call changes it on the same object."""
    return item.status


def _presence(agent: Agent) -> Presence:
    """The agent's presence as it is now: an engine call changes it on the same object."""
    return agent.presence


async def test_offers_work_to_an_available_agent_of_the_agency_only(world: World) -> None:
    mine = await create_agent(world.session, email="wren@city.example", agencies=[world.works])
    await create_agent(world.session, email="rae@city.example", agencies=[world.revenue])
    await create_agent(world.session, email="away@city.example", agencies=[world.works], presence="away")
    item = await world.item()
    report = await world.route()
    assert report.offered == [(item.id, mine.id)]
    assert item.status is WorkItemStatus.offered
    assert item.offer_expires_at is not None
    offer = (await world.session.execute(select(WorkOffer))).scalar_one()
    assert (offer.staff_id, offer.outcome) == (mine.id, OfferOutcome.pending)


async def test_language_and_required_skills_must_match_and_the_best_skilled_agent_wins(world: World) -> None:
    english = await create_agent(world.session, email="en@city.example", agencies=[world.works], skills={"roads": 5})
    weak = await create_agent(
        world.session, email="weak@city.example", agencies=[world.works], languages=["en", "fr"], skills={"roads": 1}
    )
    strong = await create_agent(
        world.session, email="strong@city.example", agencies=[world.works], languages=["fr"], skills={"roads": 4}
    )
    await create_agent(world.session, email="none@city.example", agencies=[world.works], languages=["fr"])
    french = await world.item(language="fr")
    french.required_skills = {"roads": 1}
    await world.route()
    assert (await world.offers())[french.id] == strong.id
    assert english.id not in (await world.offers()).values()
    assert weak.id not in (await world.offers()).values()


async def test_ties_go_to_the_longest_idle_agent_and_work_spreads(world: World) -> None:
    first = await create_agent(world.session, email="a@city.example", agencies=[world.works])
    second = await create_agent(world.session, email="b@city.example", agencies=[world.works])
    (await _agent(world, first.id)).idle_since = world.now - timedelta(minutes=5)
    (await _agent(world, second.id)).idle_since = world.now - timedelta(minutes=30)
    one = await world.item(received_at=world.now - timedelta(minutes=2))
    two = await world.item(received_at=world.now - timedelta(minutes=1))
    await world.route()
    offers = await world.offers()
    assert offers[one.id] == second.id  # idle the longest
    assert offers[two.id] == first.id  # not the same agent twice while another is free


async def test_order_is_priority_then_sla_risk_then_waiting_time(world: World) -> None:
    solo = await create_agent(world.session, email="solo@city.example", agencies=[world.works], capacity={"async": 1})
    old = await world.item(received_at=world.now - timedelta(hours=3))
    await world.item(received_at=world.now - timedelta(hours=1))
    urgent = await world.item(received_at=world.now, priority=90)
    await world.route()
    assert list(await world.offers()) == [urgent.id]
    await engine.accept(world.session, item_id=urgent.id, staff_id=solo.id, now=world.now)
    await engine.complete(world.session, item_id=urgent.id, staff_id=solo.id, now=world.now)
    await world.route()
    assert list(await world.offers()) == [old.id]  # same priority: the earliest SLA due first


async def test_capacity_per_class_is_never_exceeded_and_a_call_is_exclusive(world: World) -> None:
    agent = await create_agent(
        world.session, email="cap@city.example", agencies=[world.works], capacity={"voice": 1, "chat": 2, "async": 1}
    )
    chats = [await world.item("chat") for _ in range(3)]
    mails = [await world.item("email") for _ in range(2)]
    await world.route()
    call = await world.item("voice")
    await world.route()
    offered = await world.offers()
    assert sum(1 for c in chats if c.id in offered) == 2
    assert sum(1 for m in mails if m.id in offered) == 1
    assert call.id not in offered  # no call while chatting
    row = await world.session.get(Agent, agent.id)
    assert row is not None
    assert row.presence is Presence.busy
    # A fresh agent on a call takes nothing else.
    caller = await create_agent(world.session, email="call@city.example", agencies=[world.works])
    await world.route()
    assert (await world.offers())[call.id] == caller.id
    await world.item("email")
    await world.route()
    assert sum(1 for staff in (await world.offers()).values() if staff == caller.id) == 1


async def test_accept_decline_and_only_the_offered_agent_may_answer(world: World) -> None:
    one = await create_agent(world.session, email="one@city.example", agencies=[world.works])
    two = await create_agent(world.session, email="two@city.example", agencies=[world.works])
    item = await world.item("chat")
    await world.route()
    holder = item.assigned_to_id
    other = two.id if holder == one.id else one.id
    with pytest.raises(Problem) as refused:
        await engine.accept(world.session, item_id=item.id, staff_id=other, now=world.now)
    assert refused.value.status == 409
    assert holder is not None
    await engine.decline(world.session, item_id=item.id, staff_id=holder, now=world.now)
    assert item.status is WorkItemStatus.queued
    await world.route()
    assert item.assigned_to_id == other  # not back to the one who declined
    await engine.accept(world.session, item_id=item.id, staff_id=other, now=world.now)
    assert _status(item) is WorkItemStatus.assigned
    assert item.first_answered_at == world.now
    outcomes = (await world.session.execute(select(WorkOffer.outcome).order_by(WorkOffer.offered_at))).scalars()
    assert list(outcomes) == [OfferOutcome.declined, OfferOutcome.accepted]


async def test_an_unanswered_offer_times_out_goes_back_and_the_agent_is_set_away(world: World) -> None:
    agent = await create_agent(world.session, email="late@city.example", agencies=[world.works])
    backup = await create_agent(world.session, email="backup@city.example", agencies=[world.works], presence="away")
    item = await world.item("voice")
    await world.route()
    assert item.assigned_to_id == agent.id
    await agents.set_presence(world.session, staff_id=backup.id, presence=Presence.available, now=world.now)
    report = await world.route(world.now + timedelta(seconds=21))
    assert report.expired == 1
    assert item.assigned_to_id == backup.id
    row = await world.session.get(Agent, agent.id)
    assert row is not None
    assert row.presence is Presence.away
    with pytest.raises(Problem):
        await engine.accept(world.session, item_id=item.id, staff_id=agent.id, now=world.now + timedelta(seconds=22))


async def test_complete_needs_a_wrap_up_code_and_a_call_ends_in_timed_wrap_up(world: World) -> None:
    agent = await create_agent(world.session, email="wrap@city.example", agencies=[world.works], wrap_up_seconds=30)
    world.session.add(WrapUpCode(agency_id=world.works.id, code="answered", label="Question answered"))
    item = await world.item("voice")
    await world.route()
    await engine.accept(world.session, item_id=item.id, staff_id=agent.id, now=world.now)
    with pytest.raises(Problem) as missing:
        await engine.complete(world.session, item_id=item.id, staff_id=agent.id, now=world.now)
    assert missing.value.status == 422
    done = world.now + timedelta(minutes=4)
    await engine.complete(
        world.session, item_id=item.id, staff_id=agent.id, wrap_up_code="answered", outcome="Told them", now=done
    )
    assert (item.status, item.wrap_up_code, item.outcome) == (WorkItemStatus.done, "answered", "Told them")
    row = await world.session.get(Agent, agent.id)
    assert row is not None
    assert row.presence is Presence.wrap_up
    await world.item("voice")
    assert (await world.route(done + timedelta(seconds=10))).offered == []  # still wrapping up
    report = await world.route(done + timedelta(seconds=31))
    assert report.wrap_ups_ended == 1
    assert len(report.offered) == 1
    offer = (await world.session.execute(select(WorkOffer).where(WorkOffer.work_item_id == item.id))).scalar_one()
    assert offer.released_how == "completed"
    assert offer.released_at == done


async def test_transfer_to_an_agent_a_team_and_another_agency_keeps_the_context(world: World) -> None:
    first = await create_agent(world.session, email="first@city.example", agencies=[world.works])
    target = await create_agent(world.session, email="target@city.example", agencies=[world.works], presence="away")
    team_member = await create_agent(world.session, email="team@city.example", agencies=[world.works], presence="away")
    taxman = await create_agent(world.session, email="tax@city.example", agencies=[world.revenue], presence="away")
    item = await world.item("chat", context={"identified_by": {"how": "phone", "verified": True}})
    await world.route()
    assert item.assigned_to_id == first.id
    await engine.accept(world.session, item_id=item.id, staff_id=first.id, now=world.now)

    await engine.transfer(world.session, item_id=item.id, staff_id=first.id, to_staff_id=target.id, note="bylaw")
    await agents.set_presence(world.session, staff_id=team_member.id, presence=Presence.available)
    await world.route()
    assert item.status is WorkItemStatus.queued  # only the named agent, who is away
    await agents.set_presence(world.session, staff_id=target.id, presence=Presence.available)
    await world.route()
    assert item.assigned_to_id == target.id
    await engine.accept(world.session, item_id=item.id, staff_id=target.id)

    team = Team(agency_id=world.works.id, slug="bylaw", name="Bylaw")
    world.session.add(team)
    await world.session.flush()
    world.session.add(TeamMember(team_id=team.id, staff_id=team_member.id))
    await engine.transfer(world.session, item_id=item.id, staff_id=target.id, to_team_id=team.id)
    await world.route()
    assert item.assigned_to_id == team_member.id
    await engine.accept(world.session, item_id=item.id, staff_id=team_member.id)

    await engine.transfer(world.session, item_id=item.id, staff_id=team_member.id, to_agency_id=world.revenue.id)
    assert item.agency_id == world.revenue.id
    assert item.target_team_id is None
    await agents.set_presence(world.session, staff_id=taxman.id, presence=Presence.available)
    await world.route()
    assert item.assigned_to_id == taxman.id
    assert item.context["identified_by"] == {"how": "phone", "verified": True}
    moves = await engine.transfers_of(world.session, item_id=item.id)
    assert [t.to_staff_id or t.to_team_id or t.to_agency_id for t in moves] == [
        target.id,
        team.id,
        world.revenue.id,
    ]
    assert moves[0].note == "bylaw"
    with pytest.raises(Problem):
        await engine.transfer(world.session, item_id=item.id, staff_id=first.id, to_agency_id=world.works.id)


async def test_escalation_goes_to_a_supervisor_ahead_of_other_work(world: World) -> None:
    agent = await create_agent(world.session, email="agent@city.example", agencies=[world.works])
    boss = await create_agent(
        world.session, email="boss@city.example", agencies=[world.works], role=StaffRole.supervisor, presence="away"
    )
    item = await world.item("email")
    await world.route()
    await engine.accept(world.session, item_id=item.id, staff_id=agent.id)
    with pytest.raises(Problem):
        await engine.escalate(world.session, item_id=item.id, staff_id=agent.id, reason="  ")
    await engine.escalate(world.session, item_id=item.id, staff_id=agent.id, reason="Threatens legal action")
    assert item.priority >= engine.ESCALATED_PRIORITY
    assert item.escalated_at is not None
    await world.route()
    assert item.status is WorkItemStatus.queued  # the agent is not a supervisor
    await agents.set_presence(world.session, staff_id=boss.id, presence=Presence.available)
    await world.route()
    assert item.assigned_to_id == boss.id
    (escalation,) = await engine.transfers_of(world.session, item_id=item.id)
    assert (escalation.kind, escalation.note) == (TransferKind.escalation, "Threatens legal action")


async def test_a_scheduled_call_back_waits_until_its_time(world: World) -> None:
    agent = await create_agent(world.session, email="cb@city.example", agencies=[world.works])
    citizen = await create_citizen(world.session, phone="+16135550123")
    at = world.now + timedelta(hours=2)
    item = await engine.schedule_callback(
        world.session, agency_id=world.works.id, citizen_id=citizen.id, phone="+16135550123", at=at, now=world.now
    )
    assert (item.channel, item.kind, item.context["callback_number"]) == ("voice", "callback", "+16135550123")
    assert (await world.route()).offered == []
    assert (await world.route(at + timedelta(seconds=1))).offered == [(item.id, agent.id)]
    with pytest.raises(Problem):
        await engine.schedule_callback(
            world.session,
            agency_id=world.works.id,
            citizen_id=citizen.id,
            phone="+16135550123",
            at=world.now - timedelta(hours=1),
            now=world.now,
        )


async def test_withdrawn_call_frees_the_agent(world: World) -> None:
    agent = await create_agent(world.session, email="w@city.example", agencies=[world.works])
    item = await world.item("voice")
    await world.route()
    assert item.assigned_to_id == agent.id
    await engine.withdraw(world.session, item_id=item.id)
    assert item.status is WorkItemStatus.cancelled
    follow = await world.item("voice")
    await world.route()
    assert follow.assigned_to_id == agent.id


async def test_presence_the_agent_may_choose(world: World) -> None:
    agent = await create_agent(world.session, email="p@city.example", agencies=[world.works], presence="offline")
    with pytest.raises(Problem):
        await agents.set_presence(world.session, staff_id=agent.id, presence=Presence.busy)
    row = await agents.set_presence(world.session, staff_id=agent.id, presence=Presence.available, now=world.now)
    assert row.presence is Presence.available
    assert row.idle_since == world.now


async def test_work_deep_in_the_queue_reaches_free_agents_who_cannot_take_the_top(world: World) -> None:
    english = await create_agent(world.session, email="en@city.example", agencies=[world.works])
    for _ in range(12):  # ahead in the queue, but nobody free has the skill they need
        ahead = await world.item(priority=90)
        ahead.required_skills = {"bylaw": 1}
    deep = await world.item(language="en", priority=10)
    small = engine.RoutingConfig(batch=5, max_pages=4)
    report = await engine.route(world.session, now=world.now, config=small)
    assert report.offered == [(deep.id, english.id)]
    assert report.considered == 13


async def test_no_timed_wrap_up_while_other_chats_still_need_the_agent(world: World) -> None:
    agent = await create_agent(world.session, email="chats@city.example", agencies=[world.works], wrap_up_seconds=30)
    first, second = await world.item("chat"), await world.item("chat")
    await world.route()
    for item in (first, second):
        await engine.accept(world.session, item_id=item.id, staff_id=agent.id, now=world.now)
    await engine.complete(world.session, item_id=first.id, staff_id=agent.id, now=world.now)
    row = await world.session.get(Agent, agent.id)
    assert row is not None
    assert row.presence is Presence.available  # still chatting with the second person
    await engine.complete(world.session, item_id=second.id, staff_id=agent.id, now=world.now)
    assert _presence(row) is Presence.wrap_up  # the last live conversation ended
