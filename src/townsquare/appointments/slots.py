"""Slot arithmetic, pure: the times a service can be booked at an office on a day, and how many are free.

An office's day is its calendar's open periods (none on a holiday), in its time zone. A service's slots follow each
other back to back from each opening: each takes the buffer before, the appointment and the buffer after, and the
whole of it must end by closing time. Times are counted in UTC, so a day when the clocks change has the hours it
really has. A slot is free as many times as the office has counters not kept by another appointment at any moment
of it. No database, no clock: the caller says what is taken and from when a slot may start.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from townsquare.routing.calendars import open_periods

Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class Hours:
    """When an office is open: hours per weekday ("0" Monday … "6" Sunday), closed days, its time zone."""

    hours: Mapping[str, Any]
    holidays: frozenset[date]
    timezone: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def periods(self, day: date) -> list[Interval]:
        """The open periods of `day` as UTC intervals."""
        zone = self.zone
        return [
            (datetime.combine(day, opens, zone).astimezone(UTC), datetime.combine(day, closes, zone).astimezone(UTC))
            for opens, closes in open_periods(self.hours, day, self.holidays)
        ]

    def day_of(self, moment: datetime) -> date:
        """The office's local date at `moment`."""
        return moment.astimezone(self.zone).date()


@dataclass(frozen=True)
class Timing:
    """How long a service takes at an office, with the time kept free before and after it."""

    duration: timedelta
    before: timedelta = timedelta(0)
    after: timedelta = timedelta(0)

    @property
    def step(self) -> timedelta:
        return self.before + self.duration + self.after

    @classmethod
    def minutes(cls, duration: int, before: int = 0, after: int = 0) -> Timing:
        return cls(timedelta(minutes=duration), timedelta(minutes=before), timedelta(minutes=after))


@dataclass(frozen=True)
class Slot:
    """A time a service can start, UTC, and how many more people it can take (0: full)."""

    starts_at: datetime
    ends_at: datetime
    occupied_from: datetime
    occupied_until: datetime
    free: int


def grid(hours: Hours, timing: Timing, day: date) -> list[Slot]:
    """Every slot the service has on `day`, taken or not (free left at 0 for the caller to count)."""
    found: list[Slot] = []
    if timing.duration <= timedelta(0):
        return found
    for opens, closes in hours.periods(day):
        occupied_from = opens
        while occupied_from + timing.step <= closes:
            starts = occupied_from + timing.before
            ends = starts + timing.duration
            found.append(Slot(starts, ends, occupied_from, ends + timing.after, 0))
            occupied_from += timing.step
    return found


def busiest(taken: Sequence[Interval], start: datetime, end: datetime) -> int:
    """The most intervals of `taken` in progress at once at any moment of [start, end)."""
    overlapping = [(s, e) for s, e in taken if s < end and e > start]
    moments = [start] + [s for s, _ in overlapping if s > start]
    return max((sum(1 for s, e in overlapping if s <= m < e) for m in moments), default=0)


def day_slots(
    hours: Hours,
    timing: Timing,
    day: date,
    *,
    capacity: int,
    taken: Sequence[Interval],
    not_before: datetime,
) -> list[Slot]:
    """The service's slots on `day` starting at `not_before` or later, each with how many places are left."""
    return [
        Slot(s.starts_at, s.ends_at, s.occupied_from, s.occupied_until, max(0, capacity - busiest(taken, *_kept(s))))
        for s in grid(hours, timing, day)
        if s.starts_at >= not_before
    ]


def _kept(slot: Slot) -> Interval:
    return slot.occupied_from, slot.occupied_until


def fits(slot_start: datetime, hours: Hours, timing: Timing) -> Slot | None:
    """The slot of the service's grid starting exactly at `slot_start`, if there is one (open, before closing)."""
    return next((s for s in grid(hours, timing, hours.day_of(slot_start)) if s.starts_at == slot_start), None)
