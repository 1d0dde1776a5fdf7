"""In Chromium on a 320-pixel phone: an administrator's refused service form (its error summary naming each field,
each link leading to its field) and the saved one, by keyboard, with no axe-core violations and no sideways
scroll."""

from __future__ import annotations

from playwright.async_api import Browser, Page

from tests.factories import PASSWORD, create_agency, create_service, create_staff
from tests.support.browser import axe_violations
from tests.support.servers import LiveApp
from townsquare.staff.models import StaffRole


async def _fits(page: Page) -> bool:
    return bool(await page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


async def test_a_refused_then_saved_service_on_a_phone(browser: Browser, live_app: LiveApp) -> None:
    async def seed() -> None:
        async with live_app.runtime.db.session() as s:
            works = await create_agency(s, slug="works", name="Works")
            await create_service(s, agency=works, code="POTHOLE")
            await create_staff(s, email="root@city.example", role=StaffRole.admin)
            await s.commit()

    await live_app.call(seed)
    page = await browser.new_page(viewport={"width": 320, "height": 800})
    await page.goto(f"{live_app.url}/desk/sign-in?next=/desk/admin")
    await page.fill("#email", "root@city.example")
    await page.fill("#password", PASSWORD)
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    async with page.expect_navigation():
        await page.click("a[href='/desk/admin/services']")
    async with page.expect_navigation():
        await page.click("a[href='/desk/admin/services/new']")
    await page.fill("#field-code", "pothole")
    await page.fill("#field-name", "Bulky items")
    await page.fill("#field-sla_hours", "0")
    async with page.expect_navigation():
        await page.click("form.admin-form button[type=submit]")
    summary = page.locator("#error-summary")
    assert "Another service already has that code." in await summary.inner_text()
    assert await summary.locator("a[href='#field-sla_hours']").count() == 1
    assert await summary.locator("a[href='#field-name_fr']").count() == 1
    assert await axe_violations(page) == []
    assert await _fits(page)
    await summary.locator("a[href='#field-code']").focus()
    await page.keyboard.press("Enter")
    assert await page.evaluate("location.hash") == "#field-code"

    await page.fill("#field-code", "BULKY")
    await page.fill("#field-name_fr", "Encombrants")
    await page.fill("#field-sla_hours", "48")
    await page.fill("#field-synonyms", "sofa, couch")
    await page.focus("#field-synonyms")
    async with page.expect_navigation():
        await page.click("form.admin-form button[type=submit]")
    assert page.url.endswith("/desk/admin/services/BULKY?notice=created")
    assert "The service was created." in await page.inner_text("[role=status]")
    assert await axe_violations(page) == []
    assert await _fits(page)
