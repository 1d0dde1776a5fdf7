"""Help pages at /help/{slug}: the live version in the page's language, its variant, related services, "last
updated", a page-not-found for anything not live, and "did this answer your question?" recorded with the version
read. Portal search returns these articles (marked as guidance) with the services."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_article
from tests.web.portal.test_services import seed_catalogue
from townsquare.agencies.models import Agency
from townsquare.knowledge import service as knowledge
from townsquare.knowledge.models import AnswerRecord, ArticleVersion, VersionStatus

FR = {"accept-language": "fr"}
BODY = """## Before you start

You need the address or the nearest corner.

- a photo helps
- say how deep it is

See the [map](https://maps.example/).

<script>alert("x")</script> <a href="#" onclick="steal()">here</a>
"""


def _text(page: httpx.Response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page.text).split())


def _version(page: httpx.Response) -> str:
    found = re.search(r'<article [^>]*data-article-version="([0-9a-f-]+)"', page.text)
    assert found, "the article element names its version"
    return found.group(1)


async def seed_articles(session: AsyncSession) -> dict[str, Any]:
    """The catalogue, an English article about potholes with its French variant, and a French-only article."""
    await seed_catalogue(session)
    works = (await session.execute(select(Agency).where(Agency.slug == "city-works"))).scalar_one()
    english = await create_article(
        session,
        agency=works,
        slug="fix-a-pothole",
        title="How potholes are fixed",
        summary="What happens after you report a pothole.",
        body=BODY,
        short_answer="We fix reported potholes within 3 working days.",
        keywords="road hole asphalt",
        service_codes=("POTHOLE", "NOPE"),
    )
    french = await create_article(
        session,
        agency=works,
        language="fr",
        slug="reparer-un-nid-de-poule",
        title="Comment les nids-de-poule sont réparés",
        summary="Ce qui se passe après votre signalement.",
        body="Nous réparons les nids-de-poule signalés en 3 jours ouvrables.",
        short_answer="Nous réparons les nids-de-poule en 3 jours ouvrables.",
        service_codes=("POTHOLE",),
        variant_of=english.article_id,
    )
    only_french = await create_article(
        session,
        agency=works,
        language="fr",
        slug="deneigement-des-trottoirs",
        title="Déneigement des trottoirs",
        summary="Quand les trottoirs sont déneigés.",
        body="Les trottoirs sont déneigés après 5 cm de neige.",
    )
    draft = await create_article(session, agency=works, slug="not-yet-published", title="Draft only", publish=False)
    await session.commit()
    return {"en": english, "fr": french, "only_fr": only_french, "draft": draft}


@pytest.fixture
async def articles(session: AsyncSession) -> dict[str, Any]:
    return await seed_articles(session)


async def test_an_article_page_shows_the_live_version_with_related_services(
    client: httpx.AsyncClient, articles: dict[str, Any]
) -> None:
    page = await client.get("/help/fix-a-pothole")
    assert page.status_code == 200
    text = _text(page)
    assert "<title>How potholes are fixed" in page.text
    assert '<h1 class="govuk-heading-xl">How potholes are fixed</h1>' in page.text
    assert "What happens after you report a pothole." in text
    assert re.search(r"Last updated \d{1,2} \w+ \d{4}", text)
    assert _version(page) == str(articles["en"].version_id)
    assert '<h2 class="govuk-heading-m">Before you start</h2>' in page.text  # Markdown with GOV.UK styles
    assert '<ul class="govuk-list govuk-list--bullet">' in page.text
    assert "<script>alert" not in page.text  # sanitised
    assert "onclick" not in page.text
    assert 'class="govuk-link" href="https://maps.example/"' in page.text
    assert '<a class="govuk-link" href="/services/POTHOLE">Report a pothole</a>' in page.text
    assert "/services/NOPE" not in page.text  # a related service that does not exist is left out
    assert "Did this answer your question?" in text
    assert f'<input type="hidden" name="version" value="{articles["en"].version_id}">' in page.text
    # the French variant is offered in French, as a switch of the portal's language
    assert 'name="next" value="/help/reparer-un-nid-de-poule"' in page.text
    assert 'value="fr" lang="fr">Lire cette page en français</button>' in page.text


async def test_a_french_page_shows_the_french_variant_whichever_address_was_used(
    client: httpx.AsyncClient, articles: dict[str, Any]
) -> None:
    for path in ("/help/fix-a-pothole", "/help/reparer-un-nid-de-poule"):
        page = await client.get(path, headers=FR)
        assert page.status_code == 200
        text = _text(page)
        assert '<h1 class="govuk-heading-xl">Comment les nids-de-poule sont réparés</h1>' in page.text
        assert _version(page) == str(articles["fr"].version_id)
        assert "Dernière mise à jour" in text
        assert "Cette page a-t-elle répondu à votre question ?" in text
        assert '<a class="govuk-link" href="/services/POTHOLE">Signaler un nid-de-poule</a>' in page.text
        assert 'value="en" lang="en">Read this page in English</button>' in page.text
    english_page = await client.get("/help/reparer-un-nid-de-poule")
    assert _version(english_page) == str(articles["en"].version_id)  # and the other way round


async def test_an_article_without_a_variant_in_the_page_language_is_shown_marked_with_its_language(
    client: httpx.AsyncClient, articles: dict[str, Any]
) -> None:
    page = await client.get("/help/deneigement-des-trottoirs")
    assert page.status_code == 200
    assert '<h1 class="govuk-heading-xl" lang="fr">Déneigement des trottoirs</h1>' in page.text
    assert "Last updated" in page.text  # the page itself stays in English
    assert "Read this page in English" not in page.text
    assert "Lire cette page en français" not in page.text


@pytest.mark.parametrize("path", ["/help/nothing-here", "/help/not-yet-published", "/help/" + "x" * 300])
async def test_an_unknown_or_unpublished_article_is_a_page_not_found(
    client: httpx.AsyncClient, articles: dict[str, Any], path: str
) -> None:
    page = await client.get(path)
    assert page.status_code == 404
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in page.text
    assert 'class="govuk-template__body"' in page.text
    assert "Page introuvable" in (await client.get(path, headers=FR)).text
    refused = await client.post(f"{path}/feedback", data={"helpful": "yes"})
    assert refused.status_code == 404


async def test_a_withdrawn_article_is_gone_at_once(
    client: httpx.AsyncClient, session: AsyncSession, articles: dict[str, Any]
) -> None:
    from tests.factories import create_staff
    from townsquare.staff.models import StaffRole

    boss = await create_staff(session, email="boss@city.example", role=StaffRole.supervisor)
    await knowledge.withdraw(session, article_id=articles["only_fr"].article_id, staff_id=boss.id)
    await session.commit()
    assert (await client.get("/help/deneigement-des-trottoirs")).status_code == 404


async def _answers(session: AsyncSession) -> list[tuple[uuid.UUID, str, bool | None]]:
    await session.rollback()  # see what the app committed
    rows = await session.execute(
        select(AnswerRecord.version_id, AnswerRecord.channel, AnswerRecord.helpful).order_by(AnswerRecord.created_at)
    )
    return [(version_id, channel, helpful) for version_id, channel, helpful in rows.all()]


async def test_feedback_is_recorded_with_the_version_read_and_no_offers_other_ways(
    client: httpx.AsyncClient, session: AsyncSession, articles: dict[str, Any]
) -> None:
    version = articles["en"].version_id
    yes = await client.post("/help/fix-a-pothole/feedback", data={"helpful": "yes", "version": str(version)})
    assert yes.status_code == 303
    assert yes.headers["location"] == "/help/fix-a-pothole?answered=yes#feedback"
    thanks = await client.get(yes.headers["location"])
    assert "Thank you for your feedback" in thanks.text
    assert "Did this answer your question?" not in thanks.text
    assert "Ask us instead" not in thanks.text

    no = await client.post("/help/fix-a-pothole/feedback", data={"helpful": "no", "version": str(version)})
    assert no.status_code == 303
    sorry = _text(await client.get(no.headers["location"]))
    assert "Ask us instead" in sorry
    assert "Chat with us online" in sorry
    assert "+1 613-555-0100" in sorry  # the owning agency's phone
    assert "Send us a message from your account" in sorry

    assert await _answers(session) == [(version, "web", True), (version, "web", False)]


async def test_feedback_on_a_version_replaced_since_counts_for_the_version_read(
    client: httpx.AsyncClient, session: AsyncSession, articles: dict[str, Any]
) -> None:
    first = articles["en"]
    draft = await knowledge.save_draft(
        session,
        article_id=first.article_id,
        fields=knowledge.ArticleFields(title="How potholes are fixed now", summary="Faster."),
        author_id=None,
        change_note="Faster repairs",
    )
    draft.status = VersionStatus.review
    await session.flush()
    await knowledge.publish(session, version_id=draft.id, staff_id=None)
    second = draft.id
    await session.commit()

    page = await client.get("/help/fix-a-pothole")
    assert _version(page) == str(second)  # the new version at once
    assert "How potholes are fixed now" in page.text
    read_before = await client.post(
        "/help/fix-a-pothole/feedback", data={"helpful": "no", "version": str(first.version_id)}
    )
    assert read_before.status_code == 303
    bogus = await client.post("/help/fix-a-pothole/feedback", data={"helpful": "yes", "version": "not-a-version"})
    assert bogus.status_code == 303  # counted for the version live now
    assert await _answers(session) == [(first.version_id, "web", False), (second, "web", True)]
    assert (await session.get(ArticleVersion, first.version_id)) is not None


async def test_feedback_without_an_answer_explains_what_to_do(
    client: httpx.AsyncClient, session: AsyncSession, articles: dict[str, Any]
) -> None:
    page = await client.post("/help/fix-a-pothole/feedback", data={"helpful": "maybe"})
    assert page.status_code == 422
    assert "<title>Error: How potholes are fixed" in page.text
    assert '<a href="#feedback-yes">Select yes if this answered your question, or no</a>' in page.text
    french = await client.post("/help/fix-a-pothole/feedback", data={}, headers=FR)
    assert french.status_code == 422
    assert "Indiquez oui si cette page a répondu à votre question" in french.text
    assert await _answers(session) == []


async def test_search_returns_articles_marked_as_guidance_before_services_even_misspelt(
    client: httpx.AsyncClient, articles: dict[str, Any]
) -> None:
    page = await client.get("/search", params={"q": "how are potholes fixed"})
    assert page.status_code == 200
    items = re.findall(r'<li class="govuk-!-margin-bottom-6" data-kind="(\w+)"([^>]*)>', page.text)
    assert items, page.text
    assert items[0][0] == "guidance"
    assert f'data-article-version="{articles["en"].version_id}"' in items[0][1]
    assert '<a class="govuk-link" href="/help/fix-a-pothole">How potholes are fixed</a>' in page.text
    assert "Guidance" in _text(page)

    typo = await client.get("/search", params={"q": "pothols fixd"})
    assert f'data-article-version="{articles["en"].version_id}"' in typo.text

    french = await client.get("/search", params={"q": "nid-de-poule réparé"}, headers=FR)
    assert f'data-article-version="{articles["fr"].version_id}"' in french.text
    assert "Renseignements" in _text(french)

    services = await client.get("/search", params={"q": "pothole"})  # services are still found
    assert '<a class="govuk-link" href="/services/POTHOLE">Report a pothole</a>' in services.text
    assert 'data-kind="service"' in services.text


async def test_help_lists_every_live_article_by_topic_in_the_page_language(
    client: httpx.AsyncClient, articles: dict[str, Any]
) -> None:
    page = await client.get("/help")
    assert page.status_code == 200
    assert '<a class="govuk-link" href="/help/fix-a-pothole">How potholes are fixed</a>' in page.text
    # a French-only article is listed, marked with its language; a draft is not
    assert 'href="/help/deneigement-des-trottoirs" lang="fr" hreflang="fr">Déneigement des trottoirs</a>' in page.text
    assert "Draft only" not in page.text
    assert page.text.index("How potholes are fixed") > page.text.index(">Streets<")  # under its service's group
    assert page.text.count('href="/help/') == 2  # one entry per article, whatever its languages
    french = await client.get("/help", headers=FR)
    assert '<h1 class="govuk-heading-xl">Aide</h1>' in french.text
    assert '<a class="govuk-link" href="/help/reparer-un-nid-de-poule">Comment les nids-de-poule sont réparés</a>' in (
        french.text
    )
    assert 'href="/help">Aide</a>' in french.text  # in the footer of every page
