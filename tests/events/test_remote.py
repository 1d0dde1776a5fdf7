"""The bus between processes over a real redis-server: what each reach runs where, in order; a clear error when
Redis is named but away at start; and Redis restarting: local handlers carry on, one line in the log each way,
the others told to catch up, delivery resumed.

Two buses with their relays stand for two processes (each relay has its own connections, as a process would).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
import redis.asyncio

from tests.support.redis import RedisServer
from tests.support.servers import free_port
from townsquare.events import EventBus, FanOutResumed, Reach, WorkItemChanged
from townsquare.events.remote import RedisRelay, RedisUnreachable, decode, encode, redacted

LIMIT = 30  # seconds: an upper bound on a loaded machine; every wait ends as soon as its condition holds
BACKOFF = (0.05, 0.5)


@dataclass
class Process:
    """A bus, its relay, and what each reach's handler heard."""

    bus: EventBus
    relay: RedisRelay
    heard: dict[Reach, list[WorkItemChanged]] = field(default_factory=dict)
    arrived: asyncio.Queue[WorkItemChanged] = field(default_factory=asyncio.Queue)
    resumed: asyncio.Queue[FanOutResumed] = field(default_factory=asyncio.Queue)

    async def next(self) -> WorkItemChanged:
        """The next event a handler of this process ran for (any reach)."""
        return await asyncio.wait_for(self.arrived.get(), LIMIT)


def _process(url: str, channel: str) -> Process:
    bus = EventBus()
    relay = RedisRelay(url, channel=channel, backoff=BACKOFF)
    relay.attach(bus)
    proc = Process(bus, relay, {reach: [] for reach in Reach})
    for reach in Reach:

        async def heard(event: WorkItemChanged, reach: Reach = reach) -> None:
            proc.heard[reach].append(event)
            await proc.arrived.put(event)

        bus.subscribe(WorkItemChanged, heard, reach)

    async def resumed(event: FanOutResumed) -> None:
        await proc.resumed.put(event)

    bus.subscribe(FanOutResumed, resumed, Reach.everywhere)
    return proc


@pytest.fixture
async def pair(redis_url: str) -> AsyncIterator[tuple[Process, Process]]:
    channel = f"test-{uuid.uuid4().hex[:8]}:events"
    a, b = _process(redis_url, channel), _process(redis_url, channel)
    await a.relay.start()
    await b.relay.start()
    try:
        yield a, b
    finally:
        for proc in (a, b):
            await proc.relay.close()
            await proc.bus.wait_idle()


def _changed(n: int) -> WorkItemChanged:
    return WorkItemChanged(work_item_id=uuid.uuid4(), agency_id=uuid.uuid4(), status=f"queued-{n}", channel="sms")


async def test_each_reach_runs_where_it_says_in_the_order_dispatched(pair: tuple[Process, Process]) -> None:
    a, b = pair
    first, second = _changed(1), _changed(2)
    a.bus.dispatch_soon([first, second])
    assert [await b.next() for _ in range(4)]  # B's "everywhere" and "elsewhere" handlers, each for both
    await b.bus.wait_idle()
    assert b.heard == {Reach.here: [], Reach.everywhere: [first, second], Reach.elsewhere: [first, second]}
    # A's own message came back to it before B's answer below, which it must hear: then it has ignored its own.
    reply = _changed(3)
    b.bus.dispatch_soon([reply])
    while reply not in a.heard[Reach.elsewhere]:
        await a.next()
    await a.bus.wait_idle()
    assert a.heard == {Reach.here: [first, second], Reach.everywhere: [first, second, reply], Reach.elsewhere: [reply]}


async def test_a_deployment_alone_never_runs_elsewhere_and_runs_the_rest_once() -> None:
    bus, heard = EventBus(), []
    for reach in Reach:

        async def note(event: WorkItemChanged, reach: Reach = reach) -> None:
            heard.append(reach)

        bus.subscribe(WorkItemChanged, note, reach)
    bus.dispatch_soon([_changed(1)])
    await bus.wait_idle()
    assert sorted(r.value for r in heard) == ["everywhere", "here"]


async def test_redis_named_but_away_at_start_is_a_clear_error_without_the_password() -> None:
    relay = RedisRelay(f"redis://:s3cret@127.0.0.1:{free_port()}/0", channel="x:events", connect_timeout=1)
    with pytest.raises(RedisUnreachable) as refused:
        await relay.start()
    message = str(refused.value)
    assert "TOWNSQUARE_REDIS_URL" in message
    assert "redis://:***@127.0.0.1" in message
    assert "s3cret" not in message
    assert redacted("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"


async def test_redis_restarting_keeps_local_delivery_logs_once_and_resumes_with_a_catch_up(
    pair: tuple[Process, Process], redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    a, b = pair
    caplog.set_level(logging.WARNING, logger="townsquare.events.remote")
    redis_server.stop()
    during = [_changed(n) for n in range(5)]
    for event in during:  # never raises, never blocks: this process's own handlers still run
        a.bus.dispatch_soon([event])
    while len(a.heard[Reach.everywhere]) < len(during):
        await a.next()
    assert a.heard[Reach.here] == during
    redis_server.start()
    caught_up = await asyncio.wait_for(b.resumed.get(), LIMIT)  # B missed A's events: it is told to catch up
    assert caught_up.process_id in (a.relay.process_id, b.relay.process_id)
    await asyncio.wait_for(a.resumed.get(), LIMIT)
    assert (a.relay.outages, b.relay.outages) == (1, 1)
    await asyncio.wait_for(_delivered(a, b, _changed(99)), LIMIT)
    lines = [r.getMessage() for r in caplog.records if r.name == "townsquare.events.remote"]
    assert sum("lost touch with Redis" in line for line in lines) == 2  # once per process, however many events
    assert sum("in touch with Redis again" in line for line in lines) == 2
    assert not any(str(event.work_item_id) in line for line in lines for event in during)


async def _delivered(a: Process, b: Process, event: WorkItemChanged) -> None:
    """Dispatch `event` in A until B hears it: A's publisher drops what it is given until its back-off ends."""
    while event not in b.heard[Reach.elsewhere]:
        a.bus.dispatch_soon([event])
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(b.arrived.get(), 1)


async def test_an_unreadable_message_is_skipped_and_the_next_one_arrives(
    pair: tuple[Process, Process], caplog: pytest.LogCaptureFixture
) -> None:
    a, b = pair
    client = redis.asyncio.Redis.from_url(a.relay.url)
    try:
        await client.publish(a.relay.channel, b"{not json")
        await client.publish(a.relay.channel, b'{"v": 99, "events": []}')
    finally:
        await client.aclose()
    event = _changed(1)
    a.bus.dispatch_soon([event])
    assert await b.next() == event
    assert sum("unreadable message" in r.getMessage() for r in caplog.records) == 4  # two, skipped by each process


def test_the_wire_carries_events_in_order_and_skips_names_it_does_not_know() -> None:
    origin, events = uuid.uuid4(), [_changed(1), FanOutResumed(uuid.uuid4()), _changed(2)]
    assert decode(encode(origin, events)) == (origin, events)
    future = encode(origin, events).replace('"fanout.resumed"', '"something.new"')
    assert decode(future) == (origin, [events[0], events[2]])
    with pytest.raises(ValueError, match="not a message"):
        decode('{"v": 2, "from": "x", "events": []}')
