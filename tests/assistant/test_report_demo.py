"""The demo city's own catalogue and articles: which texts residents would send are taken as reports, of what, and
which are left to the knowledge base (a topic an article answers is not news of a problem)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

import townsquare.demo
from tests.factories import create_agent
from townsquare.agencies import service as agencies
from townsquare.app import Runtime
from townsquare.assistant import report_form
from townsquare.content.catalogue_plan import import_catalogue
from townsquare.content.knowledge import import_knowledge

CONTENT = Path(townsquare.demo.__file__).parent / "content"
REPORTS = {
    "There's a pothole on my street": ["POTHOLE"],
    "Il y a un nid-de-poule devant chez moi": ["POTHOLE"],
    "streetlight out": ["STREETLIGHT"],
    "lampadaire éteint": ["STREETLIGHT"],
    "my garbage was not picked up": ["GARBAGE-MISSED"],
    "la collecte a été oubliée": ["GARBAGE-MISSED"],
    "tree down on Elm": ["TREE"],
    "a branch fell on the road": ["TREE"],  # a fallen branch is the tree service's, wherever it lies
}
TOPICS = ["garbage day", "green bin", "pothole damage to my car"]  # named, but an article answers them
NOTHING = ["I'm locked out", "my property tax bill", "I lost my parking permit", "noise from my neighbour"]


@pytest.fixture
async def demo(session: AsyncSession) -> None:
    await import_catalogue(session, CONTENT / "catalogue")
    await create_agent(session, email="editor@city.example", agencies=await agencies.list_agencies(session))
    await session.commit()
    await import_knowledge(session, CONTENT / "knowledge", author_email="editor@city.example")
    await session.commit()


async def test_the_demo_citys_reports_topics_and_other_messages(
    session: AsyncSession, runtime: Runtime, demo: None
) -> None:
    async def named(text: str) -> report_form.Named | None:
        language = "fr" if any(c in text for c in "éè") or text.startswith("Il ") else "en"
        confidence = runtime.settings.assistant_confidence
        return await report_form.candidates(
            session, runtime.knowledge, text=text, language=language, confidence=confidence
        )

    for text, codes in REPORTS.items():
        found = await named(text)
        assert found is not None, text
        assert [s.code for s in found.services] == codes, text
        assert report_form.tells_of_a_problem(text), text
    for text in TOPICS:
        found = await named(text)
        assert found is not None, text
        assert found.answered, text
        assert not report_form.tells_of_a_problem(text), text
    for text in NOTHING:
        assert await named(text) is None, text
