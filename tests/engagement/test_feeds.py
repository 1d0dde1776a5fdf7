"""A feed's cursor: one reader holds it at a time, it only moves forward, a lost lease writes nothing, a pause
keeps everyone out until it ends, and two readers racing for a new feed (PostgreSQL) never both get it."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from townsquare.app import Runtime
from townsquare.clock import utcnow
from townsquare.engagement import feeds
from townsquare.engagement.feeds import Lease

FEED = "mastodon:https://social.example"


async def claim(runtime: Runtime, **later: float) -> Lease | None:
    async with runtime.db.session() as s:
        lease = await feeds.claim(s, feed=FEED, now=utcnow() + timedelta(**later), lease_seconds=60)
        await s.commit()
        return lease


@pytest.mark.parametrize(
    ("candidate", "than", "newer"),
    [("100", "99", True), ("99", "100", False), ("100", "100", False), ("5", None, True), ("110", "109", True)],
)
def test_ids_are_ordered_as_numbers(candidate: str, than: str | None, newer: bool) -> None:
    assert feeds.newer(candidate, than) is newer


async def test_one_reader_at_a_time_until_the_lease_runs_out(runtime: Runtime) -> None:
    first = await claim(runtime)
    assert first is not None
    assert first.position is None
    assert await claim(runtime) is None
    assert await claim(runtime, seconds=61) is not None  # the first reader crashed: its lease ran out


async def test_the_cursor_only_moves_forward_and_a_lost_lease_writes_nothing(runtime: Runtime) -> None:
    lease = await claim(runtime)
    assert lease is not None
    async with runtime.db.session() as s:
        assert await feeds.advance(s, feed=FEED, token=lease.token, position="100")
        assert await feeds.advance(s, feed=FEED, token=lease.token, position="99", skipped="unreadable")
        assert not await feeds.advance(s, feed=FEED, token="another reader's", position="200")
        await feeds.release(s, feed=FEED, token=lease.token)
        await s.commit()
        state = await feeds.state(s, feed=FEED)
    assert state is not None
    assert (state.position, state.skipped, state.last_error) == ("100", 1, "unreadable")
    again = await claim(runtime)
    assert again is not None
    assert again.position == "100"


async def test_a_pause_keeps_every_reader_out_until_it_ends(runtime: Runtime) -> None:
    lease = await claim(runtime)
    assert lease is not None
    async with runtime.db.session() as s:
        failures = await feeds.pause(
            s, feed=FEED, token=lease.token, until=utcnow() + timedelta(minutes=5), error="429"
        )
        await s.commit()
    assert failures == 1
    assert await claim(runtime) is None
    resumed = await claim(runtime, minutes=6)
    assert resumed is not None
    assert resumed.failures == 1
    async with runtime.db.session() as s:
        await feeds.release(s, feed=FEED, token=resumed.token)
        await s.commit()
        state = await feeds.state(s, feed=FEED)
    assert state is not None
    assert (state.failures, state.paused_until) == (0, None)


@pytest.mark.postgres_only
async def test_two_readers_racing_for_a_new_feed_never_both_get_it(runtime: Runtime) -> None:
    for _ in range(5):
        leases = await asyncio.gather(*(claim(runtime) for _ in range(4)))
        assert len([lease for lease in leases if lease is not None]) == 1
        async with runtime.db.session() as s:
            held = next(lease for lease in leases if lease is not None)
            await feeds.release(s, feed=FEED, token=held.token)
            await s.commit()
