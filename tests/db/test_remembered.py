"""Configuration remembered per process: read once, forgotten when this process commits a change to it, and
read again after a few seconds whatever happened elsewhere."""

from __future__ import annotations

import pytest
from sqlalchemy import text, update

from tests.factories import create_agency
from tests.support.db import record_statements
from townsquare.app import Runtime
from townsquare.db import remembered
from townsquare.routing import service as routing
from townsquare.routing.models import Queue


async def _queue_setup(runtime: Runtime) -> Queue:
    async with runtime.db.session() as s:
        agency = await create_agency(s)
        queue = Queue(agency_id=agency.id, slug="roads", name="Roads", priority_boost=5)
        s.add(queue)
        await s.commit()
        return queue


async def _boost(runtime: Runtime, queue: Queue) -> tuple[int | None, int]:
    """The chosen queue's boost as a new session sees it, and how many statements that took."""
    async with runtime.db.session() as s:
        with record_statements(runtime.db.engine) as seen:
            chosen = await routing.choose_queue(s, agency_id=queue.agency_id, channel="sms", service_code=None)
    return (chosen.priority_boost if chosen else None), len(seen.selects)


async def test_a_queue_is_read_once_and_remembered(runtime: Runtime) -> None:
    queue = await _queue_setup(runtime)
    assert await _boost(runtime, queue) == (5, 1)
    assert await _boost(runtime, queue) == (5, 0)


async def test_a_change_committed_here_is_seen_by_the_next_read(runtime: Runtime) -> None:
    queue = await _queue_setup(runtime)
    await _boost(runtime, queue)
    async with runtime.db.session() as s:
        row = await s.get_one(Queue, queue.id)
        row.priority_boost = 20
        await s.commit()
    assert await _boost(runtime, queue) == (20, 1)
    async with runtime.db.session() as s:  # a bulk UPDATE through the ORM too
        await s.execute(update(Queue).where(Queue.id == queue.id).values(active=False))
        await s.commit()
    assert await _boost(runtime, queue) == (None, 1)


async def test_a_change_rolled_back_is_never_remembered(runtime: Runtime) -> None:
    queue = await _queue_setup(runtime)
    async with runtime.db.session() as s:
        row = await s.get_one(Queue, queue.id)
        row.priority_boost = 30
        await s.flush()
        # The session that wrote reads its own view, and nobody else is given it.
        mine = await routing.choose_queue(s, agency_id=queue.agency_id, channel="sms", service_code=None)
        assert mine is not None
        assert mine.priority_boost == 30
        await s.rollback()
    assert await _boost(runtime, queue) == (5, 1)


async def test_a_change_made_elsewhere_is_seen_once_its_time_is_up(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue = await _queue_setup(runtime)
    clock = [1000.0]
    monkeypatch.setattr(remembered, "monotonic", lambda: clock[0])
    assert await _boost(runtime, queue) == (5, 1)
    async with runtime.db.session() as s:  # as another process would: not through this process's ORM
        await s.execute(text("UPDATE queues SET priority_boost = 40"))
        await s.commit()
    clock[0] += remembered.TTL_SECONDS - 0.5
    assert await _boost(runtime, queue) == (5, 0)
    clock[0] += 1.0
    assert await _boost(runtime, queue) == (40, 1)
