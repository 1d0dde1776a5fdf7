"""In Chromium: a notice that reaches the desk while the inbox is being fetched is not lost.

The page fetches its inbox when its socket opens; that answer is held back (as a slow network would) until an
offer has been made and its notice has reached the page. The held answer shows no offer, so the page must fetch
again by itself: before, the notice was dropped because a fetch was under way, and the offer never appeared.
"""

from __future__ import annotations

import asyncio
import json

from playwright.async_api import Browser, Page, Route, WebSocket, expect
from sqlalchemy import func, select

from tests.factories import PASSWORD, create_agency, create_citizen, create_staff
from tests.support.servers import LiveApp
from townsquare.citizens.models import IdentityKind
from townsquare.engagement.messages import InboundMessage, Sender
from townsquare.interactions.models import Channel
from townsquare.routing.models import WorkOffer

PHONE = "+16135550142"
LIVE = 15000  # ms


async def _seed(live: LiveApp) -> None:
    async def go() -> None:
        async with live.runtime.db.session() as s:
            agency = await create_agency(s)
            await create_citizen(s, name="Maria Lopez", phone=PHONE)
            await create_staff(s, email="ana@city.example", agencies=[agency])
            await s.commit()

    await live.call(go)


async def _available(page: Page, live: LiveApp) -> None:
    await page.goto(f"{live.url}/desk/sign-in?next=/desk")
    await page.get_by_label("Email").fill("ana@city.example")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(f"{live.url}/desk")
    await page.get_by_label("Available").check()
    await page.get_by_role("button", name="Set status").click()
    await expect(page.locator(".presence-now")).to_contain_text("Available", timeout=LIVE)


async def _offers(live: LiveApp) -> int:
    async def go() -> int:
        async with live.runtime.db.session() as s:
            return int((await s.execute(select(func.count()).select_from(WorkOffer))).scalar_one())

    return await live.call(go)


async def test_an_offer_made_while_the_inbox_is_loading_still_appears(browser: Browser, live_app: LiveApp) -> None:
    live = live_app
    await _seed(live)
    ana = await (await browser.new_context()).new_page()
    await _available(ana, live)

    inbox_notices: list[str] = []

    def on_socket(socket: WebSocket) -> None:
        def on_frame(payload: str | bytes) -> None:
            if isinstance(payload, str) and json.loads(payload).get("type") == "inbox":
                inbox_notices.append(payload)

        socket.on("framereceived", on_frame)

    ana.on("websocket", on_socket)
    release = asyncio.Event()
    held: list[str] = []

    async def hold_the_first(route: Route) -> None:
        if held:
            await route.continue_()
            return
        held.append(route.request.url)
        stale = await route.fetch()  # rendered now, before any offer exists
        await release.wait()
        await route.fulfill(response=stale)

    await ana.route("**/desk/_inbox", hold_the_first)
    await ana.reload()  # the socket opens and the page fetches its inbox: that fetch is held
    await expect(ana.locator("#desk-connection")).to_have_text("Live updates: on", timeout=LIVE)
    for _ in range(LIVE // 100):
        if held:
            break
        await asyncio.sleep(0.1)
    assert held, "the page did not fetch its inbox when its socket opened"
    notices_before = len(inbox_notices)

    async def text_in() -> None:
        async with live.runtime.db.session() as s:
            message = InboundMessage(
                channel=Channel.sms, text="Pothole on Elm", sender=Sender(IdentityKind.phone, PHONE)
            )
            await live.runtime.pipeline.ingest(s, message)

    await live.call(text_in)
    for _ in range(LIVE // 100):  # the routing worker offers the text to Ana, and the page hears of it
        if await _offers(live) and len(inbox_notices) > notices_before:
            break
        await asyncio.sleep(0.1)
    assert await _offers(live) == 1
    await live.call(live.runtime.bus.wait_idle)
    assert len(inbox_notices) > notices_before, "no inbox notice reached the page while its fetch was held"

    release.set()  # the stale answer arrives now, after every notice
    await expect(ana.locator(".offer", has_text="Maria Lopez")).to_be_visible(timeout=LIVE)
