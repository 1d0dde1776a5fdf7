"""Reports near you (the map page and its list), the address lookup, and the location step of reports: a typed
address placed through the register, one it cannot place kept as typed, a point from the map; the case gets it."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_citizen, create_service
from tests.web.portal.conftest import Resident, sign_in
from townsquare.agencies.models import Agency, Service
from townsquare.cases import service as cases
from townsquare.cases.models import Case, CaseStatus
from townsquare.places import service as places

ELM = {"address_id": "A-12", "address": "12 Elm Street", "lat": "43.6510", "long": "-79.3800", "zipcode": "M5V 1A1"}
OAK = {"address_id": "A-40", "address": "40 Oak Avenue", "lat": "43.6600", "long": "-79.3900", "zipcode": ""}


async def _world(session: AsyncSession) -> tuple[Agency, Service, Service]:
    agency = await create_agency(session)
    pothole = await create_service(session, agency=agency, code="POTHOLE", name="Report a pothole")
    pothole.open311 = True
    pothole.translations = {"fr": {"name": "Signaler un nid-de-poule"}}
    licence = await create_service(session, agency=agency, code="LICENCE", name="Renew a licence")
    await places.import_rows(session, [ELM, OAK])
    await session.commit()
    return agency, pothole, licence


async def _case(
    session: AsyncSession, agency: Agency, service: Service, *, address: str | None, point: tuple[float, float] | None
) -> Case:
    citizen = await create_citizen(session, name="Private Person", email=f"p{uuid.uuid4().hex[:8]}@example.org")
    location: dict[str, str | float] = {"address_string": address} if address else {}
    if point:
        location |= {"lat": point[0], "long": point[1]}
    return await cases.open_case(
        session,
        prefix="TS",
        agency_id=agency.id,
        title=service.name,
        description="My neighbour's secret details",
        channel="web",
        service_id=service.id,
        citizen_id=citizen.id,
        location=location,
    )


@pytest.fixture
async def reports(session: AsyncSession) -> dict[str, str]:
    agency, pothole, licence = await _world(session)
    open_one = await _case(session, agency, pothole, address="12 Elm Street", point=(43.651, -79.38))
    closed = await _case(session, agency, pothole, address=None, point=(43.66, -79.39))
    closed.status = CaseStatus.closed
    hidden = await _case(session, agency, licence, address="99 Private Road", point=(43.65, -79.38))
    await session.commit()
    return {"open": open_one.reference, "closed": closed.reference, "hidden": hidden.reference}


def _rows(page: httpx.Response) -> list[str]:
    return re.findall(r'data-report="([^"]+)"', page.text)


async def test_the_map_page_lists_public_reports_with_markers_and_no_personal_data(
    client: httpx.AsyncClient, reports: dict[str, str]
) -> None:
    page = await client.get("/map")
    assert page.status_code == 200
    assert '<h1 class="govuk-heading-l">Reports near you</h1>' in page.text
    assert set(_rows(page)) == {reports["open"], reports["closed"]}  # never another service's cases
    assert "12 Elm Street" in page.text
    assert "Address not given" in page.text
    assert ">Open</strong>" in page.text
    assert ">Closed</strong>" in page.text
    assert 'data-map="reports"' in page.text
    assert 'data-tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in page.text
    assert "/static/build/leaflet/leaflet.js" in page.text
    markers = re.search(r'<script type="application/json" id="map-reports">(.*?)</script>', page.text, re.S)
    assert markers is not None
    assert '"lat": 43.651' in markers.group(1) or '"lat":43.651' in markers.group(1)
    for private in ("Private Person", "@example.org", "secret details", "99 Private Road"):
        assert private not in page.text
    # Report a problem: only the open311 services, each starting its application.
    assert 'href="/services/POTHOLE/apply"' in page.text
    assert 'href="/services/LICENCE/apply"' not in page.text


async def test_without_a_tile_url_there_is_no_map_but_the_same_list(
    app: FastAPI, client: httpx.AsyncClient, reports: dict[str, str]
) -> None:
    app.state.settings = app.state.settings.model_copy(update={"map_tile_url": ""})
    page = await client.get("/map")
    assert page.status_code == 200
    assert "data-map=" not in page.text
    assert "leaflet" not in page.text
    assert "map-reports" not in page.text
    assert set(_rows(page)) == {reports["open"], reports["closed"]}


async def test_filters_by_service_and_status_and_refuses_unknown_choices(
    client: httpx.AsyncClient, reports: dict[str, str]
) -> None:
    assert _rows(await client.get("/map", params={"status": "open"})) == [reports["open"]]
    assert _rows(await client.get("/map", params={"status": "closed", "service": "POTHOLE"})) == [reports["closed"]]
    chosen = await client.get("/map", params={"status": "closed", "service": "POTHOLE"})
    assert '<option value="closed" selected>' in chosen.text
    assert '<option value="POTHOLE" selected>' in chosen.text
    everything = await client.get("/map", params={"status": "", "service": ""})  # empty = no filter
    assert len(_rows(everything)) == 2
    assert (await client.get("/map", params={"service": "LICENCE"})).status_code == 422  # not an open311 service
    bad = await client.get("/map", params={"status": "pending"})
    assert bad.status_code == 422
    assert "open or closed" in bad.text


async def test_the_map_page_speaks_french(client: httpx.AsyncClient, reports: dict[str, str]) -> None:
    client.cookies.set("ts_lang", "fr")
    page = await client.get("/map")
    assert "Signalements près de chez vous" in page.text
    assert "Signaler un nid-de-poule" in page.text
    assert "Ouvert" in page.text
    assert "2 signalements" in page.text


async def test_places_lookup_suggests_finds_the_nearest_and_refuses_bad_input(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _world(session)
    suggested = await client.get("/map/places", params={"q": "12 elm"})
    assert suggested.status_code == 200
    assert [p["address"] for p in suggested.json()["places"]] == ["12 Elm Street"]
    assert (await client.get("/map/places", params={"q": "el"})).json() == {"places": []}
    near = (await client.get("/map/places", params={"lat": "43.65102", "long": "-79.38003"})).json()
    assert near["places"][0] == {"address": "12 Elm Street", "address_id": "A-12", "lat": 43.651, "long": -79.38}
    assert (await client.get("/map/places", params={"lat": "10", "long": "10"})).json() == {"places": []}
    for params in ({}, {"lat": "x", "long": "1"}, {"lat": "91", "long": "0"}, {"lat": "1"}, {"q": "a" * 201}):
        refused = await client.get("/map/places", params=params)
        assert refused.status_code == 422, params


# The location step ---------------------------------------------------------------------------------------------


def _form(page: httpx.Response) -> dict[str, str]:
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text)
    return {name: value.replace("&#34;", '"').replace("&quot;", '"') for name, value in hidden}


async def _through(client: httpx.AsyncClient, location: dict[str, str]) -> tuple[str, httpx.Response]:
    """Start a pothole report, answer "Where is it?" and the details page; the check page."""
    started = await client.get("/services/POTHOLE/apply")
    draft_id = started.headers["location"].split("/")[2]
    assert started.headers["location"] == f"/applications/{draft_id}/pages/1"
    where = await client.get(f"/applications/{draft_id}/pages/1")
    assert '<h1 class="govuk-heading-l">Where is it?</h1>' in where.text
    assert 'autocomplete="street-address"' in where.text
    moved = await client.post(f"/applications/{draft_id}/pages/1", data={**_form(where), **location})
    assert moved.status_code == 303, moved.text
    details = await client.get(f"/applications/{draft_id}/pages/2")
    assert 'name="f._address"' not in details.text  # asked once, on its own page
    await client.post(f"/applications/{draft_id}/pages/2", data={**_form(details), "f._details": "Deep"})
    return draft_id, await client.get(f"/applications/{draft_id}/check")


async def _sent_case(client: httpx.AsyncClient, session: AsyncSession, draft_id: str) -> Case:
    sent = await client.post(f"/applications/{draft_id}/submit")
    assert sent.headers["location"] == f"/applications/{draft_id}/done"
    await session.rollback()
    case = (await session.execute(select(Case).order_by(Case.created_at.desc()))).scalars().first()
    assert case is not None
    return case


async def test_a_typed_address_is_placed_through_the_register(
    client: httpx.AsyncClient, session: AsyncSession, resident: Resident
) -> None:
    await _world(session)
    sign_in(client, resident)
    draft_id, check = await _through(client, {"f._address": "12 elm st"})
    assert "Where is it?" in check.text
    assert "12 elm st" in check.text
    assert "could not place" not in check.text
    case = await _sent_case(client, session, draft_id)
    assert (case.lat, case.long) == pytest.approx((43.651, -79.38))
    assert case.address_string == "12 elm st"


async def test_an_address_the_register_cannot_place_is_kept_and_still_sent(
    client: httpx.AsyncClient, session: AsyncSession, resident: Resident
) -> None:
    await _world(session)
    sign_in(client, resident)
    draft_id, check = await _through(client, {"f._address": "Behind the old mill"})
    assert "We could not place this address on the map, but it will still be sent as you typed it." in check.text
    back = await client.get(f"/applications/{draft_id}/pages/1")
    assert 'value="Behind the old mill"' in back.text
    assert "We could not place this address on the map" in back.text
    case = await _sent_case(client, session, draft_id)
    assert case.address_string == "Behind the old mill"
    assert case.lat is None
    assert case.long is None


async def test_a_point_from_the_map_is_kept_and_the_address_filled_from_the_register(
    client: httpx.AsyncClient, session: AsyncSession, resident: Resident
) -> None:
    await _world(session)
    sign_in(client, resident)
    draft_id, check = await _through(client, {"f._lat": "43.66001", "f._long": "-79.39002"})
    assert "40 Oak Avenue" in check.text
    case = await _sent_case(client, session, draft_id)
    assert (case.lat, case.long) == pytest.approx((43.66001, -79.39002))
    assert case.address_string == "40 Oak Avenue"


async def test_the_location_is_required_and_a_bad_point_is_refused(
    client: httpx.AsyncClient, session: AsyncSession, resident: Resident
) -> None:
    await _world(session)
    sign_in(client, resident)
    draft_id = (await client.get("/services/POTHOLE/apply")).headers["location"].split("/")[2]
    where = await client.get(f"/applications/{draft_id}/pages/1")
    empty = await client.post(f"/applications/{draft_id}/pages/1", data=_form(where))
    assert empty.status_code == 422
    assert 'href="#field-_address">Enter the address or place, or choose it on the map</a>' in empty.text
    where = await client.get(f"/applications/{draft_id}/pages/1")
    bad = await client.post(
        f"/applications/{draft_id}/pages/1", data={**_form(where), "f._lat": "north", "f._long": "1"}
    )
    assert bad.status_code == 422
    assert "could not be read" in bad.text
    # A non-open311 service keeps its flow: no location page, the address stays optional on the last page.
    licence = (await client.get("/services/LICENCE/apply")).headers["location"]
    page = await client.get(licence)
    assert "Where is it?" not in page.text
    assert "Address or place (optional)" in page.text


async def test_a_report_close_to_an_open_one_says_it_was_linked(
    client: httpx.AsyncClient, session: AsyncSession, resident: Resident
) -> None:
    agency, pothole, _ = await _world(session)
    await _case(session, agency, pothole, address="12 Elm Street", point=(43.651, -79.38))
    await session.commit()
    sign_in(client, resident)
    draft_id, _check = await _through(client, {"f._address": "12 Elm Street"})
    await _sent_case(client, session, draft_id)
    done = await client.get(f"/applications/{draft_id}/done")
    assert "Someone reported this nearby already; we have linked your report to it." in done.text


async def test_the_list_pages_twenty_at_a_time_keeping_its_filters_and_the_map_shows_them_all(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    agency, pothole, _licence = await _world(session)
    for n in range(25):
        await _case(session, agency, pothole, address=f"{n} Elm Street", point=(43.65 + n / 1000, -79.38))
    await session.commit()
    first = await client.get("/map", params={"status": "open"})
    assert len(_rows(first)) == 20
    assert "Page 1 of 2" in first.text
    assert 'href="/map?status=open&amp;page=2"' in first.text
    second = await client.get("/map", params={"status": "open", "page": "2"})
    assert len(_rows(second)) == 5
    assert not set(_rows(first)) & set(_rows(second))
    markers = re.search(r'<script type="application/json" id="map-reports">(.*?)</script>', first.text, re.S)
    assert markers is not None
    assert markers.group(1).count('"ref"') == 25
    assert len(_rows(await client.get("/map", params={"page": "99"}))) == 20  # out of range: the first page


async def test_each_report_has_a_public_page_with_its_updates_and_nothing_personal(
    client: httpx.AsyncClient, session: AsyncSession, reports: dict[str, str]
) -> None:
    case = await cases.require(session, reference=reports["open"])
    await cases.change_status(session, case=case, status=CaseStatus.in_progress, note="A crew is booked for Friday.")
    await session.commit()
    page = await client.get(f"/reports/{reports['open'].lower()}")
    assert page.status_code == 200
    assert '<h1 class="govuk-heading-l">Report a pothole</h1>' in page.text
    assert "12 Elm Street" in page.text
    assert "In progress" in page.text
    assert "A crew is booked for Friday." in page.text
    for private in ("Private Person", "@example.org", "secret details"):
        assert private not in page.text
    listed = await client.get("/map")
    assert f'href="/reports/{reports["open"]}"' in listed.text
    for hidden in (reports["hidden"], "TS-1999-000001"):  # another service's case, and none at all
        missing = await client.get(f"/reports/{hidden}")
        assert missing.status_code == 404
    client.cookies.set("ts_lang", "fr")
    assert "Mises à jour" in (await client.get(f"/reports/{reports['open']}")).text
