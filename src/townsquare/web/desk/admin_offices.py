"""Service offices' administration at /desk/admin/offices: the offices of the caller's agencies; one office's form
(names in both languages, agency, address, the short address its kiosk and display screen answer at, its hours
from a business calendar), its counters, the services it offers (ticket prefix, duration, buffers, walk-ins,
bookings), where its kiosk and display screen are, and a poster with the kiosk's QR code to print.

Translates only: `casework.admin_offices` and `admin_office_parts` check, scope and audit; another agency's office
answers 404.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import segno
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.casework import admin_office_parts as parts
from townsquare.casework import admin_offices as offices
from townsquare.casework.admin_common import administered_agencies, roll_back
from townsquare.casework.admin_offices import CounterForm, OfferForm, OfficeForm
from townsquare.casework.counter_types import Office
from townsquare.db import Session
from townsquare.db.deps import SessionDep
from townsquare.errors import Problem
from townsquare.staff.auth import AGENCY_ADMIN, Principal, enforces
from townsquare.web.desk.admin import checked, text, wanted_active
from townsquare.web.desk.common import CurrentStaff, administrators_only, settings_of
from townsquare.web.i18n import gettext as _
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
Administrator = Annotated[Principal, Depends(administrators_only("Service offices"))]


@enforces(AGENCY_ADMIN)
async def administered_office(office_id: uuid.UUID, session: SessionDep, me: Administrator) -> Office:
    """The office named in the path, if the caller administers its agency (another's answers as unknown)."""
    return await offices.office_in_scope(session, me, office_id)


AdministeredOffice = Annotated[Office, Depends(administered_office)]


def _notices() -> dict[str, str]:
    return {
        "created": _("The office was created. Add its counters and the services it offers."),
        "saved": _("The office was saved."),
        "deactivated": _("The office was deactivated: its kiosk and display screen take and show no tickets."),
        "reactivated": _("The office takes tickets again."),
        "counter": _("The counter was saved."),
        "service": _("The service was saved."),
    }


@router.get("/desk/admin/offices", response_class=HTMLResponse)
async def office_list(request: Request, session: SessionDep, me: Administrator) -> Response:
    """The offices of the agencies the caller administers."""
    context = {
        "me": me,
        "rows": await offices.office_rows(session, me),
        "notice": _notices().get(request.query_params.get("notice", "")),
    }
    return templates.TemplateResponse(request, "desk/admin/offices.html", context)


async def _page(
    request: Request,
    session: Session,
    me: Principal,
    form: OfficeForm,
    *,
    office: Office | None,
    error: Problem | None = None,
    counter_form: CounterForm | None = None,
    offer_form: OfferForm | None = None,
    part: str = "",
) -> Response:
    context: dict[str, Any] = {
        "me": me,
        "form": form,
        "office": office,
        "detail": await offices.detail(session, office=office) if office else None,
        "agencies": [(str(a.id), a.name) for a in await administered_agencies(session, me)],
        "calendars": [
            ("", _("No hours: open whenever the office is active")),
            *await offices.calendars_for(session, me),
        ],
        "services": await offices.services_for(session, me),
        "error": error if part == "" else None,
        "counter_error": error if part == "counter" else None,
        "offer_error": error if part == "service" else None,
        "counter_form": counter_form or CounterForm(),
        "offer_form": offer_form or OfferForm(),
        "notice": _notices().get(request.query_params.get("notice", "")),
        "public_url": settings_of(request).public_url.rstrip("/"),
    }
    status = error.status if error else 200
    return templates.TemplateResponse(request, "desk/admin/office.html", context, status_code=status)


@router.get("/desk/admin/offices/new", response_class=HTMLResponse)
async def new_office(request: Request, session: SessionDep, me: Administrator) -> Response:
    """An empty office form."""
    return await _page(request, session, me, OfficeForm(), office=None)


async def _sent(request: Request) -> OfficeForm:
    raw = await request.form()
    return OfficeForm(
        agency=text(raw, "agency", 40),
        slug=text(raw, "slug", 64).lower(),
        name=text(raw, "name"),
        name_fr=text(raw, "name_fr"),
        address=text(raw, "address", 700),
        calendar=text(raw, "calendar", 40),
    )


@router.post("/desk/admin/offices", response_class=HTMLResponse)
async def create_office(request: Request, session: SessionDep, me: Administrator) -> Response:
    """Create the office, or show the form again naming each mistake."""
    form = await _sent(request)
    try:
        office = await offices.create(session, me=me, form=form)
    except Problem as exc:
        if exc.status != 422:
            raise
        await roll_back(session)
        return await _page(request, session, me, form, office=None, error=exc)
    office_id = office.id
    await session.commit()
    return RedirectResponse(f"/desk/admin/offices/{office_id}?notice=created", status_code=303)


@router.get("/desk/admin/offices/{office_id}", response_class=HTMLResponse)
async def office_page(request: Request, session: SessionDep, me: CurrentStaff, office: AdministeredOffice) -> Response:
    """The office's form, counters and services, filled in as they are."""
    return await _page(request, session, me, offices.form_of(office), office=office)


async def _refused(
    request: Request, session: Session, me: Principal, office_id: uuid.UUID, exc: Problem, **kw: Any
) -> Response:
    await roll_back(session)
    again = await offices.office_in_scope(session, me, office_id)
    form = kw.pop("form", None) or offices.form_of(again)
    return await _page(request, session, me, form, office=again, error=exc, **kw)


@router.post("/desk/admin/offices/{office_id}", response_class=HTMLResponse)
async def save_office(request: Request, session: SessionDep, me: CurrentStaff, office: AdministeredOffice) -> Response:
    """Save the office, or show the form again naming each mistake."""
    form = await _sent(request)
    office_id = office.id
    try:
        await offices.update(session, me=me, office=office, form=form)
    except Problem as exc:
        if exc.status != 422:
            raise
        return await _refused(request, session, me, office_id, exc, form=form)
    await session.commit()
    return RedirectResponse(f"/desk/admin/offices/{office_id}?notice=saved", status_code=303)


@router.post("/desk/admin/offices/{office_id}/active")
async def switch_office(
    request: Request, session: SessionDep, me: CurrentStaff, office: AdministeredOffice
) -> Response:
    """Stop the office taking tickets, or open it to them again, and come back to the list."""
    active = wanted_active(await request.form())
    if await offices.set_active(session, me=me, office=office, active=active):
        await session.commit()
    return RedirectResponse(f"/desk/admin/offices?notice={'reactivated' if active else 'deactivated'}", 303)


@router.post("/desk/admin/offices/{office_id}/counters", response_class=HTMLResponse)
async def save_counter(request: Request, session: SessionDep, me: CurrentStaff, office: AdministeredOffice) -> Response:
    """Add a counter or change one."""
    raw = await request.form()
    form = CounterForm(text(raw, "counter", 40), text(raw, "label", 20), checked(raw, "active"))
    office_id = office.id
    try:
        await parts.put_counter(session, me=me, office=office, form=form)
    except Problem as exc:
        if exc.status != 422:
            raise
        return await _refused(request, session, me, office_id, exc, counter_form=form, part="counter")
    await session.commit()
    return RedirectResponse(f"/desk/admin/offices/{office_id}?notice=counter#counters", status_code=303)


@router.post("/desk/admin/offices/{office_id}/services", response_class=HTMLResponse)
async def save_offer(request: Request, session: SessionDep, me: CurrentStaff, office: AdministeredOffice) -> Response:
    """Offer a service at the office or change how it is offered."""
    raw = await request.form()
    form = OfferForm(
        text(raw, "service", 64),
        text(raw, "prefix", 3),
        text(raw, "duration", 4),
        text(raw, "buffer_before", 4),
        text(raw, "buffer_after", 4),
        checked(raw, "walk_in"),
        checked(raw, "bookable"),
    )
    office_id = office.id
    try:
        await parts.put_offer(session, me=me, office=office, form=form)
    except Problem as exc:
        if exc.status != 422:
            raise
        return await _refused(request, session, me, office_id, exc, offer_form=form, part="service")
    await session.commit()
    return RedirectResponse(f"/desk/admin/offices/{office_id}?notice=service#services", status_code=303)


def qr_image(url: str) -> str:
    """A QR code of `url` as an SVG data URI (segno) for an image the page sizes."""
    return str(segno.make(url, error="m").svg_data_uri(scale=10, border=4))


@router.get("/desk/admin/offices/{office_id}/poster", response_class=HTMLResponse)
async def poster(request: Request, me: CurrentStaff, office: AdministeredOffice) -> Response:
    """A poster to print for the office's wall: scan the code to take a ticket on your phone."""
    url = f"{settings_of(request).public_url.rstrip('/')}/kiosk/{office.slug}?via=phone"
    context = {"me": me, "office": office, "url": url, "qr": qr_image(url)}
    return templates.TemplateResponse(request, "desk/admin/office_poster.html", context)
