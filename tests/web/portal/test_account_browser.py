"""In Chromium, desktop and a 390x844 phone: the account overview, adding a phone (with a wrong code) and an email,
and preferences with an error — keyboard-usable, free of axe-core violations, never scrolling sideways."""

from __future__ import annotations

from playwright.async_api import Browser, Page, ViewportSize

from tests.support.browser import axe_violations
from tests.support.servers import LiveApp
from tests.web.portal.conftest import Resident, make_resident


async def _resident(live_app: LiveApp) -> Resident:
    async def seed() -> Resident:
        async with live_app.runtime.db.session() as s:
            return await make_resident(s, phone="+16135550142")

    return await live_app.call(seed)


async def _check(page: Page) -> None:
    assert await axe_violations(page) == []
    overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways"


async def test_account_pages_are_accessible_on_a_desktop_and_a_phone(browser: Browser, live_app: LiveApp) -> None:
    resident = await _resident(live_app)
    for viewport in (ViewportSize(width=1280, height=900), ViewportSize(width=390, height=844)):
        context = await browser.new_context(viewport=viewport)
        await context.add_cookies([resident.cookie(live_app.url)])
        page = await context.new_page()

        await page.goto(f"{live_app.url}/account")
        assert await page.inner_text("h1") == "Your account"
        assert "maria@example.org" in await page.inner_text("main")
        await _check(page)

        await page.click("text=Add a phone number")
        await page.wait_for_url(f"{live_app.url}/account/identities/phone/new")
        await _check(page)
        await page.fill("#phone", "613 555 0199")
        await page.keyboard.press("Enter")
        await page.wait_for_url(f"{live_app.url}/account/identities/phone/code")
        assert await page.get_attribute("#code", "autocomplete") == "one-time-code"
        await page.fill("#code", "12")
        await page.keyboard.press("Enter")
        await page.wait_for_selector(".govuk-error-summary")
        assert (await page.title()).startswith("Error:")
        await _check(page)

        await page.goto(f"{live_app.url}/account/identities/email/new")
        await _check(page)
        await page.fill("#email", "not an address")
        await page.click("button:has-text('Email me a link')")
        await page.wait_for_selector(".govuk-error-summary")
        await _check(page)

        await page.goto(f"{live_app.url}/account/preferences")
        await _check(page)
        await page.fill("#quiet_start", "25:99")
        await page.click("button:has-text('Save preferences')")
        await page.wait_for_selector(".govuk-error-summary")
        assert "Enter the start of quiet hours" in await page.inner_text(".govuk-error-summary")
        await _check(page)
        await page.fill("#quiet_start", "")
        await page.check("#channels")
        await page.click("button:has-text('Save preferences')")
        await page.wait_for_url(f"{live_app.url}/account?updated=preferences")
        assert "Your preferences were saved." in await page.inner_text(".govuk-notification-banner")
        await _check(page)
        await context.close()


async def test_the_account_works_without_javascript(browser: Browser, live_app: LiveApp) -> None:
    resident = await _resident(live_app)
    context = await browser.new_context(java_script_enabled=False)
    await context.add_cookies([resident.cookie(live_app.url)])
    page = await context.new_page()
    await page.goto(f"{live_app.url}/account/preferences")
    await page.check("#language-fr")
    await page.click("button:has-text('Save preferences')")
    await page.wait_for_url(f"{live_app.url}/account?updated=preferences")
    assert await page.get_attribute("html", "lang") == "fr"
    assert await page.inner_text("h1") == "Votre compte"
    await context.close()
