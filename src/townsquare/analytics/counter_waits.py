"""How good the counters' estimated waits were: for the tickets that ended in a period (served, or a no-show) and
had an estimate, the mean absolute error between estimate and actual wait (taking the ticket to being first
called), and the share within five minutes either way. Per office, and for all the offices a viewer may see.

Read from the tickets themselves by their end time (`ix_counter_tickets_finished`): a day of an office is a few
hundred rows, so the wallboard asks for today live rather than from a rollup.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.counters.models import Ticket
from townsquare.offices.models import Office

WITHIN_SECONDS = 5 * 60


@dataclass(frozen=True)
class WaitAccuracy:
    """The estimates of `tickets` tickets against what they waited."""

    label: str  # the office's name ("" for every office together)
    tickets: int
    mean_absolute_error_seconds: float | None
    within_five_minutes_percent: float | None
    mean_wait_seconds: float | None


def accuracy(pairs: Iterable[tuple[int, int]], *, label: str = "") -> WaitAccuracy:
    """The figures for (estimated, actual) waits in seconds."""
    kept = list(pairs)
    if not kept:
        return WaitAccuracy(label, 0, None, None, None)
    errors = [abs(estimated - actual) for estimated, actual in kept]
    within = sum(1 for e in errors if e <= WITHIN_SECONDS)
    return WaitAccuracy(
        label,
        len(kept),
        sum(errors) / len(kept),
        round(100 * within / len(kept), 1),
        sum(actual for _, actual in kept) / len(kept),
    )


async def wait_accuracy(
    session: AsyncSession, *, agency_ids: set[uuid.UUID] | None, since: datetime, until: datetime
) -> list[WaitAccuracy]:
    """Every office's figures for tickets that ended in [since, until), then all of them together (first)."""
    stmt = (
        select(Office.name, Ticket.estimated_wait_seconds, Ticket.actual_wait_seconds)
        .join(Office, Office.id == Ticket.office_id)
        .where(
            Ticket.finished_at >= since,
            Ticket.finished_at < until,
            Ticket.estimated_wait_seconds.is_not(None),
            Ticket.actual_wait_seconds.is_not(None),
        )
    )
    if agency_ids is not None:
        stmt = stmt.where(Office.agency_id.in_(agency_ids))
    by_office: dict[str, list[tuple[int, int]]] = {}
    for name, estimated, actual in await session.execute(stmt):
        if estimated is not None and actual is not None:
            by_office.setdefault(name, []).append((estimated, actual))
    every = [pair for pairs in by_office.values() for pair in pairs]
    return [accuracy(every), *(accuracy(pairs, label=name) for name, pairs in sorted(by_office.items()))]
