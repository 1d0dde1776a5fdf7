"""The routing worker runs a pass only when one could change something, so a busy door with nobody signed in
does not queue a write transaction behind every contact."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import create_agency, create_agent
from tests.support.db import record_statements
from townsquare.agencies.models import Agency
from townsquare.app import Runtime
from townsquare.clock import utcnow
from townsquare.routing import service as items
from townsquare.routing import worker
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


def _clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [1000.0]
    monkeypatch.setattr(worker, "monotonic", lambda: now[0])
    return now


async def _reads(runtime: Runtime) -> int:
    """How many statements the loop's next pass reads."""
    with record_statements(runtime.db.read_engine) as seen:
        await runtime.router.run_woken()
    return len(seen.queries)


async def test_new_work_a_moment_after_a_look_that_found_nobody_free_reads_nothing(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = _clock(monkeypatch)
    await _queued_item(runtime)
    assert await _reads(runtime) == 3  # no offer out, no wrap-up, nobody free
    runtime.router.work_changed()
    assert await _reads(runtime) == 0
    now[0] += runtime.router.poll_seconds * worker.QUIET_SHARE
    assert await _reads(runtime) == 3  # the poll always looks
    runtime.router.wake()  # an agent changed: the last look no longer holds
    assert await _reads(runtime) == 3


async def test_an_offer_running_out_soon_shortens_the_quiet(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    now = _clock(monkeypatch)
    item = await _queued_item(runtime)
    async with runtime.db.session() as session:
        row = await session.get_one(WorkItem, item.id)
        row.status = WorkItemStatus.offered
        row.offer_expires_at = utcnow() + timedelta(seconds=runtime.router.poll_seconds * worker.QUIET_SHARE / 4)
        await session.commit()
    assert await _reads(runtime) == 3
    now[0] += runtime.router.poll_seconds * worker.QUIET_SHARE / 2
    assert await _reads(runtime) == 3  # past the offer's end: looked again


async def test_a_look_that_found_someone_free_leaves_the_next_wake_to_look(runtime: Runtime) -> None:
    async with runtime.db.session() as session:
        await create_agent(session, email="idle@city.example", agencies=[await create_agency(session)])
        await session.commit()
    assert await _reads(runtime) == 4  # someone free, nothing queued
    runtime.router.work_changed()
    assert await _reads(runtime) == 4
