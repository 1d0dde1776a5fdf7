"""A supervisor gives waiting work to a named agent (offered or handed), to themselves or to a team: the agent's
agency, languages, skills and capacity still hold, every reason is given at once, an unanswered offer is released
with its agent freed, and each giving leaves a transfer row."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_agent
from townsquare.clock import utcnow
from townsquare.errors import Problem
from townsquare.routing import assigning, engine
from townsquare.routing import service as items
from townsquare.routing.models import (
    Agent,
    OfferOutcome,
    Presence,
    Team,
    TransferKind,
    WorkItem,
    WorkItemStatus,
    WorkOffer,
    WorkTransfer,
)
from townsquare.staff.models import StaffRole


async def _item(session: AsyncSession, agency_id: uuid.UUID, channel: str = "email", language: str = "en") -> WorkItem:
    return await items.create(
        session, channel=channel, kind="message", agency_id=agency_id, received_at=utcnow(), language=language
    )


async def _reasons(session: AsyncSession, item: WorkItem, to: uuid.UUID, by: uuid.UUID, *, direct: bool) -> set[str]:
    with pytest.raises(Problem) as refused:
        await assigning.give(session, item_id=item.id, to_staff_id=to, by_staff_id=by, direct=direct)
    assert refused.value.status == 422
    return {e.message for e in refused.value.errors}


async def test_an_agent_who_cannot_take_the_work_is_refused_with_every_reason(session: AsyncSession) -> None:
    works = await create_agency(session)
    parks = await create_agency(session, slug="parks", name="Parks")
    sam = await create_agent(session, email="sam@city.example", agencies=[works], role=StaffRole.supervisor)
    full = await create_agent(
        session, email="full@city.example", agencies=[parks], capacity={"voice": 1, "chat": 0, "async": 0}
    )
    away = await create_agent(session, email="away@city.example", agencies=[works], presence="away")
    item = await _item(session, works.id, language="fr")
    item.required_skills = {"roads": 3}
    await session.flush()
    assert await _reasons(session, item, full.id, sam.id, direct=False) == {"agency", "language", "skills", "no_room"}
    assert await _reasons(session, item, away.id, sam.id, direct=False) == {"language", "skills", "not_available"}
    away_agent = await session.get_one(Agent, away.id)
    away_agent.presence = Presence.offline
    await session.flush()
    assert "signed_out" in await _reasons(session, item, away.id, sam.id, direct=True)
    assert item.status is WorkItemStatus.queued


async def test_offered_work_is_released_and_handed_to_another_agent_within_their_room(session: AsyncSession) -> None:
    works = await create_agency(session)
    sam = await create_agent(session, email="sam@city.example", agencies=[works], role=StaffRole.supervisor)
    ana = await create_agent(session, email="ana@city.example", agencies=[works])
    ben = await create_agent(
        session,
        email="ben@city.example",
        agencies=[works],
        presence="away",
        capacity={"voice": 1, "chat": 1, "async": 1},
    )
    sam_agent = await session.get_one(Agent, sam.id)
    sam_agent.presence = Presence.offline  # the supervisor is not routed to
    item = await _item(session, works.id)
    await engine.route(session)
    assert (item.status, item.assigned_to_id) == (WorkItemStatus.offered, ana.id)

    await assigning.give(session, item_id=item.id, to_staff_id=ben.id, by_staff_id=sam.id, direct=True)
    assert (item.status, item.assigned_to_id, item.offer_expires_at) == (WorkItemStatus.assigned, ben.id, None)
    offers = (await session.execute(select(WorkOffer).order_by(WorkOffer.offered_at))).scalars().all()
    assert [(o.staff_id, o.outcome, o.released_how) for o in offers] == [
        (ana.id, OfferOutcome.reassigned, "reassigned"),
        (ben.id, OfferOutcome.accepted, None),
    ]
    moved = (await session.execute(select(WorkTransfer))).scalar_one()
    assert (moved.kind, moved.from_staff_id, moved.to_staff_id) == (TransferKind.assignment, sam.id, ben.id)
    assert (await session.get_one(Agent, ana.id)).presence is Presence.available
    second = await _item(session, works.id)
    assert await _reasons(session, second, ben.id, sam.id, direct=True) == {"no_room"}  # one email at a time


async def test_an_offer_waits_for_the_agents_answer_and_a_declined_one_goes_back_to_the_queue(
    session: AsyncSession,
) -> None:
    works = await create_agency(session)
    sam = await create_agent(session, email="sam@city.example", agencies=[works], role=StaffRole.supervisor)
    ana = await create_agent(session, email="ana@city.example", agencies=[works])
    item = await _item(session, works.id, channel="chat")
    await assigning.give(session, item_id=item.id, to_staff_id=ana.id, by_staff_id=sam.id, direct=False)
    assert (item.status, item.assigned_to_id) == (WorkItemStatus.offered, ana.id)
    assert item.offer_expires_at is not None
    with pytest.raises(Problem) as again:
        await assigning.give(session, item_id=item.id, to_staff_id=ana.id, by_staff_id=sam.id, direct=False)
    assert again.value.status == 409
    await engine.decline(session, item_id=item.id, staff_id=ana.id)
    assert (item.status, item.assigned_to_id) == (WorkItemStatus.queued, None)


async def test_work_given_to_a_team_waits_for_its_members_only_and_handled_work_cannot_be_given(
    session: AsyncSession,
) -> None:
    works = await create_agency(session)
    parks = await create_agency(session, slug="parks", name="Parks")
    sam = await create_agent(session, email="sam@city.example", agencies=[works], role=StaffRole.supervisor)
    crew, elsewhere = Team(agency_id=works.id, slug="crew", name="Crew"), Team(agency_id=parks.id, slug="p", name="P")
    session.add_all([crew, elsewhere])
    item = await _item(session, works.id)
    await session.flush()
    with pytest.raises(Problem) as refused:
        await assigning.give_to_team(session, item_id=item.id, team_id=elsewhere.id, by_staff_id=sam.id)
    assert refused.value.status == 422
    await assigning.give_to_team(session, item_id=item.id, team_id=crew.id, by_staff_id=sam.id)
    assert (item.status, item.target_team_id) == (WorkItemStatus.queued, crew.id)
    await assigning.give(session, item_id=item.id, to_staff_id=sam.id, by_staff_id=sam.id, direct=True)
    assert (item.status, item.assigned_to_id) == (WorkItemStatus.assigned, sam.id)  # taking it: whatever presence
    with pytest.raises(Problem) as handled:
        await assigning.give_to_team(session, item_id=item.id, team_id=crew.id, by_staff_id=sam.id)
    assert (handled.value.status, handled.value.type_slug) == (409, assigning.NOT_WAITING)
