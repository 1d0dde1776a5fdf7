"""In Chromium: reports near you and the location step, with a map (tiles from a local URL, which need not load)
and without one (no tile URL: the list and the address field do everything). axe-core finds nothing."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import Browser, Page
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_service
from tests.support.browser import assert_accessible
from tests.web.portal.conftest import Resident, make_resident
from townsquare.agencies.models import Service
from townsquare.app import Runtime
from townsquare.cases import service as cases
from townsquare.cases.models import Case
from townsquare.citizens.sessions import CITIZEN_COOKIE
from townsquare.places import service as places
from townsquare.settings import Settings

CENTRE = (43.6535, -79.3841)  # the settings' default map centre


@pytest.fixture
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """The tile URL each test asks for (indirect parameter); the default points at the server itself."""
    tiles = getattr(request, "param", "/tiles/{z}/{x}/{y}.png")
    return settings.model_copy(update={"map_tile_url": tiles})


async def _report(session: AsyncSession, service: Service, location: dict[str, Any]) -> None:
    """A report of `service` at `location`, from nobody in particular."""
    await cases.open_case(
        session,
        prefix="TS",
        agency_id=service.agency_id,
        title=service.name,
        channel="web",
        service_id=service.id,
        location=location,
    )


async def _seed(runtime: Runtime) -> Resident:
    async with runtime.db.session() as s:
        agency = await create_agency(s)
        service = await create_service(s, agency=agency, code="POTHOLE", name="Report a pothole")
        service.open311 = True
        row = {"address_id": "C-1", "address": "100 Queen Street West", "lat": str(CENTRE[0]), "long": str(CENTRE[1])}
        await places.import_rows(s, [row])
        await _report(s, service, {"lat": CENTRE[0] + 0.001, "long": CENTRE[1], "address_string": "1 Bay Street"})
        await s.commit()
        return await make_resident(s)


async def _signed_in_page(browser: Browser, url: str, resident: Resident) -> Page:
    """A resident's page that asks for reduced motion, as the map honours: it fits its reports without a zoom
    slide, so a click lands on the marker where it will stay (mid-slide, a loaded machine once clicked the map
    beside a marker still moving into place, and no popup opened)."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
    await context.add_cookies([{"name": CITIZEN_COOKIE, "value": resident.token, "url": url}])
    return await context.new_page()


async def test_clicking_the_map_places_the_report_and_fills_the_address(
    browser: Browser, live_server: str, runtime: Runtime
) -> None:
    resident = await _seed(runtime)
    page = await _signed_in_page(browser, live_server, resident)

    await page.goto(f"{live_server}/map")
    await page.wait_for_selector("#reports-map.leaflet-container")
    assert await page.locator("#reports-map .leaflet-marker-icon").count() == 1
    assert await page.locator("li[data-report]").count() == 1  # the list is there too
    await page.locator("#reports-map .leaflet-marker-icon").click()
    popup = page.locator(".leaflet-popup-content")
    await popup.wait_for()
    assert "Report a pothole" in await popup.inner_text()
    assert "1 Bay Street" in await popup.inner_text()
    await assert_accessible(page)

    await page.get_by_role("list", name="Report a problem").get_by_role("link", name="Report a pothole").click()
    await page.wait_for_url("**/pages/1")
    draft_url = page.url.rsplit("/pages/", 1)[0]
    box = page.locator("#location-map.leaflet-container")
    await box.wait_for()
    await assert_accessible(page)
    bounds = await box.bounding_box()
    assert bounds is not None
    # The map opens on the centre, where the register has an address: a click there places the marker.
    await page.mouse.click(bounds["x"] + bounds["width"] / 2, bounds["y"] + bounds["height"] / 2)
    await page.wait_for_function("document.querySelector('#field-_address').value === '100 Queen Street West'")
    assert await page.locator("#location-map .leaflet-marker-icon").count() == 1
    lat, long = float(await page.input_value("#field-_lat")), float(await page.input_value("#field-_long"))
    assert abs(lat - CENTRE[0]) < 0.001
    assert abs(long - CENTRE[1]) < 0.001
    await page.get_by_role("button", name="Continue").click()
    await page.wait_for_url(f"{draft_url}/pages/2")
    await page.get_by_role("button", name="Continue").click()
    await page.wait_for_url(f"{draft_url}/check")
    assert "100 Queen Street West" in await page.content()
    await page.get_by_role("button", name="Accept and send").click()
    await page.wait_for_url(f"{draft_url}/done")
    async with runtime.db.session() as s:
        case = (await s.execute(select(Case).where(Case.address_string == "100 Queen Street West"))).scalar_one()
    assert case.lat == pytest.approx(lat)
    assert case.long == pytest.approx(long)


@pytest.mark.parametrize("settings", [""], indirect=True)
async def test_without_tiles_there_is_no_map_and_the_address_field_works_alone(
    browser: Browser, live_server: str, runtime: Runtime
) -> None:
    resident = await _seed(runtime)
    page = await _signed_in_page(browser, live_server, resident)
    await page.goto(f"{live_server}/map")
    assert await page.locator("[data-map]").count() == 0
    assert await page.locator("li[data-report]").count() == 1
    await assert_accessible(page)

    await page.get_by_role("list", name="Report a problem").get_by_role("link", name="Report a pothole").click()
    await page.wait_for_url("**/pages/1")
    assert await page.locator(".leaflet-container").count() == 0
    await page.get_by_label("Address or place").fill("100 queen st w")
    await assert_accessible(page)
    await page.get_by_role("button", name="Continue").click()
    await page.wait_for_url("**/pages/2")
    async with runtime.db.session() as s:
        assert await s.scalar(select(Case.id).where(Case.address_string == "100 queen st w")) is None


@pytest.mark.parametrize("width", [320, 390])
async def test_on_a_phone_the_map_and_a_report_s_page_fit_the_screen(
    browser: Browser, live_server: str, runtime: Runtime, width: int
) -> None:
    await _seed(runtime)
    page = await browser.new_page(viewport={"width": width, "height": 800}, reduced_motion="reduce")
    await page.goto(f"{live_server}/map")
    await page.wait_for_selector("#reports-map .leaflet-marker-icon")
    assert await page.evaluate("() => document.documentElement.scrollWidth") <= width
    await page.get_by_role("list", name="Reports 1 report").get_by_role("link").first.click()
    await page.wait_for_url("**/reports/TS-*")
    assert await page.evaluate("() => document.documentElement.scrollWidth") <= width
    await assert_accessible(page)
    await page.close()


async def test_reports_that_would_overlap_are_one_numbered_marker_that_zooms_in(
    browser: Browser, live_server: str, runtime: Runtime
) -> None:
    resident = await _seed(runtime)
    async with runtime.db.session() as s:
        service = await s.scalar(select(Service).where(Service.code == "POTHOLE"))
        assert service is not None
        for n in range(30):  # thirty reports along a street, about 20 m apart
            await _report(
                s, service, {"lat": CENTRE[0] + n * 0.0002, "long": CENTRE[1], "address_string": f"{n} King Street"}
            )
        far = {"lat": CENTRE[0] + 0.03, "long": CENTRE[1] + 0.03, "address_string": "1 Far Road"}  # widens the view
        await _report(s, service, far)
        await s.commit()
    page = await _signed_in_page(browser, live_server, resident)
    await page.goto(f"{live_server}/map")
    await page.wait_for_selector("#reports-map .ts-map-cluster")
    shown = await page.evaluate(
        """() => [...document.querySelectorAll('#reports-map .ts-map-cluster')]
             .reduce((n, c) => n + Number(c.textContent), 0)
             + document.querySelectorAll('#reports-map .leaflet-marker-icon:not(.ts-map-cluster)').length"""
    )
    assert shown == 32  # every report is counted once, in a cluster or as its own pin
    assert await page.locator("#reports-map .leaflet-marker-icon").count() < 32
    cluster = page.locator("#reports-map .ts-map-cluster").first
    assert "reports here: zoom in" in (await cluster.get_attribute("aria-label") or "")
    before = await page.locator("#reports-map .leaflet-marker-icon").count()
    await cluster.click()  # zooms in on the reports it stands for, which draws them further apart
    await page.wait_for_function(
        "(before) => document.querySelectorAll('#reports-map .leaflet-marker-icon').length > before", arg=before
    )
    await page.close()
