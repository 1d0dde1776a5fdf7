"""The portal's help articles as residents read them: which published version a reader answered about, so
feedback is counted against the text they saw.

Reads only; never serves an unpublished version or another article's.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.knowledge import service as knowledge
from townsquare.knowledge.models import Article, ArticleVersion
from townsquare.knowledge.service import LiveArticle


async def read_version(session: AsyncSession, *, slug: str, version: str) -> LiveArticle | None:
    """The version of the article at `slug` the resident read: the live one, or an earlier published one."""
    live = await knowledge.live_by_slug(session, slug=slug)
    if live is None:
        return None
    try:
        version_id = uuid.UUID(version[:40])
    except ValueError:
        return live  # the form always sends it; without it, the version live now is the one read
    if version_id == live.version_id:
        return live
    row = await session.get(ArticleVersion, version_id)
    if row is None or row.article_id != live.article_id or row.published_at is None:
        return live
    article = await session.get(Article, row.article_id)
    if article is None:
        return live
    return LiveArticle(
        article_id=article.id,
        version_id=row.id,
        number=row.number,
        slug=article.slug,
        language=article.language,
        group_id=article.group_id,
        agency_id=article.agency_id,
        title=row.title,
        summary=row.summary,
        body=row.body,
        short_answer=row.short_answer,
        voice_script=row.voice_script,
        service_codes=list(row.service_codes or []),
        published_at=row.published_at,
        updated_on=row.published_at.date(),
    )
