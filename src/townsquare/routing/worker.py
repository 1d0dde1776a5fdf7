"""The routing worker: runs a routing pass whenever work or an agent changes, and every second anyway.

Any number of processes may run one; passes lock what they use with SKIP LOCKED, so they never collide.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import or_, select

from townsquare.clock import utcnow
from townsquare.db.engine import Database
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
        # A cheap read first, so an idle deployment does not take SQLite's write lock every second.
        async with self.db.session(deferred=True) as session:
            work = select(WorkItem.id).where(
                or_(WorkItem.status == WorkItemStatus.queued, WorkItem.status == WorkItemStatus.offered)
            )
            wrapping = select(Agent.staff_id).where(Agent.presence == Presence.wrap_up)
            found = (await session.execute(work.limit(1))).first() or (await session.execute(wrapping.limit(1))).first()
            return found is not None

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
        while not stop.is_set():
            self._wake.clear()
            try:
                report = await self.run_once()
                if len(report.offered) >= self.config.batch:
                    continue  # more work may be waiting for the agents still free
            except Exception:
                log.exception("routing pass failed")
            waiters = {asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())}
            _, pending = await asyncio.wait(waiters, timeout=self.poll_seconds, return_when="FIRST_COMPLETED")
            for waiter in pending:
                waiter.cancel()
