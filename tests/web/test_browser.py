"""In Chromium: a person signs in with the keyboard alone, finds a citizen and reads their timeline;
every page is free of axe-core violations, on a desktop and on a 320-pixel phone."""

from __future__ import annotations

from playwright.async_api import Browser

from tests.factories import PASSWORD, api_key_headers, create_agency, create_citizen, create_staff
from tests.support.browser import axe_violations, share_cookies
from townsquare.app import Runtime
from townsquare.citizens.models import IdentityKind
from townsquare.engagement.messages import InboundMessage, Sender
from townsquare.interactions.models import Channel


async def _seed(runtime: Runtime) -> str:
    async with runtime.db.session() as s:
        agency = await create_agency(s)
        await create_staff(s, email="wren@city.example", agencies=[agency])
        citizen = await create_citizen(s, name="Maria Lopez", phone="+16135550142", phone_verified=True)
        await api_key_headers(s)
        await s.commit()
    for channel, text in ((Channel.sms, "Pothole on Elm St"), (Channel.voice, "Called about the pothole")):
        async with runtime.db.session() as s:
            await runtime.pipeline.ingest(
                s, InboundMessage(channel=channel, text=text, sender=Sender(IdentityKind.phone, "613-555-0142"))
            )
    return str(citizen.id)


async def test_keyboard_sign_in_search_and_timeline_with_no_axe_violations(
    browser: Browser, live_server: str, runtime: Runtime
) -> None:
    citizen_id = await _seed(runtime)
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await page.goto(f"{live_server}/")
    assert await axe_violations(page) == []

    await page.goto(f"{live_server}/desk")
    assert "/desk/sign-in" in page.url
    assert await axe_violations(page) == []
    # Keyboard only: the skip link comes first, then the form can be filled and sent.
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.textContent") == "Skip to main content"
    await page.focus("#email")
    await page.keyboard.type("wren@city.example")
    await page.keyboard.press("Tab")
    await page.keyboard.type("wrong password")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("[role=alert]")
    assert await axe_violations(page) == []
    await page.fill("#password", PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{live_server}/desk")
    assert await axe_violations(page) == []

    await page.fill("#q", "(613) 555-0142")
    await page.keyboard.press("Enter")
    await page.click("text=Maria Lopez")
    await page.wait_for_url(f"{live_server}/desk/citizens/{citizen_id}")
    timeline = await page.inner_text(".timeline")
    assert timeline.index("Called about the pothole") < timeline.index("Pothole on Elm St")
    assert await axe_violations(page) == []

    phone = await browser.new_page(viewport={"width": 320, "height": 640})
    await share_cookies(page.context, phone.context)
    await phone.goto(page.url)
    assert await axe_violations(phone) == []
    overflow = await phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, "the page scrolls sideways on a 320px phone"


async def test_the_accessibility_check_does_find_violations(browser: Browser) -> None:
    page = await browser.new_page()
    await page.set_content("<html><body><img src='x.png'><input type='text'><a href='#'></a></body></html>")
    found = {v["id"] for v in await axe_violations(page)}
    assert {"image-alt", "label", "html-has-lang"} <= found
