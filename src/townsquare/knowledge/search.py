"""One search for the portal, the desk, the assistant and the IVR: BM25 (bm25s) over the live articles of both
languages, with Snowball stemming, accent folding, synonyms, typo correction and a service-popularity boost.

The index is a cache of what is live, never a source of answers: it rebuilds whenever `KnowledgeRevision` moved or
the date changed, and callers read the version they give from the database (`service.live*`).
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from sqlalchemy import column, func, select, table
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Service
from townsquare.clock import utcnow
from townsquare.knowledge import service as knowledge
from townsquare.knowledge.index import Snapshot, build
from townsquare.knowledge.models import LANGUAGES
from townsquare.knowledge.ranking import Semantic, analyse, coverage, score_all, top_indices
from townsquare.knowledge.service import LiveArticle
from townsquare.knowledge.wording import words
from townsquare.settings import Settings

POPULARITY_DAYS = 90
AMBIGUITY_PENALTY = 0.3
# Answers kept per process for the index they were found in: an agent's work page searches its contact's words
# again at every reload, and many residents ask the portal and the assistant the same few questions. Kept by a
# digest of the words, never the words (they may be a person's).
ANSWERS_KEPT = 512

# Cases live in a module on the same layer as this one; popularity needs two of their columns, not their code.
_cases = table("cases", column("service_id"), column("created_at"))


@dataclass(frozen=True)
class Hit:
    """One article found; `confidence` in [0, 1] says how sure the search is that it answers the question."""

    article_id: uuid.UUID
    version_id: uuid.UUID
    group_id: uuid.UUID
    slug: str
    language: str
    title: str
    summary: str
    short_answer: str
    service_codes: tuple[str, ...]
    score: float
    confidence: float


def _search(snapshot: Snapshot, query: str, language: str, limit: int, semantic: Semantic | None = None) -> list[Hit]:
    if not snapshot.docs or limit <= 0:
        return []
    analysed = analyse(snapshot, query)
    # Each group has at most one document per language, so this many top documents hold the best `limit` groups
    # and the runner-up that confidence compares against.
    keep = (limit + 1) * len(LANGUAGES)
    scores = score_all(snapshot, analysed, semantic, keep)
    top = top_indices(scores, keep)
    best: dict[uuid.UUID, tuple[float, int]] = {}
    for found in top[scores[top] > 0].tolist():
        doc = snapshot.docs[found]
        score = float(scores[found])
        if score > best.get(doc.live.group_id, (0.0, -1))[0]:
            best[doc.live.group_id] = (score, found)
    ranked = sorted(best.items(), key=lambda item: (-item[1][0], snapshot.docs[item[1][1]].live.slug))
    hits: list[Hit] = []
    for position, (group_id, (score, index)) in enumerate(ranked[:limit]):
        rival = ranked[1][1][0] if position == 0 and len(ranked) > 1 else ranked[0][1][0] if position else 0.0
        ratio = min(rival / score, 1.0) if score else 1.0
        # The question may be worded like either language's variant: the better-covered one speaks for the group.
        variants = [i for lang in LANGUAGES if (i := snapshot.variants.get((group_id, lang))) is not None]
        sure = max(coverage(snapshot.docs[i], analysed) for i in variants or [index])
        if semantic is not None:
            sure = max(sure, max(semantic.confidence(float(semantic.similarity[i])) for i in variants or [index]))
        confidence = sure * (1.0 - AMBIGUITY_PENALTY * ratio**2)
        shown = snapshot.docs[snapshot.variants.get((group_id, language), index)].live
        hits.append(
            Hit(
                article_id=shown.article_id,
                version_id=shown.version_id,
                group_id=group_id,
                slug=shown.slug,
                language=shown.language,
                title=shown.title,
                summary=shown.summary,
                short_answer=shown.short_answer,
                service_codes=tuple(shown.service_codes),
                score=round(score, 6),
                confidence=round(max(0.0, min(confidence, 1.0)), 4),
            )
        )
    return hits


async def service_popularity(session: AsyncSession) -> dict[str, int]:
    """Cases opened per service code in the last 90 days."""
    since = utcnow() - timedelta(days=POPULARITY_DAYS)
    stmt = (
        select(Service.code, func.count())
        .select_from(_cases)
        .join(Service, Service.id == _cases.c.service_id)
        .where(_cases.c.created_at >= since)
        .group_by(Service.code)
    )
    return {str(code): int(n) for code, n in (await session.execute(stmt))}


class KnowledgeIndex:
    """The process's search index over the live articles; rebuilt on the first search after anything changed."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._snapshot: Snapshot | None = None
        self._lock = asyncio.Lock()
        self._semantic: Any = None  # the semantic module, imported on first use only when the setting is on
        self._vectors: dict[uuid.UUID, Any] = {}  # embeddings by version id: a version's text never changes
        self._answers: OrderedDict[tuple[int, date, str, int, bytes], tuple[Hit, ...]] = OrderedDict()

    def _semantic_module(self) -> Any:
        if not self.settings.knowledge_semantic:
            return None
        if self._semantic is None:
            self._semantic = importlib.import_module("townsquare.knowledge.semantic")
        return self._semantic

    @property
    def revision(self) -> int | None:
        """The revision the index was last built at (None before its first search)."""
        return self._snapshot.revision if self._snapshot else None

    def forget_answers(self) -> None:
        """Search again for every question (the answers kept belong to the ranking as it was)."""
        self._answers.clear()

    async def refresh(self, session: AsyncSession) -> None:
        """Rebuild from the live versions now."""
        async with self._lock:
            await self._rebuild(session, await knowledge.current_revision(session), knowledge.today_utc())

    async def _rebuild(self, session: AsyncSession, revision: int, day: date) -> Snapshot:
        lives = await knowledge.live_all(session, today=day)
        counts = await service_popularity(session)
        module = self._semantic_module()
        embed = None
        if module is not None:

            def embed(docs: list[LiveArticle]) -> Any:
                # Only versions not embedded before: a publication re-embeds one article, not all of them.
                missing = [d for d in docs if d.version_id not in self._vectors]
                if missing:
                    fresh = module.shared_embedder().embed([module.article_text(d) for d in missing])
                    self._vectors.update(zip((d.version_id for d in missing), fresh, strict=True))
                self._vectors = {d.version_id: self._vectors[d.version_id] for d in docs}
                return np.stack([self._vectors[d.version_id] for d in docs])

        snapshot = await asyncio.to_thread(build, revision, day, lives, counts, embed)
        self._snapshot = snapshot
        self._answers.clear()  # found in the index before
        return snapshot

    async def _current(self, session: AsyncSession) -> Snapshot:
        revision = await knowledge.current_revision(session)
        day = knowledge.today_utc()
        snapshot = self._snapshot
        if snapshot is not None and (snapshot.revision, snapshot.day) == (revision, day):
            return snapshot
        async with self._lock:
            snapshot = self._snapshot
            if snapshot is not None and (snapshot.revision, snapshot.day) == (revision, day):
                return snapshot
            return await self._rebuild(session, revision, day)

    async def search(self, session: AsyncSession, query: str, *, language: str = "en", limit: int = 5) -> list[Hit]:
        """The best articles for `query`, one per language group (in `language` when that variant is live)."""
        if not words(query):
            return []
        snapshot = await self._current(session)
        digest = hashlib.sha256(query.encode("utf-8", "surrogatepass")).digest()
        key = (snapshot.revision, snapshot.day, language, limit, digest)
        kept = self._answers.get(key)
        if kept is not None:
            self._answers.move_to_end(key)
            return list(kept)
        module = self._semantic_module()
        semantic = None
        if module is not None and snapshot.vectors is not None:
            vector = (await asyncio.to_thread(module.shared_embedder().embed, [query]))[0]
            semantic = Semantic(snapshot.vectors @ vector, module.FLOOR, module.BLEND, module.confidence)
        hits = _search(snapshot, query, language, limit, semantic)
        if self._snapshot is snapshot:  # not rebuilt while the query was embedded
            self._answers[key] = tuple(hits)
            if len(self._answers) > ANSWERS_KEPT:
                self._answers.popitem(last=False)
        return hits
