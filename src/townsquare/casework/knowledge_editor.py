"""The staff knowledge editor's use cases: the form's fields checked and turned into an article's text, the
article and version pages' read model, drafting, saving, the review workflow (four eyes) and withdrawal.

Staff see and edit only their agencies' articles; publishing follows the knowledge service's rules, never decided
here alone. Changes are audited where the workflow says so, and never committed here (the route does, once).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Agency, Service
from townsquare.clock import utcnow
from townsquare.errors import FieldError, Problem, forbidden, invalid, not_found
from townsquare.knowledge import service as knowledge
from townsquare.knowledge import translations
from townsquare.knowledge.models import LANGUAGES, Article, ArticleVersion, VersionStatus
from townsquare.staff.auth import Principal
from townsquare.staff.models import SUPERVISING, StaffAccount, StaffRole

PUBLISHERS = SUPERVISING
TEXT_FIELDS = ("title", "summary", "body", "short_answer", "voice_script", "keywords", "change_note")
DATE_FIELDS = ("effective_from", "effective_until", "review_by")
NOT_YOURS = "None of your agencies' articles has that id."


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


def form_of(version: ArticleVersion) -> ArticleForm:
    """A version's text as the form shows it."""
    texts = {name: getattr(version, name) for name in TEXT_FIELDS if name != "change_note"}
    dates = {name: d.isoformat() if (d := getattr(version, name)) else "" for name in DATE_FIELDS}
    return ArticleForm(**texts, **dates, service_codes=set(version.service_codes))


def _date(form: ArticleForm, name: str, label: str) -> date | None:
    value = getattr(form, name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        message = f"{label} must be a date such as 2026-03-31."
        raise invalid(message, FieldError(name, message)) from None


def parse_id(value: str, name: str, message: str) -> uuid.UUID:
    """An id typed or carried in a form, or a 422 naming the field."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise invalid(message, FieldError(name, message)) from None


async def article_fields(session: AsyncSession, form: ArticleForm) -> knowledge.ArticleFields:
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


def unsaved(fields: knowledge.ArticleFields) -> ArticleVersion:
    """A version that is never added to the session: what the form holds, for the preview."""
    texts = {name: getattr(fields, name) for name in TEXT_FIELDS if name != "change_note"}
    return ArticleVersion(number=0, status=VersionStatus.draft, service_codes=list(fields.service_codes), **texts)


async def article_in_scope(session: AsyncSession, me: Principal, article_id: uuid.UUID) -> Article:
    """The article if the staff member's agencies own it, else 404 (never saying whether it exists)."""
    try:
        article = await knowledge.get_article(session, article_id=article_id)
    except Problem as exc:
        if exc.status == 404:
            raise not_found("Article", NOT_YOURS) from None
        raise
    if not me.may_see(article.agency_id):
        raise not_found("Article", NOT_YOURS)
    return article


async def managed_article(session: AsyncSession, me: Principal, article_id: uuid.UUID) -> Article:
    """The article if a supervisor or administrator of its agency is asking."""
    article = await article_in_scope(session, me, article_id)
    if me.role not in PUBLISHERS:
        raise forbidden("Only a supervisor or an administrator can withdraw an article.")
    return article


async def my_agencies(session: AsyncSession, me: Principal) -> list[Agency]:
    """The agencies whose articles this staff member sees, by name."""
    stmt = select(Agency).order_by(Agency.name)
    if me.agency_ids is not None:
        stmt = stmt.where(Agency.id.in_(me.agency_ids))
    return list((await session.execute(stmt)).scalars())


async def catalogue(session: AsyncSession) -> list[Service]:
    """The active services an article may be about, by name."""
    stmt = select(Service).where(Service.active.is_(True)).order_by(Service.name)
    return list((await session.execute(stmt)).scalars())


def other_language(language: str) -> str:
    """The language of an article's other variant."""
    return next((lang for lang in LANGUAGES if lang != language), language)


def today() -> date:
    return utcnow().date()


async def article_list(
    session: AsyncSession, *, me: Principal, agency: str, status: str, language: str, q: str
) -> tuple[list[Agency], list[Any]]:
    """The staff member's agencies and their articles, filtered as the list's form asks."""
    agencies = await my_agencies(session, me)
    scope = me.visible()
    if agency:
        scope = {a.id for a in agencies if str(a.id) == agency} or set()
    rows = await knowledge.list_articles(
        session,
        agency_ids=None if scope is None else sorted(scope),
        status=VersionStatus(status) if status in {s.value for s in VersionStatus} else None,
        language=language if language in LANGUAGES else None,
        q=q or None,
    )
    return agencies, list(rows)


async def variant_source(session: AsyncSession, me: Principal, form: ArticleForm) -> Article | None:
    """The article the form writes the other language's variant of, with the form's agency and language set."""
    if not form.variant_of:
        return None
    source = await article_in_scope(
        session, me, parse_id(form.variant_of, "variant_of", "That article link is damaged.")
    )
    form.agency_id, form.language = str(source.agency_id), other_language(source.language)
    return source


def owning_agency(me: Principal, form: ArticleForm) -> uuid.UUID:
    """The agency the form gives a new article, if it is one of the staff member's."""
    agency_id = parse_id(form.agency_id, "agency_id", "Choose the agency that owns the article.")
    if not me.may_see(agency_id):
        raise invalid("Choose one of your agencies.", FieldError("agency_id", "Choose one of your agencies."))
    return agency_id


async def create(session: AsyncSession, *, me: Principal, form: ArticleForm, source: Article | None) -> ArticleVersion:
    """A new article as draft version 1, in one of the staff member's agencies."""
    agency_id = owning_agency(me, form)
    fields = await article_fields(session, form)
    return await knowledge.create_article(
        session,
        agency_id=agency_id,
        language=form.language,
        slug=form.slug,
        fields=fields,
        author_id=me.id,
        change_note=form.change_note.strip(),
        variant_of=source.id if source else None,
    )


def published_before(versions: list[ArticleVersion]) -> bool:
    return any(v.published_at is not None for v in versions)


async def save(session: AsyncSession, *, me: Principal, article: Article, form: ArticleForm, published: bool) -> None:
    """Save the draft; a change note is required once the article has been published."""
    fields = await article_fields(session, form)
    if published and not form.change_note.strip():
        message = "Say what changed and why: this article has been published, so its history must tell."
        raise invalid(message, FieldError("change_note", message))
    await knowledge.save_draft(
        session, article_id=article.id, fields=fields, author_id=me.id, change_note=form.change_note.strip()
    )


def actions(me: Principal, version: ArticleVersion, newest: bool) -> dict[str, Any]:
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


@dataclass
class ArticleView:
    """An article's page: one version, its history, what is live, its other-language variant, who wrote what."""

    article: Article
    agency: Agency | None
    version: ArticleVersion
    history: list[ArticleVersion]
    newest: bool
    live: Any
    variant: Article | None
    other_language: str
    names: dict[uuid.UUID, str]
    actions: dict[str, Any]
    outdated: Any  # translations.Outdated, when another language's version changed since this one


async def article_view(session: AsyncSession, *, me: Principal, article: Article, number: int | None) -> ArticleView:
    """The newest version (or version `number`) of an article with everything its page shows."""
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
    variant = select(Article).where(Article.group_id == article.group_id, Article.id != article.id).limit(1)
    return ArticleView(
        article=article,
        agency=await session.get(Agency, article.agency_id),
        version=version,
        history=list(history),
        newest=version is history[0],
        live=await knowledge.live(session, article_id=article.id, today=today()),
        variant=(await session.execute(variant)).scalars().first(),
        other_language=other_language(article.language),
        names=dict(found.all()),
        actions=actions(me, version, version is history[0]),
        outdated=(await translations.outdated(session, article_ids=[article.id])).get(article.id),
    )


def _audit(me: Principal, session: AsyncSession, action: str, article: Article, detail: dict[str, Any]) -> None:
    me.audit(
        session,
        action=action,
        subject_kind="knowledge_article",
        subject_id=str(article.id),
        agency_id=article.agency_id,
        detail={"slug": article.slug, **detail},
    )


WORKFLOW_ACTIONS = ("submit", "publish", "send-back")


async def version_of(session: AsyncSession, *, article: Article, number: int, action: str) -> ArticleVersion:
    """The version a workflow button names, or 404 (also for an action that does not exist)."""
    version = next((v for v in await knowledge.versions(session, article_id=article.id) if v.number == number), None)
    if version is None or action not in WORKFLOW_ACTIONS:
        raise not_found("Version", "That article has no version with that number.")
    return version


async def move(
    session: AsyncSession, *, me: Principal, article: Article, version: ArticleVersion, action: str, note: str
) -> None:
    """Submit a draft for review, publish it, or send it back with a note (publishing and sending back audited)."""
    if action == "submit":
        await knowledge.submit(session, version_id=version.id, staff_id=me.id)
    elif action == "publish":
        await knowledge.publish(session, version_id=version.id, staff_id=me.id)
        _audit(me, session, "knowledge.publish", article, {"version": version.number})
    else:
        if not note:
            message = "Say what the author should change before it can be published."
            raise invalid(message, FieldError("note", message))
        await knowledge.send_back(session, version_id=version.id, staff_id=me.id, note=note)
        _audit(me, session, "knowledge.send_back", article, {"version": version.number})


async def mark_checked(session: AsyncSession, *, me: Principal, article: Article) -> None:
    """A supervisor read this version against the newer other language and it says the same."""
    await translations.mark_checked(session, article_id=article.id, staff_id=me.id)


async def withdraw(session: AsyncSession, *, me: Principal, article: Article) -> None:
    """Take the article down on every channel (audited)."""
    await knowledge.withdraw(session, article_id=article.id, staff_id=me.id)
    _audit(me, session, "knowledge.withdraw", article, {})


async def roll_back(session: AsyncSession) -> None:
    """Undo a refused change before the form is shown again."""
    await session.rollback()
