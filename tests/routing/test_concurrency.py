"""Several routing workers at once, with agents answering and finishing work between their passes.

On PostgreSQL the workers really overlap (separate connections, SKIP LOCKED): no work item is ever in two hands,
and no agent ever holds more than their capacity. PostgreSQL only: on SQLite the workers would take turns.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections import Counter
from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, select

from tests.factories import create_agency, create_agent
from townsquare.app import Runtime
from townsquare.clock import utcnow
from townsquare.errors import Problem
from townsquare.routing import engine
from townsquare.routing import service as items
from townsquare.routing.models import (
    HELD_STATUSES,
    Agent,
    CapacityClass,
    WorkItem,
    WorkItemStatus,
    WorkOffer,
)

WORKERS = 4
AGENTS = 10
ITEMS = 240
CHANNELS = ["voice", "chat", "chat", "email", "sms", "web"]


async def _violations(runtime: Runtime, capacity: dict[uuid.UUID, dict[str, int]]) -> list[str]:
    """What is wrong right now, read in single statements (each a consistent snapshot)."""
    found: list[str] = []
    async with runtime.db.session(deferred=True) as session:
        open_offers = await session.execute(
            select(WorkOffer.work_item_id, func.count())
            .where(WorkOffer.released_at.is_(None))
            .group_by(WorkOffer.work_item_id)
            .having(func.count() > 1)
        )
        found += [f"item {item_id} has {n} open offers" for item_id, n in open_offers]
        held = await session.execute(
            select(WorkItem.assigned_to_id, WorkItem.capacity_class, func.count())
            .where(WorkItem.status.in_(HELD_STATUSES))
            .group_by(WorkItem.assigned_to_id, WorkItem.capacity_class)
        )
        load: dict[uuid.UUID, Counter[str]] = {}
        for staff_id, capacity_class, n in held:
            if staff_id is None:
                found.append(f"{n} held {capacity_class.value} items have no agent")
            else:
                load.setdefault(staff_id, Counter())[capacity_class.value] = n
    for staff_id, classes in load.items():
        found += _overload(staff_id, classes, capacity[staff_id])
    return found


def _overload(staff_id: uuid.UUID, classes: Counter[str], capacity: dict[str, int]) -> list[str]:
    """How what one agent holds exceeds their capacity, or mixes a call with other live work."""
    found = [
        f"agent {staff_id} holds {n} {name} items, capacity {capacity.get(name, 0)}"
        for name, n in classes.items()
        if n > capacity.get(name, 0)
    ]
    if classes[CapacityClass.voice] and (classes[CapacityClass.chat] or classes[CapacityClass.voice] > 1):
        found.append(f"agent {staff_id} is on a call and holds other live work")
    return found


@dataclass
class Floor:
    """The agents' capacities, and what the routing workers, the agents' desks and the monitor share as they run."""

    runtime: Runtime
    capacity: dict[uuid.UUID, dict[str, int]]
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    problems: list[str] = field(default_factory=list)
    lost_races: list[int] = field(default_factory=list)
    passes: Counter[str] = field(default_factory=Counter)


async def _seed(runtime: Runtime, rng: random.Random) -> dict[uuid.UUID, dict[str, int]]:
    """AGENTS agents of random capacities and ITEMS work items of random channels and priorities."""
    capacity: dict[uuid.UUID, dict[str, int]] = {}
    async with runtime.db.session() as session:
        agency = await create_agency(session)
        for n in range(AGENTS):
            cap = {"voice": 1, "chat": rng.randint(1, 3), "async": rng.randint(1, 4)}
            account = await create_agent(session, email=f"agent{n}@city.example", agencies=[agency], capacity=cap)
            capacity[account.id] = cap
        for _ in range(ITEMS):
            await items.create(
                session,
                channel=rng.choice(CHANNELS),
                kind="message",
                agency_id=agency.id,
                received_at=utcnow(),
                priority=rng.choice([25, 50, 50, 75]),
            )
        await session.commit()
    return capacity


async def _routing_worker(floor: Floor, name: str) -> None:
    while not floor.stop.is_set():
        async with floor.runtime.db.session() as session:
            report = await engine.route(session)
            await session.commit()
        floor.passes[name] += 1
        if not report.offered:
            await asyncio.sleep(0.002)


async def _agent_desk(floor: Floor, staff_id: uuid.UUID, seed: int) -> None:
    desk = random.Random(seed)
    while not floor.stop.is_set():
        async with floor.runtime.db.session() as session:
            held = (
                await session.execute(
                    select(WorkItem.id, WorkItem.status).where(
                        WorkItem.assigned_to_id == staff_id, WorkItem.status.in_(HELD_STATUSES)
                    )
                )
            ).all()
        for item_id, status in held:
            await _handle(floor, desk, staff_id, item_id, status)
        await asyncio.sleep(desk.uniform(0.001, 0.01))


async def _handle(
    floor: Floor, desk: random.Random, staff_id: uuid.UUID, item_id: uuid.UUID, status: WorkItemStatus
) -> None:
    """The agent accepts or declines an offer, or may complete what they hold; losing a race is expected."""
    async with floor.runtime.db.session() as session:
        try:
            if status is WorkItemStatus.offered:
                if desk.random() < 0.15:
                    await engine.decline(session, item_id=item_id, staff_id=staff_id)
                else:
                    await engine.accept(session, item_id=item_id, staff_id=staff_id)
            elif desk.random() < 0.5:
                await engine.complete(session, item_id=item_id, staff_id=staff_id)
            await session.commit()
        except Problem as refused:
            floor.lost_races.append(refused.status)  # another pass or a time-out got there first
            await session.rollback()


async def _monitor(floor: Floor) -> None:
    while not floor.stop.is_set():
        floor.problems.extend(await _violations(floor.runtime, floor.capacity))
        await asyncio.sleep(0.003)


async def _until_done(floor: Floor) -> None:
    while True:
        async with floor.runtime.db.session(deferred=True) as session:
            left = await session.scalar(
                select(func.count()).select_from(WorkItem).where(WorkItem.status != WorkItemStatus.done)
            )
        if not left:
            break
        await asyncio.sleep(0.05)
    floor.stop.set()


@pytest.mark.postgres_only
async def test_parallel_routing_workers_never_double_assign_or_overfill(runtime: Runtime) -> None:
    floor = Floor(runtime, await _seed(runtime, random.Random(7)))
    tasks = [
        *(_routing_worker(floor, f"w{n}") for n in range(WORKERS)),
        *(_agent_desk(floor, staff_id, n) for n, staff_id in enumerate(floor.capacity)),
        _monitor(floor),
    ]
    await asyncio.wait_for(asyncio.gather(_until_done(floor), *tasks), timeout=240)

    assert floor.problems == []
    assert set(floor.lost_races) <= {409}
    assert await _violations(runtime, floor.capacity) == []
    assert all(floor.passes[f"w{n}"] > 0 for n in range(WORKERS))
    async with runtime.db.session(deferred=True) as session:
        per_item = await session.execute(
            select(WorkOffer.work_item_id, WorkOffer.released_how).where(WorkOffer.released_how == "completed")
        )
        completed = Counter(item_id for item_id, _ in per_item)
        assert len(completed) == ITEMS
        assert max(completed.values()) == 1
        agents_used = await session.scalar(select(func.count(func.distinct(WorkOffer.staff_id))))
        assert agents_used == AGENTS
        assert await session.scalar(select(func.count()).select_from(Agent)) == AGENTS
