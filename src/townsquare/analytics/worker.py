"""The analytics worker: folds new touches into journeys, decides first-contact resolution when a window has
passed, takes case outcomes in, and computes the changed days' rollups again.

One process at a time does it (a lease in `analytics_state`); each step commits on its own, so a crash loses
nothing: unfolded touches stay unfolded, waiting days stay waiting. Case outcomes are read from the cases' public
history by time, again over the last `OVERLAP`, so a transaction that committed late is still seen.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.analytics import case_days, handling, people
from townsquare.analytics import config as config_
from townsquare.analytics.folding import JOURNEY_COLUMNS, TOUCH_COLUMNS, Fold, FoldJourney, FoldTouch
from townsquare.analytics.models import AnalyticsState, CaseDay, DirtyDay, HandleDay, HotspotMonth, Journey, Touch
from townsquare.analytics.rollups import recompute, take_dirty
from townsquare.analytics.touches import dirty
from townsquare.analytics.writing import write_journeys, write_marks
from townsquare.cases.models import CaseStatus, CaseUpdate
from townsquare.clock import utcnow
from townsquare.db.engine import Database
from townsquare.polling import wake_or_poll

log = logging.getLogger(__name__)

LEASE = "fold"
FOLDED_WITH = "folded_with"  # the settings the journeys were folded under
OUTCOMES = "outcomes"  # how far case outcomes have been read
HANDLING = "handling"  # how far released offers have been read
CASES = "cases"  # how far opened and moved cases have been read
OVERLAP = timedelta(hours=1)
ChangedDays = Callable[..., Awaitable[set[date]]]  # (session, *, since, zone) -> the local days to compute again
Recompute = Callable[[AsyncSession, set[date], ZoneInfo], Awaitable[None]]
MAX_BATCHES = 50  # per pass, so the lease is never held long
OUTCOME_STATUSES = (CaseStatus.resolved, CaseStatus.closed)


@dataclass
class Report:
    touches: int = 0
    journeys: int = 0
    decided: int = 0
    outcomes: int = 0
    days: int = 0
    held: bool = True  # False: another process holds the lease

    @property
    def busy(self) -> bool:
        return bool(self.touches or self.decided or self.outcomes or self.days)


class AnalyticsWorker:
    """Keeps journeys and rollups up to date in the background of an app process."""

    def __init__(
        self, db: Database, *, poll_seconds: float = 30.0, batch: int = 5000, lease_seconds: float = 300
    ) -> None:
        self.db = db
        self.poll_seconds = poll_seconds
        self.batch = batch
        self.lease_seconds = lease_seconds
        self.holder = uuid.uuid4().hex
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Fold and roll up until `stop` is set; a failed pass is logged and retried at the next poll."""

        async def run_pass() -> bool:
            report = await self.run_once()
            return report.touches >= self.batch * MAX_BATCHES  # more touches are waiting

        await wake_or_poll(run_pass, wake=self._wake, stop=stop, poll_seconds=self.poll_seconds, name="analytics")

    async def run_once(self, *, now: datetime | None = None, max_batches: int = 0) -> Report:
        """One pass: fold up to `max_batches` batches, decide, take outcomes, roll up. Each step commits."""
        now = now or utcnow()
        report = Report()
        if not await self._lease(now):
            report.held = False
            return report
        try:
            async with self.db.session() as session:
                config = await self._refold_if_changed(session)
            for _ in range(max_batches or MAX_BATCHES):
                folded, journeys = await self._fold_batch(config)
                report.touches += folded
                report.journeys += journeys
                if folded < self.batch:
                    break
            report.decided = await self._decide(config, now)
            report.outcomes = await self._outcomes(now)
            report.days = await self._roll_up()
            report.days += await self._handling(config, now)
            report.days += await self._cases(config, now)
        finally:
            await self._release()
        if report.busy:
            log.info("analytics pass: %s", asdict(report))
        return report

    # the lease ----------------------------------------------------------------------------------------------

    async def _lease(self, now: datetime) -> bool:
        async with self.db.session() as session:
            if await session.get(AnalyticsState, LEASE) is None:
                session.add(AnalyticsState(name=LEASE))
                try:
                    await session.commit()
                except Exception:  # another process created it first
                    await session.rollback()
            taken = await session.execute(
                update(AnalyticsState)
                .where(
                    AnalyticsState.name == LEASE,
                    or_(AnalyticsState.held_until.is_(None), AnalyticsState.held_until < now),
                )
                .values(holder=self.holder, held_until=now + timedelta(seconds=self.lease_seconds))
            )
            await session.commit()
            return bool(getattr(taken, "rowcount", 0))

    async def _release(self) -> None:
        async with self.db.session() as session:
            await session.execute(
                update(AnalyticsState)
                .where(AnalyticsState.name == LEASE, AnalyticsState.holder == self.holder)
                .values(holder=None, held_until=None)
            )
            await session.commit()

    # folding ------------------------------------------------------------------------------------------------

    async def _refold_if_changed(self, session: AsyncSession) -> config_.AnalyticsConfig:
        """The settings in force; when the window, the contact gap or the time zone changed since the journeys
        were folded, every journey is dropped and every touch waits to be folded again."""
        config = await config_.current(session)
        wanted = {"window_days": config.window_days, "gap": config.contact_gap_minutes, "tz": config.timezone}
        row = await session.get(AnalyticsState, FOLDED_WITH)
        if row is not None and row.value == wanted:
            return config
        if row is None:
            row = AnalyticsState(name=FOLDED_WITH)
            session.add(row)
        else:
            await start_over(session)
        row.value = wanted
        await session.commit()
        return config

    async def _fold_batch(self, config: config_.AnalyticsConfig) -> tuple[int, int]:
        async with self.db.session() as session:
            rows = await session.execute(
                select(*_columns(Touch, TOUCH_COLUMNS))
                .where(Touch.journey_id.is_(None))
                .order_by(Touch.occurred_at, Touch.id)
                .limit(self.batch)
            )
            touches = [FoldTouch(*row) for row in rows]
            if not touches:
                return 0, 0
            fold = Fold(config)
            await _context(session, fold, touches, config)
            for touch in touches:
                fold.add(touch)
            await people.describe(session, touches)
            await _outcomes_of_new_cases(session, list(fold.changed.values()))
            created = {j.id for j in fold.created}
            await write_journeys(session, fold.created, [j for j in fold.changed.values() if j.id not in created])
            await write_marks(session, touches)
            await dirty(session, fold.days)
            await session.commit()
            return len(touches), len(fold.created)

    async def _decide(self, config: config_.AnalyticsConfig, now: datetime) -> int:
        """First-contact resolution of journeys whose window has passed with no second contact: passed by the
        clock, and by the folding too (a touch still waiting to be folded may be the second contact, as when a
        refold works through a whole history, a few batches a pass)."""
        async with self.db.session() as session:
            waiting = await session.scalar(select(func.min(Touch.occurred_at)).where(Touch.journey_id.is_(None)))
            cutoff = min(now, waiting or now) - timedelta(days=config.window_days)
            undecided = Journey.fcr.is_(None) & (Journey.first_contact_at < cutoff)
            days = list((await session.execute(select(Journey.day).where(undecided).distinct())).scalars())
            if not days:
                return 0
            done = await session.execute(update(Journey).where(undecided).values(fcr=~Journey.first_failed))
            await dirty(session, [d for d in days if d is not None])
            await session.commit()
            return int(getattr(done, "rowcount", 0))

    async def _outcomes(self, now: datetime) -> int:
        """Case journeys whose case reached an outcome since the last pass (read again over `OVERLAP`)."""
        async with self.db.session() as session:
            row = await session.get(AnalyticsState, OUTCOMES)
            if row is None:
                row = AnalyticsState(name=OUTCOMES)
                session.add(row)
            if row.mark is None:  # the first pass: folding gave every journey its case's outcome already
                row.mark = now
                await session.commit()
                return 0
            since = row.mark - OVERLAP
            case_ids = list(
                (
                    await session.execute(
                        select(CaseUpdate.case_id)
                        .where(CaseUpdate.created_at >= since, CaseUpdate.status.in_(OUTCOME_STATUSES))
                        .distinct()
                    )
                ).scalars()
            )
            changed = 0
            for start in range(0, len(case_ids), 500):
                journeys = list(
                    (
                        await session.execute(
                            select(Journey).where(
                                Journey.case_id.in_(case_ids[start : start + 500]), Journey.outcome_at.is_(None)
                            )
                        )
                    ).scalars()
                )
                changed += await _set_outcomes(session, journeys)
            row.mark = now
            await session.commit()
            return changed

    async def _handling(self, config: config_.AnalyticsConfig, now: datetime) -> int:
        """Handle time of the days offers were let go in since the last pass."""
        return await self._follow(HANDLING, handling.released_days, handling.recompute, config, now)

    async def _cases(self, config: config_.AnalyticsConfig, now: datetime) -> int:
        """Cases by day and hotspots of the days cases were opened, closed or due on since the last pass."""
        return await self._follow(CASES, case_days.changed_days, case_days.recompute, config, now)

    async def _follow(
        self, name: str, changed: ChangedDays, recompute: Recompute, config: config_.AnalyticsConfig, now: datetime
    ) -> int:
        """Compute again the days a source followed by time changed since the mark `name` (read again over
        `OVERLAP`; every day when there is no mark yet), then move the mark; returns how many days."""
        async with self.db.session() as session:
            row = await session.get(AnalyticsState, name)
            if row is None:
                row = AnalyticsState(name=name)
                session.add(row)
            since = row.mark - OVERLAP if row.mark is not None else None
            days = await changed(session, since=since, zone=config.zone)
            await recompute(session, days, config.zone)
            row.mark = now
            await session.commit()
            return len(days)

    async def _roll_up(self) -> int:
        total = 0
        while True:
            async with self.db.session() as session:
                days = await take_dirty(session)
                if not days:
                    return total
                total += await recompute(session, days)
                await session.commit()


async def _context(
    session: AsyncSession, fold: Fold, touches: Sequence[FoldTouch], config: config_.AnalyticsConfig
) -> None:
    """The journeys and recent touches of the batch's people the fold needs to know: their cases' journeys,
    however old, and every journey and folded touch recent enough to be continued."""
    citizens = sorted({t.citizen_id for t in touches})
    cases = sorted({t.case_id for t in touches if t.case_id is not None})
    earliest = min(t.occurred_at for t in touches)
    mine = set(citizens)
    for chunk in _chunks(cases):
        for row in await session.execute(select(*_columns(Journey, JOURNEY_COLUMNS)).where(Journey.case_id.in_(chunk))):
            journey = FoldJourney(*row)
            if journey.citizen_id in mine:
                fold.know_journey(journey)
    for chunk in _chunks(citizens):
        near = select(*_columns(Journey, JOURNEY_COLUMNS)).where(
            Journey.citizen_id.in_(chunk), Journey.last_contact_at >= earliest - timedelta(days=config.window_days)
        )
        for row in await session.execute(near):
            fold.know_journey(FoldJourney(*row))
        recent = select(*_columns(Touch, TOUCH_COLUMNS)).where(
            Touch.citizen_id.in_(chunk),
            Touch.journey_id.is_not(None),
            Touch.occurred_at >= earliest - timedelta(minutes=config.contact_gap_minutes),
        )
        for row in await session.execute(recent):
            fold.know_touch(FoldTouch(*row))


def _chunks(ids: list[uuid.UUID], size: int = 1000) -> list[list[uuid.UUID]]:
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def _columns(model: type[Touch] | type[Journey], names: Sequence[str]) -> list[Any]:
    """The model's columns of these names, in this order (a plain record is built from each row)."""
    return [getattr(model, name) for name in names]


async def _outcomes_of_new_cases(session: AsyncSession, journeys: list[FoldJourney]) -> None:
    """A journey that took on a case already resolved has its outcome at once."""
    await _set_outcomes(session, [j for j in journeys if j.case_id is not None and j.outcome_at is None])


async def _set_outcomes(session: AsyncSession, journeys: Sequence[Journey | FoldJourney]) -> int:
    """Set each case journey's outcome to its case's first resolution, when it has one."""
    if not journeys:
        return 0
    first = dict(
        (
            await session.execute(
                select(CaseUpdate.case_id, func.min(CaseUpdate.created_at))
                .where(CaseUpdate.case_id.in_({j.case_id for j in journeys}), CaseUpdate.status.in_(OUTCOME_STATUSES))
                .group_by(CaseUpdate.case_id)
            )
        ).all()
    )
    changed = [j for j in journeys if j.case_id is not None and j.case_id in first]
    for journey in changed:
        assert journey.case_id is not None
        journey.outcome_at = max(first[journey.case_id], journey.first_contact_at)
    await dirty(session, {j.day for j in changed})
    return len(changed)


async def start_over(session: AsyncSession) -> None:
    """Drop every journey and rollup and have every touch folded again (in the caller's transaction)."""
    days = list((await session.execute(select(Touch.day).where(Touch.day.is_not(None)).distinct())).scalars())
    await session.execute(
        update(Touch).values(journey_id=None, contact_start=False, repeat=False, avoidable=False, switched=False)
    )
    await session.execute(delete(Journey))
    await session.execute(delete(DirtyDay))
    for table in (HandleDay, CaseDay, HotspotMonth):  # counted by local day: the time zone may have changed
        await session.execute(delete(table))
    await recount(session)
    await dirty(session, [d for d in days if d is not None])


async def recount(session: AsyncSession) -> None:
    """Forget how far offers and cases have been read, so the next pass counts handle time, cases by day and
    hotspots again over every day (in the caller's transaction): for history written behind the worker's back,
    such as a bulk import of past years."""
    await session.execute(delete(AnalyticsState).where(AnalyticsState.name.in_((HANDLING, CASES))))
