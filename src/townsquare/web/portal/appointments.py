"""Booking an appointment on the portal: the offices and what can be booked there, a day's free times (with the
next free one and the days around), booking one, the waiting list of a full day, and the resident's own list.

Signed out, choosing a time keeps it for a few minutes while the person proves a phone or an email by a code (the
guest contact pages, `for=book:<id>`); signed in with a proved contact, it is booked at once. Translates only:
`residents.appointments` does the work.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.appointments import links
from townsquare.clock import utcnow
from townsquare.db.deps import SessionDep
from townsquare.errors import Problem, not_found
from townsquare.residents import appointments
from townsquare.web import appointment_words, i18n
from townsquare.web.appointment_words import day_of, time_of
from townsquare.web.i18n import gettext as _
from townsquare.web.portal import limits
from townsquare.web.portal.common import CurrentCitizen, MaybeCitizen, set_citizen_cookie, settings_of
from townsquare.web.portal.guest_contact import start_guest
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
DayParam = Annotated[str, Query(max_length=10)]


def office_of(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise not_found("Office", "No office open for appointments has that identifier.") from None


def page(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
    errors = context.get("errors") or []
    full = {"error_count": len(errors), "words": appointment_words, **context}
    return templates.TemplateResponse(request, f"portal/{name}", full, status_code=status_code)


@router.get("/appointments", response_class=HTMLResponse)
async def office_list(request: Request, session: SessionDep) -> Response:
    """Where appointments can be booked, and for what."""
    found = await appointments.offices(session, language=i18n.current())
    return page(request, "appointments.html", {"offices": found})


async def _day(
    request: Request,
    session: SessionDep,
    citizen: Any,
    office_id: str,
    code: str,
    day: date | None,
    errors: list[tuple[str, str]],
    status: int = 200,
) -> Response:
    shown = await appointments.day_page(
        session,
        settings_of(request),
        office_id=office_of(office_id),
        service_code=code[:64],
        day=day,
        now=utcnow(),
        language=i18n.current(),
    )
    context = {
        "shown": shown,
        "action": f"/appointments/{office_id}/{code}",
        "citizen": citizen,
        "errors": errors,
        "waiting": request.query_params.get("waiting") == "1",
        "moving": None,
    }
    return page(request, "appointment_day.html", context, status)


@router.get("/appointments/{office_id}/{code}", response_class=HTMLResponse)
async def day_view(
    request: Request, session: SessionDep, citizen: MaybeCitizen, office_id: str, code: str, day: DayParam = ""
) -> Response:
    """A day's free times for the service at the office (default: the day of the next free time)."""
    return await _day(request, session, citizen, office_id, code, day_of(day), [])


@router.post("/appointments/{office_id}/{code}", response_class=HTMLResponse)
async def book(
    request: Request,
    session: SessionDep,
    citizen: MaybeCitizen,
    office_id: str,
    code: str,
    starts_at: Annotated[str, Form(max_length=40)] = "",
    day: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Book the time chosen; signed out (or with no proved contact), keep it while a contact is proved."""
    settings, shown_day, wanted = settings_of(request), day_of(day), time_of(starts_at)
    if wanted is None:
        return await _day(request, session, citizen, office_id, code, shown_day, [("slot", _("Choose a time"))], 422)
    token = None
    if citizen is None:
        started = await start_guest(request, session)
        if isinstance(started, int):
            errors = [("slot", limits.wait_sentence(started))]
            response = await _day(request, session, citizen, office_id, code, shown_day, errors, limits.STATUS)
            return limits.with_retry_after(response, started)
        citizen, token = started
    try:
        made, held = await appointments.book(
            session,
            settings,
            citizen_id=citizen.id,
            office_id=office_of(office_id),
            service_code=code[:64],
            starts_at=wanted,
            now=utcnow(),
        )
    except Problem as problem:
        if problem.status == 404:
            raise
        await session.rollback()
        errors = [("slot", appointment_words.refusal(problem))]
        return await _day(
            request, session, None if token else citizen, office_id, code, shown_day, errors, problem.status
        )
    await session.commit()
    if held:
        response = RedirectResponse(f"/contact?for=book:{made}", status_code=303)
    else:
        response = RedirectResponse(links.manage_path(settings, made) + "?booked=1", status_code=303)
    if token is not None:
        set_citizen_cookie(response, token, settings)
    return response


@router.post("/appointments/{office_id}/{code}/waitlist")
async def join_waitlist(
    request: Request,
    session: SessionDep,
    citizen: CurrentCitizen,
    office_id: str,
    code: str,
    day: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Wait for a time to free up on a full day."""
    wanted = day_of(day)
    if wanted is None:
        raise not_found("Day", "Choose a day.")
    try:
        await appointments.join_waitlist(
            session,
            settings_of(request),
            citizen_id=citizen.id,
            office_id=office_of(office_id),
            service_code=code[:64],
            day=wanted,
            now=utcnow(),
            language=i18n.current(),
        )
    except Problem as problem:
        if problem.status == 404:
            raise
        await session.rollback()
        errors = [("waitlist", appointment_words.refusal(problem))]
        return await _day(request, session, citizen, office_id, code, wanted, errors, problem.status)
    await session.commit()
    return RedirectResponse(f"/appointments/{office_id}/{code}?day={wanted.isoformat()}&waiting=1", status_code=303)


@router.get("/account/appointments", response_class=HTMLResponse)
async def my_appointments(request: Request, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """The resident's appointments, latest first, each with its page to move, cancel or add it to a calendar."""
    rows = await appointments.theirs(
        session, settings_of(request), citizen_id=citizen.id, language=i18n.current(), now=utcnow()
    )
    return page(request, "appointments_mine.html", {"rows": rows})
