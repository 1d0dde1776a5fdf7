"""In Chromium, a call that connects: two residents call from the simulator and wait in the queue; the first one's
offer is declined, the SECOND is offered to the agent and accepted; the second caller's phone follows the
platform's REST redirect into the conference and shows it is connected to the agent, while the first still
waits. The agent joins from the desk's softphone (the demo's stand-in for Twilio's SDK) and puts the caller on
hold and back with the keyboard; the work page stays axe-clean."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy import select

from tests.factories import PASSWORD
from tests.support.browser import axe_violations
from tests.support.calls import CITY, JEAN, MARIA, call_settings, city_line
from tests.support.servers import LiveApp, free_port, serving
from townsquare.app import build_runtime, create_app
from townsquare.citizens.models import Citizen
from townsquare.routing.models import WorkItem
from townsquare.settings import Settings

LIVE = 30000  # ms: a routing pass, the outbox worker, Twilio's stand-in and the pages' polls in between


@pytest.fixture
def calls_app(settings: Settings) -> Iterator[LiveApp]:
    """The app on loopback, with call control going to the simulator's stand-in for Twilio at its own URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    update = {"outbox_worker": True, "routing_worker": True}
    live_settings = call_settings(settings, url).model_copy(update={"public_url": url, **update})
    runtime = build_runtime(live_settings)
    with serving(create_app(live_settings, runtime), port) as loop:
        yield LiveApp(url, runtime, loop)


async def _call_and_wait(page: Page, live: LiveApp, number: str) -> None:
    await page.goto(f"{live.url}/simulator")
    await page.locator("#voice-from").fill(number)
    await expect(page.locator(f'#voice-to option[value="{CITY}"]')).to_have_count(1, timeout=LIVE)
    await page.locator("#voice-to").select_option(CITY)
    await page.locator("#voice-call").click()
    await expect(page.locator('.voice-key[data-key="0"]')).to_be_enabled(timeout=LIVE)
    await expect(page.locator("#voice-state")).to_contain_text("listening", timeout=LIVE)
    await page.locator('.voice-key[data-key="0"]').click()
    await expect(page.locator("#voice-state")).to_contain_text("Waiting for an agent", timeout=LIVE)


async def _items(live: LiveApp) -> dict[str, uuid.UUID]:
    """The waiting calls' work items, by the caller's name."""

    async def read() -> dict[str, uuid.UUID]:
        async with live.runtime.db.session(deferred=True) as s:
            rows = await s.execute(
                select(Citizen.display_name, WorkItem.id)
                .join(WorkItem, WorkItem.citizen_id == Citizen.id)
                .where(WorkItem.kind == "call")
            )
            return {str(name): item_id for name, item_id in rows.all()}

    return await live.call(read)


async def test_the_second_caller_offered_and_accepted_is_the_one_connected(
    browser: Browser, calls_app: LiveApp
) -> None:
    live = calls_app

    async def seed() -> None:
        async with live.runtime.db.session() as s:
            await city_line(s)

    await live.call(seed)
    agent = await (await browser.new_context()).new_page()
    await agent.goto(f"{live.url}/desk/sign-in?next=/desk")
    await agent.get_by_label("Email").fill("wren@city.example")
    await agent.get_by_label("Password").fill(PASSWORD)
    await agent.get_by_role("button", name="Sign in").click()
    await agent.wait_for_url(f"{live.url}/desk")

    maria = await (await browser.new_context()).new_page()
    jean = await (await browser.new_context()).new_page()
    await _call_and_wait(maria, live, MARIA)
    await _call_and_wait(jean, live, JEAN)
    items = await _items(live)
    first, second = items["Maria Lopez"], items["Jean Roy"]

    # Maria waited longest, so she is offered first; Wren passes, and Jean's call is offered instead.
    decline = agent.locator(f'form[action="/desk/offers/{first}/decline"] button')
    await expect(decline).to_be_visible(timeout=LIVE)
    await decline.click()
    accept = agent.locator(f'form[action="/desk/offers/{second}/accept"] button')
    await expect(accept).to_be_visible(timeout=LIVE)
    await accept.click()
    await agent.wait_for_url(f"{live.url}/desk/work/{second}")
    panel = agent.locator("#call-panel")
    await expect(panel).to_be_visible()

    # Jean's phone follows the REST redirect into the conference; the agent joins from the browser.
    await expect(jean.locator("#voice-log")).to_contain_text("the city put the call through", timeout=LIVE)
    await agent.get_by_role("button", name="Join the call in this browser").click()
    await expect(agent.locator("#call-state")).to_have_text("Connected to the caller", timeout=LIVE)
    await expect(jean.locator("#voice-state")).to_have_text("Connected to Wren", timeout=LIVE)
    await expect(maria.locator("#voice-state")).to_contain_text("Waiting for an agent")
    assert await axe_violations(agent) == []
    for width in (320, 1280):  # the panel fits a phone and a desk screen without sideways scrolling
        await agent.set_viewport_size({"width": width, "height": 800})
        fits = "(el) => el.scrollWidth <= el.clientWidth && el.getBoundingClientRect().right <= window.innerWidth + 1"
        assert await panel.evaluate(fits), f"the call panel scrolls sideways at {width} px"

    # Hold and back, with the keyboard; the caller hears the hold music meanwhile.
    hold = agent.get_by_role("button", name="Put on hold")
    await hold.focus()
    await agent.keyboard.press("Enter")
    await expect(agent.locator("#call-state")).to_have_text("Caller on hold", timeout=LIVE)
    await expect(jean.locator("#voice-state")).to_contain_text("On hold", timeout=LIVE)
    resume = agent.get_by_role("button", name="Take off hold")
    await resume.focus()
    await agent.keyboard.press("Enter")
    await expect(jean.locator("#voice-state")).to_have_text("Connected to Wren", timeout=LIVE)
    await expect(maria.locator("#voice-state")).to_contain_text("Waiting for an agent")

    # Hanging up ends it for both; the first caller still waits for someone.
    await agent.get_by_role("button", name="Hang up").click()
    await expect(jean.locator("#voice-log")).to_contain_text("the person hung up", timeout=LIVE)
    await expect(maria.locator("#voice-state")).to_contain_text("Waiting for an agent")
