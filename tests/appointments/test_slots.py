"""Slot arithmetic: buffers around each appointment, closing time, capacity, closed days and the day the clocks
change (pure: no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from tests.support.appointments import HOLIDAY, MONDAY, WEEKDAYS, ZONE, local
from townsquare.appointments.slots import Hours, Timing, busiest, day_slots, fits, grid

TORONTO = Hours(WEEKDAYS, frozenset({HOLIDAY}), "America/Toronto")
EARLY = datetime(2000, 1, 1, tzinfo=UTC)


def starts(slots: list, day: date) -> list[str]:  # type: ignore[type-arg]
    return [f"{s.starts_at.astimezone(ZONE):%H:%M}" for s in slots]


def test_slots_follow_each_other_with_the_buffers_around_them_and_end_by_closing_time() -> None:
    slots = grid(TORONTO, Timing.minutes(20, before=5, after=10), MONDAY)

    assert starts(slots, MONDAY) == ["09:05", "09:40", "10:15", "10:50", "11:25"]
    last = slots[-1]
    assert last.ends_at - last.starts_at == timedelta(minutes=20)
    assert last.occupied_from == local(MONDAY, 11, 20)
    assert last.occupied_until == local(MONDAY, 11, 55)  # 11:25 + 20 + 10: within closing at noon
    # A service that would run past noon from 11:30 is not offered at 11:30.
    assert starts(grid(TORONTO, Timing.minutes(45), MONDAY), MONDAY) == ["09:00", "09:45", "10:30", "11:15"]


def test_a_holiday_a_weekend_and_a_service_without_duration_have_no_slots() -> None:
    assert grid(TORONTO, Timing.minutes(20), HOLIDAY) == []
    assert grid(TORONTO, Timing.minutes(20), MONDAY - timedelta(days=1)) == []  # Sunday
    assert grid(TORONTO, Timing.minutes(0), MONDAY) == []


def test_capacity_counts_the_counters_kept_at_any_moment_of_a_slot() -> None:
    timing = Timing.minutes(30)
    taken = [
        (local(MONDAY, 9, 0), local(MONDAY, 9, 30)),
        (local(MONDAY, 9, 0), local(MONDAY, 9, 30)),
        (local(MONDAY, 10, 15), local(MONDAY, 10, 45)),  # another service, off this one's grid
    ]
    slots = day_slots(TORONTO, timing, MONDAY, capacity=2, taken=taken, not_before=EARLY)

    free = {f"{s.starts_at.astimezone(ZONE):%H:%M}": s.free for s in slots}
    assert free == {"09:00": 0, "09:30": 2, "10:00": 1, "10:30": 1, "11:00": 2, "11:30": 2}
    assert busiest(taken, local(MONDAY, 9, 0), local(MONDAY, 11, 0)) == 2
    assert busiest(taken, local(MONDAY, 9, 30), local(MONDAY, 10, 15)) == 0  # intervals touching are not overlapping


def test_slots_already_begun_or_too_soon_are_not_offered() -> None:
    slots = day_slots(TORONTO, Timing.minutes(30), MONDAY, capacity=1, taken=[], not_before=local(MONDAY, 10, 10))

    assert starts(slots, MONDAY) == ["10:30", "11:00", "11:30"]


def test_the_day_the_clocks_go_forward_has_the_hours_it_really_has() -> None:
    spring = date(2026, 3, 8)  # a Sunday: 2:00 becomes 3:00 in Toronto
    night = Hours(
        {"6": [["01:00", "05:00"]], "0": [["09:00", "10:00"]], "4": [["09:00", "10:00"]]},
        frozenset(),
        "America/Toronto",
    )
    slots = grid(night, Timing.minutes(60), spring)

    assert [f"{s.starts_at.astimezone(ZONE):%H:%M %Z}" for s in slots] == ["01:00 EST", "03:00 EDT", "04:00 EDT"]
    assert [s.starts_at.hour for s in slots] == [6, 7, 8]  # UTC: three real hours between 1:00 and 5:00
    friday, monday = (
        grid(night, Timing.minutes(60), date(2026, 3, 6)),
        grid(night, Timing.minutes(60), date(2026, 3, 9)),
    )
    assert friday[0].starts_at.hour == 14  # 9:00 EST
    assert monday[0].starts_at.hour == 13  # 9:00 EDT


def test_a_time_fits_only_where_the_grid_has_a_slot() -> None:
    timing = Timing.minutes(20, after=10)

    assert fits(local(MONDAY, 9, 30), TORONTO, timing) is not None
    assert fits(local(MONDAY, 9, 15), TORONTO, timing) is None  # between slots
    assert fits(local(MONDAY, 12, 0), TORONTO, timing) is None  # closing time
    assert fits(local(HOLIDAY, 9, 0), TORONTO, timing) is None
