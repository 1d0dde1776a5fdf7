"""The routing worker: runs a routing pass whenever work or an agent changes, and every second anyway.

Any number of processes may run one; passes lock what they use with SKIP LOCKED, so they never collide.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy import select

from townsquare.clock import utcnow
from townsquare.db.engine import Database
from townsquare.polling import wake_or_poll
from townsquare.routing.engine import DEFAULT_CONFIG, RoutingConfig, RoutingReport, route
from townsquare.routing.models import Agent, Presence, WorkItem, WorkItemStatus

log = logging.getLogger(__name__)


class RoutingWorker:
    """Routes in the background of an app process."""

    def __init__(self, db: Database, config: RoutingConfig = DEFAULT_CONFIG, *, poll_seconds: float = 1.0) -> None:
        self.db = db
        self.config = config
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Route now rather than at the next poll."""
        self._wake.set()

    async def _anything_to_do(self) -> bool:
        """Whether a pass could change anything: an offer has run out, a wrap-up has ended, or work is queued
        while an agent is free. Reads only, so a busy door does not take SQLite's write lock for a pass that
        would find no one to offer its work to."""
        now = utcnow()
        async with self.db.session(deferred=True) as session:
            lapsed = select(WorkItem.id).where(
                WorkItem.status == WorkItemStatus.offered, WorkItem.offer_expires_at <= now
            )
            if (await session.execute(lapsed.limit(1))).first() is not None:
                return True
            wrapping = select(Agent.presence_since, Agent.wrap_up_seconds).where(Agent.presence == Presence.wrap_up)
            if any(since + timedelta(seconds=seconds) <= now for since, seconds in await session.execute(wrapping)):
                return True
            free = select(Agent.staff_id).where(Agent.presence == Presence.available)
            if (await session.execute(free.limit(1))).first() is None:
                return False
            queued = select(WorkItem.id).where(WorkItem.status == WorkItemStatus.queued)
            return (await session.execute(queued.limit(1))).first() is not None

    async def run_once(self) -> RoutingReport:
        """One routing pass in its own transaction."""
        if not await self._anything_to_do():
            return RoutingReport()
        async with self.db.session() as session:
            report = await route(session, now=utcnow(), config=self.config)
            await session.commit()
        return report

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Route until `stop` is set; a failed pass is logged and retried at the next poll."""

        async def run_pass() -> bool:
            report = await self.run_once()
            return len(report.offered) >= self.config.batch  # more work may be waiting for the agents still free

        await wake_or_poll(run_pass, wake=self._wake, stop=stop, poll_seconds=self.poll_seconds, name="routing")
