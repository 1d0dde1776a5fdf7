"""The routing worker runs a pass only when one could change something, so a busy door with nobody signed in
does not queue a write transaction behind every contact."""

from __future__ import annotations

from datetime import timedelta

from tests.factories import create_agency, create_agent
from townsquare.agencies.models import Agency
from townsquare.app import Runtime
from townsquare.clock import utcnow
from townsquare.routing import service as items
from townsquare.routing.models import Agent, Presence, WorkItem, WorkItemStatus


async def _queued_item(runtime: Runtime) -> WorkItem:
    async with runtime.db.session() as session:
        agency = await create_agency(session)
        item = await items.create(session, channel="email", kind="message", agency_id=agency.id, received_at=utcnow())
        await session.commit()
        return item


async def test_queued_work_with_nobody_free_needs_no_pass(runtime: Runtime) -> None:
    await _queued_item(runtime)
    assert await runtime.router._anything_to_do() is False
    report = await runtime.router.run_once()
    assert report.offered == []
    assert report.considered == 0


async def test_queued_work_and_a_free_agent_need_a_pass(runtime: Runtime) -> None:
    item = await _queued_item(runtime)
    async with runtime.db.session() as session:
        agency = await session.get(Agency, item.agency_id)
        assert agency is not None
        await create_agent(session, email="free@city.example", agencies=[agency])
        await session.commit()
    assert await runtime.router._anything_to_do() is True
    report = await runtime.router.run_once()
    assert [offered for offered, _ in report.offered] == [item.id]


async def test_an_agent_free_with_no_work_needs_no_pass(runtime: Runtime) -> None:
    async with runtime.db.session() as session:
        await create_agent(session, email="idle@city.example", agencies=[await create_agency(session)])
        await session.commit()
    assert await runtime.router._anything_to_do() is False


async def test_a_lapsed_offer_needs_a_pass_and_an_open_one_does_not(runtime: Runtime) -> None:
    item = await _queued_item(runtime)
    async with runtime.db.session() as session:
        row = await session.get(WorkItem, item.id)
        assert row is not None
        row.status = WorkItemStatus.offered
        row.offer_expires_at = utcnow() + timedelta(seconds=30)
        await session.commit()
    assert await runtime.router._anything_to_do() is False
    async with runtime.db.session() as session:
        row = await session.get(WorkItem, item.id)
        assert row is not None
        row.offer_expires_at = utcnow() - timedelta(seconds=1)
        await session.commit()
    assert await runtime.router._anything_to_do() is True


async def test_an_ended_wrap_up_needs_a_pass_and_a_running_one_does_not(runtime: Runtime) -> None:
    async with runtime.db.session() as session:
        account = await create_agent(
            session, email="wrapping@city.example", agencies=[await create_agency(session)], wrap_up_seconds=60
        )
        agent = await session.get(Agent, account.id)
        assert agent is not None
        agent.presence = Presence.wrap_up
        agent.presence_since = utcnow() - timedelta(seconds=10)
        await session.commit()
    assert await runtime.router._anything_to_do() is False
    async with runtime.db.session() as session:
        agent = await session.get(Agent, account.id)
        assert agent is not None
        agent.presence_since = utcnow() - timedelta(seconds=61)
        await session.commit()
    assert await runtime.router._anything_to_do() is True
    report = await runtime.router.run_once()
    assert report.wrap_ups_ended == 1
