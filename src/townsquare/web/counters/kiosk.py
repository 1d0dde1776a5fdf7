"""The kiosk: `/kiosk/{office}` on the office's tablet (large touch targets, no sign-in) or on a resident's phone
from the poster's QR code (`?via=phone`): pick a service, optionally give a phone for a text when it is your
turn, take a ticket; then the ticket's own page, which follows it (people ahead, estimated wait, its counter).

Translates only: `engagement.counter.check_in` records the visit through the one flow and gives the ticket. Each
client may take `TOWNSQUARE_COUNTER_KIOSK_CLIENT_LIMITS` tickets; a refusal (closed office, service not offered,
unreadable phone, too many tickets) is a page saying so, with nothing written.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.clock import utcnow
from townsquare.counters import tickets
from townsquare.counters.kinds import CheckIn
from townsquare.counters.views import office_view, ticket_status
from townsquare.db import Session
from townsquare.db.deps import SessionDep
from townsquare.engagement import counter as visits
from townsquare.engagement import counter_arrivals
from townsquare.engagement.counter import ALREADY_IN_LINE
from townsquare.errors import Problem
from townsquare.ratelimit import RateLimiter, fingerprint, parse_tiers
from townsquare.settings import Settings
from townsquare.staff.auth import public
from townsquare.web import i18n
from townsquare.web.counters.common import framable, posted, speak
from townsquare.web.i18n import gettext as _
from townsquare.web.templating import templates
from townsquare.web.times import wait_words

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False, dependencies=[Depends(public)])
BUCKET = "counter-kiosk-client"


def _via(request: Request) -> CheckIn:
    return CheckIn.phone if request.query_params.get("via") == "phone" else CheckIn.kiosk


def _links(office: str, language: str, via: CheckIn) -> dict[str, str]:
    suffix = "&via=phone" if via is CheckIn.phone else ""
    return {"start": f"/kiosk/{office}?lang={language}{suffix}", "query": f"lang={language}{suffix}"}


async def _form(
    request: Request,
    session: Session,
    office_ref: str,
    *,
    error: Problem | None = None,
    sent: dict[str, str] | None = None,
    status: int = 200,
    via: CheckIn | None = None,
) -> Response:
    language = speak(request)
    office = await tickets.find_office(session, ref=office_ref)
    view = await office_view(session, office=office)
    via = via or _via(request)
    context: dict[str, Any] = {
        "office": view,
        "via": via.value,
        "token": secrets.token_urlsafe(16),
        "error": error,
        "problems": {e.field: e.message for e in (error.errors if error else [])},
        "sent": sent or {},
        "links": _links(office.slug, language, via),
    }
    name = "counters/kiosk.html" if view.open else "counters/closed.html"
    return framable(templates.TemplateResponse(request, name, context, status_code=status))


@router.get("/kiosk/{office}", response_class=HTMLResponse)
async def kiosk(request: Request, session: SessionDep, office: str) -> Response:
    """The office's services, each with its line and estimated wait; or the office's hours when it is closed."""
    return await _form(request, session, office)


async def _allowed(request: Request, settings: Settings) -> int:
    """Count one ticket for this client; 0 when it fits, else the seconds to wait."""
    limiter: RateLimiter = request.app.state.limiter
    client = fingerprint(settings.secret_key, "client", request.client.host if request.client else "unknown")
    decision = await limiter.acquire(BUCKET, client, parse_tiers(settings.counter_kiosk_client_limits))
    return 0 if decision.allowed else decision.retry_after


@router.post("/kiosk/{office}/tickets", response_class=HTMLResponse)
async def take_ticket(request: Request, session: SessionDep, office: str) -> Response:
    """Take a ticket: the visit through the flow, then the ticket's page."""
    settings: Settings = request.app.state.settings
    raw = await request.form()
    sent = {name: posted(raw, name, limit) for name, limit in (("service", 64), ("phone", 40), ("token", 64))}
    i18n.use(posted(raw, "lang", 2))  # the language the form was shown in
    language = i18n.current()
    wait = await _allowed(request, settings)
    if wait:
        log.warning("kiosk tickets throttled for a client")
        return _refused(request, office, _("Too many tickets were taken from this device."), wait)
    place = await tickets.find_office(session, ref=office)
    via = CheckIn.phone if posted(raw, "via", 8) == "phone" else CheckIn.kiosk
    visit = visits.Visit(place, sent["service"], language, via, phone=sent["phone"], token=sent["token"])
    try:
        checked = await visits.check_in(session, request.app.state.pipeline, visit)
    except Problem as problem:
        await session.rollback()
        if problem.status == 422:
            return await _form(request, session, office, error=problem, sent=sent, status=422, via=via)
        if problem.type_slug == ALREADY_IN_LINE:
            return _refused(request, office, _("This phone number already has a ticket here."), 0, status=409, via=via)
        if problem.status == 409:
            return await _form(request, session, office, status=409, via=via)
        raise
    ticket_id = checked.ticket.id
    await session.commit()
    query = _links(place.slug, language, via)["query"]
    return RedirectResponse(f"/kiosk/{place.slug}/tickets/{ticket_id}?{query}", status_code=303)


@router.get("/kiosk/{office}/appointment", response_class=HTMLResponse)
async def appointment_form(request: Request, session: SessionDep, office: str) -> Response:
    """ "I have an appointment": the phone number it was booked with checks the person in."""
    return await _arrival(request, session, office)


async def _arrival(
    request: Request, session: Session, office: str, *, why: str = "", phone: str = "", status: int = 200
) -> Response:
    language = speak(request)
    place = await tickets.find_office(session, ref=office)
    view = await office_view(session, office=place)
    context = {"office": view, "why": why, "phone": phone, "links": _links(place.slug, language, _via(request))}
    return framable(templates.TemplateResponse(request, "counters/arrival.html", context, status_code=status))


@router.post("/kiosk/{office}/appointment", response_class=HTMLResponse)
async def arrive(request: Request, session: SessionDep, office: str) -> Response:
    """Check in for today's appointment by the phone it was booked with; the ticket's page follows."""
    settings: Settings = request.app.state.settings
    raw = await request.form()
    phone = posted(raw, "phone", 40)
    i18n.use(posted(raw, "lang", 2))
    language = i18n.current()
    wait = await _allowed(request, settings)
    if wait:
        log.warning("kiosk check-ins throttled for a client")
        return _refused(request, office, _("Too many tickets were taken from this device."), wait)
    place = await tickets.find_office(session, ref=office)
    now = utcnow()
    try:
        appointment_id = await counter_arrivals.booked_by_phone(
            session, office=place, phone=phone, now=now, region=settings.default_region
        )
        checked = await counter_arrivals.arrive(
            session, request.app.state.pipeline, appointment_id=appointment_id, now=now
        )
    except Problem as problem:
        await session.rollback()
        if problem.status == 422:
            why = _("Check the phone number.")
        elif problem.type_slug == counter_arrivals.NO_APPOINTMENT:
            why = _("We found no appointment here today for that number. Take a ticket, or ask at the front desk.")
        else:
            why = _("We could not check you in. Please ask at the front desk.")
        return await _arrival(request, session, office, why=why, phone=phone, status=problem.status)
    ticket_id = checked.ticket.id
    await session.commit()
    query = _links(place.slug, language, _via(request))["query"]
    return RedirectResponse(f"/kiosk/{place.slug}/tickets/{ticket_id}?{query}", status_code=303)


def _refused(
    request: Request, office: str, why: str, wait: int, *, status: int = 429, via: CheckIn | None = None
) -> Response:
    language = speak(request)
    context = {
        "why": why,
        "wait": wait_words(wait) if wait else "",
        "links": _links(office, language, via or _via(request)),
    }
    response = templates.TemplateResponse(request, "counters/refused.html", context, status_code=status)
    if wait:
        response.headers["Retry-After"] = str(wait)
    return framable(response)


@router.get("/kiosk/{office}/tickets/{ticket_id}", response_class=HTMLResponse)
async def ticket_page(request: Request, session: SessionDep, office: str, ticket_id: uuid.UUID) -> Response:
    """A ticket's own page: its number, where it stands and its wait; the kiosk returns to the start after a while."""
    language = speak(request)
    place = await tickets.find_office(session, ref=office)
    ticket = await tickets.get_ticket(session, ticket_id=ticket_id)
    if ticket.office_id != place.id:
        raise Problem(404, "Ticket not found", "No ticket has that number.", "not-found")
    status = await ticket_status(session, ticket=ticket)
    via = _via(request)
    settings: Settings = request.app.state.settings
    context = {
        "ticket": status,
        "office": status.office,
        "via": via.value,
        "links": _links(place.slug, language, via),
        "return_seconds": settings.counter_kiosk_return_seconds,
        "fragment": f"/kiosk/{place.slug}/tickets/{ticket_id}?lang={language}&part=status",
    }
    name = "counters/_ticket_status.html" if request.query_params.get("part") == "status" else "counters/ticket.html"
    return framable(templates.TemplateResponse(request, name, context))
