"""How far a provider's feed has been read (the city's Mastodon notifications), as use cases for the poller.

A reader claims the feed with a lease (one process reads at a time), moves its position in the same transaction as
each contact it records (a restart neither misses nor repeats one), and pauses it when the provider asks (a rate
limit) or fails. Positions are the provider's ids: digit strings compared as numbers. Nothing here commits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.db import races
from townsquare.interactions.models import FeedCursor


@dataclass(frozen=True)
class Lease:
    """The feed is this reader's until `until`: it reads on from `position` (None: never read)."""

    token: str
    position: str | None
    failures: int
    until: datetime
    opened_at: datetime  # when the feed was first claimed: the door opened


@dataclass(frozen=True)
class FeedState:
    """Where a feed stands, to show (the simulator, an administrator)."""

    position: str | None
    paused_until: datetime | None
    failures: int
    skipped: int
    last_error: str | None


def newer(candidate: str, than: str | None) -> bool:
    """Whether id `candidate` comes after `than` (ids are digit strings: longer is larger, then by digits)."""
    if than is None:
        return True
    return (len(candidate), candidate) > (len(than), than)


async def _row(session: AsyncSession, feed: str, *, lock: bool) -> FeedCursor | None:
    stmt = select(FeedCursor).where(FeedCursor.feed == feed)
    return (await session.execute(stmt.with_for_update() if lock else stmt)).scalar_one_or_none()


async def claim(session: AsyncSession, *, feed: str, now: datetime, lease_seconds: float) -> Lease | None:
    """Take the feed for `lease_seconds`; None while another reader holds it or it is paused."""
    row = await _row(session, feed, lock=True)
    if row is None:
        try:
            async with races.guarded(session):
                row = FeedCursor(feed=feed, failures=0, skipped=0, created_at=now)
                session.add(row)
                await session.flush()
        except IntegrityError:
            return None  # another reader made it just now: it is theirs this time
    if row.claimed_until is not None and row.claimed_until > now:
        return None
    if row.not_before is not None and row.not_before > now:
        return None
    row.claim_token = str(uuid.uuid4())
    row.claimed_until = now + timedelta(seconds=lease_seconds)
    await session.flush()
    return Lease(row.claim_token, row.position, row.failures, row.claimed_until, row.created_at)


async def advance(session: AsyncSession, *, feed: str, token: str, position: str, skipped: str | None = None) -> bool:
    """Move the feed on to `position` (never back), with the contact read there; False when the lease was lost
    (the caller must then write nothing). `skipped` names why the item there could not be read at all."""
    row = await _row(session, feed, lock=True)
    if row is None or row.claim_token != token:
        return False
    if newer(position, row.position):
        row.position = position
    if skipped is not None:
        row.skipped += 1
        row.last_error = skipped[:300]
    await session.flush()
    return True


async def pause(session: AsyncSession, *, feed: str, token: str, until: datetime, error: str) -> int:
    """Stop reading until `until` and give the lease back; returns the failures in a row so far."""
    row = await _row(session, feed, lock=True)
    if row is None or row.claim_token != token:
        return 0
    row.not_before = until
    row.failures += 1
    row.last_error = error[:300]
    row.claim_token = None
    row.claimed_until = None
    await session.flush()
    return row.failures


async def release(session: AsyncSession, *, feed: str, token: str, rest_until: datetime | None = None) -> None:
    """A good read: give the lease back, forget the failures, and rest until `rest_until` if the provider's rate
    limit is nearly spent."""
    row = await _row(session, feed, lock=True)
    if row is None or row.claim_token != token:
        return
    row.claim_token = None
    row.claimed_until = None
    row.failures = 0
    row.not_before = rest_until
    await session.flush()


async def state(session: AsyncSession, *, feed: str) -> FeedState | None:
    """Where the feed stands; None if it was never read."""
    row = await _row(session, feed, lock=False)
    if row is None:
        return None
    return FeedState(row.position, row.not_before, row.failures, row.skipped, row.last_error)
