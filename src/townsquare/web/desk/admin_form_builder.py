"""The form builder at /desk/admin/services/{code}/form: the draft of a service's next form version, its pages and
fields (add, change, remove, move), page titles, a preview in English and French, and publishing.

Administrators, and agency administrators for their own agencies' services; plain forms that post and redirect.
The rules live in `casework.form_builder`; this module words its problems and draws the pages.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.agencies import form_versions
from townsquare.agencies.wording import translated
from townsquare.casework import form_builder
from townsquare.casework.form_builder import BuilderError, BuilderView, FieldForm
from townsquare.casework.types import Service
from townsquare.db.deps import SessionDep
from townsquare.staff.auth import AGENCY_ADMIN, Principal, enforces
from townsquare.web.desk.common import administrators_only
from townsquare.web.i18n import gettext as _
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
Administrator = Annotated[Principal, Depends(administrators_only("The form builder"))]
KINDS = (
    "string",
    "text",
    "number",
    "date",
    "datetime",
    "singlevaluelist",
    "multivaluelist",
    "address",
    "file",
    "consent",
)


@enforces(AGENCY_ADMIN)
async def builder_service(code: str, session: SessionDep, me: Administrator) -> Service:
    """The service named in the path, if the caller administers its agency (else as an unknown one)."""
    return await form_builder.service_for(session, me=me, code=code)


BuiltService = Annotated[Service, Depends(builder_service)]


def kind_names() -> dict[str, str]:
    """Each kind of field, as the builder names it."""
    return {
        "string": _("Short text"),
        "text": _("Long text"),
        "number": _("Number"),
        "date": _("Date"),
        "datetime": _("Date and time"),
        "singlevaluelist": _("One choice from a list"),
        "multivaluelist": _("Several choices from a list"),
        "address": _("Postal address"),
        "file": _("File upload"),
        "consent": _("Consent (a statement to tick)"),
    }


def _messages() -> dict[str, str]:
    return {
        "code": _("Enter a short name for the field: lower-case letters, digits and _ only"),
        "code_taken": _("Another field already has the short name %(code)s"),
        "kind": _("Choose what kind of answer the field takes"),
        "label": _("Enter the question in English (at most 1,000 characters)"),
        "hint": _("The help text must be at most 300 characters"),
        "page": _("Enter a page number from 1 to %(max)s"),
        "choice_line": _("Write each choice as key | English name | French name (lines %(lines)s)"),
        "choices": _("A list needs choices: one a line, as key | English name | French name"),
        "no_choices": _("Only lists take choices: clear the choices or choose a list"),
        "condition_field": _("A condition must name a field that comes earlier in the form, not %(code)s"),
        "condition_values": _("Enter the answers that show the field, among the earlier field's choices %(values)s"),
        "orphan_kind": _("“%(label)s” already has answers of its kind: keep its kind, or add a new field instead"),
        "orphan_choice": _(
            "“%(label)s” has answers that chose %(keys)s: keep those choices, or add a new field instead"
        ),
        "condition_needed": _("A later field's condition names %(code)s: change that condition first"),
        "condition_order": _("%(code)s is shown by the field before it, so it cannot come before it"),
        "unchanged": _("The draft is the same as the published form: change something before publishing"),
    }


def worded(errors: list[BuilderError]) -> list[dict[str, str]]:
    """The problems in the reader's language, each with the form field it names."""
    messages = _messages()
    return [{"field": e.field, "message": messages[e.kind] % e.detail} for e in errors]


def _notices() -> dict[str, str]:
    return {
        "saved": _("The field is saved in the draft."),
        "removed": _("The field is removed from the draft."),
        "moved": _("The field is moved."),
        "pages": _("The page titles are saved in the draft."),
        "published": _("The form is published. New applications use it; sent ones keep the version they answered."),
    }


def _base(service: Service) -> str:
    return f"/desk/admin/services/{service.code}/form"


async def _page(
    request: Request, session: SessionDep, me: Principal, service: Service, errors: list[BuilderError] | None = None
) -> Response:
    built = await form_builder.view(session, service=service)
    context = {
        "me": me,
        "view": built,
        "base": _base(service),
        "kinds": kind_names(),
        "errors": worded(errors or []),
        "notice": _notices().get(request.query_params.get("notice", "")),
        "next_page": (max(built.page_numbers(), default=0) + 1),
    }
    status = 422 if errors else 200
    return templates.TemplateResponse(request, "desk/admin_form.html", context, status_code=status)


@router.get("/desk/admin/services/{code}/form", response_class=HTMLResponse)
async def builder(request: Request, session: SessionDep, me: Administrator, service: BuiltService) -> Response:
    """The draft of the next version: its pages and fields, page titles, preview and publish."""
    return await _page(request, session, me, service)


def _field_page(
    request: Request, built: BuilderView, form: FieldForm, errors: list[BuilderError] | None = None
) -> Response:
    earlier = [f for f in built.fields if f["code"] != form.original]
    if form.original:
        at = next((i for i, f in enumerate(built.fields) if f["code"] == form.original), len(built.fields))
        earlier = built.fields[:at]
    context = {
        "view": built,
        "base": _base(built.service),
        "form": form,
        "kinds": kind_names(),
        "earlier": earlier,
        "errors": worded(errors or []),
        "problem": {e["field"]: e["message"] for e in worded(errors or [])},
    }
    status = 422 if errors else 200
    return templates.TemplateResponse(request, "desk/admin_form_field.html", context, status_code=status)


@router.get("/desk/admin/services/{code}/form/field", response_class=HTMLResponse)
async def field_form(
    request: Request, session: SessionDep, me: Administrator, service: BuiltService, field: str = ""
) -> Response:
    """The form to add a field (or, with `field`, to change that one)."""
    built = await form_builder.view(session, service=service)
    stored = built.field(field[:64]) if field else None
    form = FieldForm.of(stored) if stored else FieldForm(page=str(max(built.page_numbers(), default=1)))
    return _field_page(request, built, form)


@router.post("/desk/admin/services/{code}/form/field", response_class=HTMLResponse)
async def save_field(request: Request, session: SessionDep, me: Administrator, service: BuiltService) -> Response:
    """Save the field in the draft, or show the form again with what is wrong."""
    form = FieldForm.read(dict(await request.form()))
    errors = await form_builder.save_field(session, me=me, service=service, form=form)
    if errors:
        await form_builder.roll_back(session, service=service)
        return _field_page(request, await form_builder.view(session, service=service), form, errors)
    await session.commit()
    return RedirectResponse(f"{_base(service)}?notice=saved", status_code=303)


async def _done(
    request: Request, session: SessionDep, me: Principal, service: Service, errors: list[BuilderError], notice: str
) -> Response:
    if errors:
        await form_builder.roll_back(session, service=service)
        return await _page(request, session, me, service, errors)
    await session.commit()
    return RedirectResponse(f"{_base(service)}?notice={notice}", status_code=303)


@router.post("/desk/admin/services/{code}/form/remove", response_class=HTMLResponse)
async def remove_field(request: Request, session: SessionDep, me: Administrator, service: BuiltService) -> Response:
    """Take a field out of the draft."""
    code = str((await request.form()).get("field", ""))[:64]
    errors = await form_builder.remove_field(session, me=me, service=service, code=code)
    return await _done(request, session, me, service, errors, "removed")


@router.post("/desk/admin/services/{code}/form/move", response_class=HTMLResponse)
async def move_field(request: Request, session: SessionDep, me: Administrator, service: BuiltService) -> Response:
    """Move a field one place up or down."""
    sent = await request.form()
    code, up = str(sent.get("field", ""))[:64], sent.get("direction") == "up"
    errors = await form_builder.move_field(session, me=me, service=service, code=code, up=up)
    return await _done(request, session, me, service, errors, "moved")


@router.post("/desk/admin/services/{code}/form/pages", response_class=HTMLResponse)
async def page_titles(request: Request, session: SessionDep, me: Administrator, service: BuiltService) -> Response:
    """Save the pages' titles in English and French."""
    sent = await request.form()
    titles: dict[int, tuple[str, str]] = {}
    for number in range(1, form_builder.MAX_PAGES + 1):
        english, french = (str(sent.get(f"title.{number}.{lang}", "")).strip() for lang in ("en", "fr"))
        titles[number] = (english, french)
    await form_builder.set_page_titles(session, me=me, service=service, titles=titles)
    return await _done(request, session, me, service, [], "pages")


@router.post("/desk/admin/services/{code}/form/publish", response_class=HTMLResponse)
async def publish(request: Request, session: SessionDep, me: Administrator, service: BuiltService) -> Response:
    """Publish the draft as the next version of the form."""
    _, errors = await form_builder.publish(session, me=me, service=service)
    return await _done(request, session, me, service, errors, "published")


def preview_pages(built: BuilderView, language: str) -> list[dict[str, Any]]:
    """The draft's pages as the resident will read them in `language` (English where French is missing)."""
    questions = {q.code: q for q in form_versions.questions_of(built.service.id, built.fields)}
    pages = []
    for number in built.page_numbers():
        page = built.pages.get(str(number)) or {}
        title = translated(page.get("translations"), language, "title", str(page.get("title", "")))
        fields = []
        for stored in built.on_page(number):
            q = questions[stored["code"]]
            fields.append(
                {
                    "code": q.code,
                    "kind": q.datatype.value,
                    "label": form_versions.label(q, language),
                    "hint": translated(q.translations, language, "datatype_description", q.datatype_description),
                    "required": q.required,
                    "choices": [
                        (str(v.get("key")), form_versions.choice(q, str(v.get("key")), language)) for v in q.values
                    ],
                    "condition": q.condition or {},
                    "untranslated": q.code in built.missing_french,
                }
            )
        pages.append(
            {"number": number, "title": title, "fields": fields, "untitled": f"page-{number}" in built.missing_french}
        )
    return pages


@router.get("/desk/admin/services/{code}/form/preview", response_class=HTMLResponse)
async def preview(
    request: Request, session: SessionDep, me: Administrator, service: BuiltService, language: str = "en"
) -> Response:
    """The draft as the resident will see it, in English or French; missing French wording is flagged."""
    language = "fr" if language == "fr" else "en"
    built = await form_builder.view(session, service=service)
    context = {
        "view": built,
        "base": _base(service),
        "language": language,
        "pages": preview_pages(built, language),
        "labels": {q["code"]: q.get("description", q["code"]) for q in built.fields},
    }
    return templates.TemplateResponse(request, "desk/admin_form_preview.html", context)
