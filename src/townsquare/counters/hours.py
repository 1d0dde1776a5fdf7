"""When an office is open: its hours' calendar (routing's business calendars) in the calendar's time zone, else
the agency's, and the office's local day, which ticket numbers start again from.

An office with no calendar is open whenever it is active; an inactive office is never open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Agency
from townsquare.offices.models import Office
from townsquare.routing import calendars
from townsquare.routing.models import BusinessCalendar, Holiday


@dataclass(frozen=True)
class OfficeHours:
    """An office's opening hours as a calendar: weekday ("0" Monday) → periods, a time zone, closed days."""

    timezone: str
    hours: dict[str, Any] | None  # None: no calendar, open whenever the office is active
    holidays: frozenset[date] = field(default_factory=frozenset)
    active: bool = True

    def is_open(self, at: datetime) -> bool:
        """Whether the office takes walk-ins at `at`."""
        if not self.active:
            return False
        if self.hours is None:
            return True
        return calendars.is_open(at, hours=self.hours, timezone=self.timezone, holidays=self.holidays)

    def day(self, at: datetime) -> date:
        """The office's local date at `at`: the day a ticket's number belongs to."""
        return at.astimezone(ZoneInfo(self.timezone)).date()

    def next_opening(self, at: datetime) -> datetime | None:
        """When the office next opens after `at` (within two weeks), or None."""
        if not self.active or self.hours is None:
            return None
        zone = ZoneInfo(self.timezone)
        local = at.astimezone(zone)
        for offset in range(15):
            day = local.date() + timedelta(days=offset)
            for opens, _closes in calendars.open_periods(self.hours, day, self.holidays):
                start = datetime.combine(day, opens, zone)
                if start > local:
                    return start
        return None


async def hours_of(session: AsyncSession, *, office: Office) -> OfficeHours:
    """The office's hours: its calendar and holidays, or its agency's time zone alone when it has no calendar."""
    calendar = await session.get(BusinessCalendar, office.calendar_id) if office.calendar_id else None
    if calendar is None or not calendar.active:
        agency = await session.get_one(Agency, office.agency_id)
        return OfficeHours(timezone=agency.timezone, hours=None, active=office.active)
    days = await session.scalars(select(Holiday.day).where(Holiday.calendar_id == calendar.id))
    return OfficeHours(
        timezone=calendar.timezone, hours=dict(calendar.hours or {}), holidays=frozenset(days), active=office.active
    )
