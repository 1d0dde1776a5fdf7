"""The catalogue's administration at /desk/admin/services: the services of the caller's agencies, a new one, a
service's form (wording in English and French, owning agency, SLA, Open311, keywords, synonyms) and withdrawing
or offering it again. Its questions are the form builder's, at /desk/admin/services/{code}/form.

Translates only: `casework.admin_services` checks, scopes and audits; another agency's service answers 404.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.casework import admin_services as services
from townsquare.casework.admin_common import administered_agencies, roll_back
from townsquare.casework.admin_services import ServiceForm
from townsquare.casework.types import Service
from townsquare.db import Session
from townsquare.db.deps import SessionDep
from townsquare.errors import Problem
from townsquare.staff.auth import AGENCY_ADMIN, Principal, enforces
from townsquare.web.desk.admin import checked, text, wanted_active
from townsquare.web.desk.common import CurrentStaff, administrators_only
from townsquare.web.i18n import gettext as _
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
Administrator = Annotated[Principal, Depends(administrators_only("Services"))]


@enforces(AGENCY_ADMIN)
async def administered_service(code: str, session: SessionDep, me: Administrator) -> Service:
    """The service named in the path, if the caller administers its agency (another's answers as an unknown one)."""
    return await services.service_in_scope(session, me, code)


AdministeredService = Annotated[Service, Depends(administered_service)]


def _notices() -> dict[str, str]:
    return {
        "created": _("The service was created. Add the questions of its form next."),
        "saved": _("The service was saved."),
        "deactivated": _("The service was withdrawn: it is no longer offered; its cases stay."),
        "reactivated": _("The service is offered again."),
    }


@router.get("/desk/admin/services", response_class=HTMLResponse)
async def service_list(request: Request, session: SessionDep, me: Administrator) -> Response:
    """The services of the agencies the caller administers."""
    context = {
        "me": me,
        "rows": await services.service_rows(session, me),
        "notice": _notices().get(request.query_params.get("notice", "")),
    }
    return templates.TemplateResponse(request, "desk/admin/services.html", context)


async def _form_page(
    request: Request,
    session: Session,
    me: Principal,
    form: ServiceForm,
    *,
    service: Service | None,
    error: Problem | None = None,
) -> Response:
    agencies = await administered_agencies(session, me)
    context = {
        "me": me,
        "form": form,
        "service": service,
        "agencies": [(str(a.id), a.name) for a in agencies],
        "error": error,
        "notice": _notices().get(request.query_params.get("notice", "")),
    }
    status = error.status if error else 200
    return templates.TemplateResponse(request, "desk/admin/service.html", context, status_code=status)


@router.get("/desk/admin/services/new", response_class=HTMLResponse)
async def new_service(request: Request, session: SessionDep, me: Administrator) -> Response:
    """An empty service form."""
    return await _form_page(request, session, me, ServiceForm(), service=None)


async def _sent(request: Request) -> ServiceForm:
    raw = await request.form()
    return ServiceForm(
        code=text(raw, "code", 64),
        agency=text(raw, "agency", 40),
        name=text(raw, "name"),
        name_fr=text(raw, "name_fr"),
        description=text(raw, "description", 4000),
        description_fr=text(raw, "description_fr", 4000),
        group=text(raw, "group", 100),
        group_fr=text(raw, "group_fr", 100),
        notice=text(raw, "notice", 2000),
        notice_fr=text(raw, "notice_fr", 2000),
        sla_hours=text(raw, "sla_hours", 12),
        open311=checked(raw, "open311"),
        keywords=text(raw, "keywords", 2000),
        synonyms=text(raw, "synonyms", 2000),
    )


@router.post("/desk/admin/services", response_class=HTMLResponse)
async def create_service(request: Request, session: SessionDep, me: Administrator) -> Response:
    """Create the service, or show the form again naming each mistake."""
    form = await _sent(request)
    try:
        service = await services.create(session, me=me, form=form)
    except Problem as exc:
        if exc.status != 422:
            raise
        await roll_back(session)
        return await _form_page(request, session, me, form, service=None, error=exc)
    code = service.code
    await session.commit()
    return RedirectResponse(f"/desk/admin/services/{code}?notice=created", status_code=303)


@router.get("/desk/admin/services/{code}", response_class=HTMLResponse)
async def service_page(
    request: Request, session: SessionDep, me: CurrentStaff, service: AdministeredService
) -> Response:
    """The service's form, filled in as it is."""
    return await _form_page(request, session, me, services.form_of(service), service=service)


@router.post("/desk/admin/services/{code}", response_class=HTMLResponse)
async def save_service(
    request: Request, session: SessionDep, me: CurrentStaff, service: AdministeredService
) -> Response:
    """Save the service, or show the form again naming each mistake."""
    form = await _sent(request)
    form.code = code = service.code
    try:
        await services.update(session, me=me, service=service, form=form)
    except Problem as exc:
        if exc.status != 422:
            raise
        await roll_back(session)
        service = await services.service_in_scope(session, me, code)
        return await _form_page(request, session, me, form, service=service, error=exc)
    await session.commit()
    return RedirectResponse(f"/desk/admin/services/{code}?notice=saved", status_code=303)


@router.post("/desk/admin/services/{code}/active")
async def switch_service(
    request: Request, session: SessionDep, me: CurrentStaff, service: AdministeredService
) -> Response:
    """Withdraw the service or offer it again, and come back to the list."""
    active = wanted_active(await request.form())
    if await services.set_active(session, me=me, service=service, active=active):
        await session.commit()
    return RedirectResponse(f"/desk/admin/services?notice={'reactivated' if active else 'deactivated'}", 303)
