"""In Chromium, on a 320 px phone: the "tell us once" consent page and the form with a locked answer fit the
screen, and axe-core finds nothing on either; choosing "Use these" needs no more than the radios and the button."""

from __future__ import annotations

from playwright.async_api import Browser

from tests.support.browser import assert_accessible
from tests.web.portal.test_apply_prefill import prefill_world
from townsquare.app import Runtime
from townsquare.citizens.sessions import CITIZEN_COOKIE

NARROW = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


async def test_the_consent_page_and_a_locked_answer_fit_320_pixels_and_are_accessible(
    browser: Browser, live_server: str, runtime: Runtime
) -> None:
    async with runtime.db.session() as s:
        _world, token = await prefill_world(s)
    context = await browser.new_context(viewport={"width": 320, "height": 640}, is_mobile=True, has_touch=True)
    await context.add_cookies([{"name": CITIZEN_COOKIE, "value": token, "url": live_server}])
    page = await context.new_page()
    await page.goto(f"{live_server}/services/TRANSIT/apply")
    assert page.url.endswith("/prefill")
    await assert_accessible(page)
    assert await page.evaluate(NARROW)
    await page.get_by_label("Use these").check()
    await page.get_by_role("button", name="Continue").click()
    await page.wait_for_url("**/pages/1")
    assert await page.get_by_text("From Revenue, verified 1 November 2026").is_visible()
    await page.get_by_text("This is wrong").click()
    assert await page.get_by_text("Ask Revenue to correct its records").is_visible()
    await assert_accessible(page)
    assert await page.evaluate(NARROW)
    await context.close()
