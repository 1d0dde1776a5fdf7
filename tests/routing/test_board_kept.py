"""The wallboard kept for a moment: one count for every supervisor watching the same agencies, counted again once
the board moves or the moment passes, never another scope's board, and never a count older than the last move."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency
from tests.support.db import record_statements
from townsquare.app import Runtime
from townsquare.clock import utcnow
from townsquare.routing.board_kept import KeptBoards
from townsquare.routing.models import CapacityClass, WorkItem, WorkItemStatus


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _queue_one(session: AsyncSession, agency_id: uuid.UUID) -> None:
    session.add(
        WorkItem(
            channel="sms",
            kind="message",
            agency_id=agency_id,
            status=WorkItemStatus.queued,
            capacity_class=CapacityClass.async_,
            created_at=utcnow() - timedelta(minutes=3),
        )
    )
    await session.commit()


async def test_one_count_serves_until_the_board_moves_or_the_moment_passes(session: AsyncSession) -> None:
    works = await create_agency(session, slug="city-works", name="City Works")
    await _queue_one(session, works.id)
    clock = Clock()
    boards = KeptBoards(0.5, clock=clock)
    scope = {works.id}

    first = await boards.snapshot(session, agency_ids=scope)
    await _queue_one(session, works.id)
    clock.now += 0.4
    assert (await boards.snapshot(session, agency_ids=scope)) is first  # kept: the same count
    assert first.total.depth == 1

    boards.moved()  # the watchers are told the board moved: what they fetch now is counted again
    moved = await boards.snapshot(session, agency_ids=scope)
    assert moved is not first
    assert moved.total.depth == 2

    await _queue_one(session, works.id)
    clock.now += 0.5  # no move heard (another process's change, a wait growing): the moment alone ends it
    assert (await boards.snapshot(session, agency_ids=scope)).total.depth == 3


async def test_each_scope_has_its_own_board(session: AsyncSession) -> None:
    works = await create_agency(session, slug="city-works", name="City Works")
    revenue = await create_agency(session, slug="revenue", name="Revenue")
    await _queue_one(session, works.id)
    boards = KeptBoards(30.0, clock=Clock())

    theirs = await boards.snapshot(session, agency_ids={revenue.id})
    ours = await boards.snapshot(session, agency_ids={works.id})
    everyone = await boards.snapshot(session, agency_ids=None)
    assert (theirs.total.depth, ours.total.depth, everyone.total.depth) == (0, 1, 1)


async def test_supervisors_asking_at_once_share_one_count(session: AsyncSession, runtime: Runtime) -> None:
    works = await create_agency(session, slug="city-works", name="City Works")
    await _queue_one(session, works.id)
    boards = KeptBoards(30.0, clock=Clock())

    async def ask() -> Any:
        async with runtime.db.session(deferred=True) as own:
            return await boards.snapshot(own, agency_ids={works.id})

    with record_statements(runtime.db.read_engine) as alone:
        async with runtime.db.session(deferred=True) as own:
            await KeptBoards(0.0).snapshot(own, agency_ids={works.id})
    with record_statements(runtime.db.read_engine) as together:
        walls = await asyncio.gather(*(ask() for _ in range(5)))
    assert all(w is walls[0] for w in walls)
    assert len(alone.selects) > 0
    assert len(together.selects) == len(alone.selects)


async def test_a_count_the_board_moved_under_is_not_kept_as_fresh(session: AsyncSession, runtime: Runtime) -> None:
    works = await create_agency(session, slug="city-works", name="City Works")
    await _queue_one(session, works.id)
    boards = KeptBoards(30.0, clock=Clock())
    engine = runtime.db.read_engine.sync_engine
    moves: list[int] = []

    def move_once(*_args: Any) -> None:
        if not moves:
            moves.append(1)
            boards.moved()  # a change lands while the board is being counted

    event.listen(engine, "before_cursor_execute", move_once)
    try:
        async with runtime.db.session(deferred=True) as own:
            during = await boards.snapshot(own, agency_ids={works.id})
    finally:
        event.remove(engine, "before_cursor_execute", move_once)
    async with runtime.db.session(deferred=True) as own:
        after = await boards.snapshot(own, agency_ids={works.id})
    assert after is not during  # counted again: the first count may have missed the change
