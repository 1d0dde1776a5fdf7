"""One search for the portal, the desk, the assistant and the IVR: BM25 (bm25s) over the live articles of both
languages, with Snowball stemming, accent folding, synonyms, typo correction and a service-popularity boost.

The index is a cache of what is live, never a source of answers: it rebuilds whenever `KnowledgeRevision` moved or
the date changed, and callers read the version they give from the database (`service.live*`).
"""

from __future__ import annotations

import asyncio
import importlib
import math
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import bm25s  # type: ignore[import-untyped]
import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA
from sqlalchemy import column, func, select, table
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Service
from townsquare.clock import utcnow
from townsquare.knowledge import service as knowledge
from townsquare.knowledge.models import LANGUAGES
from townsquare.knowledge.rendering import plain_text
from townsquare.knowledge.service import LiveArticle
from townsquare.knowledge.synonyms import STOP_WORDS
from townsquare.knowledge.wording import (
    INTENT_ARTICLE,
    INTENT_QUESTION,
    SYNONYMS,
    intents_of,
    stem,
    stem_all,
    words,
)
from townsquare.settings import Settings

TITLE_REPEAT = 3  # a word in the title counts as three in the body
KEYWORDS_REPEAT = 2
BM25_K1 = 1.5  # term-frequency saturation (Lucene's BM25 defaults)
BM25_B = 0.75  # length normalisation
POPULARITY_WEIGHT = 0.15  # the most-used service's articles score up to 15% higher
POPULARITY_DAYS = 90
# How strongly a question word found in each part of an article says the article answers it.
IN_CORE = 1.0  # title, keywords
IN_HEAD = 0.75  # summary, short answer
IN_BODY = 0.4
NO_CORE = 0.6  # confidence kept when no question word is in the article's title or keywords
SYNONYM_QUALITY = 0.9
TYPO_QUALITY = 0.8
UNKNOWN_WORD_WEIGHT = 0.6  # share of the rarest word's weight that a word no article uses carries
AMBIGUITY_PENALTY = 0.3
RERANK = 200  # candidates reranked by coverage: enough that look-alike articles do not crowd out the answer
COVERAGE_FLOOR = 1.0
COVERAGE_POWER = 2.0  # the score is multiplied by (floor + coverage) squared: covering the question beats repeating
SYNONYM_SHARE = 0.5  # an answer holding only a synonym of a word counts half when weighing how telling the word is
INTENT_MISMATCH = 0.7  # kept of the score of an article about something else than what the question asks

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


# ---------------------------------------------------------------------------------------------------------------
# The index


@dataclass(frozen=True)
class _Doc:
    live: LiveArticle
    core: frozenset[str]  # stems of the title and keywords
    head: frozenset[str]  # stems of the summary and short answer
    body: frozenset[str]  # stems of the body
    popularity: float  # 0..1


@dataclass(frozen=True)
class _QueryWord:
    alternatives: dict[str, float]  # stem -> quality (1 exact, less for a synonym or a corrected typo)
    weight: float  # how much this word matters (IDF of its best alternative)
    intent: bool = False  # an intent token ("~when"), not a word of the question


@dataclass(frozen=True)
class _Semantic:
    """A question's cosine similarity to every document, and how the optional semantic module weighs it."""

    similarity: Any  # numpy array, one value per document
    floor: float
    blend: float
    confidence: Callable[[float], float]


@dataclass
class _Snapshot:
    revision: int
    day: date
    docs: list[_Doc] = field(default_factory=list)
    retriever: bm25s.BM25 | None = None
    boost: Any = None  # numpy array: 1 + POPULARITY_WEIGHT * popularity, per doc
    vectors: Any = None  # numpy array of unit-length article embeddings (semantic retrieval only)
    df: dict[str, int] = field(default_factory=dict)
    surface: list[str] = field(default_factory=list)  # every folded word seen, for typo correction
    known: frozenset[str] = frozenset()
    variants: dict[tuple[uuid.UUID, str], int] = field(default_factory=dict)  # (group, language) -> doc
    group_of: Any = None  # numpy array: each document's answer (language group) as a number

    def postings(self, token: str) -> Any:
        """Indices of the documents that hold `token` (numpy array)."""
        if self.retriever is None or (tid := self.retriever.vocab_dict.get(token)) is None:
            return np.zeros(0, dtype=int)
        indptr = self.retriever.scores["indptr"]
        return self.retriever.scores["indices"][indptr[tid] : indptr[tid + 1]]

    def _answers(self, tokens: list[str]) -> int:
        """How many answers (language groups) hold any of `tokens`."""
        found = [self.postings(t) for t in tokens]
        return int(np.unique(self.group_of[np.concatenate(found)]).size) if found else 0

    def weight(self, alternatives: dict[str, float]) -> float | None:
        """How telling a question word is (None when no article uses it): the IDF over answers, each counted once
        whatever its languages, of those holding the word itself, plus a share of those holding only one of its
        synonyms (a synonym means the same only some of the time)."""
        present = {t: q for t, q in alternatives.items() if t in self.df}
        if not present:
            return None
        best = max(present.values())
        holding = self._answers([t for t, q in present.items() if q >= best])
        near = self._answers(list(present))
        df = holding + SYNONYM_SHARE * (near - holding)
        return math.log(1 + (self.answers - df + 0.5) / (df + 0.5))

    @property
    def answers(self) -> int:
        return int(self.group_of.max()) + 1 if self.docs else 0

    @property
    def idf_max(self) -> float:
        return math.log(1 + (self.answers - 0.5) / 1.5) if self.docs else 1.0


def _doc_tokens(
    live: LiveArticle, cache: dict[str, dict[str, str]]
) -> tuple[list[str], list[str], list[str], list[str], list[str]]:
    """(tokens for BM25, core stems, head stems, body stems, surface words) of one live article."""
    lang = live.language
    stem_cache = cache.setdefault(lang, {})

    def stems(text: str) -> tuple[list[str], list[str]]:
        found = words(text)
        return stem_all(found, lang, stem_cache), found

    title, title_words = stems(live.title)
    title += intents_of(f"{live.title}. {live.keywords}", INTENT_ARTICLE)
    keywords, keyword_words = stems(live.keywords)
    summary, summary_words = stems(live.summary)
    short, short_words = stems(live.short_answer)
    body, body_words = stems(plain_text(live.body, links=False))
    tokens = title * TITLE_REPEAT + keywords * KEYWORDS_REPEAT + summary + short + body
    surface = title_words + keyword_words + summary_words + short_words + body_words
    return tokens, title + keywords, summary + short, body, surface


def _build(
    revision: int,
    day: date,
    lives: Sequence[LiveArticle],
    counts: dict[str, int],
    embed: Callable[[list[LiveArticle]], Any] | None = None,
) -> _Snapshot:
    snapshot = _Snapshot(revision=revision, day=day)
    top = max(counts.values(), default=0)
    corpus: list[list[str]] = []
    surface: set[str] = set()
    stem_caches: dict[str, dict[str, str]] = {}
    df: Counter[str] = Counter()
    for live in sorted(lives, key=lambda a: (a.slug, a.language)):
        tokens, core, head, body, seen = _doc_tokens(live, stem_caches)
        used = sum(counts.get(code, 0) for code in live.service_codes)
        popularity = math.log1p(used) / math.log1p(top) if top else 0.0
        snapshot.variants[(live.group_id, live.language)] = len(snapshot.docs)
        snapshot.docs.append(_Doc(live, frozenset(core), frozenset(head), frozenset(body), min(popularity, 1.0)))
        corpus.append(tokens or [""])
        surface.update(seen)
        df.update(set(core).union(head, body))
    if corpus:
        retriever = bm25s.BM25(k1=BM25_K1, b=BM25_B)
        retriever.index(corpus, show_progress=False)
        snapshot.retriever = retriever
        snapshot.boost = 1.0 + POPULARITY_WEIGHT * np.array([d.popularity for d in snapshot.docs], dtype=float)
        numbers: dict[uuid.UUID, int] = {}
        snapshot.group_of = np.array([numbers.setdefault(d.live.group_id, len(numbers)) for d in snapshot.docs])
    if embed is not None and snapshot.docs:
        snapshot.vectors = embed([d.live for d in snapshot.docs])
    snapshot.df = dict(df)
    snapshot.surface = sorted(surface | set(SYNONYMS))
    snapshot.known = frozenset(snapshot.df) | frozenset(surface)
    return snapshot


def _typo_limit(word: str) -> int:
    # Four-letter words are left alone: one edit turns most of them into another real word ("talk" → "tale").
    if len(word) < 5 or word.isdigit():
        return 0
    return 1 if len(word) < 8 else 2


def _analyse(snapshot: _Snapshot, query: str) -> list[_QueryWord]:
    """The question's words, each with the stems that may stand for it in either language."""
    result: list[_QueryWord] = [
        _QueryWord({intent: 1.0}, weight, intent=True)
        for intent in intents_of(query, INTENT_QUESTION)
        if (weight := snapshot.weight({intent: 1.0})) is not None
    ]
    seen: set[str] = set()
    for word in words(query):
        if word in seen:
            continue
        seen.add(word)
        bases: dict[str, float] = {word: 1.0}
        stems_of_word = {stem(word, "en"), stem(word, "fr")}
        is_known = word in snapshot.known or bool(stems_of_word & snapshot.df.keys()) or word in SYNONYMS
        if not is_known and (limit := _typo_limit(word)):
            match = process.extractOne(word, snapshot.surface, scorer=OSA.distance, score_cutoff=limit)
            if match is not None:
                bases = {str(match[0]): TYPO_QUALITY}
        alternatives: dict[str, float] = {}
        for base, quality in bases.items():
            candidates = [(base, quality)] + [(s, quality * SYNONYM_QUALITY) for s in SYNONYMS.get(base, ())]
            for candidate, q in candidates:
                for part in [candidate, *(candidate.split("-") if "-" in candidate else [])]:
                    if part in STOP_WORDS or len(part) < 2:
                        continue
                    for lang in ("en", "fr"):
                        token = stem(part, lang)
                        alternatives[token] = max(alternatives.get(token, 0.0), q)
        weight = snapshot.weight(alternatives)
        if weight is None:  # a word no article uses still counts against how much of the question is answered
            weight = snapshot.idf_max * UNKNOWN_WORD_WEIGHT
        result.append(_QueryWord(alternatives, weight))
    return result


def _coverage(doc: _Doc, query: list[_QueryWord]) -> float:
    """How much of the question (weighted by how telling each word is) the article's text accounts for; what the
    question asks about (an intent) ranks articles but never makes the search sure on its own."""
    query = [q for q in query if not q.intent]
    total = sum(q.weight for q in query)
    if not total:
        return 0.0
    matched = 0.0
    in_core = False
    for q in query:
        best = 0.0
        for token, quality in q.alternatives.items():
            if token in doc.core:
                best, in_core = max(best, quality * IN_CORE), True
            elif token in doc.head:
                best = max(best, quality * IN_HEAD)
            elif token in doc.body:
                best = max(best, quality * IN_BODY)
        matched += q.weight * best
    return matched / total * (1.0 if in_core else NO_CORE)


def _scores(snapshot: _Snapshot, analysed: list[_QueryWord], semantic: _Semantic | None, keep: int) -> Any:
    """Each document's ranking score: BM25 with the popularity boost, or, when semantic retrieval is on, a blend of
    meaning and words for the best candidates of each (words weighted by how much of the question they cover)."""
    # Each question word scores by its best alternative (itself, a synonym, a corrected typo), so a word with many
    # synonyms counts once and cannot outweigh a rarer, more telling word.
    lexical = np.zeros(len(snapshot.docs), dtype=float)
    if snapshot.retriever is not None:
        for q in analysed:
            best = np.zeros(len(snapshot.docs), dtype=float)
            for token, quality in q.alternatives.items():
                if token in snapshot.df:
                    scores = np.asarray(snapshot.retriever.get_scores([token]), dtype=float)
                    np.maximum(best, quality * scores, out=best)
            lexical += best
        lexical *= snapshot.boost
        # Rerank the best candidates by how much of the question each accounts for, and where (title and
        # keywords count most): BM25 alone lets one rare word outweigh the rest of the question.
        asked = {token for q in analysed if q.intent for token in q.alternatives}
        for i in _best(lexical, min(len(lexical), RERANK)).tolist():
            if lexical[i] > 0:
                doc = snapshot.docs[i]
                fit = COVERAGE_FLOOR + _coverage(doc, analysed)
                offered = {token for token in doc.core if token.startswith("~")}
                if asked and offered and not asked & offered:  # asks when, and the article is about a problem
                    fit *= INTENT_MISMATCH
                lexical[i] *= fit**COVERAGE_POWER
    if semantic is None:
        return lexical
    similarity = semantic.similarity
    blended = np.zeros(len(snapshot.docs), dtype=float)
    top = float(lexical.max())
    candidates = set(_best(lexical, keep).tolist()) | set(_best(similarity, keep).tolist())
    for i in candidates:
        if lexical[i] <= 0 and similarity[i] < semantic.floor:
            continue
        words_part = lexical[i] / top * _coverage(snapshot.docs[i], analysed) if top > 0 else 0.0
        blended[i] = (1 - semantic.blend) * words_part + semantic.blend * max(float(similarity[i]), 0.0)
    return blended


def _best(scores: Any, keep: int) -> Any:
    """Indices of the `keep` highest scores (in no particular order)."""
    if keep >= len(scores):
        return np.arange(len(scores))
    return np.argpartition(-scores, keep - 1)[:keep]


def _search(snapshot: _Snapshot, query: str, language: str, limit: int, semantic: _Semantic | None = None) -> list[Hit]:
    if not snapshot.docs or limit <= 0:
        return []
    analysed = _analyse(snapshot, query)
    # Each group has at most one document per language, so this many top documents hold the best `limit` groups
    # and the runner-up that confidence compares against.
    keep = (limit + 1) * len(LANGUAGES)
    scores = _scores(snapshot, analysed, semantic, keep)
    top = _best(scores, keep)
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
        sure = max(_coverage(snapshot.docs[i], analysed) for i in variants or [index])
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
        self._snapshot: _Snapshot | None = None
        self._lock = asyncio.Lock()
        self._semantic: Any = None  # the semantic module, imported on first use only when the setting is on
        self._vectors: dict[uuid.UUID, Any] = {}  # embeddings by version id: a version's text never changes

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

    async def refresh(self, session: AsyncSession) -> None:
        """Rebuild from the live versions now."""
        async with self._lock:
            await self._rebuild(session, await knowledge.current_revision(session), knowledge.today_utc())

    async def _rebuild(self, session: AsyncSession, revision: int, day: date) -> _Snapshot:
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

        snapshot = await asyncio.to_thread(_build, revision, day, lives, counts, embed)
        self._snapshot = snapshot
        return snapshot

    async def _current(self, session: AsyncSession) -> _Snapshot:
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
        module = self._semantic_module()
        semantic = None
        if module is not None and snapshot.vectors is not None:
            vector = (await asyncio.to_thread(module.shared_embedder().embed, [query]))[0]
            semantic = _Semantic(snapshot.vectors @ vector, module.FLOOR, module.BLEND, module.confidence)
        return _search(snapshot, query, language, limit, semantic)
