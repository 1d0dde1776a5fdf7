"""Office hours as administrators keep them: periods checked day by day, and the next seven days as they will be."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency
from townsquare.errors import Problem
from townsquare.routing import admin_hours
from townsquare.routing.admin_hours import CalendarForm
from townsquare.staff.auth import Principal
from townsquare.staff.models import StaffRole


async def test_the_next_seven_days_show_hours_weekends_and_holidays(session: AsyncSession) -> None:
    roads = await create_agency(session, slug="roads", name="Roads")
    me = Principal("staff", roads.id, "Admin", StaffRole.admin, None)
    hours = {day: [("08:30", "12:00"), ("13:00", "16:30")] for day in range(5)}
    sent = CalendarForm(agency_id=str(roads.id), name="City Hall", timezone="America/Toronto", hours=hours)
    calendar = await admin_hours.create(session, me=me, sent=sent)
    assert calendar.hours["0"] == [["08:30", "12:00"], ["13:00", "16:30"]]
    await admin_hours.add_holiday(
        session, me=me, calendar_id=calendar.id, day="2026-12-25", holiday_name="Christmas Day"
    )
    ahead = await admin_hours.days_ahead(session, calendar, now=datetime(2026, 12, 24, 15, tzinfo=UTC))
    assert [d.day for d in ahead][:2] == [date(2026, 12, 24), date(2026, 12, 25)]
    assert ahead[0].periods == [(time(8, 30), time(12)), (time(13), time(16, 30))]
    assert (ahead[1].periods, ahead[1].holiday) == ([], "Christmas Day")
    assert (ahead[2].periods, ahead[2].holiday) == ([], None)  # a Saturday
    assert await admin_hours.remove_holiday(session, me=me, calendar_id=calendar.id, day="2026-12-25")
    assert not await admin_hours.remove_holiday(session, me=me, calendar_id=calendar.id, day="2026-12-25")


async def test_periods_are_checked_day_by_day(session: AsyncSession) -> None:
    roads = await create_agency(session, slug="roads", name="Roads")
    me = Principal("staff", roads.id, "Admin", StaffRole.admin, None)
    hours = {0: [("24:00", "24:30")], 2: [("10:00", "09:00")], 4: [("08:00", "12:00"), ("11:59", "13:00")]}
    sent = CalendarForm(agency_id=str(roads.id), name="Depot", timezone="Not/AZone", hours=hours)
    with pytest.raises(Problem) as refused:
        await admin_hours.create(session, me=me, sent=sent)
    assert [e.field for e in refused.value.errors] == ["timezone", "hours-0", "hours-2", "hours-4"]
