"""The Mastodon door: a background worker that reads the city's mentions and hands each to the flow, once.

Each pass claims the feed (one process reads at a time), reads the page of mentions after its cursor (the first
read passes over what was written before the door was opened) and takes them oldest first, each in its own
transaction: `Pipeline.handle`, the city's answer at once (`engagement.mastodon`) and the cursor moved on,
committed together, so a restart neither misses nor repeats a mention (a repeat would be recognised by its status
id anyway). A server that throttles (429) or fails pauses the feed, the cursor kept.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx

from townsquare.channels import mastodon as translation
from townsquare.channels import mastodon_rest as rest
from townsquare.clock import utcnow
from townsquare.db import Database
from townsquare.engagement import feeds, mastodon
from townsquare.engagement.feeds import Lease
from townsquare.engagement.pipeline import Pipeline
from townsquare.errors import Problem
from townsquare.polling import wake_or_poll
from townsquare.settings import Settings

log = logging.getLogger(__name__)
LEASE_SECONDS = 120.0  # longer than a page takes; a crashed reader's feed is free again after it
MAX_BACKOFF = timedelta(minutes=30)
CLOCK_MARGIN = timedelta(minutes=1)  # how far the server's clock may be behind ours, for the first read
ABOUT_THE_MENTION = (413, 415, 422)  # the flow refused this mention itself: no retry will take it in


@dataclass
class Pass:
    """What one pass did (for the tests and the simulator)."""

    read: int = 0
    recorded: list[str] = field(default_factory=list)  # interaction ids of new contacts
    repeated: int = 0  # mentions already on the record
    skipped: list[str] = field(default_factory=list)  # why unreadable notifications were passed over
    paused_until: datetime | None = None
    more: bool = False  # a full page: read on at once


class MastodonPoller:
    """Reads the city's mentions every `TOWNSQUARE_MASTODON_POLL_SECONDS`, or at once when woken."""

    def __init__(
        self, settings: Settings, db: Database, pipeline: Pipeline, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        if not rest.configured(settings):
            raise ValueError("Mastodon needs TOWNSQUARE_MASTODON_BASE_URL and TOWNSQUARE_MASTODON_ACCESS_TOKEN")
        self.settings = settings
        self.db = db
        self.pipeline = pipeline
        self.transport = transport  # tests and the demo reach the simulator's stand-in in-process
        self.feed = f"{mastodon.NETWORK}:{settings.mastodon_base_url}"
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Read now rather than at the next poll (the simulator, after a post)."""
        self._wake.set()

    async def run_once(self) -> Pass:
        """One pass: claim the feed, read one page after the cursor, take each mention in its own transaction."""
        done = Pass()
        async with self.db.session() as session:
            lease = await feeds.claim(session, feed=self.feed, now=utcnow(), lease_seconds=LEASE_SECONDS)
            await session.commit()
        if lease is None:
            return done  # another process reads it, or the server asked for a pause
        try:
            page = await rest.mentions(self.settings, after=lease.position, transport=self.transport)
        except rest.Unavailable as exc:
            done.paused_until = await self._pause(lease, exc)
            return done
        ordered = sorted(page.items, key=_order)
        if lease.position is None:
            ordered = await self._begin(lease, ordered)
        for item in ordered:
            if not await self._take(lease, item, done):
                return done  # the lease was lost: whoever holds it now reads on
        done.more = len(page.items) >= rest.PAGE
        rest_until = page.rate.reset if page.rate.nearly_spent else None
        async with self.db.session() as session:
            await feeds.release(session, feed=self.feed, token=lease.token, rest_until=rest_until)
            await session.commit()
        done.paused_until = rest_until
        done.more = done.more and rest_until is None
        return done

    async def _begin(self, lease: Lease, items: list[Any]) -> list[Any]:
        """The first read of the account (the newest page): what was written before the door was first opened is
        passed over, not answered out of the blue, years late; the cursor starts after it (or at the start)."""
        opened = lease.opened_at - CLOCK_MARGIN
        old = [i for i in items if (_written(i) or opened) < opened and _order(i)[0]]
        start = max((translation.notification_id(i) for i in old), key=_key, default="0")
        async with self.db.session() as session:
            await feeds.advance(session, feed=self.feed, token=lease.token, position=start)
            await session.commit()
        return [i for i in items if feeds.newer(_order(i)[1], start) or not _order(i)[0]]

    async def _take(self, lease: Lease, item: object, done: Pass) -> bool:
        """Hand one notification to the flow and move the cursor past it, in one transaction."""
        done.read += 1
        try:
            position = translation.notification_id(item)
            if not feeds.newer(position, lease.position):
                return True  # at or before the cursor: already taken
            message = translation.translate(item, self.settings)
        except translation.Unreadable as exc:
            return await self._skip(lease, item, str(exc), done)
        async with self.db.session() as session:
            try:
                outcome = await self.pipeline.handle(session, message)
            except Problem as problem:
                await session.rollback()
                if problem.status in ABOUT_THE_MENTION:
                    return await self._skip(lease, item, f"refused: {problem.title}", done)
                # The platform cannot take any contact now (no agency configured yet): keep it for later.
                done.paused_until = await self._pause(lease, rest.Unavailable(f"not taken in: {problem.title}"))
                return False
            if not await feeds.advance(session, feed=self.feed, token=lease.token, position=position):
                await session.rollback()
                return False
            if not outcome.duplicate:
                await mastodon.after_contact(session, self.settings, outcome=outcome, message=message)
            await session.commit()
        if outcome.duplicate:
            done.repeated += 1
        else:
            done.recorded.append(outcome.interaction_id)
        return True

    async def _skip(self, lease: Lease, item: object, reason: str, done: Pass) -> bool:
        """Pass over a notification that can never be read, counted on the feed (its id only is logged)."""
        try:
            position = translation.notification_id(item)
        except translation.Unreadable:
            position = None
        log.warning("mastodon notification %s passed over: %s", position or "without an id", reason)
        done.skipped.append(reason)
        if position is None:
            return True  # nothing to move past: the next readable one moves the cursor beyond it
        async with self.db.session() as session:
            held = await feeds.advance(session, feed=self.feed, token=lease.token, position=position, skipped=reason)
            await session.commit()
        return held

    async def _pause(self, lease: Lease, exc: rest.Unavailable) -> datetime:
        """Stop reading until the server's reset (a 429), else for a back-off that doubles with each failure."""
        backoff = min(timedelta(seconds=self.settings.mastodon_poll_seconds * 2 ** (lease.failures + 1)), MAX_BACKOFF)
        until = exc.until or utcnow() + backoff
        log.warning("mastodon mentions not read: %s; trying again after %s", exc, until.isoformat(timespec="seconds"))
        async with self.db.session() as session:
            await feeds.pause(session, feed=self.feed, token=lease.token, until=until, error=str(exc))
            await session.commit()
        return until

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Read until `stop` is set; a full page is followed at once by the next."""

        async def run_pass() -> bool:
            return (await self.run_once()).more

        await wake_or_poll(
            run_pass, wake=self._wake, stop=stop, poll_seconds=self.settings.mastodon_poll_seconds, name="mastodon"
        )


def _order(item: object) -> tuple[int, str]:
    """Oldest first: ids are digit strings (longer is larger); an item without one sorts first and is skipped."""
    try:
        return _key(translation.notification_id(item))
    except translation.Unreadable:
        return (0, "")


def _key(found: str) -> tuple[int, str]:
    return (len(found), found)


def _written(item: object) -> datetime | None:
    """When a notification's mention was written, if it says (ISO 8601, as Mastodon writes it)."""
    raw = item.get("created_at") if isinstance(item, dict) else None
    try:
        at = datetime.fromisoformat(raw.replace("Z", "+00:00")) if isinstance(raw, str) else None
    except ValueError:
        return None
    return at if at is not None and at.tzinfo is not None else None
