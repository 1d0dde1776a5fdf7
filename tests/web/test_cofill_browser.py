"""In Chromium, two people on one form: an agent on a call sends the resident the form's link by text; she opens
it on her phone (never signed in); her answers appear in the agent's workspace without a reload; once she allows
it, a field the agent fills in appears on her page without a reload; she sends it; there is exactly one case, and
the desk's case page says who entered which answer. Both pages axe-clean, and hers does not scroll sideways at
320 px."""

from __future__ import annotations

import asyncio

from playwright.async_api import Browser, Page, expect
from sqlalchemy import func, select

from tests.factories import PASSWORD
from tests.support.browser import axe_violations
from tests.support.messages import texts_delivered
from tests.support.servers import LiveApp
from tests.support.together import AGENT, PHONE, Together, together_world, token_of
from townsquare.cases.models import Case

LIVE = 20000  # ms: an upper bound on a loaded machine; each wait ends as soon as what it waits for is there
MARK = "window.__sameDocument = true"  # set once: still there later means the page was never reloaded


async def _clean(page: Page, *, phone: bool = False) -> None:
    assert await axe_violations(page) == [], page.url
    if phone:
        width = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert width <= 0, f"{page.url} scrolls sideways"


async def _the_text(live: LiveApp) -> str:
    """The text message as the SMS provider was handed it (the outbox worker delivers it on its own)."""
    for _ in range(LIVE // 50):
        texts = texts_delivered(live.runtime.recording, PHONE)
        if texts:
            return texts[-1]
        await asyncio.sleep(0.05)
    raise AssertionError("no text message was delivered to her phone")


async def _agent(browser: Browser, live: LiveApp, world: Together) -> Page:
    desk = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
    await desk.goto(f"{live.url}/desk/sign-in")
    await desk.fill("#email", AGENT)
    await desk.fill("#password", PASSWORD)
    await desk.keyboard.press("Enter")
    await desk.wait_for_url(f"{live.url}/desk")
    await desk.goto(f"{live.url}/desk/work/{world.item_id}")
    await expect(desk.locator("#desk-connection")).to_have_text("Live updates: on", timeout=LIVE)
    return desk


async def _send_by_text(desk: Page, live: LiveApp) -> str:
    """On the call, the agent sends the permit's form to her phone by text; the text as the provider took it."""
    panel = desk.locator("#cofill")
    await panel.get_by_label("Form", exact=True).select_option(label="Residential parking permit")
    await panel.get_by_label("Send to").select_option(label="Text message: Phone +1 613-555-0142")
    await panel.get_by_role("button", name="Send the link").click()
    await expect(desk.locator("#cofill-status")).to_contain_text("Waiting for the resident to open it", timeout=LIVE)
    text = await _the_text(live)
    assert text.startswith("Wren at City Works sent you a form to fill in together")
    return text


async def _open_and_allow(browser: Browser, live: LiveApp, text: str, desk: Page) -> Page:
    """She opens it on her phone, not signed in, and lets Wren fill in the form with her."""
    resident = await browser.new_context(viewport={"width": 320, "height": 640})
    phone = await resident.new_page()
    await phone.goto(f"{live.url}/together/{token_of(text)}")
    await _clean(phone, phone=True)
    await phone.get_by_role("button", name="Open the form").click()
    await phone.wait_for_url("**/pages/1")
    await expect(phone.get_by_text("Let Wren fill in this form with you?")).to_be_visible()
    await _clean(phone, phone=True)
    await expect(desk.locator("#cofill-status")).to_contain_text("The resident opened the form", timeout=LIVE)
    await phone.get_by_role("button", name="Allow").click()
    await expect(phone.get_by_text("Wren can fill in this form with you.")).to_be_visible()
    await phone.evaluate(MARK)
    return phone


async def _she_sends(phone: Page) -> str:
    """She finishes the form and sends it; the case's reference."""
    await phone.get_by_label("Car").check()
    await phone.get_by_role("button", name="Continue").click()
    await phone.wait_for_url("**/pages/2")
    await phone.get_by_role("button", name="Continue").click()
    await phone.wait_for_url("**/check")
    await _clean(phone, phone=True)
    await phone.get_by_role("button", name="Accept and send").click()
    await phone.wait_for_url("**/done")
    await _clean(phone, phone=True)
    return (await phone.locator(".govuk-panel__body strong").inner_text()).strip()


async def _cases(live: LiveApp, reference: str) -> tuple[int, dict[str, str]]:
    """How many cases there are, and who entered each answer of hers."""

    async def read() -> tuple[int, dict[str, str]]:
        async with live.runtime.db.session() as s:
            count = int((await s.execute(select(func.count()).select_from(Case))).scalar_one())
            case = (await s.execute(select(Case).where(Case.reference == reference))).scalar_one()
            return count, dict(case.entered_by)

    return await live.call(read)


async def test_an_agent_and_a_resident_fill_in_one_form_together(browser: Browser, live_app: LiveApp) -> None:
    live = live_app

    async def seed() -> Together:
        async with live.runtime.db.session() as s:
            world = await together_world(s)
            await s.commit()
            return world

    world = await live.call(seed)
    desk = await _agent(browser, live, world)
    await _clean(desk)
    phone = await _open_and_allow(browser, live, await _send_by_text(desk, live), desk)

    # Her answer appears in the agent's workspace as she types, without a reload.
    await desk.evaluate(MARK)
    await expect(desk.locator("#cofill-status")).to_contain_text("The resident lets you fill in", timeout=LIVE)
    await phone.get_by_label("Licence plate").fill("ABC 123")
    await expect(desk.locator("#cofill-plate")).to_have_value("ABC 123", timeout=LIVE)
    await expect(desk.locator("[data-cofill-by=plate]")).to_have_text("Entered by the resident")
    assert await desk.evaluate("window.__sameDocument === true"), "the agent's page was reloaded"
    await _clean(desk)
    small = await desk.context.new_page()  # the same workspace on a phone: usable, nothing sideways
    await small.set_viewport_size({"width": 320, "height": 640})
    await small.goto(f"{live.url}/desk/work/{world.item_id}#cofill")
    await _clean(small, phone=True)
    await small.close()

    # The agent fills in the colour; it appears on her page, without a reload, said to be Wren's.
    await desk.locator("#cofill-colour").fill("Red")
    await desk.get_by_role("button", name="Save my answers").click()
    await expect(phone.get_by_label("Colour of the vehicle")).to_have_value("Red", timeout=LIVE)
    await expect(phone.locator("[data-filled-by=colour]")).to_have_text("Filled in by Wren")
    assert await phone.evaluate("window.__sameDocument === true"), "her page was reloaded"
    await _clean(phone, phone=True)

    # She sends it: exactly one case, which says who entered which answer.
    reference = await _she_sends(phone)
    assert await _cases(live, reference) == (
        1,
        {"plate": "citizen", "vehicle": "citizen", "colour": f"staff:{world.agent_id}"},
    )
    await expect(desk.locator("#cofill-status")).to_contain_text("The resident sent the form", timeout=LIVE)
    await desk.goto(f"{live.url}/desk/cases/{reference}")
    await expect(desk.locator("[data-entered-by=plate]")).to_have_text("Entered by the resident")
    await expect(desk.locator("[data-entered-by=colour]")).to_have_text("Entered by Wren (staff)")
    await _clean(desk)
