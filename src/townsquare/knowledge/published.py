"""What is live: the published version of each article in effect today, read from the database every time
(never cached), the revision counter that tells search indexes to rebuild, and the record of answers given.

Never commits; every change to what is live bumps the revision in the caller's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare import errors
from townsquare.clock import utcnow
from townsquare.knowledge.models import (
    AnswerRecord,
    Article,
    ArticleVersion,
    KnowledgeRevision,
    VersionStatus,
)


@dataclass(frozen=True)
class LiveArticle:
    """The version a channel answers with, read from the database at answer time."""

    article_id: uuid.UUID
    version_id: uuid.UUID
    number: int
    slug: str
    language: str
    group_id: uuid.UUID
    agency_id: uuid.UUID
    title: str
    summary: str
    body: str  # Markdown
    short_answer: str
    voice_script: str
    service_codes: list[str]
    published_at: datetime
    updated_on: date  # published_at's date, for "last updated"
    keywords: str = ""  # other words people use for it (for search)


def today_utc() -> date:
    """Today's date as the knowledge base counts it (UTC)."""
    return utcnow().date()


async def bump_revision(session: AsyncSession) -> int:
    """Move the revision counter in the caller's transaction (recreating its row if it is missing)."""
    result = await session.execute(
        update(KnowledgeRevision)
        .where(KnowledgeRevision.id == 1)
        .values(revision=KnowledgeRevision.revision + 1, changed_at=utcnow())
        .returning(KnowledgeRevision.revision)
    )
    revision = result.scalar_one_or_none()
    if revision is None:
        session.add(KnowledgeRevision(id=1, revision=1, changed_at=utcnow()))
        await session.flush()
        revision = 1
    return int(revision)


async def current_revision(session: AsyncSession) -> int:
    """The revision counter (0 before anything was published)."""
    value = await session.scalar(select(KnowledgeRevision.revision).where(KnowledgeRevision.id == 1))
    return int(value or 0)


def live_query(today: date) -> Select[ArticleVersion, Article]:
    return (
        select(ArticleVersion, Article)
        .join(Article, Article.id == ArticleVersion.article_id)
        .where(
            ArticleVersion.status == VersionStatus.published,
            Article.archived.is_(False),
            or_(ArticleVersion.effective_from.is_(None), ArticleVersion.effective_from <= today),
            or_(ArticleVersion.effective_until.is_(None), ArticleVersion.effective_until > today),
        )
        .order_by(ArticleVersion.article_id, ArticleVersion.number.desc())
    )


def _to_live(version: ArticleVersion, article: Article) -> LiveArticle:
    published_at = version.published_at or version.updated_at
    return LiveArticle(
        article_id=article.id,
        version_id=version.id,
        number=version.number,
        slug=article.slug,
        language=article.language,
        group_id=article.group_id,
        agency_id=article.agency_id,
        title=version.title,
        summary=version.summary,
        body=version.body,
        short_answer=version.short_answer,
        voice_script=version.voice_script,
        service_codes=list(version.service_codes or []),
        published_at=published_at,
        updated_on=published_at.date(),
        keywords=version.keywords,
    )


async def _live_rows(session: AsyncSession, stmt: Select[ArticleVersion, Article]) -> dict[uuid.UUID, LiveArticle]:
    """The newest row per article (rows come ordered by article, newest version first)."""
    found: dict[uuid.UUID, LiveArticle] = {}
    for version, article in await session.execute(stmt):
        if article.id not in found:
            found[article.id] = _to_live(version, article)
    return found


async def live(session: AsyncSession, *, article_id: uuid.UUID, today: date | None = None) -> LiveArticle | None:
    """The newest published version of the article in effect today, or None."""
    rows = await _live_rows(session, live_query(today or today_utc()).where(Article.id == article_id))
    return rows.get(article_id)


async def live_by_slug(session: AsyncSession, *, slug: str, today: date | None = None) -> LiveArticle | None:
    """The live version of the article at /help/{slug}, or None."""
    rows = await _live_rows(session, live_query(today or today_utc()).where(Article.slug == slug))
    return next(iter(rows.values()), None)


async def live_variant(
    session: AsyncSession, *, group_id: uuid.UUID, language: str, today: date | None = None
) -> LiveArticle | None:
    """The live version of the group's variant in `language`, or None."""
    stmt = live_query(today or today_utc()).where(Article.group_id == group_id, Article.language == language)
    rows = await _live_rows(session, stmt)
    return next(iter(rows.values()), None)


async def live_many(
    session: AsyncSession, *, article_ids: Iterable[uuid.UUID], today: date | None = None
) -> dict[uuid.UUID, LiveArticle]:
    """The live version of each of the articles that has one, in one query."""
    ids = list(dict.fromkeys(article_ids))
    if not ids:
        return {}
    return await _live_rows(session, live_query(today or today_utc()).where(Article.id.in_(ids)))


async def live_all(session: AsyncSession, *, today: date | None = None) -> list[LiveArticle]:
    """Every live article in every language (what a search index is built from), in one query."""
    return list((await _live_rows(session, live_query(today or today_utc()))).values())


async def record_answer(
    session: AsyncSession,
    *,
    live: LiveArticle,
    channel: str,
    confidence: float | None,
    conversation_id: uuid.UUID | None = None,
    interaction_id: uuid.UUID | None = None,
) -> AnswerRecord:
    """Remember that `live` was given as an answer on `channel`."""
    record = AnswerRecord(
        article_id=live.article_id,
        version_id=live.version_id,
        channel=str(channel),
        confidence=confidence,
        conversation_id=conversation_id,
        interaction_id=interaction_id,
    )
    session.add(record)
    await session.flush()
    return record


async def record_feedback(session: AsyncSession, *, answer_id: uuid.UUID, helpful: bool) -> AnswerRecord:
    """The person's answer to "did that answer your question?"."""
    record = await session.get(AnswerRecord, answer_id)
    if record is None:
        raise errors.not_found("Answer")
    record.helpful = helpful
    record.feedback_at = utcnow()
    await session.flush()
    return record
