"""In Chromium: two devices of one citizen, joined by verifying the same phone, share one live chat; a device
that loses its connection catches up on reconnect and its queued message is delivered exactly once."""

from __future__ import annotations

import uuid

import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy import select

from tests.factories import count, create_agency, create_article, create_citizen
from tests.support.browser import axe_violations
from tests.support.messages import delivered_code
from tests.support.servers import LiveApp
from townsquare.engagement.replies import reply
from townsquare.interactions.models import Conversation, Interaction
from townsquare.notify.rendering import Content
from townsquare.web.i18n import LANGUAGE_COOKIE

PHONE = "+16135550142"


async def _seed(live: LiveApp) -> uuid.UUID:
    async def go() -> uuid.UUID:
        async with live.runtime.db.session() as s:
            await create_agency(s)
            citizen = await create_citizen(s, name="Maria Lopez", phone=PHONE)
            await s.commit()
            return citizen.id

    return await live.call(go)


async def _code(live: LiveApp, already: int) -> str:
    """The code in the newest text sent to the phone (the live outbox worker delivers it to the recording provider)."""
    return await delivered_code(live.runtime.recording, PHONE, already=already)


async def _open_and_verify(page: Page, live: LiveApp, already: int) -> None:
    await page.goto(f"{live.url}/")
    await page.get_by_role("button", name="Chat with us").click()
    panel = page.get_by_role("dialog", name="Chat with us")
    await expect(panel).to_be_visible()
    await expect(page.locator("#ts-chat-input")).to_be_focused()
    await expect(panel.get_by_role("status").first).to_have_text("Connected")
    await panel.get_by_text("Verify your phone or email").click()
    await panel.get_by_label("Phone number or email address").fill("613-555-0142")
    await panel.get_by_role("button", name="Send me a code").click()
    await expect(panel.get_by_label("The 6-digit code we sent")).to_be_visible()
    await panel.get_by_label("The 6-digit code we sent").fill(await _code(live, already))
    await panel.get_by_role("button", name="Check the code").click()
    await expect(panel.locator(".ts-chat-vnote")).to_contain_text("Verified")
    await expect(panel.locator(".ts-chat-greeting")).to_have_text("Hello, Maria Lopez.")


async def _agent_says(live: LiveApp, citizen_id: uuid.UUID, text: str) -> None:
    async def go() -> None:
        async with live.runtime.db.session() as s:
            conversation = await s.scalar(select(Conversation).where(Conversation.citizen_id == citizen_id))
            assert conversation is not None
            await reply(s, conversation_id=conversation.id, content=Content(text))
            await s.commit()

    await live.call(go)


async def _send(page: Page, text: str) -> None:
    await page.locator("#ts-chat-input").fill(text)
    await page.locator("#ts-chat-input").press("Enter")


async def test_two_devices_share_one_chat_and_a_dropped_device_catches_up(browser: Browser, live_app: LiveApp) -> None:
    live = live_app
    citizen_id = await _seed(live)
    a = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
    b = await (await browser.new_context(viewport={"width": 320, "height": 640})).new_page()
    await _open_and_verify(a, live, already=0)
    await _open_and_verify(b, live, already=1)
    log_a, log_b = a.locator(".ts-chat-log"), b.locator(".ts-chat-log")

    await _send(a, "My green bin was not collected")
    await expect(log_b).to_contain_text("My green bin was not collected")
    # The assistant has no article for it and hands it to a person, saying so on both devices.
    for log in (log_a, log_b):
        await expect(log).to_contain_text("Assistant: I don't have a good answer to that.")
    await expect(log_a.locator("li[data-id]")).to_have_count(2)  # acknowledged on the device that sent it

    await _agent_says(live, citizen_id, "Sorry about that, a truck is on its way.")
    for log in (log_a, log_b):
        await expect(log).to_contain_text("Agent: Sorry about that, a truck is on its way.")
    assert await axe_violations(a) == []
    assert await axe_violations(b) == []

    # Device A loses its connection; meanwhile the agent answers and A writes.
    await a.evaluate("window.TownsquareChat.disconnect({hold: true})")
    await expect(a.locator(".ts-chat-status")).to_contain_text("Offline")
    await _agent_says(live, citizen_id, "It will come before 5 pm.")
    await expect(log_b).to_contain_text("It will come before 5 pm.")
    await _send(a, "Thank you, I will leave it out")
    await expect(log_a.locator("li[data-pending]")).to_have_count(1)
    assert "It will come before 5 pm." not in await log_a.inner_text()

    await a.evaluate("window.TownsquareChat.reconnect()")
    await expect(a.locator(".ts-chat-status")).to_have_text("Connected")
    await expect(log_a).to_contain_text("It will come before 5 pm.")
    await expect(log_a.locator("li[data-pending]")).to_have_count(0)
    await expect(log_b).to_contain_text("Thank you, I will leave it out")
    assert await a.evaluate("window.TownsquareChat.pending()") == 0
    await expect(log_a.locator("li", has_text="Thank you, I will leave it out")).to_have_count(1)
    await expect(log_b.locator("li", has_text="Thank you, I will leave it out")).to_have_count(1)
    await expect(log_a.locator("li")).to_have_count(5)

    async def stored() -> int:
        async with live.runtime.db.session(deferred=True) as s:
            return await count(s, Interaction, Interaction.body == "Thank you, I will leave it out")

    assert await live.call(stored) == 1

    # Reloading the page shows the same conversation, in order, from the server.
    await a.reload()
    await a.get_by_role("button", name="Chat with us").click()
    await expect(a.locator(".ts-chat-log li")).to_have_count(5)
    texts = await a.locator(".ts-chat-log .ts-text").all_inner_texts()
    assert texts == [
        "My green bin was not collected",
        "I don't have a good answer to that. A member of staff will answer here.",
        "Sorry about that, a truck is on its way.",
        "It will come before 5 pm.",
        "Thank you, I will leave it out",
    ]


async def test_desk_pages_have_no_widget_and_public_pages_do(browser: Browser, live_app: LiveApp) -> None:
    page = await browser.new_page()
    await page.goto(f"{live_app.url}/desk/sign-in")
    assert await page.locator("script[src$='/static/chat/widget.js']").count() == 0
    await page.goto(f"{live_app.url}/")
    await expect(page.get_by_role("button", name="Chat with us")).to_be_visible()
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.textContent") == "Skip to main content"


async def test_the_assistant_answers_and_its_yes_no_buttons_work_from_the_keyboard(
    browser: Browser, live_app: LiveApp
) -> None:
    async def seed() -> None:
        async with live_app.runtime.db.session() as s:
            agency = await create_agency(s)
            await create_article(
                s,
                slug="outdoor-pool-hours",
                title="Outdoor pool opening hours",
                agency=agency,
                short_answer="The outdoor pool is open every day from 9 am to 8 pm in summer.",
                keywords="pool swimming swim hours open",
            )
            await s.commit()

    await live_app.call(seed)
    page = await browser.new_page()
    await page.goto(f"{live_app.url}/")
    await page.get_by_role("button", name="Chat with us").click()
    panel = page.get_by_role("dialog", name="Chat with us")
    await expect(panel.get_by_role("status").first).to_have_text("Connected")
    await _send(page, "When is the pool open?")
    log = page.locator(".ts-chat-log")
    await expect(log).to_contain_text("Assistant: The outdoor pool is open every day")
    await expect(log).to_contain_text("Read more: " + live_app.url + "/help/outdoor-pool-hours")
    answers = panel.get_by_role("group", name="Suggested answers")
    await expect(answers.get_by_role("button")).to_have_count(2)
    assert await axe_violations(page) == []
    await page.keyboard.press("Shift+Tab")  # from the message box back to the last suggestion
    await expect(answers.get_by_role("button", name="No")).to_be_focused()
    await page.keyboard.press("Shift+Tab")
    await expect(answers.get_by_role("button", name="Yes")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(log).to_contain_text("You: Yes")
    await expect(log).to_contain_text("Assistant: Thanks, glad that helped.")
    # The chat over, one satisfaction question with five buttons (docs/satisfaction.md).
    await expect(answers.get_by_role("button")).to_have_count(5)
    await answers.get_by_role("button", name="4").click()
    await expect(log).to_contain_text("You: 4")
    await expect(log).to_contain_text("Assistant: Thank you for your answer.")
    await expect(answers).to_have_count(0)
    await expect(page.locator("#ts-chat-input")).to_be_focused()


async def test_on_a_french_page_the_widget_speaks_french(browser: Browser, live_app: LiveApp) -> None:
    await _seed(live_app)
    context = await browser.new_context()
    await context.add_cookies([{"name": LANGUAGE_COOKIE, "value": "fr", "url": live_app.url}])
    page = await context.new_page()
    await page.goto(f"{live_app.url}/")
    await page.get_by_role("button", name="Clavarder avec nous").click()
    panel = page.get_by_role("dialog", name="Clavarder avec nous")
    await expect(panel.get_by_role("status").first).to_have_text("Connecté")
    await panel.get_by_label("Votre message").fill("Bonjour")
    await panel.get_by_role("button", name="Envoyer").click()
    await expect(panel.locator(".ts-msg-in").first).to_contain_text("Vous: Bonjour")
    text = await panel.inner_text()
    for english in ("Chat with us", "Your message", "Send", "You:", "Connected", "Verify"):
        assert english not in text, english
    assert await axe_violations(page) == []
    await context.close()


@pytest.mark.parametrize("path", ["/", "/services", "/account/sign-in", "/help", "/map", "/search?q=pothole"])
async def test_on_a_phone_the_chat_button_never_covers_what_the_person_reads(
    browser: Browser, live_app: LiveApp, path: str
) -> None:
    page = await browser.new_page(viewport={"width": 320, "height": 640})
    await page.goto(f"{live_app.url}{path}")
    launcher = page.get_by_role("button", name="Chat with us")
    await expect(launcher).to_be_attached()
    height = await page.evaluate("() => document.documentElement.scrollHeight")
    for y in range(0, height, 200):  # wherever the page is scrolled to
        await page.evaluate("(y) => window.scrollTo(0, y)", y)
        covered = await page.evaluate(
            """() => {
              const b = document.querySelector(".ts-chat-launcher").getBoundingClientRect();
              return [...document.querySelectorAll("body *:not(.ts-chat):not(.ts-chat *)")]
                .filter((e) => e.children.length === 0 && e.textContent.trim() && e.offsetParent !== null)
                .map((e) => e.getBoundingClientRect())
                .filter((r) => r.bottom > b.top && r.top < b.bottom && r.right > b.left && r.left < b.right).length;
            }"""
        )
        assert covered == 0, f"{path} scrolled to {y}"
    assert await page.evaluate("() => document.documentElement.scrollWidth") <= 320  # no sideways scroll
    await launcher.click()  # opened, it is the chat the person is using
    await expect(page.get_by_role("dialog", name="Chat with us")).to_be_in_viewport()
    await page.close()
