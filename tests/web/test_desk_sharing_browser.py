"""In Chromium: the desk's agreements pages, the proposal form with its errors, the Shared data panel and the
shared values have no axe violations, on a desktop and on a 390-pixel phone without sideways scrolling, and the
consent is recorded with the keyboard alone."""

from __future__ import annotations

import uuid

from playwright.async_api import Browser, Page

from tests.factories import PASSWORD, create_staff
from tests.sharing.world import sharing_world
from tests.support.browser import axe_violations, share_cookies
from tests.support.servers import LiveApp
from townsquare.staff.models import StaffRole


async def _fits(page: Page) -> bool:
    width = await page.evaluate("document.documentElement.scrollWidth")
    return bool(width <= page.viewport_size["width"]) if page.viewport_size else False


async def test_the_sharing_pages_in_chromium_with_no_axe_violations(browser: Browser, live_app: LiveApp) -> None:
    async def seed() -> tuple[uuid.UUID, uuid.UUID]:
        async with live_app.runtime.db.session() as s:
            world = await sharing_world(s)
            await create_staff(s, email="ben.lead@city.example", role=StaffRole.supervisor, agencies=[world.benefits])
            await s.commit()
            return world.person.id, world.agreements[0].id

    person, agreement = await live_app.call(seed)
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await page.goto(f"{live_app.url}/desk/sign-in")
    await page.fill("#email", "ben.lead@city.example")
    await page.fill("#password", PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{live_app.url}/desk")
    phone = await browser.new_page(viewport={"width": 390, "height": 844})
    await share_cookies(page.context, phone.context)

    paths = [
        "/desk/agreements",
        "/desk/agreements/DSA-0001",
        "/desk/agreements/new?provider=revenue&consumer=benefits",
        f"/desk/citizens/{person}",
        f"/desk/citizens/{person}/shared-values?agreement={agreement}",
    ]
    for path in paths:
        for viewer in (page, phone):
            response = await viewer.goto(f"{live_app.url}{path}")
            assert response is not None
            assert response.status == 200, path
            assert await axe_violations(viewer) == [], path
        assert await _fits(phone), path

    await page.goto(f"{live_app.url}/desk/agreements/new?provider=revenue&consumer=benefits")
    await page.get_by_role("button", name="Propose", exact=True).click()
    assert "The agreement is not complete" in await page.inner_text(".error-summary")
    assert await axe_violations(page) == []

    await page.goto(f"{live_app.url}/desk/citizens/{person}")
    panel = page.locator(f"#shared-{agreement}").locator("xpath=..")
    await panel.locator("input[name=attributes]").first.focus()
    await page.keyboard.press("Space")
    await panel.locator("input[name=confirmed]").focus()
    await page.keyboard.press("Space")
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{live_app.url}/desk/citizens/{person}?notice=consent#shared-data")
    assert "by voice" in await page.inner_text("#shared-data")
    assert await axe_violations(page) == []
