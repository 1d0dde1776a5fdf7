"""Writing articles: drafts, review by a second person, publication and withdrawal, and the editor's lists.

Four eyes: only supervisors and admins publish, and not a version they wrote unless they are an admin. Never
commits; publishing and withdrawing bump the knowledge revision (`knowledge.published`) in the caller's
transaction.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare import errors
from townsquare.clock import utcnow
from townsquare.knowledge import translations
from townsquare.knowledge.models import (
    LANGUAGES,
    SHORT_ANSWER_MAX,
    Article,
    ArticleVersion,
    VersionStatus,
)
from townsquare.knowledge.published import bump_revision, live_query, today_utc
from townsquare.staff.models import SUPERVISING, StaffAccount, StaffRole

SLUG_PATTERN = re.compile(r"[a-z0-9-]{3,120}")
TITLE_MAX = 200
SUMMARY_MAX = 500
KEYWORDS_MAX = 500
NOTE_MAX = 500
SERVICE_CODE_MAX = 64
PUBLISHERS = SUPERVISING


@dataclass(frozen=True)
class ArticleFields:
    """What an author edits; validated by `validate_fields`."""

    title: str
    summary: str = ""
    body: str = ""
    short_answer: str = ""
    voice_script: str = ""
    keywords: str = ""
    service_codes: tuple[str, ...] = ()
    effective_from: date | None = None
    effective_until: date | None = None
    review_by: date | None = None


@dataclass(frozen=True)
class ArticleRow:
    """One line of the editor's list: the article, its newest version and the version live today (if any)."""

    article: Article
    latest: ArticleVersion
    live: ArticleVersion | None
    outdated: translations.Outdated | None = None  # another language's version changed since this one


def validate_fields(fields: ArticleFields) -> ArticleFields:
    """The fields with surrounding whitespace trimmed, or a 422 listing every problem."""
    cleaned = ArticleFields(
        title=fields.title.strip(),
        summary=fields.summary.strip(),
        body=fields.body.strip(),
        short_answer=fields.short_answer.strip(),
        voice_script=fields.voice_script.strip(),
        keywords=fields.keywords.strip(),
        service_codes=tuple(dict.fromkeys(c.strip() for c in fields.service_codes if c.strip())),
        effective_from=fields.effective_from,
        effective_until=fields.effective_until,
        review_by=fields.review_by,
    )
    problems: list[errors.FieldError] = []
    if not cleaned.title:
        problems.append(errors.FieldError("title", "Enter a title."))
    elif len(cleaned.title) > TITLE_MAX:
        problems.append(errors.FieldError("title", f"The title must be {TITLE_MAX} characters or fewer."))
    if len(cleaned.summary) > SUMMARY_MAX:
        problems.append(errors.FieldError("summary", f"The summary must be {SUMMARY_MAX} characters or fewer."))
    if len(cleaned.short_answer) > SHORT_ANSWER_MAX:
        problems.append(
            errors.FieldError("short_answer", f"The short answer must be {SHORT_ANSWER_MAX} characters or fewer.")
        )
    if len(cleaned.keywords) > KEYWORDS_MAX:
        problems.append(errors.FieldError("keywords", f"Keywords must be {KEYWORDS_MAX} characters or fewer."))
    if any(len(code) > SERVICE_CODE_MAX for code in cleaned.service_codes):
        problems.append(errors.FieldError("service_codes", "A service code is too long."))
    start, end = cleaned.effective_from, cleaned.effective_until
    if start is not None and end is not None and end <= start:
        problems.append(errors.FieldError("effective_until", "The end date must be after the start date."))
    if problems:
        raise errors.invalid("Some article fields need correcting.", *problems)
    return cleaned


def _check_slug(slug: str) -> None:
    if not SLUG_PATTERN.fullmatch(slug):
        raise errors.invalid(
            "The address must be 3 to 120 lower-case letters, digits or hyphens.",
            errors.FieldError("slug", "Use 3 to 120 lower-case letters, digits or hyphens."),
        )


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise errors.invalid(
            f"The language must be one of: {', '.join(LANGUAGES)}.",
            errors.FieldError("language", "Choose a supported language."),
        )


def _check_note(note: str) -> str:
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise errors.invalid(
            f"The note must be {NOTE_MAX} characters or fewer.", errors.FieldError("change_note", "Too long.")
        )
    return note


def _apply(version: ArticleVersion, fields: ArticleFields) -> None:
    version.title = fields.title
    version.summary = fields.summary
    version.body = fields.body
    version.short_answer = fields.short_answer
    version.voice_script = fields.voice_script
    version.keywords = fields.keywords
    version.service_codes = list(fields.service_codes)
    version.effective_from = fields.effective_from
    version.effective_until = fields.effective_until
    version.review_by = fields.review_by


async def create_article(
    session: AsyncSession,
    *,
    agency_id: uuid.UUID,
    language: str,
    slug: str,
    fields: ArticleFields,
    author_id: uuid.UUID | None,
    change_note: str = "",
    variant_of: uuid.UUID | None = None,
) -> ArticleVersion:
    """A new article with its first version as a draft; `variant_of` links it to another article's language group."""
    slug = slug.strip()
    _check_slug(slug)
    _check_language(language)
    fields = validate_fields(fields)
    note = _check_note(change_note)
    if await session.scalar(select(Article.id).where(Article.slug == slug)) is not None:
        raise errors.conflict(f"Another article already uses the address {slug!r}.")
    group_id = uuid.uuid4()
    if variant_of is not None:
        original = await get_article(session, article_id=variant_of)
        if original.language == language:
            raise errors.conflict("A language variant must be in a different language from the original.")
        taken = await session.scalar(
            select(Article.id).where(Article.group_id == original.group_id, Article.language == language)
        )
        if taken is not None:
            raise errors.conflict(f"This article already has a variant in {language!r}.")
        group_id = original.group_id
    article = Article(slug=slug, language=language, group_id=group_id, agency_id=agency_id)
    session.add(article)
    await session.flush()
    version = ArticleVersion(article_id=article.id, number=1, author_id=author_id, change_note=note)
    _apply(version, fields)
    session.add(version)
    await session.flush()
    return version


async def save_draft(
    session: AsyncSession,
    *,
    article_id: uuid.UUID,
    fields: ArticleFields,
    author_id: uuid.UUID | None,
    change_note: str,
) -> ArticleVersion:
    """Edit the article's open draft, or start a new draft numbered after its newest version."""
    await get_article(session, article_id=article_id)
    fields = validate_fields(fields)
    note = _check_note(change_note)
    newest = await session.scalar(
        select(ArticleVersion)
        .where(ArticleVersion.article_id == article_id)
        .order_by(ArticleVersion.number.desc())
        .limit(1)
        .with_for_update()
    )
    if newest is not None and newest.status == VersionStatus.draft:
        version = newest
        if author_id is not None:
            version.author_id = author_id
    else:
        version = ArticleVersion(
            article_id=article_id, number=(newest.number + 1) if newest else 1, author_id=author_id
        )
        session.add(version)
    version.change_note = note
    _apply(version, fields)
    await session.flush()
    return version


async def _version(session: AsyncSession, version_id: uuid.UUID) -> ArticleVersion:
    version = await session.get(ArticleVersion, version_id, with_for_update=True)
    if version is None:
        raise errors.not_found("Article version")
    return version


async def _staff(session: AsyncSession, staff_id: uuid.UUID) -> StaffAccount:
    account = await session.get(StaffAccount, staff_id)
    if account is None or not account.active:
        raise errors.forbidden("Only an active staff account can change articles.")
    return account


def _require_status(version: ArticleVersion, expected: VersionStatus, action: str) -> None:
    if version.status != expected:
        raise errors.conflict(
            f"Only a version in {expected.value} can be {action}; this one is {version.status.value}."
        )


async def submit(session: AsyncSession, *, version_id: uuid.UUID, staff_id: uuid.UUID) -> ArticleVersion:
    """Draft → review: ask a second person to publish it."""
    await _staff(session, staff_id)
    version = await _version(session, version_id)
    _require_status(version, VersionStatus.draft, "submitted for review")
    version.status = VersionStatus.review
    version.submitted_at = utcnow()
    version.submitted_by_id = staff_id
    await session.flush()
    return version


async def send_back(session: AsyncSession, *, version_id: uuid.UUID, staff_id: uuid.UUID, note: str) -> ArticleVersion:
    """Review → draft, with the reviewer's note appended to the change note."""
    account = await _staff(session, staff_id)
    if account.role not in PUBLISHERS:
        raise errors.forbidden("Only a supervisor or an administrator can send an article back.")
    version = await _version(session, version_id)
    _require_status(version, VersionStatus.review, "sent back")
    note = note.strip()
    if note:
        version.change_note = f"{version.change_note}\nSent back: {note}".strip()[:NOTE_MAX]
    version.status = VersionStatus.draft
    version.submitted_at = None
    version.submitted_by_id = None
    await session.flush()
    return version


async def publish(session: AsyncSession, *, version_id: uuid.UUID, staff_id: uuid.UUID | None) -> ArticleVersion:
    """Review → published (four eyes: not by its author unless an admin; `None` is the system itself)."""
    if staff_id is not None:
        account = await _staff(session, staff_id)
        if account.role not in PUBLISHERS:
            raise errors.forbidden("Only a supervisor or an administrator can publish an article.")
        version = await _version(session, version_id)
        if version.author_id == staff_id and account.role != StaffRole.admin:
            raise errors.forbidden("A second person must publish this version: you wrote it.")
    else:
        version = await _version(session, version_id)
    _require_status(version, VersionStatus.review, "published")
    catching_up = version.article_id in await translations.outdated(session, article_ids=[version.article_id])
    version.status = VersionStatus.published
    version.published_at = utcnow()
    version.published_by_id = staff_id
    await session.flush()
    if catching_up:  # a translation brought up to date: the versions it followed are in step with it
        await translations.in_step_with(session, article_id=version.article_id, at=version.published_at)
    await bump_revision(session)
    return version


async def withdraw(session: AsyncSession, *, article_id: uuid.UUID, staff_id: uuid.UUID) -> None:
    """Take every published version of the article down; channels stop giving it at once."""
    account = await _staff(session, staff_id)
    if account.role not in PUBLISHERS:
        raise errors.forbidden("Only a supervisor or an administrator can withdraw an article.")
    await get_article(session, article_id=article_id)
    await session.execute(
        update(ArticleVersion)
        .where(ArticleVersion.article_id == article_id, ArticleVersion.status == VersionStatus.published)
        .values(status=VersionStatus.withdrawn, withdrawn_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    await bump_revision(session)


async def versions(session: AsyncSession, *, article_id: uuid.UUID) -> list[ArticleVersion]:
    """Every version of the article, newest first."""
    stmt = select(ArticleVersion).where(ArticleVersion.article_id == article_id).order_by(ArticleVersion.number.desc())
    return list((await session.scalars(stmt)).all())


async def get_article(session: AsyncSession, *, article_id: uuid.UUID) -> Article:
    """The article, or a 404 problem."""
    article = await session.get(Article, article_id)
    if article is None:
        raise errors.not_found("Article")
    return article


async def get_version(session: AsyncSession, *, version_id: uuid.UUID) -> ArticleVersion:
    """The version, or a 404 problem."""
    version = await session.get(ArticleVersion, version_id)
    if version is None:
        raise errors.not_found("Article version")
    return version


async def list_articles(
    session: AsyncSession,
    *,
    agency_ids: Sequence[uuid.UUID] | None = None,
    status: VersionStatus | str | None = None,
    language: str | None = None,
    q: str | None = None,
    today: date | None = None,
) -> list[ArticleRow]:
    """The editor's list: each article with its newest version (filtered by that version's status) and its live one,
    ordered by title. `q` matches the newest title or the slug, case-insensitively."""
    newest = (
        select(ArticleVersion.article_id, func.max(ArticleVersion.number).label("number"))
        .group_by(ArticleVersion.article_id)
        .subquery()
    )
    stmt = (
        select(Article, ArticleVersion)
        .join(newest, newest.c.article_id == Article.id)
        .join(
            ArticleVersion,
            (ArticleVersion.article_id == Article.id) & (ArticleVersion.number == newest.c.number),
        )
        .order_by(func.lower(ArticleVersion.title), Article.slug)
    )
    if agency_ids is not None:
        stmt = stmt.where(Article.agency_id.in_(list(agency_ids)))
    if status:
        stmt = stmt.where(ArticleVersion.status == VersionStatus(status))
    if language:
        stmt = stmt.where(Article.language == language)
    if q and q.strip():
        pattern = f"%{q.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(ArticleVersion.title).like(pattern), Article.slug.like(pattern)))
    rows = (await session.execute(stmt)).all()
    ids = [article.id for article, _ in rows]
    live_versions: dict[uuid.UUID, ArticleVersion] = {}
    if ids:
        for version, article in await session.execute(live_query(today or today_utc()).where(Article.id.in_(ids))):
            live_versions.setdefault(article.id, version)
    behind = await translations.outdated(session, article_ids=ids)
    return [ArticleRow(article=a, latest=v, live=live_versions.get(a.id), outdated=behind.get(a.id)) for a, v in rows]
