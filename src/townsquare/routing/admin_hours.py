"""Offices' business hours and holidays as administrators keep them: a calendar's name, timezone and opening
periods per weekday, its holidays, and the next seven days as they will be (open when, or closed and why).

Overlapping or reversed periods, an unknown timezone, a second holiday on one day and a calendar name used twice
in an agency are refused naming the field. A calendar an active queue keeps its hours by cannot be deactivated.
Never committing; every change audited with its values before and after.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Agency
from townsquare.clock import utcnow
from townsquare.errors import not_found
from townsquare.routing.admin_common import (
    Refusals,
    agencies_of,
    audit_change,
    chosen_agency,
    in_scope,
    name,
    plain,
)
from townsquare.routing.calendars import open_periods
from townsquare.routing.models import BusinessCalendar, Holiday, Queue
from townsquare.staff.auth import Principal

WEEKDAYS = range(7)  # "0" Monday … "6" Sunday, as calendars store them
PERIODS_A_DAY = 3
CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")  # 24:00 is not a time routing reads; close at 23:59
PREVIEW_DAYS = 7


@dataclass
class CalendarForm:
    agency_id: str = ""
    name: str = ""
    timezone: str = "America/Toronto"
    hours: dict[int, list[tuple[str, str]]] = field(default_factory=dict)  # weekday → [(opens, closes)]
    active: bool = True


@dataclass(frozen=True)
class DayAhead:
    day: date
    periods: list[tuple[time, time]]
    holiday: str | None


@dataclass
class CalendarRow:
    calendar: BusinessCalendar
    agency: str
    queues: list[str]


def _clock(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


async def calendars_view(session: AsyncSession, me: Principal) -> tuple[list[CalendarRow], list[Agency]]:
    choices = await agencies_of(session, me)
    names = {a.id: a.name for a in choices}
    rows = (
        await session.scalars(
            select(BusinessCalendar).where(BusinessCalendar.agency_id.in_(names)).order_by(BusinessCalendar.name)
        )
    ).all()
    used: dict[uuid.UUID, list[str]] = {}
    for calendar_id, queue_name in await session.execute(
        select(Queue.calendar_id, Queue.name).where(Queue.agency_id.in_(names)).order_by(Queue.name)
    ):
        if calendar_id is not None:
            used.setdefault(calendar_id, []).append(queue_name)
    return [CalendarRow(c, names.get(c.agency_id, ""), used.get(c.id, [])) for c in rows], choices


async def calendar_in_scope(session: AsyncSession, me: Principal, calendar_id: uuid.UUID) -> BusinessCalendar:
    calendar = await session.get(BusinessCalendar, calendar_id)
    if calendar is None:
        raise not_found("Office hours")
    in_scope(me, calendar.agency_id, "Office hours")
    return calendar


async def holidays_of(session: AsyncSession, calendar_id: uuid.UUID) -> list[Holiday]:
    stmt = select(Holiday).where(Holiday.calendar_id == calendar_id).order_by(Holiday.day)
    return list((await session.scalars(stmt)).all())


async def days_ahead(
    session: AsyncSession, calendar: BusinessCalendar, *, now: datetime | None = None
) -> list[DayAhead]:
    """The next `PREVIEW_DAYS` days in the calendar's timezone: open when, or closed (and the holiday's name)."""
    today = (now or utcnow()).astimezone(ZoneInfo(calendar.timezone)).date()
    named = {h.day: h.name for h in await holidays_of(session, calendar.id)}
    days = [today + timedelta(days=n) for n in range(PREVIEW_DAYS)]
    return [DayAhead(d, open_periods(calendar.hours, d, frozenset(named)), named.get(d)) for d in days]


def _hours(sent: CalendarForm, refusals: Refusals) -> dict[str, list[list[str]]]:
    stored: dict[str, list[list[str]]] = {}
    for weekday in WEEKDAYS:
        periods: list[tuple[time, time, str, str]] = []
        for opens, closes in sent.hours.get(weekday, []):
            if not opens and not closes:
                continue
            if not (CLOCK.fullmatch(opens) and CLOCK.fullmatch(closes)):
                refusals.add(f"hours-{weekday}", "Enter each opening period as two times, like 08:30 and 16:30.")
                break
            start, end = _clock(opens), _clock(closes)
            if end <= start:
                refusals.add(f"hours-{weekday}", "A period must close after it opens.")
                break
            periods.append((start, end, opens, closes))
        periods.sort()
        if any(later[0] < earlier[1] for earlier, later in pairwise(periods)):
            refusals.add(f"hours-{weekday}", "Opening periods of one day must not overlap.")
        if periods:
            stored[str(weekday)] = [[p[2], p[3]] for p in periods]
    return stored


async def _checked(
    session: AsyncSession, me: Principal, sent: CalendarForm, calendar: BusinessCalendar | None
) -> tuple[uuid.UUID, str, str, dict[str, list[list[str]]]]:
    refusals = Refusals()
    agency_id = chosen_agency(me, sent.agency_id, await agencies_of(session, me), refusals)
    calendar_name = name(sent.name, "name", refusals)
    if agency_id is not None and calendar_name:
        clash = select(BusinessCalendar.id).where(
            BusinessCalendar.agency_id == agency_id, BusinessCalendar.name == calendar_name
        )
        if calendar is not None:
            clash = clash.where(BusinessCalendar.id != calendar.id)
        if await session.scalar(clash) is not None:
            refusals.add("name", f"The agency already has office hours called {calendar_name}.")
    timezone = sent.timezone.strip()
    if timezone not in available_timezones():
        refusals.add("timezone", "Choose a timezone by its region and city, like America/Toronto.")
    hours = _hours(sent, refusals)
    if calendar is not None and not sent.active:
        used = await session.scalar(
            select(Queue.name)
            .where(Queue.calendar_id == calendar.id, Queue.active.is_(True))
            .order_by(Queue.name)
            .limit(1)
        )
        if used is not None:
            refusals.add("active", f"The active queue {used} keeps these hours: give it other hours first.")
    refusals.check()
    assert agency_id is not None
    return agency_id, calendar_name, timezone, hours


def _values(calendar: BusinessCalendar) -> dict[str, object]:
    return plain(
        {
            "agency_id": calendar.agency_id,
            "name": calendar.name,
            "timezone": calendar.timezone,
            "hours": calendar.hours,
            "active": calendar.active,
        }
    )


async def create(session: AsyncSession, *, me: Principal, sent: CalendarForm) -> BusinessCalendar:
    agency_id, calendar_name, timezone, hours = await _checked(session, me, sent, None)
    calendar = BusinessCalendar(
        agency_id=agency_id, name=calendar_name, timezone=timezone, hours=hours, active=sent.active
    )
    session.add(calendar)
    await session.flush()
    audit_change(
        session,
        me,
        action="calendar.create",
        kind="calendar",
        subject_id=calendar.id,
        agency_id=agency_id,
        before=None,
        after=_values(calendar),
    )
    return calendar


async def update(
    session: AsyncSession, *, me: Principal, calendar_id: uuid.UUID, sent: CalendarForm
) -> BusinessCalendar:
    calendar = await calendar_in_scope(session, me, calendar_id)
    before = _values(calendar)
    agency_id, calendar_name, timezone, hours = await _checked(session, me, sent, calendar)
    calendar.agency_id, calendar.name, calendar.timezone = agency_id, calendar_name, timezone
    calendar.hours, calendar.active = hours, sent.active
    await session.flush()
    audit_change(
        session,
        me,
        action="calendar.update",
        kind="calendar",
        subject_id=calendar.id,
        agency_id=agency_id,
        before=before,
        after=_values(calendar),
    )
    return calendar


def form_of(calendar: BusinessCalendar) -> CalendarForm:
    hours = {int(day): [(str(p[0]), str(p[1])) for p in periods] for day, periods in (calendar.hours or {}).items()}
    return CalendarForm(str(calendar.agency_id), calendar.name, calendar.timezone, hours, calendar.active)


async def add_holiday(
    session: AsyncSession, *, me: Principal, calendar_id: uuid.UUID, day: str, holiday_name: str
) -> Holiday:
    """Close the office on a day (audited); a second holiday on the same day is refused."""
    calendar = await calendar_in_scope(session, me, calendar_id)
    refusals = Refusals()
    when: date | None = None
    try:
        when = date.fromisoformat(day.strip())
    except ValueError:
        refusals.add("holiday_day", "Enter the holiday's date, like 2026-12-25.")
    label = name(holiday_name, "holiday_name", refusals)
    if when is not None:
        taken = await session.scalar(
            select(Holiday.name).where(Holiday.calendar_id == calendar.id, Holiday.day == when)
        )
        if taken is not None:
            refusals.add("holiday_day", f"{when.isoformat()} is already a holiday: {taken}.")
    refusals.check()
    assert when is not None
    holiday = Holiday(calendar_id=calendar.id, day=when, name=label)
    session.add(holiday)
    await session.flush()
    audit_change(
        session,
        me,
        action="holiday.add",
        kind="calendar",
        subject_id=calendar.id,
        agency_id=calendar.agency_id,
        before=None,
        after={"day": when.isoformat(), "name": label},
    )
    return holiday


async def remove_holiday(session: AsyncSession, *, me: Principal, calendar_id: uuid.UUID, day: str) -> bool:
    """Open the office again on a day that was a holiday (audited); False if it was not one."""
    calendar = await calendar_in_scope(session, me, calendar_id)
    try:
        when = date.fromisoformat(day.strip())
    except ValueError:
        return False
    row = await session.scalar(select(Holiday).where(Holiday.calendar_id == calendar.id, Holiday.day == when))
    if row is None:
        return False
    gone = {"day": when.isoformat(), "name": row.name}
    await session.execute(delete(Holiday).where(Holiday.id == row.id))
    audit_change(
        session,
        me,
        action="holiday.remove",
        kind="calendar",
        subject_id=calendar.id,
        agency_id=calendar.agency_id,
        before=gone,
        after={},
    )
    return True
