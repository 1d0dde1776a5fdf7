"""Searching the service catalogue: every word must match, in English or the page's language, accents and case
aside, name hits first, withdrawn services never."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_service
from townsquare.agencies import service as agencies
from townsquare.content.catalogue import load
from townsquare.demo.city import CATALOGUE_DIR


async def _catalogue(session: AsyncSession) -> None:
    works = await create_agency(session)
    await create_service(
        session,
        agency=works,
        code="POTHOLE",
        name="Report a pothole",
        description="Tell us about a hole in a city street.",
        keywords=["road"],
        translations={"fr": {"name": "Signaler un nid-de-poule", "description": "Un trou dans une rue de la ville."}},
    )
    await create_service(
        session,
        agency=works,
        code="STREETLIGHT",
        name="Street light out",
        description="A street light that is out or flickering.",
        translations={"fr": {"name": "Lampadaire éteint", "keywords": ["éclairage"]}},
    )
    await create_service(
        session,
        agency=works,
        code="TAX",
        name="Property tax enquiry",
        description="Questions about your bill; for potholes use the street service.",
        translations={"fr": {"name": "Question sur l'impôt foncier"}},
    )
    await session.flush()


async def _codes(session: AsyncSession, query: str, language: str = "en") -> list[str]:
    return [s.code for s in await agencies.search_services(session, query=query, language=language)]


async def test_every_word_must_match_and_name_hits_come_first(session: AsyncSession) -> None:
    await _catalogue(session)
    # "pothole" is in the pothole service's name, only in the tax service's description.
    assert await _codes(session, "pothole") == ["POTHOLE", "TAX"]
    assert await _codes(session, "pothole street") == ["POTHOLE", "TAX"]
    assert await _codes(session, "pothole light") == []
    assert await _codes(session, "road") == ["POTHOLE"]  # a keyword
    assert await _codes(session, "light") == ["STREETLIGHT"]
    assert await _codes(session, "REPORT a Pothole") == ["POTHOLE"]  # case, and "a" is too common to count


async def test_french_words_match_with_or_without_accents_on_any_page(session: AsyncSession) -> None:
    await _catalogue(session)
    assert await _codes(session, "nid-de-poule", "fr") == ["POTHOLE"]
    assert await _codes(session, "nid de poule", "fr") == ["POTHOLE"]
    assert await _codes(session, "lampadaire eteint", "fr") == ["STREETLIGHT"]
    assert await _codes(session, "Éclairage", "fr") == ["STREETLIGHT"]  # a French keyword
    assert await _codes(session, "impot", "fr") == ["TAX"]
    assert await _codes(session, "l'impôt foncier", "fr") == ["TAX"]
    assert await _codes(session, "nid-de-poule", "en") == ["POTHOLE"]  # a French word typed on an English page
    assert await _codes(session, "pothole", "fr") == ["POTHOLE", "TAX"]  # English always matches


async def test_withdrawn_services_and_empty_queries_find_nothing(session: AsyncSession) -> None:
    await _catalogue(session)
    pothole = await agencies.get_service(session, code="POTHOLE")
    pothole.active = False
    await session.flush()
    assert await _codes(session, "pothole") == ["TAX"]
    assert await _codes(session, "   ") == []
    assert await _codes(session, "?!") == []


def test_query_words_are_folded_and_common_words_dropped_unless_nothing_else_is_left() -> None:
    assert agencies.query_words("  Où est l'Impôt? ") == ["est", "impot"]
    assert agencies.query_words("the tax of the city") == ["tax", "city"]
    assert agencies.query_words("a") == ["a"]
    many = agencies.query_words("word word " + " ".join(f"w{i}" for i in range(30)))
    assert many == ["word"] + [f"w{i}" for i in range(agencies.MAX_QUERY_WORDS - 1)]  # repeats count once


def test_every_demo_service_and_question_has_french_wording() -> None:
    services = [spec for agency in load(CATALOGUE_DIR) for spec in agency.content.services]
    assert services
    for spec in services:
        french = spec.translations["fr"]
        assert (french.name or "").strip(), spec.code
        assert (french.description or "").strip(), spec.code
        assert (french.group or "").strip(), spec.code
        for attr in spec.attributes:
            wording = attr.translations["fr"]
            assert (wording.description or "").strip(), (spec.code, attr.code)
            if attr.hint:
                assert (wording.hint or "").strip(), (spec.code, attr.code)
            if attr.values:
                assert set(wording.values) == {v.key for v in attr.values}, (spec.code, attr.code)
