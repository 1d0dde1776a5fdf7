"""Seed the demo city's knowledge base: every article of `demo/articles.py` in English, then its French variant,
written by the owning agency's staff, submitted, and published by the system.

Goes through the knowledge workflow (never writes versions directly) and is idempotent: an article whose
address (slug) already exists is left as it is. Never commits; the caller owns the transaction.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Agency
from townsquare.clock import utcnow
from townsquare.demo.articles import ARTICLES
from townsquare.knowledge import service as knowledge
from townsquare.knowledge.models import Article
from townsquare.staff.models import StaffAccount, StaffAgency, StaffRole

REVIEW_AFTER = timedelta(days=365)
CHANGE_NOTE = "Demo content"


async def seed_knowledge(session: AsyncSession) -> int:
    """Create and publish every demo article not there yet (matched by slug); returns how many were created."""
    agencies = {a.slug: a.id for a in (await session.execute(select(Agency))).scalars()}
    review_by = utcnow().date() + REVIEW_AFTER
    created = 0
    for entry in ARTICLES:
        agency_id = agencies.get(entry["agency"])
        if agency_id is None:
            raise RuntimeError(f"Seed the demo catalogue first: agency {entry['agency']!r} is missing.")
        author_id = await _author(session, agency_id)
        original: uuid.UUID | None = None
        for language in ("en", "fr"):
            text = entry[language]
            existing = await session.scalar(select(Article.id).where(Article.slug == text["slug"]))
            if existing is not None:
                original = original or existing
                continue
            version = await knowledge.create_article(
                session,
                agency_id=agency_id,
                language=language,
                slug=text["slug"],
                fields=_fields(text, entry["services"], review_by),
                author_id=author_id,
                change_note=CHANGE_NOTE,
                variant_of=original,
            )
            await knowledge.submit(session, version_id=version.id, staff_id=author_id)
            await knowledge.publish(session, version_id=version.id, staff_id=None)
            original = original or version.article_id
            created += 1
    return created


def _fields(text: dict[str, Any], services: list[str], review_by: date) -> knowledge.ArticleFields:
    return knowledge.ArticleFields(
        title=text["title"],
        summary=text["summary"],
        body=text["body"],
        short_answer=text["short_answer"],
        voice_script=text["voice_script"],
        keywords=text["keywords"],
        service_codes=tuple(services),
        review_by=review_by,
    )


async def _author(session: AsyncSession, agency_id: uuid.UUID) -> uuid.UUID:
    """The agency's first active agent (by email), else its supervisor, else the first active administrator."""
    in_agency = await session.scalar(
        select(StaffAccount.id)
        .join(StaffAgency, StaffAgency.staff_id == StaffAccount.id)
        .where(StaffAgency.agency_id == agency_id, StaffAccount.active.is_(True))
        .order_by(StaffAccount.role != StaffRole.agent, StaffAccount.email)  # a front-line writer first
        .limit(1)
    )
    if in_agency is not None:
        return in_agency
    admin = await session.scalar(
        select(StaffAccount.id)
        .where(StaffAccount.role == StaffRole.admin, StaffAccount.active.is_(True))
        .order_by(StaffAccount.email)
        .limit(1)
    )
    if admin is None:
        raise RuntimeError("Seed the demo staff first: articles need an author to submit them for review.")
    return admin
