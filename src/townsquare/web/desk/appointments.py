"""Appointments on the desk: an office's day (who is expected; check in, cancel), one appointment (move it), and
booking for a person from their page or their case — by phone for a caller, or at the counter.

Plain forms that post and redirect; a refused one comes back with the reason (422, 409). Translates only:
`casework.appointments` scopes to the staff member's agencies, writes the access log and audits each change.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.appointments.refusals import refused
from townsquare.casework import appointments
from townsquare.casework.types import Citizen
from townsquare.clock import utcnow
from townsquare.db import Session
from townsquare.db.deps import SessionDep
from townsquare.engagement.access import purpose
from townsquare.errors import Problem
from townsquare.staff.auth import STAFF_AGENCY, Principal, enforces
from townsquare.web import appointment_words, i18n
from townsquare.web.appointment_words import day_of, time_of
from townsquare.web.desk.common import CurrentStaff, settings_of, staff_citizen
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
Person = Annotated[Citizen, Depends(staff_citizen)]
Short = Annotated[str, Form(max_length=64)]


def _office(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw) if raw else None
    except ValueError:
        return None


@enforces(STAFF_AGENCY)
async def staff_appointment(appointment_id: str, session: SessionDep, me: CurrentStaff) -> uuid.UUID:
    """The appointment in the path, if the staff member's agencies hold it (another's answers as unknown)."""
    try:
        wanted = uuid.UUID(appointment_id)
    except ValueError:
        wanted = uuid.UUID(int=0)
    return (await appointments.in_scope(session, me=me, appointment_id=wanted)).id


Held = Annotated[uuid.UUID, Depends(staff_appointment)]


def _page(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
    return templates.TemplateResponse(
        request, f"desk/{name}", {"words": appointment_words, **context}, status_code=status_code
    )


@router.get("/desk/appointments", response_class=HTMLResponse)
async def office_day(
    request: Request,
    session: SessionDep,
    me: CurrentStaff,
    office: Annotated[str, Query(max_length=40)] = "",
    day: Annotated[str, Query(max_length=10)] = "",
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """The offices of the staff member's agencies, and who is expected at the one chosen on a day (today)."""
    choices = await appointments.desk_offices(session, me=me, language=i18n.current())
    office_id = _office(office) or (choices[0][0].id if choices else None)
    shown: list[Any] = []
    wanted = day_of(day)
    chosen = next((o for o, _services in choices if o.id == office_id), None)
    if chosen is not None:
        wanted = wanted or utcnow().astimezone(ZoneInfo(chosen.timezone)).date()
        shown = await appointments.office_day(
            session,
            settings_of(request),
            me=me,
            office_id=chosen.id,
            day=wanted,
            now=utcnow(),
            language=i18n.current(),
            purpose=purpose(request),
        )
    context = {
        "me": me,
        "offices": choices,
        "office": chosen,
        "day": wanted,
        "rows": shown,
        "done": done,
        "next": f"/desk/appointments?office={chosen.id}&day={wanted}" if chosen and wanted else "/desk/appointments",
    }
    return _page(request, "appointments.html", context)


async def appointment_panel(request: Request, session: Session, me: Principal, citizen_id: uuid.UUID) -> dict[str, Any]:
    """What the person's page shows of their appointments, with the way to book one."""
    rows = await appointments.of_person(
        session, settings_of(request), me=me, citizen_id=citizen_id, now=utcnow(), language=i18n.current()
    )
    return {"appointments": rows, "appointment_words": appointment_words}


def _back(next_page: str, fallback: str) -> str:
    return next_page if next_page.startswith("/desk/") and not next_page.startswith("//") else fallback


@router.post("/desk/appointments/{appointment_id}/arrive")
async def arrive(
    request: Request, session: SessionDep, me: CurrentStaff, appointment_id: Held, next: Short = ""
) -> Response:
    """Check the person in: they are here for their appointment."""
    try:
        await appointments.arrive(
            session, request.app.state.pipeline, me=me, appointment_id=appointment_id, now=utcnow()
        )
    except Problem as problem:
        await session.rollback()
        return await _one(request, session, me, appointment_id, None, problem)
    await session.commit()
    target = _back(next, f"/desk/appointments/{appointment_id}")
    return RedirectResponse(target + _done("arrived", target), status_code=303)


def _done(what: str, target: str) -> str:
    return ("&" if "?" in target else "?") + f"done={what}"


@router.post("/desk/appointments/{appointment_id}/cancel")
async def cancel(
    request: Request, session: SessionDep, me: CurrentStaff, appointment_id: Held, next: Short = ""
) -> Response:
    """Cancel it for the person (they asked by phone or at the counter); they are told, the time is offered on."""
    try:
        await appointments.cancel(session, settings_of(request), me=me, appointment_id=appointment_id, now=utcnow())
    except Problem as problem:
        await session.rollback()
        return await _one(request, session, me, appointment_id, None, problem)
    await session.commit()
    target = _back(next, f"/desk/appointments/{appointment_id}")
    return RedirectResponse(target + _done("cancelled", target), status_code=303)


async def _one(
    request: Request,
    session: Session,
    me: Principal,
    appointment_id: uuid.UUID,
    day: date | None,
    problem: Problem | None = None,
) -> Response:
    shown, slots = await appointments.read_one(
        session,
        settings_of(request),
        me=me,
        appointment_id=appointment_id,
        day=day,
        now=utcnow(),
        language=i18n.current(),
        purpose=purpose(request),
    )
    context = {
        "me": me,
        "shown": shown,
        "slots": slots,
        "day": day or shown.local_start.date(),
        "done": request.query_params.get("done", "")[:20],
        "error": appointment_words.refusal(problem, staff=True) if problem else "",
    }
    return _page(request, "appointment.html", context, problem.status if problem else 200)


@router.get("/desk/appointments/{appointment_id}", response_class=HTMLResponse)
async def one(
    request: Request,
    session: SessionDep,
    me: CurrentStaff,
    appointment_id: Held,
    day: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    """One appointment: who, when, where, its state; while it can be changed, the free times to move it to."""
    return await _one(request, session, me, appointment_id, day_of(day))


@router.post("/desk/appointments/{appointment_id}/move")
async def move(
    request: Request,
    session: SessionDep,
    me: CurrentStaff,
    appointment_id: Held,
    starts_at: Annotated[str, Form(max_length=40)] = "",
    day: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Move it to the free time chosen; the person is told."""
    wanted = time_of(starts_at)
    try:
        if wanted is None:
            raise refused("no_time")
        await appointments.move(
            session, settings_of(request), me=me, appointment_id=appointment_id, starts_at=wanted, now=utcnow()
        )
    except Problem as problem:
        await session.rollback()
        return await _one(request, session, me, appointment_id, day_of(day), problem)
    await session.commit()
    return RedirectResponse(f"/desk/appointments/{appointment_id}?done=moved", status_code=303)


async def _new(
    request: Request,
    session: Session,
    me: Principal,
    person: Citizen,
    filled: dict[str, str],
    problem: Problem | None = None,
) -> Response:
    office_id, code = _office(filled.get("office", "")), filled.get("service", "")
    form = await appointments.booking_form(
        session,
        settings_of(request),
        me=me,
        citizen_id=person.id,
        office_id=office_id,
        service_code=code,
        day=day_of(filled.get("day", "")),
        now=utcnow(),
        language=i18n.current(),
    )
    context = {
        "me": me,
        "person": person,
        "form": form,
        "filled": filled,
        "error": appointment_words.refusal(problem, staff=True) if problem else "",
    }
    return _page(request, "appointment_new.html", context, problem.status if problem else 200)


@router.get("/desk/citizens/{citizen_id}/appointments/new", response_class=HTMLResponse)
async def new(
    request: Request,
    session: SessionDep,
    me: CurrentStaff,
    person: Person,
    choice: Annotated[str, Query(max_length=110)] = "",
    day: Annotated[str, Query(max_length=10)] = "",
    case: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """Book for the person: the office and service, then a day's free times, the case it continues, how they asked."""
    office, _slash, service = choice.partition("/")
    filled = {"office": office, "service": service, "day": day, "case": case, "way": "phone"}
    try:
        return await _new(request, session, me, person, filled)
    except Problem as problem:
        if problem.status != 404 and problem.status != 422:
            raise
        return await _new(request, session, me, person, {**filled, "office": "", "service": ""}, problem)


@router.post("/desk/citizens/{citizen_id}/appointments/new")
async def book(
    request: Request,
    session: SessionDep,
    me: CurrentStaff,
    person: Person,
    office: Short = "",
    service: Short = "",
    day: Annotated[str, Form(max_length=10)] = "",
    starts_at: Annotated[str, Form(max_length=40)] = "",
    case: Annotated[str, Form(max_length=40)] = "",
    way: Annotated[str, Form(max_length=10)] = "",
    letter: Annotated[str, Form(max_length=3)] = "",
) -> Response:
    """Book the time chosen for the person; they are told on their usual channel (and by letter if asked)."""
    filled = {"office": office, "service": service, "day": day, "case": case, "way": way, "letter": letter}
    wanted, office_id = time_of(starts_at), _office(office)
    try:
        if wanted is None or office_id is None:
            raise refused("no_time")
        made = await appointments.book_for(
            session,
            settings_of(request),
            me=me,
            citizen_id=person.id,
            office_id=office_id,
            service_code=service,
            starts_at=wanted,
            way=way,
            case_reference=case,
            letter=letter == "yes",
            now=utcnow(),
        )
    except Problem as problem:
        await session.rollback()
        await session.refresh(person)  # read again after the rollback, for the page
        return await _new(request, session, me, person, filled, problem)
    await session.commit()
    return RedirectResponse(f"/desk/appointments/{made.id}?done=booked", status_code=303)
