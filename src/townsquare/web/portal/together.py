"""Filling in a form together, the resident's pages: the link's page (`/together/<token>`), then her draft opened
from it on this device, under `/together/d/<draft>`: the portal's own question pages, "check your answers" and
confirmation, with the question "Let <name> fill in this form with you?" (allow, or stop at any time).

Translates only: `residents.together` decides what a link opens and reveals, `residents.drafting` and
`residents.applications` save and send as on the signed-in pages. The device that opened the link holds a
session cookie of its own (`ts_together`, for these pages only), never a sign-in. Works without JavaScript;
`together.js` shows what staff enter as they enter it (`together_live.py`).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.db import Session
from townsquare.db.deps import DatabaseDep, SessionDep
from townsquare.drafts.links import LinkPurpose, Opened, Refused
from townsquare.errors import Problem
from townsquare.residents import applications as apps
from townsquare.residents import together
from townsquare.residents.types import Draft
from townsquare.staff.auth import LINK_HOLDER, declared, enforces
from townsquare.web import cookies, i18n
from townsquare.web.i18n import gettext as _
from townsquare.web.portal import apply
from townsquare.web.portal import apply_forms as forms
from townsquare.web.portal.common import settings_of
from townsquare.web.portal.content import agency_text, service_text
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
COOKIE = "ts_together"
COOKIE_PATH = "/together/"
BASE = "/together/d/{draft_id}"


def base_of(draft_id: uuid.UUID | str) -> str:
    """Where a draft opened from a link has its pages."""
    return f"/together/d/{draft_id}"


def refused(reason: Refused) -> Problem:
    """Why a link or this device cannot open the form, in the reader's words (shown as the error page)."""
    ask = " " + _("Ask the person you are talking to for a new link.")
    words: dict[Refused, tuple[int, str, str]] = {
        Refused.unknown: (404, _("This link does not work"), _("Check that the whole link was copied.") + ask),
        Refused.expired: (
            410,
            _("This link has expired"),
            _("A link to fill in a form together works for a short time.") + ask,
        ),
        Refused.used: (
            410,
            _("This link has already been opened"),
            _("It opens on one phone or computer only, and it was opened on another.") + ask,
        ),
        Refused.ended: (410, _("This link was ended"), _("The person who sent it ended it.") + ask),
        Refused.sent: (410, _("This form has been sent"), _("It can no longer be opened from this link.")),
        Refused.other_draft: (
            403,
            _("This page is for another form"),
            _("The link opened on this device is for another form. Open the link you were sent for this one."),
        ),
        Refused.no_session: (
            403,
            _("Open the link you were sent"),
            _("This form opens from the link in the message you were sent, on the phone or computer you open it on."),
        ),
    }
    status, title, detail = words[reason]
    return Problem(status, "Link refused", detail, "link-refused", extra={"worded": title, "reason": reason.value})


@enforces(LINK_HOLDER)
async def link_holder(request: Request, draft_id: str, db: DatabaseDep) -> together.Holding:
    """This device opened a link to the draft in the path, and may still fill it in (else a worded 403/404/410).
    Reads in a short session of its own, so a long poll holds no database connection."""
    try:
        wanted = uuid.UUID(draft_id)
    except ValueError:
        raise refused(Refused.other_draft) from None
    async with db.session(deferred=True) as session:
        found = await together.holding(session, draft_id=wanted, browser_session=request.cookies.get(COOKIE))
    if isinstance(found, Refused):
        raise refused(found)
    return found


@enforces(LINK_HOLDER)
async def link_of_token(request: Request, token: str, db: DatabaseDep) -> together.Invitation:
    """The link in the path, if it can still be opened (by this device); else a worded 404/410."""
    async with db.session(deferred=True) as session:
        found = await together.invitation(session, token=token, browser_session=request.cookies.get(COOKIE))
    if found.refused is not None:
        raise refused(found.refused)
    return found


Holder = Annotated[together.Holding, Depends(link_holder)]
Invited = Annotated[together.Invitation, Depends(link_of_token)]


async def extra(request: Request, session: Session, held: together.Holding, draft: Draft) -> dict[str, Any]:
    """What a page opened from a link adds: who fills it in with her, whether she lets them, the live updates."""
    base = base_of(draft.id)
    return {
        "together": {
            "agent": held.agent,
            "allowed": held.allowed,
            "asked": held.asked,
            "agreement": f"{base}/agreement",
            "wait": f"{base}/wait",
            "version": draft.version,
            "next": request.url.path,
            "ends_at": held.link.session_expires_at,
        },
        "filled_by": await together.filled_by(session, draft=draft),
    }


@router.get("/together/{token}", response_class=HTMLResponse)
async def invitation(request: Request, token: str, invited: Invited) -> Response:
    """The link's page: who sent which form, until when, and a button that opens it (so a link previewer or a mail
    scanner that follows links opens nothing)."""
    assert invited.service is not None
    assert invited.agency is not None
    context = {
        "agent": invited.agent or _("a member of staff"),
        "agency_name": agency_text(invited.agency, "name"),
        "service_name": service_text(invited.service, "name"),
        "upload": invited.purpose is LinkPurpose.upload,
        "expires_at": invited.expires_at,
        "action": request.url.path,
    }
    return templates.TemplateResponse(request, "portal/together_start.html", context)


# The token is the authority, checked (and a refusal audited) by `residents.together.open_link` itself.
@router.post("/together/{token}", dependencies=[Depends(declared(LINK_HOLDER))])
async def open_link(request: Request, token: str, session: SessionDep) -> Response:
    """Open the link on this device: its session starts (once), and the form opens; a link that cannot open is
    refused in words, and the refusal audited."""
    settings = settings_of(request)
    opened = await together.open_link(
        session,
        token=token,
        browser_session=request.cookies.get(COOKIE),
        session_minutes=settings.together_session_minutes,
    )
    if not isinstance(opened, Opened):
        raise refused(opened)
    response = RedirectResponse(base_of(opened.link.draft_id), status_code=303)
    if opened.session_token is not None:
        minutes = settings.together_session_minutes
        cookies.keep(response, COOKIE, opened.session_token, settings, max_age=minutes * 60, path=COOKIE_PATH)
    return response


@router.get(BASE)
async def entry(draft_id: str, session: SessionDep, held: Holder) -> Response:
    """Where the link leads: the page the form was left on (or the photo page, for a link asking for one)."""
    base = base_of(held.draft.id)
    if held.draft.submitted_at is not None:
        return RedirectResponse(f"{base}/done", status_code=303)
    if held.link.purpose is LinkPurpose.upload:
        return RedirectResponse(f"{base}/upload", status_code=303)
    service = await apps.service_with_form(session, service_id=held.draft.service_id)
    total = len(apps.form_pages(service))
    target = "check" if held.draft.step > total else f"pages/{max(held.draft.step, 1)}"
    return RedirectResponse(f"{base}/{target}", status_code=303)


@router.get(BASE + "/pages/{number}", response_class=HTMLResponse)
async def show_page(request: Request, draft_id: str, number: int, session: SessionDep, held: Holder) -> Response:
    """One page of the form, with the answers saved so far by her and by staff."""
    draft, service, _tz = await apply.load(session, held.draft.citizen_id, draft_id)
    base = base_of(draft.id)
    if (done := apply.done_or_none(draft, base)) is not None:
        return done
    page = forms.form_page(service, number)
    return apply.render_page(request, draft, service, page, base=base, extra=await extra(request, session, held, draft))


@router.post(BASE + "/pages/{number}", response_class=HTMLResponse)
async def save_page(request: Request, draft_id: str, number: int, session: SessionDep, held: Holder) -> Response:
    """Save what changed on this page (first), then check it and move on when it is complete."""
    draft, service, tz = await apply.load(session, held.draft.citizen_id, draft_id)
    shown = await extra(request, session, held, draft)
    return await apply.saved_page(request, session, draft, service, tz, number, base=base_of(draft.id), extra=shown)


@router.get(BASE + "/check", response_class=HTMLResponse)
async def check(request: Request, draft_id: str, session: SessionDep, held: Holder) -> Response:
    """Check the answers before sending them."""
    draft, service, _tz = await apply.load(session, held.draft.citizen_id, draft_id)
    base = base_of(draft.id)
    if (done := apply.done_or_none(draft, base)) is not None:
        return done
    return apply.render_check(request, draft, service, [], base=base, extra=await extra(request, session, held, draft))


@router.post(BASE + "/submit", response_class=HTMLResponse)
async def submit(request: Request, draft_id: str, session: SessionDep, held: Holder) -> Response:
    """Send the form: one case, however many times the button is pressed or on however many devices."""
    settings = settings_of(request)
    outcome = await together.send(
        session,
        request.app.state.pipeline,
        held=held,
        language=i18n.current(),
        secret=settings.secret_key,
        prefill_hours=settings.prefill_offer_hours,
    )
    base = base_of(held.draft.id)
    if outcome.problems:
        draft, service, _tz = await apply.load(session, held.draft.citizen_id, draft_id)
        errors = apply.problems_to_errors(service, base, outcome.problems)
        shown = await extra(request, session, held, draft)
        return apply.render_check(request, draft, service, errors, status_code=422, base=base, extra=shown)
    return RedirectResponse(f"{base}/done", status_code=303)


@router.get(BASE + "/done", response_class=HTMLResponse)
async def done(request: Request, draft_id: str, session: SessionDep, held: Holder) -> Response:
    """The confirmation: the case's reference."""
    draft, service, _tz = await apply.load(session, held.draft.citizen_id, draft_id)
    if draft.submitted_at is None or draft.case_id is None:
        return RedirectResponse(f"{base_of(draft.id)}/check", status_code=303)
    return await apply.render_done(request, session, draft, service)


@router.post(BASE + "/agreement")
async def agreement(
    draft_id: str,
    session: SessionDep,
    held: Holder,
    allow: Annotated[str, Form(max_length=8)] = "",
    next: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """Her answer to "Let them fill in this form with you?", or "Stop"; back to the page she was on."""
    await together.agree(session, held=held, allow=allow == "yes")
    base = base_of(held.draft.id)
    back = next if next.startswith(base + "/") and "//" not in next else base
    return RedirectResponse(f"{back}#together", status_code=303)
