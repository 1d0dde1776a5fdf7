"""Business-hours arithmetic: when is a deadline that runs only while a calendar is open?

A calendar is opening hours per weekday in a timezone plus closed days (holidays). SLA clocks for
asynchronous work (email, letters, forms) use it, so a Friday-evening email is not "late" on Saturday.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

MAX_DAYS = 400  # a calendar with no open hours at all must not loop forever


def _parse(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def open_periods(hours: Mapping[str, Any], day: date, holidays: frozenset[date]) -> list[tuple[time, time]]:
    """The calendar's open periods on `day` (local time), none on a holiday."""
    if day in holidays:
        return []
    periods = []
    for start, end in hours.get(str(day.weekday()), []):
        opens, closes = _parse(str(start)), _parse(str(end))
        if closes > opens:
            periods.append((opens, closes))
    return sorted(periods)


def add_business_time(
    start: datetime,
    seconds: float,
    *,
    hours: Mapping[str, Any],
    timezone: str,
    holidays: Iterable[date] = (),
) -> datetime:
    """The moment `seconds` of open time after `start` (UTC in, UTC out).

    A start outside opening hours begins counting at the next opening. If the calendar never opens, the
    deadline falls back to wall-clock time, so work is never left without a due time.
    """
    tz = ZoneInfo(timezone)
    closed = frozenset(holidays)
    local = start.astimezone(tz)
    remaining = timedelta(seconds=seconds)
    day = local.date()
    for _ in range(MAX_DAYS):
        for opens, closes in open_periods(hours, day, closed):
            period_start = datetime.combine(day, opens, tz)
            period_end = datetime.combine(day, closes, tz)
            begin = max(period_start, local)
            if begin >= period_end:
                continue
            available = period_end - begin
            if remaining <= available:
                return (begin + remaining).astimezone(UTC)
            remaining -= available
        day += timedelta(days=1)
        local = datetime.combine(day, time(0), tz)
    return start + timedelta(seconds=seconds)


def is_open(at: datetime, *, hours: Mapping[str, Any], timezone: str, holidays: Iterable[date] = ()) -> bool:
    """Whether the calendar is open at `at`."""
    local = at.astimezone(ZoneInfo(timezone))
    return any(
        opens <= local.time() < closes for opens, closes in open_periods(hours, local.date(), frozenset(holidays))
    )
