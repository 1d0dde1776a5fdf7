"""How a question is read against the index (its words, their synonyms and corrected typos, what it asks about)
and how each article is scored: BM25 with the popularity boost, then the best candidates reranked by how much of
the question they account for and where, or blended with meaning when semantic retrieval is on.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from townsquare.knowledge.index import Doc, Snapshot
from townsquare.knowledge.synonyms import STOP_WORDS
from townsquare.knowledge.wording import (
    INTENT_QUESTION,
    INTENT_RIVALS,
    SYNONYMS,
    intents_of,
    stem,
    unabbreviate,
    words,
)

# How strongly a question word found in each part of an article says the article answers it.
IN_CORE = 1.0  # title, keywords
IN_HEAD = 0.75  # summary, short answer
IN_BODY = 0.4
NO_CORE = 0.6  # confidence kept when no question word is in the article's title or keywords
SYNONYM_QUALITY = 0.9
TYPO_QUALITY = 0.8
UNKNOWN_WORD_WEIGHT = 0.6  # share of the rarest word's weight that a word no article uses carries
RERANK = 200  # candidates reranked by coverage: enough that look-alike articles do not crowd out the answer
COVERAGE_FLOOR = 1.0
COVERAGE_POWER = 2.0  # the score is multiplied by (floor + coverage) squared: covering the question beats repeating
INTENT_MISMATCH = 0.7  # kept of the score of an article about something else than what the question asks
PHRASE_BONUS = 0.3  # the score is multiplied by 1 + this for each pair of question words found as a phrase
PHRASE_MAX = 2  # pairs counted at most


@dataclass(frozen=True)
class QueryWord:
    """One word of a question (or what it asks about), with what may stand for it and how much it matters."""

    alternatives: dict[str, float]  # stem -> quality (1 exact, less for a synonym or a corrected typo)
    weight: float  # how much this word matters (IDF of its best alternative)
    intent: bool = False  # an intent token ("~when"), not a word of the question


@dataclass(frozen=True)
class Semantic:
    """A question's cosine similarity to every document, and how the optional semantic module weighs it."""

    similarity: Any  # numpy array, one value per document
    floor: float
    blend: float
    confidence: Callable[[float], float]


def _typo_limit(word: str) -> int:
    # Four-letter words are left alone: one edit turns most of them into another real word ("talk" → "tale").
    if len(word) < 5 or word.isdigit():
        return 0
    return 1 if len(word) < 8 else 2


def analyse(snapshot: Snapshot, query: str) -> list[QueryWord]:
    """The question's words, each with the stems that may stand for it in either language."""
    query = unabbreviate(query)
    asked = intents_of(query, INTENT_QUESTION)
    if "~status" in asked:  # "never heard back about my report": what went wrong is the request's progress
        asked = [i for i in asked if i != "~problem"]
    result: list[QueryWord] = [
        QueryWord({intent: 1.0}, weight, intent=True)
        for intent in asked
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
        # Only stems some article holds can match: the rest would be looked up for every candidate for nothing.
        result.append(QueryWord({t: q for t, q in alternatives.items() if t in snapshot.df}, weight))
    return result


def coverage(doc: Doc, query: list[QueryWord]) -> float:
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


def phrases(doc: Doc, query: list[QueryWord]) -> int:
    """How many pairs of consecutive question words (stop words aside) the article's title or one of its keywords
    holds as a phrase, in either word's alternatives."""
    if not doc.pairs:
        return 0
    found = 0
    topic = [q for q in query if not q.intent and q.alternatives]
    for first, second in pairwise(topic):
        if any((a, b) in doc.pairs for a in first.alternatives for b in second.alternatives):
            found += 1
    return found


def score_all(snapshot: Snapshot, analysed: list[QueryWord], semantic: Semantic | None, keep: int) -> Any:
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
        candidates = top_indices(lexical, min(len(lexical), RERANK))
        reranked: list[float] = []  # a min-heap of the best `keep` reranked scores
        most = (COVERAGE_FLOOR + 1.0) ** COVERAGE_POWER * (
            1.0 + PHRASE_BONUS * PHRASE_MAX
        )  # the most a rerank can give
        for i in candidates[np.argsort(-lexical[candidates])].tolist():
            # Words only: once a candidate could not reach the best `keep` even fully covered, none after it can,
            # and left as they are they stay below them.
            if lexical[i] <= 0 or (semantic is None and len(reranked) >= keep and lexical[i] * most <= reranked[0]):
                break
            doc = snapshot.docs[i]
            fit = COVERAGE_FLOOR + coverage(doc, analysed)
            if asked and doc.offers and mismatched(asked, doc.offers):
                fit *= INTENT_MISMATCH
            lexical[i] *= fit**COVERAGE_POWER * (1.0 + PHRASE_BONUS * min(phrases(doc, analysed), PHRASE_MAX))
            heapq.heappush(reranked, float(lexical[i]))
            if len(reranked) > keep:
                heapq.heappop(reranked)
    if semantic is None:
        return lexical
    similarity = semantic.similarity
    blended = np.zeros(len(snapshot.docs), dtype=float)
    top = float(lexical.max())
    candidates = set(top_indices(lexical, keep).tolist()) | set(top_indices(similarity, keep).tolist())
    for i in candidates:
        if lexical[i] <= 0 and similarity[i] < semantic.floor:
            continue
        words_part = lexical[i] / top * coverage(snapshot.docs[i], analysed) if top > 0 else 0.0
        blended[i] = (1 - semantic.blend) * words_part + semantic.blend * max(float(similarity[i]), 0.0)
    return blended


def mismatched(asked: frozenset[str] | set[str], offers: frozenset[str]) -> bool:
    """Whether the article is about another side of the topic than the question asks: it asks when and the
    article is about a problem, or it asks to apply and the article is about renewing."""
    return any(asked & rivals and offers & rivals and not asked & offers & rivals for rivals in INTENT_RIVALS)


def top_indices(scores: Any, keep: int) -> Any:
    """Indices of the `keep` highest scores (in no particular order)."""
    if keep >= len(scores):
        return np.arange(len(scores))
    return np.argpartition(-scores, keep - 1)[:keep]
