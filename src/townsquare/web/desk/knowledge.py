"""The staff knowledge editor at /desk/knowledge: the article list, drafting and editing, a preview of every
channel's rendering, the review workflow (four eyes) and the version history, as plain forms without JavaScript.

Translates only: forms become a `casework.knowledge_editor.ArticleForm`, and reads, checks and changes are that
module's functions; publishing follows the knowledge service's rules, never decided here.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.casework import knowledge_editor as editor
from townsquare.casework.knowledge_editor import DATE_FIELDS, TEXT_FIELDS, ArticleForm
from townsquare.casework.types import LANGUAGES, SHORT_ANSWER_MAX, Article, ArticleVersion, VersionStatus
from townsquare.db import Session
from townsquare.db.deps import SessionDep
from townsquare.errors import Problem
from townsquare.knowledge import rendering
from townsquare.knowledge import service as knowledge
from townsquare.staff.auth import STAFF_AGENCY, SUPERVISOR_AGENCY, Principal, enforces
from townsquare.web.desk import labels
from townsquare.web.desk.common import CurrentStaff, settings_of
from townsquare.web.i18n import gettext as _
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
MAX_TEXT = 50_000


def _notices() -> dict[str, str]:
    return {
        "created": _("Draft saved. Submit it for review when it is ready."),
        "saved": _("Draft saved."),
        "submitted": _("Submitted for review: a supervisor can now publish it or send it back."),
        "published": _("Published: every channel answers with this version now."),
        "sent_back": _("Sent back to draft with your note."),
        "withdrawn": _("Withdrawn: no channel answers with this article any more."),
        "checked": _("Marked as checked: it says what the other language says."),
    }


def _sent(raw: Any) -> ArticleForm:
    """The submitted form as typed (line endings normalised), to save or to show again."""
    values = {name: str(raw.get(name, "")).replace("\r\n", "\n")[:MAX_TEXT] for name in TEXT_FIELDS}
    dates = {name: str(raw.get(name, "")).strip()[:20] for name in DATE_FIELDS}
    return ArticleForm(
        agency_id=str(raw.get("agency_id", "")).strip()[:64],
        language=str(raw.get("language", "")).strip()[:8],
        slug=str(raw.get("slug", "")).strip().lower()[:200],
        variant_of=str(raw.get("variant_of", "")).strip()[:64],
        service_codes={str(v)[:64] for v in raw.getlist("service_codes")},
        **values,
        **dates,
    )


@enforces(STAFF_AGENCY)
async def staff_article(article_id: uuid.UUID, session: SessionDep, me: CurrentStaff) -> Article:
    """The article named in the path, if the staff member's agencies own it."""
    return await editor.article_in_scope(session, me, article_id)


@enforces(SUPERVISOR_AGENCY)
async def managed_article(article_id: uuid.UUID, session: SessionDep, me: CurrentStaff) -> Article:
    """The article named in the path, if a supervisor or administrator of its agency is asking."""
    return await editor.managed_article(session, me, article_id)


def _common(request: Request, me: Principal) -> dict[str, Any]:
    return {
        "me": me,
        "language_names": {code: labels.language(code) for code in LANGUAGES},
        "status_labels": {s.value: labels.article_status(s) for s in VersionStatus},
        "today": editor.today(),
        "notice": _notices().get(request.query_params.get("notice", "")),
    }


@router.get("/desk/knowledge", response_class=HTMLResponse)
async def article_list(request: Request, session: SessionDep, me: CurrentStaff) -> Response:
    """Every article of the staff member's agencies, with its live version, newest status and review date."""
    params = request.query_params
    chosen = params.get("agency", "")
    status, language, q = params.get("status", ""), params.get("language", ""), params.get("q", "").strip()[:200]
    agencies, rows = await editor.article_list(session, me=me, agency=chosen, status=status, language=language, q=q)
    context = _common(request, me) | {
        "rows": rows,
        "agencies": agencies,
        "agency_names": {a.id: a.name for a in agencies},
        "filters": {"agency": chosen, "status": status, "language": language, "q": q},
    }
    return templates.TemplateResponse(request, "desk/knowledge_list.html", context)


# Drafting and editing ------------------------------------------------------------------------------------------


def _shown(preview: dict[str, rendering.Rendering], title: str, summary: str) -> dict[str, Any]:
    """The renderings with what the preview prints beside them: the SMS's length, segments and alphabet."""
    sms = preview["sms"].text
    return {
        "r": preview,
        "title": title,
        "summary": summary,
        "sms_chars": len(sms),
        "sms_segments": rendering.sms_segments(sms),
        "sms_encoding": rendering.sms_encoding(sms),
    }


def _preview(request: Request, version: ArticleVersion, *, slug: str, language: str) -> dict[str, rendering.Rendering]:
    url = rendering.article_url(settings_of(request).public_url, slug or "your-article")
    return rendering.preview(version, url=url, language=language)


async def _form_page(
    request: Request,
    session: Session,
    me: Principal,
    form: ArticleForm,
    *,
    article: Article | None = None,
    variant_source: Article | None = None,
    error: Problem | None = None,
    preview: dict[str, rendering.Rendering] | None = None,
    published_before: bool = False,
) -> Response:
    language = article.language if article else form.language
    context = _common(request, me) | {
        "form": form,
        "article": article,
        "editing": article is not None,
        "field_errors": {e.field: e.message for e in error.errors} if error else {},
        "variant_source": variant_source,
        "agencies": await editor.my_agencies(session, me),
        "services": await editor.catalogue(session),
        "error": error,
        "preview": preview,
        "shown": _shown(preview, form.title, form.summary) if preview else None,
        "preview_unsaved": True,
        "preview_lang": language if language in LANGUAGES else "en",
        "published_before": published_before,
        "short_max": SHORT_ANSWER_MAX,
        "languages": LANGUAGES,
        "help_base": rendering.article_url(settings_of(request).public_url, ""),
    }
    status = error.status if error else 200
    return templates.TemplateResponse(request, "desk/knowledge_form.html", context, status_code=status)


@router.get("/desk/knowledge/new", response_class=HTMLResponse)
async def new_article(request: Request, session: SessionDep, me: CurrentStaff, variant_of: str = "") -> Response:
    """An empty article form, or one for the other language's version of an article."""
    form = ArticleForm(variant_of=variant_of)
    source = await editor.variant_source(session, me, form)
    return await _form_page(request, session, me, form, variant_source=source)


@router.post("/desk/knowledge/new")
async def create_article(request: Request, session: SessionDep, me: CurrentStaff) -> Response:
    """Save a new article as draft version 1 (or preview it without saving)."""
    raw = await request.form()
    form = _sent(raw)
    source = None
    try:
        source = await editor.variant_source(session, me, form)
        editor.owning_agency(me, form)
        if "preview" in raw:
            fields = await editor.article_fields(session, form)
            language = form.language if form.language in LANGUAGES else "en"
            shown = _preview(request, editor.unsaved(fields), slug=form.slug, language=language)
            return await _form_page(request, session, me, form, variant_source=source, preview=shown)
        version = await editor.create(session, me=me, form=form, source=source)
    except Problem as exc:
        if exc.status not in (409, 422):
            raise
        await editor.roll_back(session)
        if form.variant_of and source is not None:  # the rollback expired it
            source = await editor.article_in_scope(session, me, uuid.UUID(form.variant_of))
        return await _form_page(request, session, me, form, variant_source=source, error=exc)
    await session.commit()
    return RedirectResponse(f"/desk/knowledge/{version.article_id}?notice=created", status_code=303)


@router.get("/desk/knowledge/{article_id}/edit", response_class=HTMLResponse, dependencies=[Depends(staff_article)])
async def edit_article(request: Request, article_id: uuid.UUID, session: SessionDep, me: CurrentStaff) -> Response:
    """The newest version's text as a form; saving edits the open draft or starts a new one."""
    article = await editor.article_in_scope(session, me, article_id)
    history = await knowledge.versions(session, article_id=article.id)
    form = editor.form_of(history[0]) if history else ArticleForm()
    form = replace(form, agency_id=str(article.agency_id), language=article.language, slug=article.slug)
    published = editor.published_before(history)
    return await _form_page(request, session, me, form, article=article, published_before=published)


@router.post("/desk/knowledge/{article_id}/edit", dependencies=[Depends(staff_article)])
async def save_article(request: Request, article_id: uuid.UUID, session: SessionDep, me: CurrentStaff) -> Response:
    """Save the draft (a change note is required once the article has been published), or preview it."""
    article = await editor.article_in_scope(session, me, article_id)
    published = editor.published_before(await knowledge.versions(session, article_id=article.id))
    raw = await request.form()
    form = replace(_sent(raw), agency_id=str(article.agency_id), language=article.language, slug=article.slug)
    try:
        if "preview" in raw:
            fields = await editor.article_fields(session, form)
            shown = _preview(request, editor.unsaved(fields), slug=article.slug, language=article.language)
            return await _form_page(
                request, session, me, form, article=article, preview=shown, published_before=published
            )
        await editor.save(session, me=me, article=article, form=form, published=published)
    except Problem as exc:
        if exc.status not in (409, 422):
            raise
        await editor.roll_back(session)
        article = await editor.article_in_scope(session, me, article_id)  # the rollback expired it
        return await _form_page(request, session, me, form, article=article, error=exc, published_before=published)
    await session.commit()
    return RedirectResponse(f"/desk/knowledge/{article.id}?notice=saved", status_code=303)


# An article, its versions and the workflow ---------------------------------------------------------------------


async def _article_page(
    request: Request,
    session: Session,
    me: Principal,
    article_id: uuid.UUID,
    *,
    number: int | None = None,
    error: Problem | None = None,
    note: str = "",
) -> Response:
    article = await editor.article_in_scope(session, me, article_id)
    view = await editor.article_view(session, me=me, article=article, number=number)
    version = view.version
    context = (
        _common(request, me)
        | vars(view)
        | {
            "shown": _shown(
                _preview(request, version, slug=article.slug, language=article.language),
                version.title,
                version.summary,
            ),
            "preview_lang": article.language,
            "url": rendering.article_url(settings_of(request).public_url, article.slug),
            "error": error,
            "note": note,
        }
    )
    status = error.status if error else 200
    return templates.TemplateResponse(request, "desk/knowledge_article.html", context, status_code=status)


@router.get("/desk/knowledge/{article_id}", response_class=HTMLResponse, dependencies=[Depends(staff_article)])
async def article_page(request: Request, article_id: uuid.UUID, session: SessionDep, me: CurrentStaff) -> Response:
    """The newest version with every channel's preview, the workflow buttons and the version history."""
    return await _article_page(request, session, me, article_id)


@router.get(
    "/desk/knowledge/{article_id}/versions/{number}", response_class=HTMLResponse, dependencies=[Depends(staff_article)]
)
async def version_page(
    request: Request, article_id: uuid.UUID, number: int, session: SessionDep, me: CurrentStaff
) -> Response:
    """Any version of the article, as it was written, with its preview."""
    return await _article_page(request, session, me, article_id, number=number)


@router.post("/desk/knowledge/{article_id}/versions/{number}/{action}", dependencies=[Depends(staff_article)])
async def workflow(
    request: Request, article_id: uuid.UUID, number: int, action: str, session: SessionDep, me: CurrentStaff
) -> Response:
    """Submit a draft for review, publish it, or send it back with a note."""
    article = await editor.article_in_scope(session, me, article_id)
    version = await editor.version_of(session, article=article, number=number, action=action)
    note = str((await request.form()).get("note", "")).strip()[:500]
    try:
        await editor.move(session, me=me, article=article, version=version, action=action, note=note)
    except Problem as exc:
        if exc.status not in (403, 409, 422):
            raise
        await editor.roll_back(session)
        return await _article_page(request, session, me, article_id, number=number, error=exc, note=note)
    await session.commit()
    notice = {"submit": "submitted", "publish": "published", "send-back": "sent_back"}[action]
    return RedirectResponse(f"/desk/knowledge/{article.id}?{urlencode({'notice': notice})}", status_code=303)


@router.post("/desk/knowledge/{article_id}/checked", dependencies=[Depends(managed_article)])
async def translation_checked(
    request: Request, article_id: uuid.UUID, session: SessionDep, me: CurrentStaff
) -> Response:
    """This language version says what the newer other one says: it no longer needs an update (supervisors)."""
    article = await editor.article_in_scope(session, me, article_id)
    await editor.mark_checked(session, me=me, article=article)
    await session.commit()
    return RedirectResponse(f"/desk/knowledge/{article.id}?notice=checked", status_code=303)


@router.post("/desk/knowledge/{article_id}/withdraw", dependencies=[Depends(managed_article)])
async def withdraw(request: Request, article_id: uuid.UUID, session: SessionDep, me: CurrentStaff) -> Response:
    """Take the article down on every channel (supervisors and administrators)."""
    article = await editor.article_in_scope(session, me, article_id)
    try:
        await editor.withdraw(session, me=me, article=article)
    except Problem as exc:
        if exc.status not in (403, 409, 422):
            raise
        await editor.roll_back(session)
        return await _article_page(request, session, me, article_id, error=exc)
    await session.commit()
    return RedirectResponse(f"/desk/knowledge/{article.id}?notice=withdrawn", status_code=303)
