"""Business-hours deadlines: nights, weekends and holidays do not count."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from townsquare.routing.calendars import add_business_time, is_open

HOURS = {str(day): [["08:30", "12:00"], ["13:00", "16:30"]] for day in range(5)}
TZ = "America/Toronto"
LOCAL = ZoneInfo(TZ)


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LOCAL).astimezone(UTC)


def test_time_within_one_open_period() -> None:
    assert add_business_time(at(2026, 11, 23, 9), 3600, hours=HOURS, timezone=TZ) == at(2026, 11, 23, 10)


def test_lunch_break_and_evening_are_skipped() -> None:
    # Monday 11:00 + 4 h of open time: 1 h to noon, 3.5 h in the afternoon would end 16:30 -> 3 h left = 16:00.
    assert add_business_time(at(2026, 11, 23, 11), 4 * 3600, hours=HOURS, timezone=TZ) == at(2026, 11, 23, 16)
    # Monday 16:00 + 1 h: 30 min today, 30 min Tuesday from opening.
    assert add_business_time(at(2026, 11, 23, 16), 3600, hours=HOURS, timezone=TZ) == at(2026, 11, 24, 9)


def test_friday_evening_email_is_due_on_monday() -> None:
    assert add_business_time(at(2026, 11, 27, 19), 2 * 3600, hours=HOURS, timezone=TZ) == at(2026, 11, 30, 10, 30)


def test_holidays_are_closed_days() -> None:
    christmas = [date(2026, 12, 25)]
    due = add_business_time(at(2026, 12, 24, 16), 3600, hours=HOURS, timezone=TZ, holidays=christmas)
    assert due == at(2026, 12, 28, 9)  # Thursday 30 min, Friday is a holiday, the weekend is closed
    assert not is_open(at(2026, 12, 25, 10), hours=HOURS, timezone=TZ, holidays=christmas)
    assert is_open(at(2026, 12, 24, 10), hours=HOURS, timezone=TZ, holidays=christmas)


def test_daylight_saving_change_keeps_local_opening_hours() -> None:
    # Clocks go back on 2026-11-01 (a Sunday): Friday 16:00 + 1 h open time is Monday 09:00 local.
    assert add_business_time(at(2026, 10, 30, 16), 3600, hours=HOURS, timezone=TZ) == at(2026, 11, 2, 9)


def test_a_calendar_that_never_opens_falls_back_to_wall_clock() -> None:
    start = at(2026, 11, 23, 9)
    assert add_business_time(start, 60, hours={}, timezone=TZ) == at(2026, 11, 23, 9, 1)
