"""Canned replies' administration at /desk/admin/canned-replies: the replies of the caller's agencies in each
language, a new one, a reply's form (its `{first_name}` and `{case_reference}` placeholders checked), and
withdrawing it from the desk's reply box or offering it again.

Translates only: `casework.admin_canned` checks, scopes and audits; another agency's reply answers 404.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.casework import admin_canned as canned
from townsquare.casework.admin_canned import LANGUAGES, CannedForm
from townsquare.casework.admin_common import administered_agencies, roll_back
from townsquare.casework.types import CannedResponse as Reply
from townsquare.db import Session
from townsquare.db.deps import SessionDep
from townsquare.errors import Problem
from townsquare.staff.auth import AGENCY_ADMIN, Principal, enforces
from townsquare.web.desk.admin import text, wanted_active
from townsquare.web.desk.common import CurrentStaff, administrators_only
from townsquare.web.desk.labels import language
from townsquare.web.i18n import gettext as _
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
Administrator = Annotated[Principal, Depends(administrators_only("Canned replies"))]


@enforces(AGENCY_ADMIN)
async def administered_reply(reply_id: uuid.UUID, session: SessionDep, me: Administrator) -> Reply:
    """The canned reply named in the path, if the caller administers its agency (another's answers as unknown)."""
    return await canned.reply_in_scope(session, me, reply_id)


AdministeredReply = Annotated[Reply, Depends(administered_reply)]


def _notices() -> dict[str, str]:
    return {
        "created": _("The canned reply was created."),
        "saved": _("The canned reply was saved."),
        "deactivated": _("The canned reply was deactivated: the desk no longer offers it."),
        "reactivated": _("The canned reply is offered again."),
    }


@router.get("/desk/admin/canned-replies", response_class=HTMLResponse)
async def reply_list(request: Request, session: SessionDep, me: Administrator) -> Response:
    """The canned replies of the agencies the caller administers."""
    context = {
        "me": me,
        "rows": await canned.canned_rows(session, me),
        "notice": _notices().get(request.query_params.get("notice", "")),
    }
    return templates.TemplateResponse(request, "desk/admin/canned_replies.html", context)


async def _form_page(
    request: Request,
    session: Session,
    me: Principal,
    form: CannedForm,
    *,
    reply: Reply | None,
    error: Problem | None = None,
) -> Response:
    agencies = await administered_agencies(session, me)
    context = {
        "me": me,
        "form": form,
        "reply": reply,
        "agencies": [(str(a.id), a.name) for a in agencies],
        "languages": [(code, language(code)) for code in LANGUAGES],
        "error": error,
        "notice": _notices().get(request.query_params.get("notice", "")),
    }
    status = error.status if error else 200
    return templates.TemplateResponse(request, "desk/admin/canned_reply.html", context, status_code=status)


@router.get("/desk/admin/canned-replies/new", response_class=HTMLResponse)
async def new_reply(request: Request, session: SessionDep, me: Administrator) -> Response:
    """An empty canned reply form."""
    return await _form_page(request, session, me, CannedForm(), reply=None)


async def _sent(request: Request) -> CannedForm:
    raw = await request.form()
    return CannedForm(
        agency=text(raw, "agency", 40),
        language=text(raw, "language", 8),
        slug=text(raw, "slug", 64).lower(),
        title=text(raw, "title"),
        body=text(raw, "body", 5000),
    )


@router.post("/desk/admin/canned-replies", response_class=HTMLResponse)
async def create_reply(request: Request, session: SessionDep, me: Administrator) -> Response:
    """Create the canned reply, or show the form again naming each mistake."""
    form = await _sent(request)
    try:
        reply = await canned.create(session, me=me, form=form)
    except Problem as exc:
        if exc.status != 422:
            raise
        await roll_back(session)
        return await _form_page(request, session, me, form, reply=None, error=exc)
    reply_id = reply.id
    await session.commit()
    return RedirectResponse(f"/desk/admin/canned-replies/{reply_id}?notice=created", status_code=303)


@router.get("/desk/admin/canned-replies/{reply_id}", response_class=HTMLResponse)
async def reply_page(request: Request, session: SessionDep, me: CurrentStaff, reply: AdministeredReply) -> Response:
    """The canned reply's form, filled in as it is."""
    return await _form_page(request, session, me, canned.form_of(reply), reply=reply)


@router.post("/desk/admin/canned-replies/{reply_id}", response_class=HTMLResponse)
async def save_reply(request: Request, session: SessionDep, me: CurrentStaff, reply: AdministeredReply) -> Response:
    """Save the canned reply, or show the form again naming each mistake."""
    form = await _sent(request)
    reply_id = reply.id
    try:
        await canned.update(session, me=me, reply=reply, form=form)
    except Problem as exc:
        if exc.status != 422:
            raise
        await roll_back(session)
        again = await canned.reply_in_scope(session, me, reply_id)
        return await _form_page(request, session, me, form, reply=again, error=exc)
    await session.commit()
    return RedirectResponse(f"/desk/admin/canned-replies/{reply_id}?notice=saved", status_code=303)


@router.post("/desk/admin/canned-replies/{reply_id}/active")
async def switch_reply(request: Request, session: SessionDep, me: CurrentStaff, reply: AdministeredReply) -> Response:
    """Withdraw the reply from the desk or offer it again, and come back to the list."""
    active = wanted_active(await request.form())
    if await canned.set_active(session, me=me, reply=reply, active=active):
        await session.commit()
    return RedirectResponse(f"/desk/admin/canned-replies?notice={'reactivated' if active else 'deactivated'}", 303)
