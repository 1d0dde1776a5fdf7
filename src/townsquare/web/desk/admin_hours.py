"""The administrators' office hours at /desk/admin/hours: each office's calendar (name, timezone, opening periods by
weekday), its holidays added and removed, and the next seven days as they will be, so the effect is seen.

Translates only: the form as typed becomes a `routing.admin_hours.CalendarForm`; the domain checks, saves and
audits. Another agency's calendar answers an agency administrator as an unknown one.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.db import Session
from townsquare.db.deps import SessionDep
from townsquare.errors import Problem
from townsquare.routing import admin_hours
from townsquare.routing.admin_common import agencies_of
from townsquare.routing.admin_hours import PERIODS_A_DAY, WEEKDAYS, CalendarForm
from townsquare.staff.auth import AGENCY_ADMIN, Principal, enforces
from townsquare.web.desk.admin_forms import Administrator, agency_options, page, save, text, ticked
from townsquare.web.i18n import gettext as _

router = APIRouter(include_in_schema=False)


@enforces(AGENCY_ADMIN)
async def calendar_of_mine(calendar_id: uuid.UUID, session: SessionDep, me: Administrator) -> uuid.UUID:
    """The office hours in the path, if they are of one of the administrator's agencies (else 404)."""
    await admin_hours.calendar_in_scope(session, me, calendar_id)
    return calendar_id


CalendarId = Annotated[uuid.UUID, Depends(calendar_of_mine)]


def weekday_names() -> list[str]:
    return [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")]


@router.get("/desk/admin/hours", response_class=HTMLResponse)
async def hours_page(request: Request, session: SessionDep, me: Administrator) -> Response:
    """Every office's hours, with the queues that keep them."""
    rows, _agencies = await admin_hours.calendars_view(session, me)
    return page(request, "desk/admin_hours.html", {"me": me, "rows": rows, "weekdays": weekday_names()})


def _form(raw: Any) -> CalendarForm:
    hours = {
        day: [(text(raw, f"open-{day}-{n}", 5), text(raw, f"close-{day}-{n}", 5)) for n in range(PERIODS_A_DAY)]
        for day in WEEKDAYS
    }
    return CalendarForm(
        agency_id=text(raw, "agency_id", 64),
        name=text(raw, "name"),
        timezone=text(raw, "timezone", 64),
        hours=hours,
        active=ticked(raw, "active"),
    )


async def _form_page(
    request: Request,
    session: Session,
    me: Principal,
    form: CalendarForm,
    *,
    calendar_id: uuid.UUID | None,
    error: Problem | None = None,
    holiday: tuple[str, str] = ("", ""),
) -> Response:
    ahead, holidays = [], []
    if calendar_id is not None:
        calendar = await admin_hours.calendar_in_scope(session, me, calendar_id)
        ahead = await admin_hours.days_ahead(session, calendar)
        holidays = await admin_hours.holidays_of(session, calendar_id)
    periods = {day: [*form.hours.get(day, []), *[("", "")] * PERIODS_A_DAY][:PERIODS_A_DAY] for day in WEEKDAYS}
    context = {
        "me": me,
        "form": form,
        "periods": periods,
        "calendar_id": calendar_id,
        "agencies": agency_options(await agencies_of(session, me)),
        "weekdays": weekday_names(),
        "ahead": ahead,
        "holidays": holidays,
        "holiday": holiday,
    }
    return page(request, "desk/admin_calendar.html", context, error=error)


@router.get("/desk/admin/hours/new", response_class=HTMLResponse)
async def new_calendar(request: Request, session: SessionDep, me: Administrator) -> Response:
    """An empty office hours form."""
    return await _form_page(request, session, me, CalendarForm(), calendar_id=None)


@router.post("/desk/admin/hours/new", response_class=HTMLResponse)
async def create_calendar(request: Request, session: SessionDep, me: Administrator) -> Response:
    """Add an office's hours; overlapping or reversed periods and unknown timezones are refused."""
    sent = _form(await request.form())

    async def created() -> Response:
        calendar = await admin_hours.create(session, me=me, sent=sent)
        await session.commit()
        return RedirectResponse(f"/desk/admin/hours/{calendar.id}?notice=created", status_code=303)

    try:
        return await created()
    except Problem as exc:
        if exc.status != 422:
            raise
        await session.rollback()
        return await _form_page(request, session, me, sent, calendar_id=None, error=exc)


@router.get("/desk/admin/hours/{calendar_id}", response_class=HTMLResponse)
async def edit_calendar(request: Request, session: SessionDep, me: Administrator, calendar_id: CalendarId) -> Response:
    """The office's hours as a form, its holidays, and the next seven days."""
    calendar = await admin_hours.calendar_in_scope(session, me, calendar_id)
    return await _form_page(request, session, me, admin_hours.form_of(calendar), calendar_id=calendar_id)


@router.post("/desk/admin/hours/{calendar_id}", response_class=HTMLResponse)
async def save_calendar(request: Request, session: SessionDep, me: Administrator, calendar_id: CalendarId) -> Response:
    """Change the office's hours, or deactivate them (untick Active)."""
    sent = _form(await request.form())
    return await save(
        session,
        lambda: admin_hours.update(session, me=me, calendar_id=calendar_id, sent=sent),
        lambda exc: _form_page(request, session, me, sent, calendar_id=calendar_id, error=exc),
        f"/desk/admin/hours/{calendar_id}?notice=saved",
    )


async def _current(session: Session, me: Principal, calendar_id: uuid.UUID) -> CalendarForm:
    return admin_hours.form_of(await admin_hours.calendar_in_scope(session, me, calendar_id))


@router.post("/desk/admin/hours/{calendar_id}/holidays", response_class=HTMLResponse)
async def add_holiday(request: Request, session: SessionDep, me: Administrator, calendar_id: CalendarId) -> Response:
    """Close the office on a day; a second holiday on one day is refused."""
    raw = await request.form()
    day, label = text(raw, "holiday_day", 10), text(raw, "holiday_name")

    async def refused(exc: Problem) -> Response:
        form = await _current(session, me, calendar_id)
        return await _form_page(request, session, me, form, calendar_id=calendar_id, error=exc, holiday=(day, label))

    return await save(
        session,
        lambda: admin_hours.add_holiday(session, me=me, calendar_id=calendar_id, day=day, holiday_name=label),
        refused,
        f"/desk/admin/hours/{calendar_id}?notice=created#holidays-title",
    )


@router.post("/desk/admin/hours/{calendar_id}/holidays/remove")
async def remove_holiday(request: Request, session: SessionDep, me: Administrator, calendar_id: CalendarId) -> Response:
    """Open the office again on a day that was a holiday."""
    day = text(await request.form(), "day", 10)
    if await admin_hours.remove_holiday(session, me=me, calendar_id=calendar_id, day=day):
        await session.commit()
    return RedirectResponse(f"/desk/admin/hours/{calendar_id}?notice=removed#holidays-title", status_code=303)
