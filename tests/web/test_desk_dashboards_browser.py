"""The dashboards in Chromium: no axe violations on a desktop and on a 320 px phone, in English and French, no
sideways scrolling of the page (tables scroll in their own regions), and the filters work from the keyboard."""

from __future__ import annotations

from datetime import timedelta

from playwright.async_api import Browser

from tests.analytics.test_journeys import T0, seed
from tests.factories import PASSWORD, create_staff
from tests.support.browser import axe_violations, share_cookies
from tests.support.servers import LiveApp
from townsquare.analytics.worker import AnalyticsWorker
from townsquare.staff.models import StaffRole

MARCH = "from=2026-03-01&to=2026-04-30&period=month"


async def test_the_dashboards_in_chromium_with_no_axe_violations(browser: Browser, live_app: LiveApp) -> None:
    async def history() -> None:
        await seed(live_app.runtime)
        await AnalyticsWorker(live_app.runtime.db).run_once(now=T0 + timedelta(days=30))
        async with live_app.runtime.db.session() as s:
            await create_staff(s, email="dir@city.example", role=StaffRole.admin)
            await s.commit()

    await live_app.call(history)
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await page.goto(f"{live_app.url}/desk/sign-in")
    await page.fill("#email", "dir@city.example")
    await page.fill("#password", PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{live_app.url}/desk")
    await page.goto(f"{live_app.url}/desk/analytics?{MARCH}")
    assert await page.inner_text('[data-total="journeys"]') == "4"
    assert await axe_violations(page) == []

    await page.select_option("#f-period", "week")
    await page.focus("#f-channel")
    await page.keyboard.press("Tab")  # to the Show button
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{live_app.url}/desk/analytics?*period=week*")
    assert await page.inner_text('[data-total="journeys"]') == "4"

    await page.goto(f"{live_app.url}/desk/analytics/settings")
    assert await axe_violations(page) == []

    for language in ("en", "fr"):
        phone = await browser.new_page(viewport={"width": 320, "height": 640})
        await share_cookies(page.context, phone.context)
        await phone.context.add_cookies([{"name": "ts_lang", "value": language, "url": live_app.url}])
        await phone.goto(f"{live_app.url}/desk/analytics?{MARCH}")
        assert await phone.evaluate("document.documentElement.scrollWidth") <= 320
        assert await axe_violations(phone) == []
        await phone.close()
