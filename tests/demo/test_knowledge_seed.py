"""The demo knowledge base seeds once: 41 answers in English and French, live, linked, fit for every channel."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select

from townsquare.content import catalogue as catalogue_files
from townsquare.content import knowledge as knowledge_files
from townsquare.content.knowledge import import_knowledge
from townsquare.db import Change, Database
from townsquare.demo.city import CATALOGUE_DIR, KNOWLEDGE_DIR
from townsquare.demo.seed import seed
from townsquare.events import EventBus
from townsquare.knowledge import service as knowledge
from townsquare.knowledge.models import SHORT_ANSWER_MAX, Article, ArticleVersion, VersionStatus
from townsquare.staff.models import StaffAccount


def _articles() -> list[dict[str, Any]]:
    """The demo articles as one entry per answer: its group key, agency, services and each language's slug."""
    entries: dict[str, dict[str, Any]] = {}
    for item in knowledge_files.load(KNOWLEDGE_DIR):
        meta = item.meta
        entry = entries.setdefault(meta.group or meta.slug, {"key": meta.group, "agency": meta.agency})
        entry["services"] = list(meta.services)
        entry[meta.language] = {"slug": meta.slug}
    return list(entries.values())


ARTICLES = _articles()


async def seed_knowledge(session: Any) -> int:
    """Import the demo knowledge again; how many articles that created."""
    return (await import_knowledge(session, KNOWLEDGE_DIR)).count("articles", Change.created)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """The database alone: seeding needs no app around it."""
    database = Database(database_url, EventBus())
    yield database
    await database.dispose()


async def test_seeding_twice_gives_every_article_live_once_in_both_languages(db: Database) -> None:
    await seed(db, citizens=5)
    async with db.session() as s:
        await seed_knowledge(s)
        await s.commit()
        revision = await knowledge.current_revision(s)
        assert await seed_knowledge(s) == 0
        await s.commit()
        assert await knowledge.current_revision(s) == revision  # nothing published again

        assert (await s.execute(select(func.count()).select_from(Article))).scalar_one() == 82
        assert (await s.execute(select(func.count()).select_from(ArticleVersion))).scalar_one() == 82
        lives = await knowledge.live_all(s)
        assert len(lives) == 82
        by_slug = {live.slug: live for live in lives}

        authors = set((await s.execute(select(ArticleVersion.author_id).distinct())).scalars())
        assert None not in authors
        assert (
            await s.execute(select(func.count()).select_from(StaffAccount).where(StaffAccount.id.in_(authors)))
        ).scalar_one() == len(authors)
        statuses = set((await s.execute(select(ArticleVersion.status).distinct())).scalars())
        assert statuses == {VersionStatus.published}
        published_by = set((await s.execute(select(ArticleVersion.published_by_id).distinct())).scalars())
        assert published_by == {None}  # the system published the demo content

        for entry in ARTICLES:
            en, fr = by_slug[entry["en"]["slug"]], by_slug[entry["fr"]["slug"]]
            assert (en.language, fr.language) == ("en", "fr")
            assert fr.group_id == en.group_id, entry["key"]
            assert en.agency_id == fr.agency_id
            assert en.service_codes == fr.service_codes == entry["services"]
            variant = await knowledge.live_variant(s, group_id=en.group_id, language="fr")
            assert variant is not None
            assert variant.article_id == fr.article_id
            for live in (en, fr):
                assert 0 < len(live.short_answer) <= SHORT_ANSWER_MAX, live.slug
                assert live.voice_script, live.slug
                assert not any(mark in live.voice_script for mark in ("http", "/", "$", "%", "*")), live.slug
                assert live.title, live.slug
                assert live.summary, live.slug
                assert live.body.count("\n") >= 5, live.slug
        groups = {live.group_id for live in lives}
        assert len(groups) == 41


def test_the_demo_articles_cover_every_demo_agency_and_service() -> None:
    agencies = [a.content for a in catalogue_files.load(CATALOGUE_DIR)]
    AGENCIES = [{"slug": a.agency.slug} for a in agencies]
    SERVICES = [{"code": s.code} for a in agencies for s in a.services]

    assert len(ARTICLES) == 41
    assert len({a["key"] for a in ARTICLES}) == 41
    assert {a["agency"] for a in ARTICLES} == {a["slug"] for a in AGENCIES}
    assert {code for a in ARTICLES for code in a["services"]} == {s["code"] for s in SERVICES}
