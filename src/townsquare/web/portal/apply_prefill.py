"""The portal's "tell us once" pages: before the form, "Use information the city already holds?" (each value, who
holds it, whether verified, when it last changed, why and under which law), and how prefilled answers read on the
form (verified ones locked, with how to correct them at the source).

Translates only: offering, consenting, reading and checking are `residents.prefill`. Never shows another person's
draft (404), and shows nothing to decide on but the person's own values.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from babel.dates import format_date
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.db import Session
from townsquare.db.deps import SessionDep
from townsquare.drafts import service as drafts
from townsquare.errors import Problem, not_found
from townsquare.residents import applications as apps
from townsquare.residents import prefill
from townsquare.residents.types import Draft, Service
from townsquare.web import i18n
from townsquare.web.i18n import gettext as _
from townsquare.web.portal import apply_forms as forms
from townsquare.web.portal.common import CurrentCitizen, own_draft, settings_of
from townsquare.web.portal.content import agency_text, service_text
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)


async def _load(session: Session, citizen_id: uuid.UUID, draft_id: str) -> tuple[Draft, Service, str]:
    try:
        ident = uuid.UUID(draft_id)
    except ValueError:
        raise not_found("Draft", "No application draft of yours matches that identifier.") from None
    draft = await drafts.get(session, draft_id=ident, citizen_id=citizen_id)
    service = await apps.service_with_form(session, service_id=draft.service_id)
    return draft, service, await apps.agency_timezone(session, service)


def consent_url(draft: Draft, *, again: bool = False) -> str:
    return f"/applications/{draft.id}/prefill" + ("?again=1" if again else "")


def form_url(draft: Draft, service: Service) -> str:
    """Where the form picks up: the page the person was last on, or checking the answers."""
    if draft.step > len(apps.form_pages(service)):
        return f"/applications/{draft.id}/check"
    return f"/applications/{draft.id}/pages/{max(draft.step, 1)}"


async def first_ask(session: Session, draft: Draft, service: Service, tz: str) -> str | None:
    """The consent page's address when it comes before the form: the service prefills, the person has not
    decided for this draft yet, and some agency holds a value that may be offered."""
    if not prefill.needs_asking(draft, service):
        return None
    found = await prefill.offer(session, citizen_id=draft.citizen_id, service=service, tz=tz)
    return consent_url(draft) if found is not None else None


async def verify(
    request: Request, session: Session, draft: Draft, service: Service, tz: str
) -> tuple[Response | None, dict[str, dict[str, Any]]]:
    """Check the prefilled answers: a changed verified one is refused (422, nothing saved), a stale offer sends the
    person to the consent page again (the draft is kept); else the provenance of each prefilled answer."""
    if not prefill.entries(draft) or draft.submitted_at is not None:
        return None, {}
    settings = settings_of(request)
    found = await prefill.check(
        session,
        draft=draft,
        service=service,
        tz=tz,
        secret=settings.secret_key,
        max_age_hours=settings.prefill_offer_hours,
    )
    if found.tampered:
        raise prefill.tampered_problem(found.tampered)
    if found.stale:
        return RedirectResponse(consent_url(draft, again=True), status_code=303), {}
    return None, found.provenance


async def ask_again_if_stale(request: Request, session: Session, draft: Draft, service: Service, tz: str) -> None:
    """For the autosave script: 409 with the consent page's address when the offer went stale."""
    again, _provenance = await verify(request, session, draft, service, tz)
    if again is not None:
        raise Problem(
            409,
            "Information to confirm again",
            "Information filled in from another agency changed or your consent ended; confirm it again.",
            "prefill-stale",
            extra={"location": consent_url(draft, again=True)},
        )


def _date(when: Any) -> str:
    try:
        day = when.date() if isinstance(when, datetime) else datetime.fromisoformat(str(when)).date()
    except ValueError:
        return ""
    return format_date(day, format="d MMMM y", locale=i18n.current())


def _name(entry: dict[str, Any]) -> str:
    names = entry.get("agency_names") or {}
    return str(names.get(i18n.current()) or names.get("en") or entry.get("agency", ""))


def mark_prefilled(fields: list[dict[str, Any]], draft: Draft, *, hide: bool = False) -> list[dict[str, Any]]:
    """The page's fields, prefilled ones labelled with their source; verified ones locked (shown, not asked).
    `hide`: every prefilled one locked without its value (a page opened from a link, not signed in)."""
    held = prefill.entries(draft)
    for f in fields:
        entry = held.get(f["code"])
        if entry is None:
            continue
        words = {"agency": _name(entry), "date": _date(entry.get("last_updated"))}
        if hide:
            shown = _("Not shown on a page opened from a link: sign in to your account to see it.")
            f["locked"] = {"source": _("From %(agency)s") % words, "agency": words["agency"], "shown": shown}
        elif entry.get("verified"):
            f["locked"] = {
                "source": _("From %(agency)s, verified %(date)s") % words,
                "agency": words["agency"],
                "shown": f["value"] if isinstance(f["value"], str) else forms.display(None, f["value"]),
            }
        else:
            note = _(
                "Filled in from %(agency)s, as they last recorded it on %(date)s (not verified): you can change it."
            )
            f["hint"] = (note % words + " " + f["hint"]).strip()
    return fields


def hide_held(rows: list[dict[str, Any]], draft: Draft) -> list[dict[str, Any]]:
    """ "Check your answers" rows without the values other agencies hold (a page opened from a link)."""
    held = prefill.entries(draft)
    shown = _("Not shown on a page opened from a link: sign in to your account to see it.")
    return [row | {"value": shown} if row["code"] in held else row for row in rows]


def _rows(service: Service, shown: prefill.Offer) -> list[dict[str, Any]]:
    language = i18n.current()
    return [
        {
            "code": item.code,
            "question": forms.label(service, item.code),
            "value": forms.display(forms.attribute(service, item.code), item.value),
            "agency": agency_text(item.provider, "name"),
            "verified": item.verified,
            "updated": _date(item.last_updated),
            "agreement": item.agreement_label,
            "purpose": item.purpose_text(language),
        }
        for item in shown.items
    ]


def _agreements(shown: prefill.Offer) -> list[dict[str, Any]]:
    language = i18n.current()
    return [
        {
            "label": item.agreement_label,
            "agency": agency_text(item.provider, "name"),
            "purpose": item.purpose_text(language),
            "legal_basis": item.legal_basis(language),
        }
        for item in shown.agreements()
    ]


async def _render(
    request: Request,
    session: Session,
    draft: Draft,
    service: Service,
    shown: prefill.Offer,
    *,
    error: str = "",
    changed: bool = False,
    status_code: int = 200,
) -> Response:
    await prefill.previewed(session, citizen_id=draft.citizen_id, draft=draft, shown=shown)
    context = {
        "draft": draft,
        "service_name": service_text(service, "name"),
        "consumer": agency_text(shown.consumer, "name"),
        "rows": _rows(service, shown),
        "agreements": _agreements(shown),
        "digest": shown.digest(settings_of(request).secret_key, draft.id),
        "again": request.query_params.get("again") == "1",
        "changed": changed,
        "error": error,
        "back": f"/services/{service.code}",
    }
    return templates.TemplateResponse(request, "portal/apply_prefill.html", context, status_code=status_code)


@router.get("/applications/{draft_id}/prefill", response_class=HTMLResponse, dependencies=[Depends(own_draft)])
async def consent_page(request: Request, draft_id: str, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """ "Use information the city already holds?": the person's own values, who holds them and why they are asked."""
    draft, service, tz = await _load(session, citizen.id, draft_id)
    if draft.submitted_at is not None:
        return RedirectResponse(f"/applications/{draft.id}/done", status_code=303)
    shown = await prefill.offer(session, citizen_id=citizen.id, service=service, tz=tz)
    if shown is None:  # nothing (any longer) to offer: answers filled in earlier become the person's to type
        if prefill.entries(draft):
            draft = await prefill.decline(session, draft=draft, secret=settings_of(request).secret_key)
        return RedirectResponse(form_url(draft, service), status_code=303)
    return await _render(request, session, draft, service, shown)


@router.post("/applications/{draft_id}/prefill", response_class=HTMLResponse, dependencies=[Depends(own_draft)])
async def decide(request: Request, draft_id: str, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """ "Use these" (a consent, then the read, logged) or "I'll type them myself" (nothing read)."""
    draft, service, tz = await _load(session, citizen.id, draft_id)
    if draft.submitted_at is not None:
        return RedirectResponse(f"/applications/{draft.id}/done", status_code=303)
    form = await request.form()
    choice = str(form.get("choice", ""))
    secret = settings_of(request).secret_key
    if choice == "self":
        draft = await prefill.decline(session, draft=draft, secret=secret)
        return RedirectResponse(form_url(draft, service), status_code=303)
    if choice == "use":
        used = await prefill.accept(
            session, draft=draft, service=service, tz=tz, secret=secret, shown=str(form.get("offer", ""))
        )
        if used is not None:
            return RedirectResponse(form_url(used, service), status_code=303)
    shown = await prefill.offer(session, citizen_id=citizen.id, service=service, tz=tz)
    if shown is None:
        draft = await prefill.decline(session, draft=draft, secret=secret)
        return RedirectResponse(form_url(draft, service), status_code=303)
    if choice == "use":  # the values changed since the page was drawn: show them again before any consent
        return await _render(request, session, draft, service, shown, changed=True, status_code=409)
    error = _("Select whether to use this information or type your answers yourself")
    return await _render(request, session, draft, service, shown, error=error, status_code=422)
