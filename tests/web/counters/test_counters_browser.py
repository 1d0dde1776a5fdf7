"""In Chromium: a ticket taken at the kiosk (the office's tablet, then a resident's phone from the poster) and the
display screen calling it live when a clerk presses "call next", with the call announced; every page axe-clean on a
1280-pixel screen and on a 320-pixel phone, in English and French, and none scrolling sideways on the phone."""

from __future__ import annotations

from playwright.async_api import Browser, Page, ViewportSize, expect

from tests.support.browser import assert_accessible, with_axe
from tests.support.counters import SomeOffice, make_office, seat
from tests.support.servers import LiveApp
from townsquare.counters import calling

WIDE: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 320, "height": 640}


async def _office(live: LiveApp) -> SomeOffice:
    async def go() -> SomeOffice:
        async with live.runtime.db.session() as s:
            place = await make_office(s, clerks=1)
            await seat(s, place)
            await s.commit()
            return place

    return await live.call(go)


async def _call_next(live: LiveApp, place: SomeOffice) -> None:
    async def go() -> None:
        async with live.runtime.db.session() as s:
            assert await calling.call_next(s, counter=place.counters[0], staff_id=place.clerks[0].id) is not None
            await s.commit()

    await live.call(go)


async def _no_sideways_scroll(page: Page) -> None:
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


async def test_a_kiosk_ticket_is_called_live_on_the_display_screen(browser: Browser, live_app: LiveApp) -> None:
    place = await _office(live_app)
    context = await browser.new_context(viewport=WIDE)
    await with_axe(context)
    kiosk = await context.new_page()
    await kiosk.goto(f"{live_app.url}/kiosk/service-centre")
    await assert_accessible(kiosk)
    await kiosk.get_by_text("Parking permit").click()
    await kiosk.get_by_label("Mobile phone number (optional)").fill("613-555-0142")
    await kiosk.get_by_role("button", name="Get my ticket").click()
    await expect(kiosk.locator(".ts-ticket__number")).to_have_text("P-001")
    await expect(kiosk.get_by_text("Estimated wait: no wait.")).to_be_visible()
    await assert_accessible(kiosk)

    screen = await context.new_page()
    await screen.goto(f"{live_app.url}/display/service-centre")
    await expect(screen.get_by_text("Nobody is being called right now.")).to_be_visible()
    await assert_accessible(screen)
    await expect(screen.get_by_role("button", name="Read calls aloud")).to_be_visible()  # speech is offered
    await _call_next(live_app, place)
    await expect(screen.locator(".ts-call--newest .ts-call__ticket")).to_have_text("P-001")
    await expect(screen.locator(".ts-call--newest")).to_have_class(
        "ts-call ts-call--newest ts-call--walking ts-call--announced"
    )
    await expect(screen.locator("#announcer")).to_have_text("Ticket P-001, counter 1.")
    await assert_accessible(screen)
    await context.close()


async def test_the_kiosk_and_the_screen_on_a_phone_in_french(browser: Browser, live_app: LiveApp) -> None:
    await _office(live_app)
    context = await browser.new_context(viewport=PHONE)
    await with_axe(context)
    page = await context.new_page()
    await page.goto(f"{live_app.url}/kiosk/service-centre?via=phone&lang=fr")
    await expect(page.get_by_role("heading", name="Prendre un ticket")).to_be_visible()
    await assert_accessible(page)
    await _no_sideways_scroll(page)
    await page.get_by_role("button", name="Obtenir mon ticket").click()  # no service chosen
    await expect(page.get_by_text("Choisissez ce dont vous avez besoin.").first).to_be_visible()
    await assert_accessible(page)
    await page.get_by_text("Driver's licence").click()  # the test service has no French name
    await page.get_by_role("button", name="Obtenir mon ticket").click()
    await expect(page.locator(".ts-ticket__number")).to_have_text("L-001")
    await expect(page.get_by_text("Gardez cette page ouverte", exact=False)).to_be_visible()
    await assert_accessible(page)
    await _no_sideways_scroll(page)
    await page.goto(f"{live_app.url}/display/service-centre?lang=fr")
    await expect(page.get_by_role("heading", name="Appel en cours")).to_be_visible()
    await assert_accessible(page)
    await _no_sideways_scroll(page)
    await context.close()
