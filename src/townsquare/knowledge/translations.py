"""Language versions of one answer kept in step: a version is out of date when another language's version was
published after it was last published or checked.

Publishing a version counts as checking it (its author wrote it against the others), and a translation published
to catch up puts the versions it followed in step with it; staff who read a version against a newer other language
and find nothing to change say so (`mark_checked`). The desk shows which versions need an
update; the assistant, answering with one, says it may be older than the other language's. Never commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.clock import utcnow
from townsquare.knowledge.models import Article, ArticleVersion
from townsquare.staff import service as staff


@dataclass(frozen=True)
class Outdated:
    """A language version that another language's newer publication left behind."""

    article_id: uuid.UUID
    newer_language: str  # the version that changed since
    newer_published_at: datetime


async def outdated(session: AsyncSession, *, article_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Outdated]:
    """Which of these articles need an update, keyed by article id (the others are in step)."""
    wanted = set(article_ids)
    if not wanted:
        return {}
    groups = select(Article.group_id).where(Article.id.in_(wanted)).scalar_subquery()
    rows = await session.execute(
        select(
            Article.id, Article.group_id, Article.language, Article.checked_at, func.max(ArticleVersion.published_at)
        )
        .outerjoin(ArticleVersion, ArticleVersion.article_id == Article.id)
        .where(Article.group_id.in_(groups), Article.archived.is_(False))
        .group_by(Article.id, Article.group_id, Article.language, Article.checked_at)
    )
    by_group: dict[uuid.UUID, list[tuple[uuid.UUID, str, datetime | None, datetime | None]]] = {}
    for article_id, group_id, language, checked_at, published_at in rows.all():
        by_group.setdefault(group_id, []).append((article_id, language, checked_at, published_at))
    found: dict[uuid.UUID, Outdated] = {}
    for members in by_group.values():
        for article_id, _language, checked_at, published_at in members:
            if article_id not in wanted or published_at is None:
                continue
            in_step_at = max(t for t in (checked_at, published_at) if t is not None)
            newer = [(p, lang) for other, lang, _, p in members if other != article_id and p and p > in_step_at]
            if newer:
                when, language = max(newer)
                found[article_id] = Outdated(article_id, language, when)
    return found


async def in_step_with(session: AsyncSession, *, article_id: uuid.UUID, at: datetime) -> None:
    """The other language versions of this article's group are in step with it as of `at` (it just caught up)."""
    article = await session.get_one(Article, article_id)
    others = await session.execute(
        select(Article).where(Article.group_id == article.group_id, Article.id != article.id)
    )
    for other in others.scalars():
        other.checked_at = max(t for t in (other.checked_at, at) if t is not None)
    await session.flush()


async def mark_checked(session: AsyncSession, *, article_id: uuid.UUID, staff_id: uuid.UUID) -> None:
    """Staff read this version against the other languages and it says the same: it is in step again."""
    article = await session.get_one(Article, article_id)
    article.checked_at = utcnow()
    staff.audit(
        session,
        actor_kind="staff",
        actor_id=str(staff_id),
        action="knowledge.translation_checked",
        subject_kind="article",
        subject_id=str(article_id),
        agency_id=article.agency_id,
    )
    await session.flush()
