"""The daily rollups the dashboards read, computed again for each day something changed.

A day's rows are deleted and summed again from the touches and journeys of that day, in one statement each, so
the result never depends on what was added when: folding the same history twice gives the same rollups.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Integer, case, cast, delete, func, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from townsquare.analytics.models import ContactDay, DemographicDay, DirtyDay, Journey, JourneyDay, Touch
from townsquare.analytics.touches import FAILED

CHUNK = 200  # days recomputed per statement
DIMENSIONS = ("language", "age_band", "area")  # what the demographic rollup counts contacts by
# The summed columns of `JourneyDay`, in the order `recompute` selects them (the dashboards read them so too).
JOURNEY_SUMS = (
    "journeys",
    "contacts",
    "multichannel",
    "switches",
    "repeats",
    "avoidable",
    "asked_again",
    "fcr_decided",
    "fcr_resolved",
    "outcomes",
    "outcome_seconds",
)


def _flag(condition: ColumnElement[bool] | InstrumentedAttribute[bool]) -> ColumnElement[int]:
    """How many rows meet `condition`."""
    return func.sum(case((condition, 1), else_=0))


async def recompute(session: AsyncSession, days: Iterable[date]) -> int:
    """Sum the touches and journeys of `days` into their rollup rows again; returns how many days."""
    wanted = sorted(set(days))
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        await session.execute(delete(ContactDay).where(ContactDay.day.in_(chunk)))
        await session.execute(delete(JourneyDay).where(JourneyDay.day.in_(chunk)))
        await session.execute(delete(DemographicDay).where(DemographicDay.day.in_(chunk)))
        contacts = (
            select(
                Touch.day,
                Touch.agency_id,
                Touch.service_id,
                Touch.channel,
                _flag(Touch.contact_start),
                _flag(Touch.repeat),
                _flag(Touch.avoidable),
                _flag(Touch.switched),
                _flag(Touch.self_service == FAILED),
                func.sum(Touch.asked_again),
            )
            .where(Touch.day.in_(chunk), Touch.journey_id.is_not(None))
            .group_by(Touch.day, Touch.agency_id, Touch.service_id, Touch.channel)
        )
        await session.execute(
            insert(ContactDay).from_select(
                [
                    "day",
                    "agency_id",
                    "service_id",
                    "channel",
                    "contacts",
                    "repeats",
                    "avoidable",
                    "switched",
                    "self_service_failed",
                    "asked_again",
                ],
                contacts,
            )
        )
        await _demographics(session, chunk)
        outcome = case((Journey.outcome_at.is_not(None), 1), else_=0)
        seconds = func.sum(
            case(
                (
                    Journey.outcome_at.is_not(None),
                    _seconds_between(session, Journey.first_contact_at, Journey.outcome_at),
                ),
                else_=0,
            )
        )
        journeys = (
            select(
                Journey.day,
                Journey.agency_id,
                Journey.service_id,
                Journey.first_channel,
                func.count(),
                func.sum(Journey.contacts),
                _flag(Journey.switches > 0),
                func.sum(Journey.switches),
                func.sum(Journey.repeats),
                func.sum(Journey.avoidable),
                func.sum(Journey.asked_again),
                _flag(Journey.fcr.is_not(None)),
                _flag(Journey.fcr.is_(True)),
                func.sum(outcome),
                seconds,
            )
            .where(Journey.day.in_(chunk))
            .group_by(Journey.day, Journey.agency_id, Journey.service_id, Journey.first_channel)
        )
        await session.execute(
            insert(JourneyDay).from_select(
                ["day", "agency_id", "service_id", "first_channel", *JOURNEY_SUMS],
                journeys,
            )
        )
    return len(wanted)


async def _demographics(session: AsyncSession, days: list[date]) -> None:
    """Contacts by each dimension's value (touches where it is not known are left out)."""
    for dimension in DIMENSIONS:
        column = getattr(Touch, dimension)
        rows = (
            select(
                Touch.day, Touch.agency_id, Touch.service_id, Touch.channel, literal(dimension), column, func.count()
            )
            .where(Touch.day.in_(days), Touch.contact_start.is_(True), column.is_not(None))
            .group_by(Touch.day, Touch.agency_id, Touch.service_id, Touch.channel, column)
        )
        names = ["day", "agency_id", "service_id", "channel", "dimension", "value", "contacts"]
        await session.execute(insert(DemographicDay).from_select(names, rows))


def _seconds_between(session: AsyncSession, start: Any, end: Any) -> ColumnElement[int]:
    """Whole seconds from `start` to `end`, in this database's own arithmetic."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.extract("epoch", end - start), Integer)
    return cast((func.julianday(end) - func.julianday(start)) * 86400 + 0.5, Integer)


async def take_dirty(session: AsyncSession, *, limit: int = 2000) -> list[date]:
    """The days waiting to be computed again, removed from the waiting list (in the caller's transaction)."""
    days = list((await session.execute(select(DirtyDay.day).order_by(DirtyDay.day).limit(limit))).scalars())
    if days:
        await session.execute(delete(DirtyDay).where(DirtyDay.day.in_(days)))
    return days
