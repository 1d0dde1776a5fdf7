"""The routing worker: runs a routing pass whenever work or an agent changes, and every second anyway; a wake for
new work a moment after a look that found nobody free reads nothing.

Any number of processes may run one; passes lock what they use with SKIP LOCKED, so they never collide.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from time import monotonic

from sqlalchemy import func, select

from townsquare.clock import utcnow
from townsquare.db.engine import Database
from townsquare.polling import wake_or_poll
from townsquare.routing.engine import DEFAULT_CONFIG, RoutingConfig, RoutingReport, route
from townsquare.routing.models import Agent, Presence, WorkItem, WorkItemStatus

log = logging.getLogger(__name__)


# A wake for new work alone, this soon after a look that found nobody free, is not worth another look: an agent
# coming free is its own wake (AgentChanged), and the poll looks anyway. A share of the poll interval, so the
# poll itself always looks.
QUIET_SHARE = 0.5

_FIRST_EXPIRY = select(func.min(WorkItem.offer_expires_at)).where(WorkItem.status == WorkItemStatus.offered)
_WRAPPING = select(Agent.presence_since, Agent.wrap_up_seconds).where(Agent.presence == Presence.wrap_up)
_FREE = select(Agent.staff_id).where(Agent.presence == Presence.available).limit(1)
_QUEUED = select(WorkItem.id).where(WorkItem.status == WorkItemStatus.queued).limit(1)


class RoutingWorker:
    """Routes in the background of an app process."""

    def __init__(self, db: Database, config: RoutingConfig = DEFAULT_CONFIG, *, poll_seconds: float = 1.0) -> None:
        self.db = db
        self.config = config
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._quiet_until: float | None = None  # monotonic; before it, work alone cannot give a pass anything to do

    def wake(self) -> None:
        """Route now rather than at the next poll (an agent changed: whatever the last look found may not hold)."""
        self._quiet_until = None
        self._wake.set()

    def work_changed(self) -> None:
        """Work was queued or moved: route now, unless the last look, a moment ago, found nobody free to offer it to
        and nothing falling due (an offer running out, a wrap-up ending) before now."""
        self._wake.set()

    def _quiet(self) -> bool:
        return self._quiet_until is not None and monotonic() < self._quiet_until

    async def _anything_to_do(self) -> bool:
        """Whether a pass could change anything: an offer has run out, a wrap-up has ended, or work is queued
        while an agent is free. Reads only, so a busy door does not take SQLite's write lock for a pass that
        would find no one to offer its work to."""
        now = utcnow()
        self._quiet_until = None
        async with self.db.session(deferred=True) as session:
            expiry = (await session.execute(_FIRST_EXPIRY)).scalar_one_or_none()
            if expiry is not None and expiry <= now:
                return True
            ends = [since + timedelta(seconds=seconds) for since, seconds in await session.execute(_WRAPPING)]
            if any(end <= now for end in ends):
                return True
            if (await session.execute(_FREE)).first() is None:
                due = min((moment for moment in (expiry, *ends) if moment is not None), default=None)
                quiet = self.poll_seconds * QUIET_SHARE
                if due is not None:
                    quiet = min(quiet, (due - now).total_seconds())
                self._quiet_until = monotonic() + quiet
                return False
            return (await session.execute(_QUEUED)).first() is not None

    async def run_once(self) -> RoutingReport:
        """One routing pass in its own transaction."""
        if not await self._anything_to_do():
            return RoutingReport()
        async with self.db.session() as session:
            report = await route(session, now=utcnow(), config=self.config)
            await session.commit()
        return report

    async def run_woken(self) -> RoutingReport:
        """A pass as the loop runs it when woken or polled: none at all, reading nothing, while the last look says
        work alone cannot change anything (`work_changed`)."""
        if self._quiet():
            return RoutingReport()
        return await self.run_once()

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Route until `stop` is set; a failed pass is logged and retried at the next poll."""

        async def run_pass() -> bool:
            report = await self.run_woken()
            return len(report.offered) >= self.config.batch  # more work may be waiting for the agents still free

        await wake_or_poll(run_pass, wake=self._wake, stop=stop, poll_seconds=self.poll_seconds, name="routing")
