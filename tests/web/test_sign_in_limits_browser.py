"""In Chromium: the sign-in page that asks a locked-out person to wait, and the administrators' Staff page with its
Unlock button, by keyboard, with no axe-core violations on a desktop and on a 320-pixel phone."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page

from tests.factories import PASSWORD, create_agency, create_staff
from tests.support.browser import axe_violations
from tests.support.servers import LiveApp
from townsquare.settings import Settings
from townsquare.staff.models import StaffRole


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"staff_lock_after_failures": 2, "staff_sign_in_account_limits": "10/minute"})


async def _sign_in(page: Page, url: str, email: str, password: str) -> None:
    await page.goto(f"{url}/desk/sign-in")
    await page.fill("#email", email)
    await page.fill("#password", password)
    async with page.expect_navigation():
        await page.keyboard.press("Enter")


@pytest.mark.parametrize("width", [1280, 320])
async def test_the_wait_page_and_the_staff_page_in_chromium(browser: Browser, live_app: LiveApp, width: int) -> None:
    async def seed() -> None:
        async with live_app.runtime.db.session() as s:
            agency = await create_agency(s)
            await create_staff(s, email="wren@city.example", agencies=[agency])
            await create_staff(s, email="root@city.example", role=StaffRole.admin)
            await s.commit()

    await live_app.call(seed)
    page = await browser.new_page(viewport={"width": width, "height": 900})
    for _ in range(2):
        await _sign_in(page, live_app.url, "wren@city.example", "wrong-password-1")
    await _sign_in(page, live_app.url, "wren@city.example", PASSWORD)
    summary = await page.inner_text(".error-summary")
    assert "too many failed attempts" in summary
    assert "ask an administrator" in summary
    assert await axe_violations(page) == []

    await _sign_in(page, live_app.url, "root@city.example", PASSWORD)
    await page.goto(f"{live_app.url}/desk")
    await page.click("text=Staff accounts")
    await page.wait_for_url(f"{live_app.url}/desk/staff")
    assert "Locked" in await page.inner_text("#staff tbody tr:first-child")
    assert await axe_violations(page) == []
    await page.focus("button:has-text('Unlock')")
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{live_app.url}/desk/staff?notice=unlocked")
    assert "The account was unlocked" in await page.inner_text("[role=status]")
    assert "Locked" not in await page.inner_text("#staff")
    assert await axe_violations(page) == []

    other = await browser.new_page(viewport={"width": width, "height": 900})
    await _sign_in(other, live_app.url, "wren@city.example", PASSWORD)
    assert other.url == f"{live_app.url}/desk"
