"""Applying for a service: question pages, a details page, check your answers, confirmation. The autosave
script's JSON is in `apply_autosave.py`, how questions and answers read in `apply_forms.py`.

Each page sends only the fields the person changed since the page was drawn, so another device's answers are
never overwritten; a real conflict is shown with both values. Works without JavaScript; the script only saves
sooner. Translates only: saving is `residents.drafting`, the rest `residents.applications`. Never shows or
accepts another person's draft (404).
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from townsquare.agencies import service as agencies
from townsquare.citizens.sessions import CITIZEN_COOKIE
from townsquare.db import Session
from townsquare.db.deps import SessionDep
from townsquare.drafts import service as drafts
from townsquare.drafts.service import FieldConflict
from townsquare.errors import FieldError, invalid, not_found
from townsquare.hygiene import load_json
from townsquare.residents import applications as apps
from townsquare.residents import drafting, following, guests
from townsquare.residents.types import Draft, Service
from townsquare.web import i18n
from townsquare.web.i18n import gettext as _
from townsquare.web.portal import apply_files, apply_photo, apply_prefill
from townsquare.web.portal import apply_forms as forms
from townsquare.web.portal.common import CurrentCitizen, MaybeCitizen, SignInRequired, own_draft, settings_of
from townsquare.web.portal.content import service_text
from townsquare.web.portal.map import map_settings
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)


def _device(request: Request) -> str:
    """An opaque marker of this browser's session (an HMAC of its cookie, useless to anyone who reads it)."""
    key = settings_of(request).secret_key.encode()
    token = request.cookies.get(CITIZEN_COOKIE, "")
    return hmac.new(key, b"draft-device:" + token.encode(), hashlib.sha256).hexdigest()[:24]


async def load(session: Session, citizen_id: uuid.UUID, draft_id: str) -> tuple[Draft, Service, str]:
    """The resident's draft, its service with the form, and the agency's timezone; else 404."""
    try:
        ident = uuid.UUID(draft_id)
    except ValueError:
        raise not_found("Draft", "No application draft of yours matches that identifier.") from None
    draft = await drafts.get(session, draft_id=ident, citizen_id=citizen_id)
    service = await apps.service_with_form(session, service_id=draft.service_id)
    return draft, service, await apps.agency_timezone(session, service)


def render_page(
    request: Request,
    draft: Draft,
    service: Service,
    page: apps.FormPage,
    *,
    errors: dict[str, str] | None = None,
    conflicts: list[FieldConflict] | None = None,
    status_code: int = 200,
    nearby: list[following.Nearby] | None = None,
    base: str | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    """A question page; `base` is where the draft's pages are (another door than the signed-in resident's, such as
    a link to fill the form in together), `extra` what that door adds to the page."""
    door, start = base, f"/services/{service.code}" if base is None else ""
    base = base or f"/applications/{draft.id}"
    total = len(apps.form_pages(service))
    shown = forms.conflict_rows(service, conflicts or [])
    answers = apps.public_answers(draft)
    fields = [f for f in forms.page_fields(service, page, answers) if f["code"] not in {c["code"] for c in shown}]
    fields = apply_prefill.mark_prefilled(fields, draft, hide=door is not None)
    errors = errors or {}
    context = {
        "nearby": nearby or [],
        "photo": apply_photo.shown(draft, base) if page.location else None,
        "placed": request.query_params.get("placed") == "1",
        "photo_place": page.location and not apps.coordinates(answers) and apps.photo_place(answers),
        "map": map_settings(settings_of(request)) if page.location else None,
        "unplaced": page.location and forms.unplaced(answers),
        "draft": draft,
        "service_name": service_text(service, "name"),
        "report": service.open311,  # a report about a place is called a report, not an application
        "page": page,
        "page_title": "" if page.location or page.details else forms.page_title(service, page),
        "total": total,
        "fields": fields,
        "conflicts": shown,
        "errors": errors,
        "error_count": len(errors),
        "saved": request.query_params.get("saved") == "1",
        "back": f"{base}/pages/{page.number - 1}" if page.number > 1 else start,
        "base": base,
        "filled_by": {},
    }
    context |= extra or {}
    return templates.TemplateResponse(request, "portal/apply_page.html", context, status_code=status_code)


def done_or_none(draft: Draft, base: str | None = None) -> Response | None:
    if draft.submitted_at is not None:
        return RedirectResponse(f"{base or f'/applications/{draft.id}'}/done", status_code=303)
    return None


@router.get("/services/{code}/apply")
async def start(request: Request, code: str, session: SessionDep, citizen: MaybeCitizen) -> Response:
    """Start the application, or pick it up where the person left off on any device. A problem report can be
    started without an account; anything else asks the person to sign in first."""
    service = await agencies.get_service(session, code=code[:64])
    if not service.active:
        raise not_found("Service", "This service is not taking applications.")
    if citizen is None:
        if not service.open311:
            raise SignInRequired(request.url.path)
        context = {"service_name": service_text(service, "name"), "code": service.code, "error": None}
        return templates.TemplateResponse(request, "portal/report_start.html", context)
    pipeline = request.app.state.pipeline
    draft = await apps.start_or_resume(
        session, pipeline, citizen_id=citizen.id, service=service, device=_device(request), language=i18n.current()
    )
    form = await apps.service_with_form(session, service_id=service.id)
    if (
        ask := await apply_prefill.first_ask(session, draft, form, await apps.agency_timezone(session, form))
    ) is not None:
        return RedirectResponse(ask, status_code=303)  # "Use information the city already holds?" comes first
    total = len(apps.form_pages(service))
    if draft.step > total:
        return RedirectResponse(f"/applications/{draft.id}/check", status_code=303)
    return RedirectResponse(f"/applications/{draft.id}/pages/{max(draft.step, 1)}", status_code=303)


@router.get("/applications/{draft_id}/pages/{number}", response_class=HTMLResponse, dependencies=[Depends(own_draft)])
async def show_page(
    request: Request, draft_id: str, number: int, session: SessionDep, citizen: CurrentCitizen
) -> Response:
    """One page of questions, with the answers saved so far from any device."""
    draft, service, tz = await load(session, citizen.id, draft_id)
    if (done := done_or_none(draft)) is not None:
        return done
    page = forms.form_page(service, number)
    if (ask := await apply_prefill.first_ask(session, draft, service, tz)) is not None:
        return RedirectResponse(ask, status_code=303)
    if (again := (await apply_prefill.verify(request, session, draft, service, tz))[0]) is not None:
        return again
    await apps.note_visit(
        session,
        request.app.state.pipeline,
        draft=draft,
        service=service,
        device=_device(request),
        language=i18n.current(),
    )
    nearby = None
    if service.open311 and number == 2:  # just after "Where is it?": already reported close by?
        point = apps.coordinates(apps.public_answers(draft))
        radius = settings_of(request).duplicate_radius_m
        nearby = await following.already_reported(session, service_id=service.id, point=point, radius_m=radius)
    return render_page(request, draft, service, page, nearby=nearby)


def _int(form: FormData, name: str) -> int:
    try:
        return int(str(form.get(name, "")))
    except ValueError:
        raise invalid(
            "The form is incomplete; reload the page and try again.", FieldError(name, "Expected a number.")
        ) from None


def _choices(form: FormData) -> list[drafting.Choice]:
    """The person's choices between two devices' values, as the form sent them."""
    choices = []
    for code in form.getlist("conflict"):
        code = str(code)
        try:
            your_value = load_json(str(form.get(f"yours.{code}", "null")))
        except ValueError:  # JsonRefused: not JSON, or nested too deep
            raise invalid("The form is incomplete; reload the page and try again.") from None
        choices.append(drafting.Choice(code, str(form.get(f"choice.{code}", "")), your_value))
    return choices


def _changes(form: FormData, service: Service, page: apps.FormPage) -> dict[str, Any]:
    """The fields this device changed since the page was drawn (each field carries its value as drawn)."""
    return forms.changed(form, forms.page_fields(service, page, {}, every=True))


@router.post("/applications/{draft_id}/pages/{number}", response_class=HTMLResponse, dependencies=[Depends(own_draft)])
async def save_page(
    request: Request, draft_id: str, number: int, session: SessionDep, citizen: CurrentCitizen
) -> Response:
    """Save what changed on this page (first), then check it and move on when it is complete."""
    draft, service, tz = await load(session, citizen.id, draft_id)
    return await saved_page(request, session, draft, service, tz, number)


async def saved_page(
    request: Request,
    session: Session,
    draft: Draft,
    service: Service,
    tz: str,
    number: int,
    *,
    base: str | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    """Save the page the form sent (first), then show it again with its problems or conflicts, or go on; for the
    signed-in resident's pages, or another door's (`base`, `extra`: see `render_page`), which skips the
    questions about information other agencies hold (only a signed-in resident can be asked them)."""
    if (done := done_or_none(draft, base)) is not None:
        return done
    own, door = base is None, base
    base = base or f"/applications/{draft.id}"
    page = forms.form_page(service, number)

    def render(**shown: Any) -> Response:
        return render_page(request, draft, service, page, base=door, extra=extra, **shown)

    form = await request.form()
    action = str(form.get("action", "continue"))
    changes = _changes(form, service, page)
    if page.location and (upload := apply_photo.upload_of(form)) is not None:
        draft, photo_error = await apply_photo.take(request, session, draft, upload)  # first: it may know the place
        if photo_error:
            return render(errors={"photo": photo_error}, status_code=422)
    draft, file_errors = await apply_files.take(request, session, draft, page, form)
    if file_errors:
        return render(errors=file_errors, status_code=422)
    saved = await drafting.save_page(
        session,
        draft=draft,
        service=service,
        tz=tz,
        number=number,
        base=_int(form, "base_version"),
        choices=_choices(form),
        changes=changes,
        move_on=action != "save",
        secret=settings_of(request).secret_key,
    )
    draft = saved.draft
    if saved.conflicts:
        errors = {code: _("Choose which answer to keep") for code in saved.unchosen}
        return render(errors=errors, conflicts=saved.conflicts, status_code=409)
    if not saved.moved_on and not saved.problems:
        return RedirectResponse(f"{base}/pages/{number}?saved=1", status_code=303)
    if saved.problems == {apps.ADDRESS: "required"} and apps.photo_place(apps.public_answers(draft)):
        return render()  # no place yet, but the photo knows one: offer it
    if saved.problems:
        messages = {code: forms.message(service, code, kind) for code, kind in saved.problems.items()}
        return render(errors=messages, status_code=422)
    if own and (again := (await apply_prefill.verify(request, session, draft, service, tz))[0]) is not None:
        return again  # what this page changed is saved; the stale information is offered again first
    target = f"pages/{number + 1}" if number < len(apps.form_pages(service)) else "check"
    return RedirectResponse(f"{base}/{target}", status_code=303)


def render_check(
    request: Request,
    draft: Draft,
    service: Service,
    errors: list[dict[str, str]],
    status_code: int = 200,
    *,
    needs_contact: bool = False,
    base: str | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    """Check your answers; `base` and `extra` as for `render_page`."""
    rows = forms.summary(draft, service, base)
    rows = apply_prefill.hide_held(rows, draft) if base is not None else rows
    base = base or f"/applications/{draft.id}"
    total = len(apps.form_pages(service))
    context = {
        "draft": draft,
        "service_name": service_text(service, "name"),
        "report": service.open311,  # a report about a place is called a report, not an application
        "rows": rows,
        "needs_contact": needs_contact,  # started without an account: a contact is asked for next
        "errors": errors,
        "error_count": len(errors),
        "back": f"{base}/pages/{total}",
        "base": base,
    }
    context |= extra or {}
    return templates.TemplateResponse(request, "portal/apply_check.html", context, status_code=status_code)


def problems_to_errors(
    service: Service, base: str, problems: list[tuple[int, str, apps.Problem]]
) -> list[dict[str, str]]:
    """The problems sending found, as the error summary links them to their fields."""
    return [
        {"text": forms.message(service, code, kind), "href": f"{base}/pages/{number}#field-{code}"}
        for number, code, kind in problems
    ]


@router.get("/applications/{draft_id}/check", response_class=HTMLResponse, dependencies=[Depends(own_draft)])
async def check(request: Request, draft_id: str, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """Check your answers before sending them."""
    draft, service, tz = await load(session, citizen.id, draft_id)
    if (done := done_or_none(draft)) is not None:
        return done
    if (again := (await apply_prefill.verify(request, session, draft, service, tz))[0]) is not None:
        return again
    needs_contact = not await guests.reachable(session, citizen_id=citizen.id)
    return render_check(request, draft, service, [], needs_contact=needs_contact)


@router.post("/applications/{draft_id}/submit", response_class=HTMLResponse, dependencies=[Depends(own_draft)])
async def submit(request: Request, draft_id: str, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """Send the application: one case, however many times the button is pressed or on however many devices."""
    draft, service, tz = await load(session, citizen.id, draft_id)
    # Verified prefilled answers unchanged (else 422, nothing sent) and their offer still good (else asked again).
    again, provenance = await apply_prefill.verify(request, session, draft, service, tz)
    if again is not None:
        return again
    reachable = await guests.reachable(session, citizen_id=citizen.id)
    if reachable:
        outcome = await apps.submit(
            session,
            request.app.state.pipeline,
            draft_id=draft.id,
            citizen_id=citizen.id,
            language=i18n.current(),
            provenance=provenance,
        )
    else:  # started without an account: a phone or an email to follow it by, proved by a code, before sending
        outcome = await apps.check_all(session, draft_id=draft.id, citizen_id=citizen.id)
    if outcome.problems:
        errors = problems_to_errors(service, f"/applications/{draft.id}", outcome.problems)
        return render_check(request, draft, service, errors, status_code=422, needs_contact=not reachable)
    if not reachable:
        return RedirectResponse(f"/contact?for=draft:{draft.id}", status_code=303)
    return RedirectResponse(f"/applications/{draft.id}/done", status_code=303)


@router.get("/applications/{draft_id}/done", response_class=HTMLResponse, dependencies=[Depends(own_draft)])
async def done(request: Request, draft_id: str, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """The confirmation: the case reference and where to follow it."""
    draft, service, _tz = await load(session, citizen.id, draft_id)
    if draft.submitted_at is None or draft.case_id is None:
        return RedirectResponse(f"/applications/{draft.id}/check", status_code=303)
    return await render_done(request, session, draft, service)


async def render_done(request: Request, session: Session, draft: Draft, service: Service) -> Response:
    """The confirmation page of a sent draft (whichever door sent it)."""
    assert draft.case_id is not None
    confirmed = await drafting.done(session, draft=draft, service=service, case_id=draft.case_id)
    context = {
        "service_name": service_text(service, "name"),
        "report": service.open311,  # a report about a place is called a report, not an application
        "reference": confirmed.reference,
        "linked": confirmed.linked,
    }
    return templates.TemplateResponse(request, "portal/apply_done.html", context)
