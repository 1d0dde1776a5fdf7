"""The agencies' administration at /desk/admin/agencies: the list, a new agency (administrators), an agency's
form (names and descriptions in English and French, contact details, contact points, branding with a logo) and
deactivating or reactivating it (administrators).

Translates only: `casework.admin_agencies` checks, scopes and audits. An agency administrator reaches its own
agencies; another's answers 404.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from townsquare.agencies.admin import LOGO_MAX_BYTES
from townsquare.casework import admin_agencies as agencies
from townsquare.casework.admin_agencies import POINT_CHANNELS, AgencyForm, Sent
from townsquare.casework.admin_common import roll_back
from townsquare.casework.types import Agency
from townsquare.db import Session
from townsquare.db.deps import SessionDep
from townsquare.errors import Problem, not_found
from townsquare.staff.auth import AGENCY_ADMIN, Principal, enforces
from townsquare.web.desk.admin import checked, text, wanted_active
from townsquare.web.desk.common import CurrentStaff, administrators_only, admins_only
from townsquare.web.i18n import gettext as _
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
Administrator = Annotated[Principal, Depends(administrators_only("Agencies"))]
MAX_POINTS = 50
EMPTY_POINT_ROWS = 2  # rows for new contact points under the agency's own
Admin = Annotated[Principal, Depends(admins_only("Creating or deactivating an agency"))]


@enforces(AGENCY_ADMIN)
async def administered_agency(slug: str, session: SessionDep, me: Administrator) -> Agency:
    """The agency named in the path, if the caller administers it (another's answers as an unknown one)."""
    return await agencies.agency_in_scope(session, me, slug)


AdministeredAgency = Annotated[Agency, Depends(administered_agency)]


def _notices() -> dict[str, str]:
    return {
        "created": _("The agency was created."),
        "saved": _("The agency was saved."),
        "deactivated": _("The agency was deactivated: it takes no new contact; its history stays."),
        "reactivated": _("The agency was reactivated."),
    }


@router.get("/desk/admin/agencies", response_class=HTMLResponse)
async def agency_list(request: Request, session: SessionDep, me: Administrator) -> Response:
    """The agencies the caller administers, with their contact points and branding."""
    context = {
        "me": me,
        "rows": await agencies.agency_rows(session, me),
        "notice": _notices().get(request.query_params.get("notice", "")),
    }
    return templates.TemplateResponse(request, "desk/admin/agencies.html", context)


async def _form_page(
    request: Request,
    session: Session,
    me: Principal,
    form: AgencyForm,
    *,
    agency: Agency | None,
    error: Problem | None = None,
) -> Response:
    context = {
        "me": me,
        "form": form,
        "agency": agency,
        "logo": agency is not None and await agencies.has_logo(session, agency),
        "error": error,
        "channels": [c.value for c in POINT_CHANNELS],
        "point_rows": [*form.contact_points, *[("", "")] * EMPTY_POINT_ROWS],
        "logo_kb": LOGO_MAX_BYTES // 1000,
        "notice": _notices().get(request.query_params.get("notice", "")),
    }
    status = error.status if error else 200
    return templates.TemplateResponse(request, "desk/admin/agency.html", context, status_code=status)


@router.get("/desk/admin/agencies/new", response_class=HTMLResponse)
async def new_agency(request: Request, session: SessionDep, me: Admin) -> Response:
    """An empty agency form."""
    return await _form_page(request, session, me, AgencyForm(), agency=None)


def _points(raw: FormData) -> list[tuple[str, str]]:
    channels, addresses = raw.getlist("point_channel"), raw.getlist("point_address")
    return [(str(c)[:16], str(a).strip()[:320]) for c, a in zip(channels, addresses, strict=False)][:MAX_POINTS]


async def _sent(request: Request) -> Sent:
    raw = await request.form()
    upload = raw.get("logo")
    logo = await upload.read(LOGO_MAX_BYTES + 1) if isinstance(upload, UploadFile) and upload.filename else None
    form = AgencyForm(
        slug=text(raw, "slug", 64).lower(),
        name=text(raw, "name"),
        name_fr=text(raw, "name_fr"),
        description=text(raw, "description", 2000),
        description_fr=text(raw, "description_fr", 2000),
        email=text(raw, "email", 320).lower(),
        phone=text(raw, "phone", 32),
        timezone=text(raw, "timezone", 64),
        short_name=text(raw, "short_name", 40),
        accent_colour=text(raw, "accent_colour", 7),
        contact_points=_points(raw),
        remove_logo=checked(raw, "remove_logo"),
    )
    return Sent(form, logo or None)


async def _refused(
    request: Request, session: Session, me: Principal, sent: Sent, exc: Problem, slug: str | None
) -> Response:
    if exc.status != 422:
        raise exc
    await roll_back(session)
    agency = await agencies.agency_in_scope(session, me, slug) if slug else None
    return await _form_page(request, session, me, sent.form, agency=agency, error=exc)


@router.post("/desk/admin/agencies", response_class=HTMLResponse)
async def create_agency(request: Request, session: SessionDep, me: Admin) -> Response:
    """Create the agency, or show the form again naming each mistake."""
    sent = await _sent(request)
    try:
        agency = await agencies.create(session, me=me, sent=sent)
    except Problem as exc:
        return await _refused(request, session, me, sent, exc, None)
    slug = agency.slug
    await session.commit()
    return RedirectResponse(f"/desk/admin/agencies/{slug}?notice=created", status_code=303)


@router.get("/desk/admin/agencies/{slug}", response_class=HTMLResponse)
async def agency_page(request: Request, session: SessionDep, me: CurrentStaff, agency: AdministeredAgency) -> Response:
    """The agency's form, filled in as it is."""
    return await _form_page(request, session, me, await agencies.form_of(session, agency), agency=agency)


@router.post("/desk/admin/agencies/{slug}", response_class=HTMLResponse)
async def save_agency(request: Request, session: SessionDep, me: CurrentStaff, agency: AdministeredAgency) -> Response:
    """Save the agency, or show the form again naming each mistake."""
    sent = await _sent(request)
    sent.form.slug = slug = agency.slug
    try:
        await agencies.update(session, me=me, agency=agency, sent=sent)
    except Problem as exc:
        return await _refused(request, session, me, sent, exc, slug)
    await session.commit()
    return RedirectResponse(f"/desk/admin/agencies/{slug}?notice=saved", status_code=303)


@router.post("/desk/admin/agencies/{slug}/active")
async def switch_agency(request: Request, slug: str, session: SessionDep, me: Admin) -> Response:
    """Deactivate or reactivate the agency (administrators), and come back to the list."""
    active = wanted_active(await request.form())
    agency = await agencies.agency_in_scope(session, me, slug)
    if await agencies.set_active(session, me=me, agency=agency, active=active):
        await session.commit()
    return RedirectResponse(f"/desk/admin/agencies?notice={'reactivated' if active else 'deactivated'}", 303)


@router.get("/desk/admin/agencies/{slug}/logo")
async def agency_logo(session: SessionDep, me: CurrentStaff, agency: AdministeredAgency) -> Response:
    """The agency's logo as uploaded (checked then: a small PNG or JPEG), or 404."""
    found = await agencies.logo(session, agency)
    if found is None:
        raise not_found("Logo")
    content_type, data = found
    headers = {"Cache-Control": "private, no-cache", "X-Content-Type-Options": "nosniff"}
    return Response(data, media_type=content_type, headers=headers)
