"""Search: synonyms, typos, both languages, one hit per group, popularity, freshness after publication, confidence."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_article, create_service, create_staff
from townsquare.cases import service as cases
from townsquare.content.catalogue_plan import import_catalogue
from townsquare.content.knowledge import import_knowledge
from townsquare.demo.city import CATALOGUE_DIR, KNOWLEDGE_DIR
from townsquare.knowledge import service as knowledge
from townsquare.knowledge.search import KnowledgeIndex
from townsquare.knowledge.wording import fold, words
from townsquare.settings import Settings
from townsquare.staff.models import StaffRole

if TYPE_CHECKING:
    from townsquare.app import Runtime

ARTICLES: list[dict[str, Any]] = [
    {
        "slug": "report-a-pothole",
        "title": "Report a pothole",
        "summary": "Tell the city about a pothole on a street, lane or bike path.",
        "body": "Give the **nearest address** and a photo if you can. Crews fill most potholes within 5 days.",
        "short_answer": "Report a pothole online or by text; crews fix most within 5 days.",
        "keywords": "hole in the road, road damage",
        "service_codes": ("POTHOLE",),
        "fr": {
            "slug": "signaler-un-nid-de-poule",
            "title": "Signaler un nid-de-poule",
            "summary": "Signalez un nid-de-poule dans une rue, une ruelle ou une piste cyclable.",
            "body": "Donnez l'**adresse la plus proche** et une photo. Les équipes réparent la plupart en 5 jours.",
            "short_answer": "Signalez un nid-de-poule en ligne; réparé en 5 jours la plupart du temps.",
        },
    },
    {
        "slug": "garbage-collection-day",
        "title": "Garbage collection day",
        "summary": "Find out which day your garbage is picked up and what goes in the bin.",
        "body": "Put your bin at the curb by 7 a.m. on your collection day. Holidays move collection by one day.",
        "short_answer": "Garbage is collected weekly; put the bin out by 7 a.m. on your day.",
        "service_codes": ("MISSED_PICKUP",),
        "fr": {
            "slug": "jour-de-collecte-des-ordures",
            "title": "Jour de collecte des ordures",
            "summary": "Quel jour vos ordures ménagères sont ramassées et ce qui va dans le bac.",
            "body": "Placez votre bac en bordure avant 7 h le jour de la collecte. Les fériés décalent la collecte.",
            "short_answer": "Les ordures sont ramassées chaque semaine; sortez le bac avant 7 h.",
        },
    },
    {
        "slug": "dog-licence",
        "title": "Get or renew a dog licence",
        "summary": "Every dog over three months old needs a licence, renewed each year.",
        "body": "A licence costs $25, or $15 for a spayed or neutered dog. Renew online before March 31.",
        "short_answer": "Dogs need a yearly licence ($25, $15 if spayed or neutered); renew online by March 31.",
        "service_codes": ("DOG_LICENCE",),
        "fr": {
            "slug": "permis-pour-chien",
            "title": "Obtenir ou renouveler un permis pour chien",
            "summary": "Tout chien de plus de trois mois doit avoir un permis, renouvelé chaque année.",
            "body": "Le permis coûte 25 $, ou 15 $ pour un chien stérilisé. Renouvelez en ligne avant le 31 mars.",
            "short_answer": "Les chiens ont besoin d'un permis annuel; renouvelez en ligne avant le 31 mars.",
        },
    },
    {
        "slug": "pay-property-tax",
        "title": "Pay your property tax",
        "summary": "Ways to pay your property tax bill and the due dates.",
        "body": "Pay online, at your bank, or at City Hall. Instalments are due in February and June.",
        "short_answer": "Pay property tax online, at your bank or at City Hall; due in February and June.",
        "service_codes": ("PROPERTY_TAX",),
    },
    {
        "slug": "residential-parking-permit",
        "title": "Residential parking permit",
        "summary": "Park on your street during restricted hours with a residential permit.",
        "body": "Apply online with proof of address. A permit costs $60 a year per vehicle.",
        "short_answer": "Apply online with proof of address; $60 a year per vehicle.",
        "service_codes": ("PARKING_PERMIT",),
    },
]


async def _corpus(session: AsyncSession) -> dict[str, Any]:
    agency = await create_agency(session)
    made: dict[str, Any] = {}
    for spec in ARTICLES:
        fields = {k: v for k, v in spec.items() if k != "fr"}
        english = await create_article(session, agency=agency, **fields)
        made[english.slug] = english
        if "fr" in spec:
            french = await create_article(
                session,
                agency=agency,
                language="fr",
                variant_of=english.article_id,
                keywords=spec.get("keywords", ""),
                service_codes=spec["service_codes"],
                **spec["fr"],
            )
            made[french.slug] = french
    return made


@pytest.fixture
def index(settings: Settings) -> KnowledgeIndex:
    return KnowledgeIndex(settings)


async def _top(index: KnowledgeIndex, session: AsyncSession, query: str, language: str = "en") -> str | None:
    hits = await index.search(session, query, language=language)
    return hits[0].slug if hits else None


def test_folding_and_stop_words() -> None:
    assert fold("Déchets Été") == "dechets ete"
    assert words("How do I report a pothole?") == ["report", "pothole"]
    assert words("Comment signaler un nid-de-poule") == ["signaler", "nid-de-poule", "nid", "poule"]
    assert words("the of and à la") == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("pothole", "report-a-pothole"),
        ("when is trash picked up", "garbage-collection-day"),  # synonym: trash → garbage
        ("waste pickup", "garbage-collection-day"),
        ("potholle", "report-a-pothole"),  # typo
        ("licnese for my dog", "dog-licence"),  # typo (transposition)
        ("dog license", "dog-licence"),  # spelling variant
        ("renew a dog licence", "dog-licence"),
        ("how much is the tax on my house", "pay-property-tax"),
        ("parking permit for my street", "residential-parking-permit"),
    ],
)
async def test_english_questions_find_their_article(
    session: AsyncSession, index: KnowledgeIndex, query: str, expected: str
) -> None:
    await _corpus(session)
    assert await _top(index, session, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("collecte des déchets", "jour-de-collecte-des-ordures"),
        ("collecte des dechets", "jour-de-collecte-des-ordures"),  # without accents
        ("quand passent les ordures ménagères", "jour-de-collecte-des-ordures"),
        ("nid de poule", "signaler-un-nid-de-poule"),
        ("renouveler le permis de mon chien", "permis-pour-chien"),
        ("permis chein", "permis-pour-chien"),  # typo
    ],
)
async def test_french_questions_find_the_french_variant(
    session: AsyncSession, index: KnowledgeIndex, query: str, expected: str
) -> None:
    await _corpus(session)
    assert await _top(index, session, query, language="fr") == expected


async def test_one_hit_per_group_in_the_asked_language(session: AsyncSession, index: KnowledgeIndex) -> None:
    made = await _corpus(session)
    english = await index.search(session, "nid-de-poule pothole", language="en")
    assert [h.slug for h in english] == ["report-a-pothole"]
    french = await index.search(session, "pothole", language="fr")
    assert [h.slug for h in french] == ["signaler-un-nid-de-poule"]
    hit = french[0]
    live = made["signaler-un-nid-de-poule"]
    assert (hit.article_id, hit.version_id, hit.group_id, hit.language) == (
        live.article_id,
        live.version_id,
        live.group_id,
        "fr",
    )
    # An English-only article is still found from French, in English.
    assert [h.slug for h in await index.search(session, "taxe foncière", language="fr")] == ["pay-property-tax"]


async def test_empty_and_stop_word_only_queries_find_nothing(session: AsyncSession, index: KnowledgeIndex) -> None:
    await _corpus(session)
    assert await index.search(session, "") == []
    assert await index.search(session, "   ") == []
    assert await index.search(session, "how do I the of") == []
    assert await index.search(session, "pothole", limit=0) == []


async def test_popularity_breaks_a_tie(session: AsyncSession, index: KnowledgeIndex) -> None:
    agency = await create_agency(session)
    quiet = await create_service(session, agency=agency, code="QUIET", name="Quiet")
    busy = await create_service(session, agency=agency, code="BUSY", name="Busy")
    for slug, code in (("streetlight-a", "QUIET"), ("streetlight-b", "BUSY")):
        await create_article(
            session,
            agency=agency,
            slug=slug,
            title="Broken streetlight",
            summary="Tell us about a broken streetlight.",
            body="Give the pole number.",
            service_codes=(code,),
        )
    assert [h.slug for h in await index.search(session, "broken streetlight")] == ["streetlight-a", "streetlight-b"]

    for _ in range(3):
        await cases.open_case(session, prefix="TS", agency_id=agency.id, title="Light", channel="web",
                              service_id=busy.id)  # fmt: skip
    await cases.open_case(session, prefix="TS", agency_id=agency.id, title="Light", channel="web", service_id=quiet.id)
    await index.refresh(session)  # popularity is read when the index is built
    hits = await index.search(session, "broken streetlight")
    assert [h.slug for h in hits] == ["streetlight-b", "streetlight-a"]
    assert hits[0].score > hits[1].score


async def test_a_publication_is_seen_by_the_next_search(runtime: Runtime, index: KnowledgeIndex) -> None:
    async with runtime.db.session() as session:
        agency = await create_agency(session)
        supervisor = await create_staff(session, email="boss@city.example", role=StaffRole.supervisor)
        await create_article(session, agency=agency, slug="report-a-pothole", title="Report a pothole")
        await session.commit()
        agency_id, supervisor_id = agency.id, supervisor.id
    async with runtime.db.session() as session:
        assert await _top(index, session, "snow removal") is None
        built_at = index.revision

    async with runtime.db.session() as session:
        version = await knowledge.create_article(
            session,
            agency_id=agency_id,
            language="en",
            slug="snow-removal",
            fields=knowledge.ArticleFields(title="Snow removal", summary="When plows clear your street."),
            author_id=None,
        )
        await knowledge.submit(session, version_id=version.id, staff_id=supervisor_id)
        await knowledge.publish(session, version_id=version.id, staff_id=None)
        await session.commit()

    async with runtime.db.session() as session:
        assert await _top(index, session, "snow removal") == "snow-removal"
        assert index.revision != built_at
        await knowledge.withdraw(session, article_id=version.article_id, staff_id=supervisor_id)
        await session.commit()

    async with runtime.db.session() as session:
        assert await _top(index, session, "snow removal") is None


async def test_an_expired_or_future_version_is_not_found(session: AsyncSession, index: KnowledgeIndex) -> None:
    today = knowledge.today_utc()
    await create_article(session, slug="winter-parking-ban", title="Winter parking ban",
                         effective_from=today - timedelta(days=90), effective_until=today)  # fmt: skip
    await create_article(session, slug="summer-water-rules", title="Summer water rules",
                         effective_from=today + timedelta(days=1))  # fmt: skip
    await create_article(session, slug="report-a-pothole", title="Report a pothole")
    assert await index.search(session, "winter parking ban") == []
    assert await index.search(session, "summer water rules") == []
    assert await _top(index, session, "pothole") == "report-a-pothole"


@pytest.mark.parametrize(
    "query",
    [
        "How do I report a pothole on my street?",
        "there is a big hole in the road",
        "when is my garbage picked up",
        "how do I renew my dog's licence",
        "comment renouveler le permis de mon chien",
        "how can I pay my property tax bill",
    ],
)
async def test_a_clear_question_is_answered_with_confidence(
    session: AsyncSession, index: KnowledgeIndex, settings: Settings, query: str
) -> None:
    await _corpus(session)
    hits = await index.search(session, query, language="fr" if "chien" in query else "en")
    assert hits
    assert hits[0].confidence >= settings.assistant_confidence + 0.2, (hits[0].slug, hits[0].confidence)


@pytest.mark.parametrize(
    "query",
    [
        "weather on mars",
        "what is the meaning of life",
        "I have a question",
        "can you help me with something",
        "quelle heure est-il",
        "my neighbour's cat is stuck in a tree",
        "price",
    ],
)
async def test_an_unrelated_or_vague_question_is_not_answered(
    session: AsyncSession, index: KnowledgeIndex, settings: Settings, query: str
) -> None:
    await _corpus(session)
    hits = await index.search(session, query)
    assert not hits or hits[0].confidence <= settings.assistant_confidence - 0.2, (hits[0].slug, hits[0].confidence)


async def test_what_a_question_asks_about_ranks_the_article_that_answers_it(
    session: AsyncSession, index: KnowledgeIndex
) -> None:
    """The same topic words, two questions: asking when is the schedule, saying it did not happen is a problem to
    report (the README's own example once found the missed-collection article first)."""
    await _demo(session)
    assert await _top(index, session, "when is my trash picked up") == "garbage-collection-day"
    assert await _top(index, session, "what day do they pick up the garbage") == "garbage-collection-day"
    assert await _top(index, session, "my trash was not picked up") == "missed-garbage-collection"
    assert await _top(index, session, "quand passe la collecte des ordures", "fr") == "jour-de-collecte-des-ordures"
    assert await _top(index, session, "mes ordures n'ont pas ete ramassees", "fr") == "collecte-oubliee"


async def test_a_french_word_on_an_english_page_finds_what_it_names(
    session: AsyncSession, index: KnowledgeIndex
) -> None:
    """ "permis" is a licence or a permit, never a "pre-authorised" payment plan."""
    await _demo(session)
    hits = await index.search(session, "permis", language="en")
    assert hits
    assert all("licence" in h.title.lower() or "permit" in h.title.lower() for h in hits), [h.title for h in hits]


async def _demo(session: AsyncSession) -> None:
    """The demo city's catalogue and articles."""
    await import_catalogue(session, CATALOGUE_DIR)
    editor = await create_staff(session, email="editor@city.example", role=StaffRole.admin)
    await import_knowledge(session, KNOWLEDGE_DIR, author_email=editor.email)
    await session.commit()


async def test_the_same_question_on_the_same_index_is_answered_from_what_was_kept(
    session: AsyncSession, index: KnowledgeIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    from townsquare.knowledge import search as searching

    scored: list[str] = []
    real = searching._search

    def counted(snapshot: Any, query: str, *rest: Any) -> list[searching.Hit]:
        scored.append(query)
        return real(snapshot, query, *rest)

    monkeypatch.setattr(searching, "_search", counted)
    await _corpus(session)
    first = await index.search(session, "pothole on my street")
    again = await index.search(session, "pothole on my street")
    other = await index.search(session, "pothole on my street", language="fr")
    assert first == again
    assert first
    assert scored == ["pothole on my street", "pothole on my street"]  # once per language, not per asking
    assert other[0].language == "fr"
    assert all(b"pothole" not in key[-1] for key in index._answers)  # a digest is kept, never the words
    await index.refresh(session)  # a new index forgets what the old one answered
    await index.search(session, "pothole on my street")
    assert len(scored) == 3
