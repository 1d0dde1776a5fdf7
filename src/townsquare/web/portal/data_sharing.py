"""/account/sharing: "Data you share" — the resident's consents (who may read what, from whom, for what, since
and until when), withdrawing one (a confirmation page, then a POST), and each consent's receipt as JSON and as a
printable page. The words come from `residents.sharing_account`; nothing here reads the database itself."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.db.deps import SessionDep
from townsquare.errors import not_found
from townsquare.residents import sharing_account
from townsquare.staff.auth import RESIDENT_OWN, enforces
from townsquare.web import i18n, times
from townsquare.web.i18n import gettext as _
from townsquare.web.portal.common import CurrentCitizen
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
_NO_CONSENT = "None of your consents matches that link."


def when(value: datetime | None) -> str:
    """A date and time in the city's time zone and the page's language, as every page writes it."""
    return times.when(value)


def day(value: datetime | None) -> str:
    """A date in the page's language."""
    if value is None:
        return ""
    return format_date(value.astimezone(ZoneInfo(times.zone())), format="long", locale=i18n.current())


def channel_words(channel: str | None) -> str:
    """How a consent was given or withdrawn, in the page's language."""
    words = {
        "web": _("on this website"),
        "voice": _("by phone"),
        "counter": _("at a counter"),
        "desk": _("with an agent"),
        "sms": _("by text message"),
        "email": _("by email"),
        "chat": _("in a chat"),
        "mail": _("by post"),
    }
    return words.get(channel or "", _("on another channel"))


def state_words(state: str) -> str:
    """A consent's state as a word (never only a colour)."""
    return {"active": _("Active"), "revoked": _("Withdrawn"), "expired": _("Expired")}.get(state, state)


def _id(consent_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(consent_id)
    except ValueError:
        raise not_found("Consent", _NO_CONSENT) from None


@enforces(RESIDENT_OWN)
async def own_consent(consent_id: str, session: SessionDep, citizen: CurrentCitizen) -> None:
    """The consent in the path is the signed-in resident's (another's answers as one that does not exist)."""
    await sharing_account.consent_of(session, citizen_id=citizen.id, consent_id=_id(consent_id), language="en")


def _context(**extra: object) -> dict[str, object]:
    return {"when": when, "day": day, "channel_words": channel_words, "state_words": state_words, **extra}


@router.get("/account/sharing", response_class=HTMLResponse)
async def sharing_list(request: Request, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """Every consent the resident gave, newest first."""
    rows = await sharing_account.consents_of(session, citizen_id=citizen.id, language=i18n.current())
    context = _context(rows=rows, withdrawn=request.query_params.get("withdrawn") == "1")
    return templates.TemplateResponse(request, "portal/data_sharing.html", context)


@router.get("/account/sharing/{consent_id}/withdraw", response_class=HTMLResponse, dependencies=[Depends(own_consent)])
async def withdraw_form(request: Request, consent_id: str, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """Are you sure? What stops, and what does not."""
    row = await sharing_account.consent_of(
        session, citizen_id=citizen.id, consent_id=_id(consent_id), language=i18n.current()
    )
    return templates.TemplateResponse(request, "portal/data_sharing_withdraw.html", _context(row=row))


@router.post("/account/sharing/{consent_id}/withdraw", dependencies=[Depends(own_consent)])
async def withdraw(consent_id: str, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """Withdraw the consent (audited); the agency's next read of that data is refused."""
    await sharing_account.withdraw(session, citizen_id=citizen.id, consent_id=_id(consent_id))
    await session.commit()
    return RedirectResponse("/account/sharing?withdrawn=1", status_code=303)


@router.get("/account/sharing/{consent_id}/receipt.json", dependencies=[Depends(own_consent)])
async def receipt_json(consent_id: str, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """The consent receipt, as a JSON file to keep."""
    document = await sharing_account.receipt(
        session, citizen_id=citizen.id, consent_id=_id(consent_id), language=i18n.current()
    )
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="consent-receipt-{document["receipt_id"]}.json"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/account/sharing/{consent_id}/receipt", response_class=HTMLResponse, dependencies=[Depends(own_consent)])
async def receipt_page(request: Request, consent_id: str, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """The consent receipt as a page to print or save."""
    row = await sharing_account.consent_of(
        session, citizen_id=citizen.id, consent_id=_id(consent_id), language=i18n.current()
    )
    response = templates.TemplateResponse(request, "portal/data_sharing_receipt.html", _context(row=row))
    response.headers["Cache-Control"] = "no-store"
    return response
