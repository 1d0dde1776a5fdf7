"""The search index: each live article's words by part (title and keywords, summary and short answer, body) as
stems marked with their language, a BM25 index (bm25s) over them with titles and keywords counting more, each
article's popularity, and how telling a word is over the answers that hold it.
"""

from __future__ import annotations

import math
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from typing import Any

import bm25s  # type: ignore[import-untyped]
import numpy as np

from townsquare.knowledge.rendering import plain_text
from townsquare.knowledge.service import LiveArticle
from townsquare.knowledge.wording import INTENT_ARTICLE, SYNONYMS, intents_of, stem_all, words

TITLE_REPEAT = 3  # a word in the title counts as three in the body
KEYWORDS_REPEAT = 2
BM25_K1 = 1.5  # term-frequency saturation (Lucene's BM25 defaults)
BM25_B = 0.75  # length normalisation
POPULARITY_WEIGHT = 0.15  # the most-used service's articles score up to 15% higher
SYNONYM_SHARE = 0.5  # an answer holding only a synonym of a word counts half when weighing how telling the word is


@dataclass(frozen=True)
class Doc:
    """One live article as search sees it."""

    live: LiveArticle
    core: frozenset[str]  # stems of the title and keywords
    head: frozenset[str]  # stems of the summary and short answer
    body: frozenset[str]  # stems of the body
    popularity: float  # 0..1
    offers: frozenset[str] = frozenset()  # the intents its title or keywords speak of ("~when")
    pairs: frozenset[tuple[str, str]] = frozenset()  # stems next to each other in its title or one of its keywords


@dataclass
class Snapshot:
    """The index of every live article at one revision and day."""

    revision: int
    day: date
    docs: list[Doc] = field(default_factory=list)
    retriever: bm25s.BM25 | None = None
    boost: Any = None  # numpy array: 1 + POPULARITY_WEIGHT * popularity, per doc
    vectors: Any = None  # numpy array of unit-length article embeddings (semantic retrieval only)
    df: dict[str, int] = field(default_factory=dict)
    surface: list[str] = field(default_factory=list)  # every folded word seen, for typo correction
    known: frozenset[str] = frozenset()
    variants: dict[tuple[uuid.UUID, str], int] = field(default_factory=dict)  # (group, language) -> doc
    group_of: Any = None  # numpy array: each document's answer (language group) as a number
    group_count: int = 0

    def postings(self, token: str) -> Any:
        """Indices of the documents that hold `token` (numpy array)."""
        if self.retriever is None or (tid := self.retriever.vocab_dict.get(token)) is None:
            return np.zeros(0, dtype=int)
        indptr = self.retriever.scores["indptr"]
        return self.retriever.scores["indices"][indptr[tid] : indptr[tid + 1]]

    def _answers(self, tokens: list[str]) -> int:
        """How many answers (language groups) hold any of `tokens`."""
        held = np.zeros(self.answers, dtype=bool)
        for token in tokens:
            held[self.group_of[self.postings(token)]] = True
        return int(held.sum())

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
        """How many answers (language groups) the index holds."""
        return self.group_count

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


def phrase_pairs(live: LiveArticle, cache: dict[str, dict[str, str]]) -> frozenset[tuple[str, str]]:
    """Pairs of stems that follow each other (stop words aside) in the title or in one keyword phrase: "pay tax"
    in a keyword says more about "how to pay taxes" than "pay" and "tax" apart in a body."""
    stem_cache = cache.setdefault(live.language, {})
    phrases = [live.title, *live.keywords.split(",")]
    return frozenset(
        pair for phrase in phrases for pair in pairwise(stem_all(words(phrase), live.language, stem_cache))
    )


def build(
    revision: int,
    day: date,
    lives: Sequence[LiveArticle],
    counts: dict[str, int],
    embed: Callable[[list[LiveArticle]], Any] | None = None,
) -> Snapshot:
    snapshot = Snapshot(revision=revision, day=day)
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
        offers = frozenset(token for token in core if token.startswith("~"))
        pairs = phrase_pairs(live, stem_caches)
        snapshot.docs.append(
            Doc(live, frozenset(core), frozenset(head), frozenset(body), min(popularity, 1.0), offers, pairs)
        )
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
        snapshot.group_count = len(numbers)
    if embed is not None and snapshot.docs:
        snapshot.vectors = embed([d.live for d in snapshot.docs])
    snapshot.df = dict(df)
    snapshot.surface = sorted(surface | set(SYNONYMS))
    snapshot.known = frozenset(snapshot.df) | frozenset(surface)
    return snapshot
