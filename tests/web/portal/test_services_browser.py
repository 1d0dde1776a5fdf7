"""In Chromium, in English and French: home (signed out and in), all services, a service page, search with and
without results and submitted empty are free of axe-core violations; search works from the keyboard, with
JavaScript on or off, and fits a 320-pixel phone."""

from __future__ import annotations

from playwright.async_api import Browser, Page
from sqlalchemy import select

from tests.support.browser import axe_violations
from tests.web.portal.conftest import make_resident
from tests.web.portal.test_services import seed_catalogue
from townsquare.agencies.models import Service
from townsquare.app import Runtime
from townsquare.drafts import service as drafts

PAGES = ["/", "/services", "/services/POTHOLE", "/search?q=pothole", "/search?q=dragon", "/search?q=", "/services/NOPE"]


async def _check_every_page(page: Page, base: str) -> None:
    for path in PAGES:
        await page.goto(base + path)
        assert await axe_violations(page) == [], path


async def test_the_front_door_pages_have_no_axe_violations_in_english_and_french(
    browser: Browser, live_server: str, runtime: Runtime
) -> None:
    async with runtime.db.session() as s:
        await seed_catalogue(s)
    async with runtime.db.session() as s:
        resident = await make_resident(s)
        pothole = (await s.execute(select(Service.id).where(Service.code == "POTHOLE"))).scalar_one()
        await drafts.start_or_resume(s, citizen_id=resident.citizen_id, service_id=pothole)
        await s.commit()

    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await _check_every_page(page, live_server)  # signed out, English

    await context.add_cookies([resident.cookie(live_server)])
    await page.goto(f"{live_server}/")
    await page.fill("#q", "pothole")
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{live_server}/search?q=pothole")
    await page.click("text=Report a pothole")
    await page.wait_for_url(f"{live_server}/services/POTHOLE")
    assert await page.inner_text(".govuk-button--start") == "Continue your application"
    await page.goto(f"{live_server}/")
    assert "Continue where you left off" in await page.inner_text("main")
    assert await page.locator("#recent-searches-title").count() == 1
    await _check_every_page(page, live_server)  # signed in, English

    await page.goto(f"{live_server}/")
    await page.click("button[lang=fr]")  # the header's language switch
    await page.wait_for_url(f"{live_server}/")
    assert await page.get_attribute("html", "lang") == "fr"
    assert "Reprendre là où vous en étiez" in await page.inner_text("main")
    await _check_every_page(page, live_server)  # signed in, French

    await context.clear_cookies()
    await context.add_cookies([{"name": "ts_lang", "value": "fr", "url": live_server}])
    await page.goto(f"{live_server}/services/POTHOLE")
    assert await page.inner_text("h1") == "Signaler un nid-de-poule"
    await _check_every_page(page, live_server)  # signed out, French
    await context.close()


async def test_search_works_without_javascript_on_a_small_phone(
    browser: Browser, live_server: str, runtime: Runtime
) -> None:
    async with runtime.db.session() as s:
        await seed_catalogue(s)
    context = await browser.new_context(viewport={"width": 320, "height": 640}, java_script_enabled=False)
    page = await context.new_page()
    await page.goto(f"{live_server}/")
    overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, "the home page scrolls sideways on a 320px phone"
    await page.fill("#q", "street light")
    await page.click("button:has-text('Search')")
    await page.wait_for_url(f"{live_server}/search?q=street+light")
    assert "1 result for “street light”" in await page.inner_text("main")
    await page.click("text=Street light out")
    await page.wait_for_url(f"{live_server}/services/STREETLIGHT")
    assert await page.get_attribute(".govuk-button--start", "href") == "/services/STREETLIGHT/apply"
    await context.close()
