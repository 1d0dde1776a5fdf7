"""In Chromium: a resident follows their case across channels and answers a message, in English and French, on a
desktop and a 390x844 phone, with JavaScript on and off; every page is free of axe-core violations."""

from __future__ import annotations

from playwright.async_api import Browser, Page

from tests.support.browser import axe_violations
from tests.web.portal.test_cases import _seed as seed_case_history
from townsquare.app import Runtime

PAGES = ("/account/cases", "/account/messages")


async def _no_sideways_scroll(page: Page) -> None:
    overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways on a phone"


async def test_cases_timeline_and_messages_in_english_and_french_with_no_axe_violations(
    browser: Browser, live_server: str, runtime: Runtime
) -> None:
    seeded = await seed_case_history(runtime)
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    await context.add_cookies([seeded.resident.cookie(live_server)])
    page = await context.new_page()

    await page.goto(f"{live_server}/account/cases")
    assert await page.inner_text("h1") == "Your cases"
    assert await axe_violations(page) == []

    await page.click(f"a[href='/account/cases/{seeded.reference}']")
    await page.wait_for_url(f"{live_server}/account/cases/{seeded.reference}")
    timeline = await page.inner_text("ol.govuk-list")
    for said in ("You phoned us", "We sent you a text message", "You submitted the form online", "In progress"):
        assert said in timeline
    assert timeline.index("You phoned us") < timeline.index("You submitted the form online")
    assert "STAFF ONLY" not in await page.content()
    assert await axe_violations(page) == []

    await page.click("text=Read our messages about this case and answer them")
    await page.wait_for_url(f"{live_server}/account/messages/{seeded.conversation_id}")
    assert await axe_violations(page) == []
    await page.click("button:has-text('Send')")  # nothing written: the error summary, focused
    await page.wait_for_selector(".govuk-error-summary")
    assert await page.title() == f"Error: {await page.inner_text('h1')} \u2013 Townsquare"
    assert await axe_violations(page) == []
    await page.fill("#text", "Tuesday suits me.")
    await page.click("button:has-text('Send')")
    await page.wait_for_selector(".govuk-notification-banner--success")
    assert "Message sent" in await page.inner_text(".govuk-notification-banner")
    assert "Tuesday suits me." in await page.inner_text("ol.govuk-list")
    assert await axe_violations(page) == []

    await page.goto(f"{live_server}/account/messages")
    assert "Tuesday suits me." in await page.inner_text("main")
    assert await axe_violations(page) == []

    await page.click("button[lang=fr]")  # the language switch in the header
    await page.wait_for_url(f"{live_server}/account/messages")
    assert await page.get_attribute("html", "lang") == "fr"
    assert await page.inner_text("h1") == "Vos messages"
    assert await axe_violations(page) == []
    for path in (*PAGES, f"/account/cases/{seeded.reference}", f"/account/messages/{seeded.conversation_id}"):
        await page.goto(f"{live_server}{path}")
        assert await page.get_attribute("html", "lang") == "fr"
        assert await axe_violations(page) == [], path
    await page.goto(f"{live_server}/account/cases/{seeded.reference}")
    assert "Vous nous avez téléphoné" in await page.inner_text("main")
    await context.close()


async def test_on_a_phone_without_javascript_a_resident_reads_their_case_and_answers(
    browser: Browser, live_server: str, runtime: Runtime
) -> None:
    seeded = await seed_case_history(runtime)
    context = await browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    await context.add_cookies([seeded.resident.cookie(live_server)])
    page = await context.new_page()
    for path in (*PAGES, f"/account/cases/{seeded.reference}", f"/account/messages/{seeded.conversation_id}"):
        await page.goto(f"{live_server}{path}")
        await _no_sideways_scroll(page)
    await page.fill("#text", "Sent from my phone with scripts off.")
    await page.click("button:has-text('Send')")
    await page.wait_for_url(f"{live_server}/account/messages/{seeded.conversation_id}?sent=1")
    assert "Message sent" in await page.inner_text("main")
    assert "Sent from my phone with scripts off." in await page.inner_text("ol.govuk-list")
    await context.close()

    phone = await browser.new_context(viewport={"width": 390, "height": 844})
    await phone.add_cookies([seeded.resident.cookie(live_server)])
    page = await phone.new_page()
    for path in (*PAGES, f"/account/cases/{seeded.reference}", f"/account/messages/{seeded.conversation_id}"):
        await page.goto(f"{live_server}{path}")
        await _no_sideways_scroll(page)
        assert await axe_violations(page) == [], path
    await phone.close()
