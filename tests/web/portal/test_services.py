"""The portal's front door: home, service pages, the catalogue and search, in English and French; recent
searches and "continue where you left off" follow the resident to another device."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import count, create_agency, create_service
from tests.web.portal.conftest import Resident, sign_in
from townsquare.agencies.models import Agency, Service
from townsquare.citizens import sessions
from townsquare.citizens.models import CitizenSearch
from townsquare.drafts import service as drafts

FR = {"accept-language": "fr"}


async def seed_catalogue(session: AsyncSession) -> None:
    """Two agencies and three services, with French wording; one service withdrawn."""
    works = await create_agency(session)
    works.phone, works.email = "+16135550100", "works@city.example"
    licensing = await create_agency(session, slug="transport-licensing", name="Transport & Licensing")
    pothole = await create_service(
        session,
        agency=works,
        code="POTHOLE",
        name="Report a pothole",
        description="Tell us about a pothole on a city street.",
        sla_target_hours=72,
        keywords=["road"],
        translations={
            "fr": {
                "name": "Signaler un nid-de-poule",
                "description": "Signalez-nous un nid-de-poule dans une rue de la ville.",
                "group": "Rues",
            }
        },
        attributes=[
            {
                "code": "size",
                "datatype": "singlevaluelist",
                "required": True,
                "description": "How big is it?",
                "values": [{"key": "small", "name": "Small"}],
                "translations": {"fr": {"description": "Quelle est sa taille?"}},
            },
            {
                "code": "in_bike_lane",
                "datatype": "string",
                "description": "Is it in a bike lane?",
                "translations": {"fr": {"description": "Est-il dans une piste cyclable?"}},
            },
        ],
    )
    light = await create_service(
        session,
        agency=works,
        code="STREETLIGHT",
        name="Street light out",
        description="A street light that is out.",
        sla_target_hours=12,
        translations={"fr": {"name": "Lampadaire éteint", "group": "Rues"}},
    )
    await create_service(
        session, agency=licensing, code="PARK-PERMIT", name="Residential parking permit", sla_target_hours=None
    )
    withdrawn = await create_service(session, agency=licensing, code="OLD", name="Withdrawn service")
    withdrawn.active = False
    pothole.group = light.group = "Streets"
    await session.commit()


@pytest.fixture
async def catalogue(session: AsyncSession) -> None:
    await seed_catalogue(session)


@pytest.fixture
async def other_device(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A second browser (its own cookies) on the same app."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        yield c


def _text(page: httpx.Response) -> str:
    """The page's visible text, roughly: tags removed, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", page.text).split())


async def test_home_offers_one_search_box_and_every_service_by_topic(
    client: httpx.AsyncClient, catalogue: None
) -> None:
    page = await client.get("/")
    assert page.status_code == 200
    assert '<label class="govuk-label govuk-label--m" for="q">Search services</label>' in page.text
    assert 'action="/search"' in page.text
    assert 'method="get"' in page.text
    assert '<a class="govuk-link" href="/services/POTHOLE">Report a pothole</a>' in page.text
    assert '<a class="govuk-link" href="/services/PARK-PERMIT">Residential parking permit</a>' in page.text
    assert "Withdrawn service" not in page.text
    assert re.search(r">\s*Streets\s*</h3>", page.text)
    assert 'href="tel:+16135550100"' in page.text  # other ways to get help
    assert "Continue where you left off" not in page.text  # nobody is signed in
    assert "Your recent searches" not in page.text

    french = _text(await client.get("/", headers=FR))
    assert "Rechercher un service" in french
    assert "Signaler un nid-de-poule" in french
    assert "Rues" in french


async def test_a_service_page_says_what_is_asked_how_long_it_takes_and_how_to_start(
    client: httpx.AsyncClient, catalogue: None
) -> None:
    page = await client.get("/services/POTHOLE")
    assert page.status_code == 200
    text = _text(page)
    assert "<title>Report a pothole" in page.text
    assert "Tell us about a pothole on a city street." in text
    assert "How big is it?" in text
    assert "Is it in a bike lane? (optional)" in text
    assert "Usually within 3 working days." in text
    assert re.search(r'<a href="/services/POTHOLE/apply" role="button"[^>]*govuk-button--start', page.text)
    assert "Start now" in text
    assert "Continue your application" not in text
    assert 'href="tel:+16135550100"' in page.text
    assert 'href="mailto:works@city.example"' in page.text

    assert "Usually within 12 working hours." in _text(await client.get("/services/STREETLIGHT"))
    assert "How long it takes" not in _text(await client.get("/services/PARK-PERMIT"))

    french = _text(await client.get("/services/POTHOLE", headers=FR))
    assert "Signaler un nid-de-poule" in french
    assert "Quelle est sa taille?" in french
    assert "Est-il dans une piste cyclable? (facultatif)" in french
    assert "Habituellement en moins de 3 jours ouvrables." in french
    assert "Commencer" in french


@pytest.mark.parametrize("path", ["/services/NOPE", "/services/OLD", "/services/" + "X" * 300])
async def test_an_unknown_or_withdrawn_service_is_a_page_not_found(
    client: httpx.AsyncClient, catalogue: None, path: str
) -> None:
    page = await client.get(path)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in page.text
    assert 'class="govuk-template__body"' in page.text  # in the portal's layout, not a bare error
    assert "Page introuvable" in (await client.get(path, headers=FR)).text


async def test_all_services_are_listed_by_agency_and_topic(client: httpx.AsyncClient, catalogue: None) -> None:
    text = _text(await client.get("/services"))
    works, licensing = text.index("City Works"), text.index("Transport &amp; Licensing")
    assert works < text.index("Streets") < text.index("Report a pothole") < text.index("Street light out") < licensing
    assert text.index("Residential parking permit") > licensing
    assert "Withdrawn service" not in text


async def test_search_finds_services_in_english_and_in_french(client: httpx.AsyncClient, catalogue: None) -> None:
    page = await client.get("/search", params={"q": "pothole"})
    assert page.status_code == 200
    assert "1 result for “pothole”" in _text(page)
    assert '<a class="govuk-link" href="/services/POTHOLE">Report a pothole</a>' in page.text
    assert "<title>Search results for “pothole”" in page.text

    french = await client.get("/search", params={"q": "nid-de-poule"}, headers=FR)
    assert "1 résultat pour « nid-de-poule »" in _text(french)
    assert '<a class="govuk-link" href="/services/POTHOLE">Signaler un nid-de-poule</a>' in french.text
    by_name = await client.get("/search", params={"q": "LAMPADAIRE eteint"}, headers=FR)
    assert '<a class="govuk-link" href="/services/STREETLIGHT">Lampadaire éteint</a>' in by_name.text
    topic = await client.get("/search", params={"q": "rues"}, headers=FR)
    assert "2 résultats pour « rues »" in _text(topic)
    on_the_english_page = await client.get("/search", params={"q": "nid-de-poule"})  # a French word still finds it
    assert '<a class="govuk-link" href="/services/POTHOLE">Report a pothole</a>' in on_the_english_page.text


async def test_no_results_suggests_other_words_and_ways_to_contact_us(
    client: httpx.AsyncClient, catalogue: None
) -> None:
    page = await client.get("/search", params={"q": "dragon sighting"})
    assert page.status_code == 200
    text = _text(page)
    assert "0 results for “dragon sighting”" in text
    assert "Improve your search results by:" in text
    assert '<a class="govuk-link" href="/search?q=Streets">Streets</a>' in page.text  # a topic to try instead
    assert 'href="tel:+16135550100"' in page.text


async def test_an_empty_search_explains_what_to_do_only_when_it_was_submitted(
    client: httpx.AsyncClient, catalogue: None
) -> None:
    fresh = await client.get("/search")
    assert fresh.status_code == 200
    assert "govuk-error-summary" not in fresh.text
    assert '<h1 class="govuk-label-wrapper"><label class="govuk-label govuk-label--l" for="q">' in fresh.text

    blank = await client.get("/search", params={"q": "   "})
    assert blank.status_code == 422
    assert "<title>Error: Search services" in blank.text
    assert 'class="govuk-error-summary"' in blank.text
    assert '<a href="#q">Enter one or more words to search for' in blank.text
    assert 'aria-describedby="q-hint q-error"' in blank.text
    assert "Il y a un problème" in (await client.get("/search?q=", headers=FR)).text


async def test_recent_searches_follow_the_resident_to_another_device(
    client: httpx.AsyncClient,
    other_device: httpx.AsyncClient,
    session: AsyncSession,
    resident: Resident,
    catalogue: None,
) -> None:
    await client.get("/search", params={"q": "pothole"})  # signed out: not kept
    await session.rollback()
    assert await count(session, CitizenSearch) == 0

    sign_in(client, resident)
    for query in ("pothole", "parking permit", "  pothole "):
        assert (await client.get("/search", params={"q": query})).status_code == 200
    await client.get("/search", params={"q": ""})  # a blank search is not kept

    await session.rollback()
    phone_token = await sessions.start(session, citizen_id=resident.citizen_id, method="email_link", hours=1)
    await session.commit()
    sign_in(other_device, Resident(resident.citizen_id, resident.email, phone_token))
    home = await other_device.get("/")
    assert "Your recent searches" in home.text
    links = re.findall(r'<li><a class="govuk-link" href="/search\?q=([^"]+)">', home.text)
    assert links == ["pothole", "parking%20permit"]  # newest first, the repeat moved up rather than added
    assert "Your recent searches" in (await other_device.get("/search")).text

    cleared = await other_device.post("/search/recent/clear", data={"next": "/"})
    assert cleared.status_code == 303
    assert cleared.headers["location"] == "/"
    assert "Your recent searches" not in (await client.get("/")).text
    await session.rollback()
    assert await count(session, CitizenSearch) == 0


async def test_clearing_searches_needs_a_signed_in_resident(client: httpx.AsyncClient) -> None:
    refused = await client.post("/search/recent/clear", data={"next": "/"})
    assert refused.status_code == 303
    assert refused.headers["location"].startswith("/account/sign-in")


async def test_an_open_draft_offers_to_continue_on_home_and_on_the_service_page(
    client: httpx.AsyncClient, session: AsyncSession, resident: Resident, catalogue: None
) -> None:
    pothole = (await session.execute(select(Service.id).where(Service.code == "POTHOLE"))).scalar_one()
    await drafts.start_or_resume(session, citizen_id=resident.citizen_id, service_id=pothole)
    await session.commit()
    sign_in(client, resident)

    home = await client.get("/")
    text = _text(home)
    assert "Continue where you left off" in text
    assert "Report a pothole Last saved" in text
    assert re.search(r'<a class="govuk-link" href="/services/POTHOLE/apply">Continue<span', home.text)
    assert 'href="/services/STREETLIGHT/apply"' not in home.text
    await client.post("/language", data={"lang": "fr", "next": "/"})
    assert "Reprendre là où vous en étiez" in _text(await client.get("/"))
    await client.post("/language", data={"lang": "en", "next": "/"})

    service = await client.get("/services/POTHOLE")
    assert "Continue your application" in _text(service)
    assert "Start now" not in _text(service)
    assert "Start now" in _text(await client.get("/services/STREETLIGHT"))
    # Signed out, no one's drafts are shown.
    client.cookies.clear()
    assert "Continue where you left off" not in (await client.get("/")).text


async def test_the_agency_record_is_where_contact_details_come_from(
    client: httpx.AsyncClient, session: AsyncSession, catalogue: None
) -> None:
    await session.execute(update(Agency).where(Agency.slug == "transport-licensing").values(phone="6135550200"))
    await session.commit()
    page = await client.get("/services/PARK-PERMIT")
    assert 'href="tel:+16135550200"' in page.text
    assert "Other ways to do it" in page.text


async def test_an_agency_is_named_in_the_page_s_language(
    client: httpx.AsyncClient, session: AsyncSession, catalogue: None
) -> None:
    works = (await session.execute(select(Agency).where(Agency.slug == "city-works"))).scalar_one()
    works.translations = {"fr": {"name": "Travaux publics"}}
    await session.commit()
    french = (await client.get("/services", headers=FR)).text
    assert "Travaux publics" in french
    assert (await client.get("/services/POTHOLE", headers=FR)).text.count("Travaux publics") >= 1
    assert "City Works" in (await client.get("/services")).text
