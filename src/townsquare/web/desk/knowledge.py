"""The staff knowledge editor at /desk/knowledge: the article list, drafting and editing, a preview of every
channel's rendering, the review workflow (four eyes) and the version history, as plain forms without JavaScript.

Staff see and edit only their agencies' articles; publishing is left to the knowledge service's rules, never
decided here alone.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Agency, Service
from townsquare.clock import utcnow
from townsquare.db.deps import SessionDep
from townsquare.errors import FieldError, Problem, forbidden, invalid, not_found
from townsquare.knowledge import rendering
from townsquare.knowledge import service as knowledge
from townsquare.knowledge.models import LANGUAGES, SHORT_ANSWER_MAX, Article, ArticleVersion, VersionStatus
from townsquare.staff.auth import STAFF_AGENCY, SUPERVISOR_AGENCY, Principal, enforces
from townsquare.staff.models import StaffAccount, StaffRole
from townsquare.web.desk.common import CurrentStaff, settings_of
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
PUBLISHERS = (StaffRole.supervisor, StaffRole.admin)
LANGUAGE_NAMES = {"en": "English", "fr": "French"}
STATUS_LABELS = {s.value: s.value.capitalize() for s in VersionStatus}
NOTICES = {
    "created": "Draft saved. Submit it for review when it is ready.",
    "saved": "Draft saved.",
    "submitted": "Submitted for review: a supervisor can now publish it or send it back.",
    "published": "Published: every channel answers with this version now.",
    "sent_back": "Sent back to draft with your note.",
    "withdrawn": "Withdrawn: no channel answers with this article any more.",
}
TEXT_FIELDS = ("title", "summary", "body", "short_answer", "voice_script", "keywords", "change_note")
DATE_FIELDS = ("effective_from", "effective_until", "review_by")
MAX_TEXT = 50_000


@dataclass
class ArticleForm:
    """What the edit form shows: a version's text, or what was just sent when it was refused."""

    agency_id: str = ""
    language: str = "en"
    slug: str = ""
    variant_of: str = ""
    title: str = ""
    summary: str = ""
    body: str = ""
    short_answer: str = ""
    voice_script: str = ""
    keywords: str = ""
    change_note: str = ""
    effective_from: str = ""
    effective_until: str = ""
    review_by: str = ""
    service_codes: set[str] = field(default_factory=set)


def _from_version(version: ArticleVersion) -> ArticleForm:
    texts = {name: getattr(version, name) for name in TEXT_FIELDS if name != "change_note"}
    dates = {name: d.isoformat() if (d := getattr(version, name)) else "" for name in DATE_FIELDS}
    return ArticleForm(**texts, **dates, service_codes=set(version.service_codes))


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


def _date(form: ArticleForm, name: str, label: str) -> date | None:
    value = getattr(form, name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        message = f"{label} must be a date such as 2026-03-31."
        raise invalid(message, FieldError(name, message)) from None


def _uuid(value: str, name: str, message: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise invalid(message, FieldError(name, message)) from None


async def _fields(session: AsyncSession, form: ArticleForm) -> knowledge.ArticleFields:
    """The author's fields for the service, after the checks only the editor can make (dates typed, codes known)."""
    known = set((await session.execute(select(Service.code).where(Service.code.in_(form.service_codes)))).scalars())
    if form.service_codes - known:
        message = "Choose related services from the catalogue."
        raise invalid(message, FieldError("service_codes", message))
    return knowledge.ArticleFields(
        title=form.title.strip(),
        summary=form.summary.strip(),
        body=form.body,
        short_answer=form.short_answer.strip(),
        voice_script=form.voice_script.strip(),
        keywords=form.keywords.strip(),
        service_codes=tuple(sorted(form.service_codes)),
        effective_from=_date(form, "effective_from", "Effective from"),
        effective_until=_date(form, "effective_until", "Effective until"),
        review_by=_date(form, "review_by", "Review by"),
    )


async def _article(session: AsyncSession, me: Principal, article_id: uuid.UUID) -> Article:
    """The article if the staff member's agencies own it, else 404 (never saying whether it exists)."""
    try:
        article = await knowledge.get_article(session, article_id=article_id)
    except Problem as exc:
        if exc.status == 404:
            raise not_found("Article", "None of your agencies' articles has that id.") from None
        raise
    if not me.may_see(article.agency_id):
        raise not_found("Article", "None of your agencies' articles has that id.")
    return article


@enforces(STAFF_AGENCY)
async def staff_article(article_id: uuid.UUID, session: SessionDep, me: CurrentStaff) -> Article:
    """The article named in the path, if the staff member's agencies own it."""
    return await _article(session, me, article_id)


@enforces(SUPERVISOR_AGENCY)
async def managed_article(article_id: uuid.UUID, session: SessionDep, me: CurrentStaff) -> Article:
    """The article named in the path, if a supervisor or administrator of its agency is asking."""
    article = await _article(session, me, article_id)
    if me.role not in PUBLISHERS:
        raise forbidden("Only a supervisor or an administrator can withdraw an article.")
    return article


async def _my_agencies(session: AsyncSession, me: Principal) -> list[Agency]:
    stmt = select(Agency).order_by(Agency.name)
    if me.agency_ids is not None:
        stmt = stmt.where(Agency.id.in_(me.agency_ids))
    return list((await session.execute(stmt)).scalars())


async def _catalogue(session: AsyncSession) -> list[Service]:
    stmt = select(Service).where(Service.active.is_(True)).order_by(Service.name)
    return list((await session.execute(stmt)).scalars())


async def _variant(session: AsyncSession, article: Article) -> Article | None:
    stmt = select(Article).where(Article.group_id == article.group_id, Article.id != article.id)
    return (await session.execute(stmt.limit(1))).scalars().first()


def _other_language(language: str) -> str:
    return next((lang for lang in LANGUAGES if lang != language), language)


def _today() -> date:
    return utcnow().date()


def _common(request: Request, me: Principal) -> dict[str, Any]:
    return {
        "me": me,
        "language_names": LANGUAGE_NAMES,
        "status_labels": STATUS_LABELS,
        "today": _today(),
        "notice": NOTICES.get(request.query_params.get("notice", "")),
    }


# The list ------------------------------------------------------------------------------------------------------


@router.get("/desk/knowledge", response_class=HTMLResponse)
async def article_list(request: Request, session: SessionDep, me: CurrentStaff) -> Response:
    """Every article of the staff member's agencies, with its live version, newest status and review date."""
    params = request.query_params
    agencies = await _my_agencies(session, me)
    chosen_agency = params.get("agency", "")
    scope = me.visible()
    if chosen_agency:
        picked = {a.id for a in agencies if str(a.id) == chosen_agency}
        scope = picked or set()
    status = params.get("status", "")
    language = params.get("language", "")
    q = params.get("q", "").strip()[:200]
    rows = await knowledge.list_articles(
        session,
        agency_ids=None if scope is None else sorted(scope),
        status=VersionStatus(status) if status in STATUS_LABELS else None,
        language=language if language in LANGUAGES else None,
        q=q or None,
    )
    context = _common(request, me) | {
        "rows": rows,
        "agencies": agencies,
        "agency_names": {a.id: a.name for a in agencies},
        "filters": {"agency": chosen_agency, "status": status, "language": language, "q": q},
    }
    return templates.TemplateResponse(request, "desk/knowledge_list.html", context)


# Drafting and editing ------------------------------------------------------------------------------------------


async def _form_page(
    request: Request,
    session: AsyncSession,
    me: Principal,
    form: ArticleForm,
    *,
    article: Article | None = None,
    variant_source: Article | None = None,
    error: Problem | None = None,
    preview: dict[str, rendering.Rendering] | None = None,
    published_before: bool = False,
) -> Response:
    settings = settings_of(request)
    language = article.language if article else form.language
    context = _common(request, me) | {
        "form": form,
        "article": article,
        "editing": article is not None,
        "field_errors": {e.field: e.message for e in error.errors} if error else {},
        "variant_source": variant_source,
        "agencies": await _my_agencies(session, me),
        "services": await _catalogue(session),
        "error": error,
        "preview": preview,
        "shown": _shown(preview, form.title, form.summary) if preview else None,
        "preview_heading": "Preview of what you typed (not saved)",
        "preview_lang": language if language in LANGUAGES else "en",
        "published_before": published_before,
        "short_max": SHORT_ANSWER_MAX,
        "languages": LANGUAGES,
        "help_base": rendering.article_url(settings.public_url, ""),
    }
    status = error.status if error else 200
    return templates.TemplateResponse(request, "desk/knowledge_form.html", context, status_code=status)


@router.get("/desk/knowledge/new", response_class=HTMLResponse)
async def new_article(request: Request, session: SessionDep, me: CurrentStaff, variant_of: str = "") -> Response:
    """An empty article form, or one for the other language's version of an article."""
    form = ArticleForm()
    source = None
    if variant_of:
        source = await _article(session, me, _uuid(variant_of, "variant_of", "That article link is damaged."))
        form = ArticleForm(agency_id=str(source.agency_id), language=_other_language(source.language))
        form.variant_of = str(source.id)
    return await _form_page(request, session, me, form, variant_source=source)


@router.post("/desk/knowledge/new")
async def create_article(request: Request, session: SessionDep, me: CurrentStaff) -> Response:
    """Save a new article as draft version 1 (or preview it without saving)."""
    raw = await request.form()
    form = _sent(raw)
    source = None
    try:
        if form.variant_of:
            source = await _article(session, me, _uuid(form.variant_of, "variant_of", "That article link is damaged."))
            form.agency_id, form.language = str(source.agency_id), _other_language(source.language)
        agency_id = _uuid(form.agency_id, "agency_id", "Choose the agency that owns the article.")
        if not me.may_see(agency_id):
            raise invalid("Choose one of your agencies.", FieldError("agency_id", "Choose one of your agencies."))
        fields = await _fields(session, form)
        if "preview" in raw:
            language = form.language if form.language in LANGUAGES else "en"
            shown = _preview(request, _unsaved(fields), slug=form.slug, language=language)
            return await _form_page(request, session, me, form, variant_source=source, preview=shown)
        version = await knowledge.create_article(
            session,
            agency_id=agency_id,
            language=form.language,
            slug=form.slug,
            fields=fields,
            author_id=me.id,
            change_note=form.change_note.strip(),
            variant_of=source.id if source else None,
        )
    except Problem as exc:
        if exc.status not in (409, 422):
            raise
        await session.rollback()
        if form.variant_of and source is not None:  # the rollback expired it
            source = await _article(session, me, uuid.UUID(form.variant_of))
        return await _form_page(request, session, me, form, variant_source=source, error=exc)
    await session.commit()
    return RedirectResponse(f"/desk/knowledge/{version.article_id}?notice=created", status_code=303)


def _unsaved(fields: knowledge.ArticleFields) -> ArticleVersion:
    """A version that is never added to the session: what the form holds, for the preview."""
    texts = {name: getattr(fields, name) for name in TEXT_FIELDS if name != "change_note"}
    return ArticleVersion(number=0, status=VersionStatus.draft, service_codes=list(fields.service_codes), **texts)


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


def _published_before(versions: list[ArticleVersion]) -> bool:
    return any(v.published_at is not None for v in versions)


@router.get("/desk/knowledge/{article_id}/edit", response_class=HTMLResponse, dependencies=[Depends(staff_article)])
async def edit_article(request: Request, article_id: uuid.UUID, session: SessionDep, me: CurrentStaff) -> Response:
    """The newest version's text as a form; saving edits the open draft or starts a new one."""
    article = await _article(session, me, article_id)
    history = await knowledge.versions(session, article_id=article.id)
    form = _from_version(history[0]) if history else ArticleForm()
    form = replace(form, agency_id=str(article.agency_id), language=article.language, slug=article.slug)
    published = _published_before(history)
    return await _form_page(request, session, me, form, article=article, published_before=published)


@router.post("/desk/knowledge/{article_id}/edit", dependencies=[Depends(staff_article)])
async def save_article(request: Request, article_id: uuid.UUID, session: SessionDep, me: CurrentStaff) -> Response:
    """Save the draft (a change note is required once the article has been published), or preview it."""
    article = await _article(session, me, article_id)
    published = _published_before(await knowledge.versions(session, article_id=article.id))
    raw = await request.form()
    form = replace(_sent(raw), agency_id=str(article.agency_id), language=article.language, slug=article.slug)
    try:
        fields = await _fields(session, form)
        if "preview" in raw:
            shown = _preview(request, _unsaved(fields), slug=article.slug, language=article.language)
            return await _form_page(
                request, session, me, form, article=article, preview=shown, published_before=published
            )
        if published and not form.change_note.strip():
            message = "Say what changed and why: this article has been published, so its history must tell."
            raise invalid(message, FieldError("change_note", message))
        await knowledge.save_draft(
            session, article_id=article.id, fields=fields, author_id=me.id, change_note=form.change_note.strip()
        )
    except Problem as exc:
        if exc.status not in (409, 422):
            raise
        await session.rollback()
        article = await _article(session, me, article_id)  # the rollback expired it
        return await _form_page(request, session, me, form, article=article, error=exc, published_before=published)
    await session.commit()
    return RedirectResponse(f"/desk/knowledge/{article.id}?notice=saved", status_code=303)


# An article, its versions and the workflow ---------------------------------------------------------------------


def _actions(me: Principal, version: ArticleVersion, newest: bool) -> dict[str, Any]:
    """Which workflow buttons the staff member gets for this version, and why a missing one is missing."""
    manager = me.role in PUBLISHERS
    own = version.author_id == me.id
    why_not = None
    may_publish = False
    if version.status is VersionStatus.review:
        if not manager:
            why_not = "Only a supervisor or an administrator can publish or send back a version."
        elif own and me.role is not StaffRole.admin:
            why_not = "You wrote this version, so another supervisor must publish it (four eyes)."
        else:
            may_publish = True
    return {
        "submit": newest and version.status is VersionStatus.draft,
        "publish": may_publish,
        "send_back": manager and version.status is VersionStatus.review,
        "why_not": why_not,
        "withdraw": manager,
        "why_not_withdraw": None if manager else "Only a supervisor or an administrator can withdraw an article.",
    }


async def _article_page(
    request: Request,
    session: AsyncSession,
    me: Principal,
    article: Article,
    *,
    number: int | None = None,
    error: Problem | None = None,
    note: str = "",
) -> Response:
    history = await knowledge.versions(session, article_id=article.id)
    if not history:
        raise not_found("Article", "That article has no versions.")
    version = history[0] if number is None else next((v for v in history if v.number == number), None)
    if version is None:
        raise not_found("Version", "That article has no version with that number.")
    staff_ids = {v.author_id for v in history if v.author_id} | {
        v.published_by_id for v in history if v.published_by_id
    }
    found = await session.execute(
        select(StaffAccount.id, StaffAccount.display_name).where(StaffAccount.id.in_(staff_ids))
    )
    names = dict(found.all())
    agency = await session.get(Agency, article.agency_id)
    context = _common(request, me) | {
        "article": article,
        "agency": agency,
        "version": version,
        "history": history,
        "newest": version is history[0],
        "live": await knowledge.live(session, article_id=article.id, today=_today()),
        "variant": await _variant(session, article),
        "other_language": _other_language(article.language),
        "names": names,
        "actions": _actions(me, version, version is history[0]),
        "shown": _shown(
            _preview(request, version, slug=article.slug, language=article.language), version.title, version.summary
        ),
        "preview_lang": article.language,
        "url": rendering.article_url(settings_of(request).public_url, article.slug),
        "error": error,
        "note": note,
    }
    status = error.status if error else 200
    return templates.TemplateResponse(request, "desk/knowledge_article.html", context, status_code=status)


@router.get("/desk/knowledge/{article_id}", response_class=HTMLResponse, dependencies=[Depends(staff_article)])
async def article_page(request: Request, article_id: uuid.UUID, session: SessionDep, me: CurrentStaff) -> Response:
    """The newest version with every channel's preview, the workflow buttons and the version history."""
    return await _article_page(request, session, me, await _article(session, me, article_id))


@router.get(
    "/desk/knowledge/{article_id}/versions/{number}", response_class=HTMLResponse, dependencies=[Depends(staff_article)]
)
async def version_page(
    request: Request, article_id: uuid.UUID, number: int, session: SessionDep, me: CurrentStaff
) -> Response:
    """Any version of the article, as it was written, with its preview."""
    return await _article_page(request, session, me, await _article(session, me, article_id), number=number)


@router.post("/desk/knowledge/{article_id}/versions/{number}/{action}", dependencies=[Depends(staff_article)])
async def workflow(
    request: Request, article_id: uuid.UUID, number: int, action: str, session: SessionDep, me: CurrentStaff
) -> Response:
    """Submit a draft for review, publish it, or send it back with a note."""
    article = await _article(session, me, article_id)
    version = next((v for v in await knowledge.versions(session, article_id=article.id) if v.number == number), None)
    if version is None or action not in ("submit", "publish", "send-back"):
        raise not_found("Version", "That article has no version with that number.")
    note = str((await request.form()).get("note", "")).strip()[:500]
    try:
        if action == "submit":
            await knowledge.submit(session, version_id=version.id, staff_id=me.id)
        elif action == "publish":
            await knowledge.publish(session, version_id=version.id, staff_id=me.id)
            _audit(me, session, "knowledge.publish", article, {"version": number})
        else:
            if not note:
                message = "Say what the author should change before it can be published."
                raise invalid(message, FieldError("note", message))
            await knowledge.send_back(session, version_id=version.id, staff_id=me.id, note=note)
            _audit(me, session, "knowledge.send_back", article, {"version": number})
    except Problem as exc:
        if exc.status not in (403, 409, 422):
            raise
        await session.rollback()
        article = await _article(session, me, article_id)
        return await _article_page(request, session, me, article, number=number, error=exc, note=note)
    await session.commit()
    notice = {"submit": "submitted", "publish": "published", "send-back": "sent_back"}[action]
    return RedirectResponse(f"/desk/knowledge/{article.id}?{urlencode({'notice': notice})}", status_code=303)


@router.post("/desk/knowledge/{article_id}/withdraw", dependencies=[Depends(managed_article)])
async def withdraw(request: Request, article_id: uuid.UUID, session: SessionDep, me: CurrentStaff) -> Response:
    """Take the article down on every channel (supervisors and administrators)."""
    article = await _article(session, me, article_id)
    try:
        await knowledge.withdraw(session, article_id=article.id, staff_id=me.id)
    except Problem as exc:
        if exc.status not in (403, 409, 422):
            raise
        await session.rollback()
        return await _article_page(request, session, me, await _article(session, me, article_id), error=exc)
    _audit(me, session, "knowledge.withdraw", article, {})
    await session.commit()
    return RedirectResponse(f"/desk/knowledge/{article.id}?notice=withdrawn", status_code=303)


def _audit(me: Principal, session: AsyncSession, action: str, article: Article, detail: dict[str, Any]) -> None:
    me.audit(
        session,
        action=action,
        subject_kind="knowledge_article",
        subject_id=str(article.id),
        agency_id=article.agency_id,
        detail={"slug": article.slug, **detail},
    )
