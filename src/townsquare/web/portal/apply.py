"""Applying for a service: question pages, a details page, check your answers, confirmation; autosave as JSON.

Each page sends only the fields the person changed since the page was drawn, so another device's answers are
never overwritten; a real conflict is shown with both values. Works without JavaScript; the script only saves
sooner. Never shows or accepts another person's draft (404).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from datetime import datetime
from typing import Any

from babel.dates import format_date
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from townsquare.agencies import service as agencies
from townsquare.agencies.models import AttributeDatatype, Service, ServiceAttribute
from townsquare.cases import service as cases
from townsquare.cases.models import Case
from townsquare.citizens.sessions import CITIZEN_COOKIE
from townsquare.db.deps import SessionDep
from townsquare.drafts import service as drafts
from townsquare.drafts.models import Draft
from townsquare.drafts.service import FieldConflict, SaveResult
from townsquare.engagement import applications as apps
from townsquare.errors import FieldError, invalid, not_found, too_large
from townsquare.hygiene import JsonRefused, load_json
from townsquare.web import i18n
from townsquare.web.i18n import gettext as _
from townsquare.web.portal.common import CurrentCitizen, own_draft, settings_of
from townsquare.web.portal.content import attribute_text, service_text, value_name
from townsquare.web.portal.map import map_settings
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
MAX_AUTOSAVE_BYTES = 200_000


def _device(request: Request) -> str:
    """An opaque marker of this browser's session (an HMAC of its cookie, useless to anyone who reads it)."""
    key = settings_of(request).secret_key.encode()
    token = request.cookies.get(CITIZEN_COOKIE, "")
    return hmac.new(key, b"draft-device:" + token.encode(), hashlib.sha256).hexdigest()[:24]


async def _load(session: SessionDep, citizen_id: uuid.UUID, draft_id: str) -> tuple[Draft, Service, str]:
    try:
        ident = uuid.UUID(draft_id)
    except ValueError:
        raise not_found("Draft", "No application draft of yours matches that identifier.") from None
    draft = await drafts.get(session, draft_id=ident, citizen_id=citizen_id)
    service = await apps.service_with_form(session, service_id=draft.service_id)
    return draft, service, await apps.agency_timezone(session, service)


def _page(service: Service, number: int) -> apps.FormPage:
    pages = apps.form_pages(service)
    if not 1 <= number <= len(pages):
        raise not_found("Page", "This application has no such page.")
    return pages[number - 1]


def _label(service: Service, code: str) -> str:
    if code == apps.DETAILS:
        return _("Anything else we should know?")
    if code == apps.ADDRESS:
        return _("Address or place") if service.open311 else _("Address or place (optional)")
    if code == apps.LAT:
        return _("Latitude of the point on the map")
    if code == apps.LONG:
        return _("Longitude of the point on the map")
    attr = next((a for a in service.attributes if a.code == code), None)
    return attribute_text(attr, "description") if attr else code


def _message(service: Service, code: str, problem: apps.Problem) -> str:
    """A readable error in the page's language."""
    question = _label(service, code)
    attr = next((a for a in service.attributes if a.code == code), None)
    datatype = attr.datatype if attr else AttributeDatatype.text
    if problem == "coordinates":
        return _("The point chosen on the map could not be read: choose it again, or type the address")
    if problem == "required" and code == apps.ADDRESS:
        return _("Enter the address or place, or choose it on the map")
    if problem == "required":
        if datatype is AttributeDatatype.multivaluelist:
            return _("Select at least one answer for “%(question)s”") % {"question": question}
        if datatype is AttributeDatatype.singlevaluelist:
            return _("Select an answer for “%(question)s”") % {"question": question}
        if datatype is AttributeDatatype.datetime:
            return _("Enter a date for “%(question)s”") % {"question": question}
        return _("Enter an answer for “%(question)s”") % {"question": question}
    if problem == "number":
        return _("“%(question)s” must be a number, like 12") % {"question": question}
    if problem == "date":
        return _("“%(question)s” must be a real date, like 27 3 2026") % {"question": question}
    if problem == "choice":
        return _("Select one of the choices for “%(question)s”") % {"question": question}
    return _("“%(question)s” is too long") % {"question": question}


def _display(attr: ServiceAttribute | None, stored: Any) -> str:
    """An answer as people read it, in the page's language."""
    if stored in (None, "", []):
        return ""
    if attr is not None and attr.datatype is AttributeDatatype.multivaluelist and isinstance(stored, list):
        return ", ".join(value_name(attr, str(v)) for v in stored)
    if attr is not None and attr.datatype is AttributeDatatype.singlevaluelist:
        return value_name(attr, str(stored))
    if attr is not None and attr.datatype is AttributeDatatype.datetime:
        if isinstance(stored, dict):
            return " ".join(str(stored.get(k, "")) for k in ("day", "month", "year")).strip()
        try:
            return format_date(datetime.fromisoformat(str(stored)).date(), format="d MMMM y", locale=i18n.current())
        except ValueError:
            return str(stored)
    return str(stored)


def _attr(service: Service, code: str) -> ServiceAttribute | None:
    return next((a for a in service.attributes if a.code == code), None)


def _field(service: Service, attr: ServiceAttribute | None, code: str, answers: dict[str, Any]) -> dict[str, Any]:
    value = apps.to_form(attr, answers.get(code, ""))
    kind = "text" if code == apps.DETAILS else ("hidden" if code in (apps.LAT, apps.LONG) else "string")
    if attr is not None:
        kind = attr.datatype.value
    return {
        "code": code,
        "id": f"field-{code}",
        "kind": kind,
        "label": _label(service, code),
        "hint": attribute_text(attr, "datatype_description") if attr else "",
        "required": bool(attr and attr.required),
        "value": value,
        "orig": json.dumps(value, ensure_ascii=False),
        "choices": [(str(v.get("key")), value_name(attr, str(v.get("key")))) for v in attr.values] if attr else [],
    }


def _fields(service: Service, page: apps.FormPage, answers: dict[str, Any]) -> list[dict[str, Any]]:
    if page.location:
        return [_field(service, None, code, answers) for code in apps.LOCATION_FIELDS]
    if page.details and service.open311:
        return [_field(service, None, apps.DETAILS, answers)]
    if page.details:
        return [_field(service, None, apps.DETAILS, answers), _field(service, None, apps.ADDRESS, answers)]
    return [_field(service, a, a.code, answers) for a in page.attributes]


def _conflicts(service: Service, conflicts: list[FieldConflict]) -> list[dict[str, Any]]:
    return [
        {
            "code": c.field,
            "label": _label(service, c.field),
            "theirs": _display(_attr(service, c.field), c.their_value) or _("(no answer)"),
            "yours": _display(_attr(service, c.field), c.your_value) or _("(no answer)"),
            "your_json": json.dumps(c.your_value, ensure_ascii=False),
        }
        for c in conflicts
    ]


def _render_page(
    request: Request,
    draft: Draft,
    service: Service,
    page: apps.FormPage,
    *,
    errors: dict[str, str] | None = None,
    conflicts: list[FieldConflict] | None = None,
    status_code: int = 200,
) -> Response:
    total = len(apps.form_pages(service))
    shown = _conflicts(service, conflicts or [])
    fields = [
        f for f in _fields(service, page, apps.public_answers(draft)) if f["code"] not in {c["code"] for c in shown}
    ]
    errors = errors or {}
    answers = apps.public_answers(draft)
    context = {
        "map": map_settings(settings_of(request)) if page.location else None,
        "unplaced": page.location and _unplaced(answers),
        "draft": draft,
        "service_name": service_text(service, "name"),
        "page": page,
        "total": total,
        "fields": fields,
        "conflicts": shown,
        "errors": errors,
        "error_count": len(errors),
        "saved": request.query_params.get("saved") == "1",
        "back": f"/applications/{draft.id}/pages/{page.number - 1}" if page.number > 1 else f"/services/{service.code}",
    }
    return templates.TemplateResponse(request, "portal/apply_page.html", context, status_code=status_code)


def _unplaced(answers: dict[str, Any]) -> bool:
    """An address the register could not place on the map (it is still sent as typed)."""
    return bool(str(answers.get(apps.ADDRESS, "")).strip()) and apps.coordinates(answers) is None


def _done_or_none(draft: Draft) -> Response | None:
    if draft.submitted_at is not None:
        return RedirectResponse(f"/applications/{draft.id}/done", status_code=303)
    return None


@router.get("/services/{code}/apply")
async def start(request: Request, code: str, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """Start the application, or pick it up where the person left off on any device."""
    service = await agencies.get_service(session, code=code[:64])
    if not service.active:
        raise not_found("Service", "This service is not taking applications.")
    pipeline = request.app.state.pipeline
    draft = await apps.start_or_resume(
        session, pipeline, citizen_id=citizen.id, service=service, device=_device(request)
    )
    total = len(apps.form_pages(service))
    if draft.step > total:
        return RedirectResponse(f"/applications/{draft.id}/check", status_code=303)
    return RedirectResponse(f"/applications/{draft.id}/pages/{max(draft.step, 1)}", status_code=303)


@router.get("/applications/{draft_id}/pages/{number}", response_class=HTMLResponse, dependencies=[Depends(own_draft)])
async def show_page(
    request: Request, draft_id: str, number: int, session: SessionDep, citizen: CurrentCitizen
) -> Response:
    """One page of questions, with the answers saved so far from any device."""
    draft, service, _tz = await _load(session, citizen.id, draft_id)
    if (done := _done_or_none(draft)) is not None:
        return done
    page = _page(service, number)
    await apps.note_visit(session, request.app.state.pipeline, draft=draft, service=service, device=_device(request))
    return _render_page(request, draft, service, page)


def _int(form: FormData, name: str) -> int:
    try:
        return int(str(form.get(name, "")))
    except ValueError:
        raise invalid(
            "The form is incomplete; reload the page and try again.", FieldError(name, "Expected a number.")
        ) from None


def _form_value(form: FormData, field: dict[str, Any]) -> Any:
    name = f"f.{field['code']}"
    if field["kind"] == "multivaluelist":
        return [str(v) for v in form.getlist(name)]
    if field["kind"] == "datetime":
        return {k: str(form.get(f"{name}.{k}", "")) for k in ("day", "month", "year")}
    return str(form.get(name, "")).replace("\r\n", "\n")


async def _resolve_choices(
    session: SessionDep, form: FormData, draft: Draft, base: int, errors: dict[str, str]
) -> list[FieldConflict]:
    """Apply the person's choices between two devices' values; return conflicts still open."""
    still: list[FieldConflict] = []
    for code in form.getlist("conflict"):
        code = str(code)
        choice, yours = form.get(f"choice.{code}"), str(form.get(f"yours.{code}", "null"))
        try:
            your_value = load_json(yours)
        except ValueError:  # JsonRefused: not JSON, or nested too deep
            raise invalid("The form is incomplete; reload the page and try again.") from None
        if choice == "yours":
            result = await drafts.resolve(
                session, draft_id=draft.id, citizen_id=draft.citizen_id, field=code, value=your_value, base_version=base
            )
            still += result.conflicts
        elif choice != "theirs":
            their = draft.answers.get(code)
            still.append(FieldConflict(field=code, their_value=their, your_value=your_value))
            errors[code] = _("Choose which answer to keep")
    return still


@router.post("/applications/{draft_id}/pages/{number}", response_class=HTMLResponse, dependencies=[Depends(own_draft)])
async def save_page(
    request: Request, draft_id: str, number: int, session: SessionDep, citizen: CurrentCitizen
) -> Response:
    """Save what changed on this page (first), then check it and move on when it is complete."""
    draft, service, tz = await _load(session, citizen.id, draft_id)
    if (done := _done_or_none(draft)) is not None:
        return done
    page = _page(service, number)
    form = await request.form()
    base = _int(form, "base_version")
    errors: dict[str, str] = {}
    open_conflicts = await _resolve_choices(session, form, draft, base, errors)
    changes: dict[str, Any] = {}
    for field in _fields(service, page, {}):
        if f"orig.{field['code']}" not in form:
            continue  # not on the page this device sent (e.g. shown as a conflict)
        try:
            orig = load_json(str(form[f"orig.{field['code']}"]))
        except ValueError:  # JsonRefused
            orig = None
        value = _form_value(form, field)
        if value != orig:
            changes[field["code"]] = value
    if page.location and apps.ADDRESS in changes and not {apps.LAT, apps.LONG} & changes.keys():
        changes |= {apps.LAT: "", apps.LONG: ""}  # a new address typed without the map: place it afresh
    result: SaveResult = await drafts.save(
        session,
        draft_id=draft.id,
        citizen_id=citizen.id,
        base_version=base,
        changes=apps.stored_changes(service, tz, changes),
        step=number,
    )
    await session.commit()
    draft = result.draft
    conflicts = open_conflicts + result.conflicts
    if conflicts:
        return _render_page(request, draft, service, page, errors=errors, conflicts=conflicts, status_code=409)
    if form.get("action") == "save":
        return RedirectResponse(f"/applications/{draft.id}/pages/{number}?saved=1", status_code=303)
    if page.location and (placed := await apps.place(session, answers=apps.public_answers(draft))):
        draft = (
            await drafts.save(
                session, draft_id=draft.id, citizen_id=citizen.id, base_version=draft.version, changes=placed
            )
        ).draft
        await session.commit()
    found = apps.problems(service, page, apps.public_answers(draft))
    if found:
        messages = {code: _message(service, code, kind) for code, kind in found.items()}
        return _render_page(request, draft, service, page, errors=messages, status_code=422)
    total = len(apps.form_pages(service))
    await drafts.save(
        session, draft_id=draft.id, citizen_id=citizen.id, base_version=draft.version, changes={}, step=number + 1
    )
    await session.commit()
    target = f"pages/{number + 1}" if number < total else "check"
    return RedirectResponse(f"/applications/{draft.id}/{target}", status_code=303)


def _summary(draft: Draft, service: Service) -> list[dict[str, Any]]:
    answers = apps.public_answers(draft)
    rows: list[dict[str, Any]] = []
    for page in apps.form_pages(service):
        if page.location:
            rows.append(_location_row(draft, service, page, answers))
            continue
        for field in _fields(service, page, answers):
            rows.append(
                {
                    "code": field["code"],
                    "label": field["label"],
                    "value": _display(_attr(service, field["code"]), answers.get(field["code"])),
                    "href": f"/applications/{draft.id}/pages/{page.number}#{field['id']}",
                }
            )
    return rows


def _location_row(draft: Draft, service: Service, page: apps.FormPage, answers: dict[str, Any]) -> dict[str, Any]:
    address = str(answers.get(apps.ADDRESS, "")).strip()
    point = apps.coordinates(answers)
    shown = point and _("Point on the map (%(lat)s, %(long)s)") % {"lat": f"{point[0]:.5f}", "long": f"{point[1]:.5f}"}
    return {
        "code": apps.ADDRESS,
        "label": _("Where is it?"),
        "value": address or shown or "",
        "note": _("We could not place this address on the map, but it will still be sent as you typed it.")
        if _unplaced(answers)
        else "",
        "href": f"/applications/{draft.id}/pages/{page.number}#field-{apps.ADDRESS}",
    }


def _render_check(
    request: Request, draft: Draft, service: Service, errors: list[dict[str, str]], status_code: int = 200
) -> Response:
    total = len(apps.form_pages(service))
    context = {
        "draft": draft,
        "service_name": service_text(service, "name"),
        "rows": _summary(draft, service),
        "errors": errors,
        "error_count": len(errors),
        "back": f"/applications/{draft.id}/pages/{total}",
    }
    return templates.TemplateResponse(request, "portal/apply_check.html", context, status_code=status_code)


@router.get("/applications/{draft_id}/check", response_class=HTMLResponse, dependencies=[Depends(own_draft)])
async def check(request: Request, draft_id: str, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """Check your answers before sending them."""
    draft, service, _tz = await _load(session, citizen.id, draft_id)
    if (done := _done_or_none(draft)) is not None:
        return done
    return _render_check(request, draft, service, [])


@router.post("/applications/{draft_id}/submit", response_class=HTMLResponse, dependencies=[Depends(own_draft)])
async def submit(request: Request, draft_id: str, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """Send the application: one case, however many times the button is pressed or on however many devices."""
    draft, service, _tz = await _load(session, citizen.id, draft_id)
    outcome = await apps.submit(session, request.app.state.pipeline, draft_id=draft.id, citizen_id=citizen.id)
    if outcome.problems:
        errors = [
            {
                "text": _message(service, code, kind),
                "href": f"/applications/{draft.id}/pages/{number}#field-{code}",
            }
            for number, code, kind in outcome.problems
        ]
        return _render_check(request, draft, service, errors, status_code=422)
    return RedirectResponse(f"/applications/{draft.id}/done", status_code=303)


@router.get("/applications/{draft_id}/done", response_class=HTMLResponse, dependencies=[Depends(own_draft)])
async def done(request: Request, draft_id: str, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """The confirmation: the case reference and where to follow it."""
    draft, service, _tz = await _load(session, citizen.id, draft_id)
    if draft.submitted_at is None or draft.case_id is None:
        return RedirectResponse(f"/applications/{draft.id}/check", status_code=303)
    case = await session.get(Case, draft.case_id)
    context = {
        "service_name": service_text(service, "name"),
        "reference": case.reference if case else "",
        "linked": bool(case and service.open311 and await cases.likely_duplicates_of(session, case_id=case.id)),
    }
    return templates.TemplateResponse(request, "portal/apply_done.html", context)


# JSON for the autosave script ------------------------------------------------------------------------------


async def _json_body(request: Request) -> dict[str, Any]:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_AUTOSAVE_BYTES:
        raise too_large(f"An autosave is at most {MAX_AUTOSAVE_BYTES} bytes.")
    raw = await request.body()
    if len(raw) > MAX_AUTOSAVE_BYTES:
        raise too_large(f"An autosave is at most {MAX_AUTOSAVE_BYTES} bytes.")
    try:
        body = load_json(raw)  # within hygiene's depth limit: never a RecursionError
    except JsonRefused as exc:
        raise invalid(f"The request body must be JSON. {exc.detail}", FieldError("body", exc.detail)) from None
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object.")
    return body


def _whole(body: dict[str, Any], name: str, *, optional: bool = False) -> int | None:
    value = body.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise invalid(f"'{name}' must be a whole number.", FieldError(name, "Expected a whole number."))
    return value


def _saved_json(service: Service, result: SaveResult) -> JSONResponse:
    draft = result.draft
    answers = apps.public_answers(draft)
    return JSONResponse(
        {
            "version": draft.version,
            "applied": result.applied,
            "conflicts": [
                {
                    "field": c.field,
                    "their_value": apps.to_form(_attr(service, c.field), c.their_value),
                    "your_value": apps.to_form(_attr(service, c.field), c.your_value),
                    "their_text": _display(_attr(service, c.field), c.their_value) or _("(no answer)"),
                    "your_text": _display(_attr(service, c.field), c.your_value) or _("(no answer)"),
                }
                for c in result.conflicts
            ],
            "fields": {code: apps.to_form(_attr(service, code), value) for code, value in answers.items()},
        }
    )


@router.post("/applications/{draft_id}/autosave", dependencies=[Depends(own_draft)])
async def autosave(request: Request, draft_id: str, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """Save the fields a device changed: {base_version, changes, step} → {version, applied, conflicts, fields}."""
    body = await _json_body(request)
    draft, service, tz = await _load(session, citizen.id, draft_id)
    changes = body.get("changes", {})
    if not isinstance(changes, dict):
        raise invalid(
            "'changes' must be an object of field names and values.", FieldError("changes", "Expected an object.")
        )
    base, step = _whole(body, "base_version"), _whole(body, "step", optional=True)
    assert base is not None
    result = await drafts.save(
        session,
        draft_id=draft.id,
        citizen_id=citizen.id,
        base_version=base,
        changes=apps.stored_changes(service, tz, changes),
        step=step,
    )
    await session.commit()
    return _saved_json(service, result)


@router.post("/applications/{draft_id}/resolve", dependencies=[Depends(own_draft)])
async def resolve(request: Request, draft_id: str, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """The person chose their own value for a field in conflict: {field, value, base_version}."""
    body = await _json_body(request)
    draft, service, tz = await _load(session, citizen.id, draft_id)
    code = body.get("field")
    if not isinstance(code, str):
        raise invalid("'field' must name a question.", FieldError("field", "Expected text."))
    base = _whole(body, "base_version")
    assert base is not None
    stored = apps.stored_changes(service, tz, {code: body.get("value", "")})
    result = await drafts.resolve(
        session, draft_id=draft.id, citizen_id=citizen.id, field=code, value=stored[code], base_version=base
    )
    await session.commit()
    return _saved_json(service, result)


@router.get("/applications/{draft_id}/state", dependencies=[Depends(own_draft)])
async def state(request: Request, draft_id: str, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """The draft as every device last saved it, for a page that regains focus."""
    draft, service, _tz = await _load(session, citizen.id, draft_id)
    answers = apps.public_answers(draft)
    return JSONResponse(
        {
            "version": draft.version,
            "step": draft.step,
            "submitted": draft.submitted_at is not None,
            "answers": answers,
            "fields": {code: apps.to_form(_attr(service, code), value) for code, value in answers.items()},
        }
    )
