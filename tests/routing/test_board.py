"""The wallboard snapshot: depth, waits, service level and agents, per queue and channel, in a fixed query count."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_staff
from tests.support.db import record_statements
from townsquare.app import Runtime
from townsquare.routing import board
from townsquare.routing.models import Agent, CapacityClass, Presence, Queue, WorkItem, WorkItemStatus
from townsquare.staff.models import StaffRole

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # 11:00 in Toronto; the local day began at 04:00 UTC
MIN = timedelta(minutes=1)


def _item(agency_id: uuid.UUID, **fields: Any) -> WorkItem:
    channel = fields.pop("channel", "sms")
    defaults: dict[str, Any] = {
        "kind": "message",
        "status": WorkItemStatus.queued,
        "capacity_class": CapacityClass.chat if channel == "chat" else CapacityClass.async_,
        "created_at": NOW - 10 * MIN,
        "sla_due_at": NOW + 60 * MIN,
    }
    return WorkItem(channel=channel, agency_id=agency_id, **{**defaults, **fields})


async def _seed(session: AsyncSession) -> dict[str, Any]:
    works = await create_agency(session, slug="city-works", name="City Works")
    revenue = await create_agency(session, slug="revenue", name="Revenue")
    roads = Queue(agency_id=works.id, slug="roads", name="Roads")
    session.add(roads)
    ana = await create_staff(session, email="ana@city.example", agencies=[works])
    ben = await create_staff(session, email="ben@city.example", agencies=[revenue])
    await create_staff(session, email="sue@city.example", role=StaffRole.supervisor, agencies=[works])  # no agent
    await session.flush()
    session.add_all(
        [
            Agent(staff_id=ana.id, presence=Presence.available, presence_since=NOW - 30 * MIN),
            Agent(staff_id=ben.id, presence=Presence.away, presence_since=NOW - 5 * MIN),
        ]
    )
    w = works.id
    session.add_all(
        [
            # Waiting in Roads: the oldest is 25 minutes old and late; a call-back held back is not counted.
            _item(w, queue_id=roads.id, created_at=NOW - 25 * MIN, sla_due_at=NOW - 5 * MIN),
            _item(w, queue_id=roads.id, created_at=NOW - 3 * MIN),
            _item(w, queue_id=roads.id, channel="voice", kind="callback", not_before=NOW + 30 * MIN),
            # In Ana's hands: a chat offered, an email accepted (answered in time today).
            _item(w, queue_id=roads.id, channel="chat", status=WorkItemStatus.offered, assigned_to_id=ana.id),
            _item(
                w,
                channel="email",
                status=WorkItemStatus.assigned,
                assigned_to_id=ana.id,
                first_answered_at=NOW - 20 * MIN,
                sla_due_at=NOW + 5 * MIN,
                sla_goal_percent=90,
            ),
            # Closed today: one in time, one late. Closed yesterday: not counted.
            _item(w, status=WorkItemStatus.done, first_answered_at=NOW - 60 * MIN, sla_due_at=NOW - 50 * MIN),
            _item(w, status=WorkItemStatus.done, first_answered_at=NOW - 40 * MIN, sla_due_at=NOW - 50 * MIN),
            _item(
                w,
                status=WorkItemStatus.done,
                first_answered_at=NOW - timedelta(days=1),
                sla_due_at=NOW - timedelta(days=1) + MIN,
            ),
            # Another agency's work is not on City Works' board.
            _item(revenue.id, created_at=NOW - 90 * MIN),
        ]
    )
    await session.commit()
    return {"works": works, "revenue": revenue, "roads": roads, "ana": ana, "ben": ben}


async def test_snapshot_counts_depth_waits_sla_and_agents_for_the_callers_agencies(session: AsyncSession) -> None:
    seed = await _seed(session)
    wall = await board.snapshot(session, agency_ids={seed["works"].id}, now=NOW)

    assert wall.day_start == datetime(2026, 3, 10, 4, 0, tzinfo=UTC)
    roads = next(r for r in wall.queues if r.label == "Roads")
    assert (roads.depth, roads.offered, roads.in_progress, roads.past_sla) == (2, 1, 0, 1)
    assert roads.longest_wait_seconds == 25 * 60
    unsorted = next(r for r in wall.queues if r.label == "City Works (no queue)")
    assert (unsorted.depth, unsorted.in_progress) == (0, 1)
    assert [r.label for r in wall.queues] == ["City Works (no queue)", "Roads"]

    by_channel = {r.label: r for r in wall.channels}
    assert set(by_channel) == {"sms", "voice", "chat", "email"}
    assert by_channel["sms"].depth == 2
    assert by_channel["voice"].depth == 0  # the call-back is not due yet
    assert by_channel["chat"].offered == 1
    assert by_channel["email"].in_progress == 1

    # Counted today: the late queued item (unanswered, due today), the email answered today, two closed today.
    assert (wall.total.sla_counted, wall.total.answered_in_sla) == (4, 2)
    assert wall.total.sla_percent == 50
    assert wall.total.goal_percent == 90
    assert wall.total.below_goal
    assert wall.total.depth == 2
    assert wall.total.longest_wait_seconds == 25 * 60

    assert [a.name for a in wall.agents] == ["Ana"]
    assert wall.agents[0].held == {"chat": 1, "async": 1}
    assert wall.agents[0].held_total == 2
    assert wall.agents[0].since == NOW - 30 * MIN
    assert wall.presence_counts[Presence.available] == 1
    assert wall.presence_counts[Presence.away] == 0


async def test_everyone_sees_every_agency_and_the_longest_wait_is_theirs(session: AsyncSession) -> None:
    seed = await _seed(session)
    wall = await board.snapshot(session, agency_ids=None, now=NOW)
    assert wall.total.depth == 3
    assert wall.total.longest_wait_seconds == 90 * 60
    assert {a.name for a in wall.agents} == {"Ana", "Ben"}
    assert wall.presence_counts[Presence.away] == 1
    other = await board.snapshot(session, agency_ids={seed["revenue"].id}, now=NOW)
    assert [r.label for r in other.queues] == ["Revenue (no queue)"]
    assert other.total.sla_percent is None  # nothing answered or due today


async def test_an_empty_queue_still_shows_with_zeros(session: AsyncSession) -> None:
    works = await create_agency(session)
    session.add(Queue(agency_id=works.id, slug="licences", name="Licences"))
    await session.commit()
    wall = await board.snapshot(session, agency_ids={works.id}, now=NOW)
    assert [(r.label, r.depth, r.longest_wait_seconds) for r in wall.queues] == [("Licences", 0, None)]
    assert wall.agents == []


async def _count(runtime: Runtime, agency_id: uuid.UUID, agents: int) -> int:
    async with runtime.db.session(deferred=True) as s:
        with record_statements(runtime.db.read_engine) as statements:
            wall = await board.snapshot(s, agency_ids={agency_id}, now=NOW)
        assert len(wall.agents) == agents
    return len(statements.selects)


async def test_the_snapshot_uses_seven_queries_however_much_there_is(runtime: Runtime) -> None:
    async with runtime.db.session() as s:
        seed = await _seed(s)
    works, roads = seed["works"], seed["roads"]
    small = await _count(runtime, works.id, agents=1)
    async with runtime.db.session() as s:
        for i in range(40):
            helper = await create_staff(s, email=f"h{i}@city.example", agencies=[works])
            s.add(Agent(staff_id=helper.id, presence=Presence.available))
            s.add(_item(works.id, queue_id=roads.id, channel=["sms", "chat", "email"][i % 3]))
            s.add(_item(works.id, status=WorkItemStatus.assigned, assigned_to_id=helper.id))
        await s.commit()
    assert small == await _count(runtime, works.id, agents=41) == 7  # open items, answered today, due today


async def test_each_closed_item_of_today_is_counted_once_whichever_day_it_was_answered(session: AsyncSession) -> None:
    works = await create_agency(session, slug="city-works", name="City Works")
    yesterday = NOW - timedelta(days=1)
    done = WorkItemStatus.done
    session.add_all(
        [
            # Answered yesterday, due today: counted (by its due time) and met.
            _item(works.id, status=done, first_answered_at=yesterday, sla_due_at=NOW - 30 * MIN),
            # Never answered (cancelled), due today: counted, not met.
            _item(works.id, status=WorkItemStatus.cancelled, sla_due_at=NOW - 20 * MIN),
            # Answered today and due today: counted once, met.
            _item(works.id, status=done, first_answered_at=NOW - 40 * MIN, sla_due_at=NOW - 35 * MIN),
            # Answered today, due tomorrow: counted (by its answer), met.
            _item(works.id, status=done, first_answered_at=NOW - 10 * MIN, sla_due_at=NOW + timedelta(days=1)),
            # Due later today and still not answered, but closed: not counted yet.
            _item(works.id, status=WorkItemStatus.cancelled, sla_due_at=NOW + 60 * MIN),
            # Answered and due yesterday: not counted.
            _item(works.id, status=done, first_answered_at=yesterday, sla_due_at=yesterday + MIN),
        ]
    )
    await session.commit()
    wall = await board.snapshot(session, agency_ids={works.id}, now=NOW)
    assert (wall.total.sla_counted, wall.total.answered_in_sla) == (4, 3)
    assert wall.total.depth == wall.total.offered == wall.total.in_progress == wall.total.past_sla == 0
