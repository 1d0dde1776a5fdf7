"""In Chromium, the must-show journey of the live desk: an agent signs in, goes available, is offered a chat
live, accepts it with the keyboard, sees the citizen's earlier SMS and email, replies, and the citizen's chat
shows the reply, while a supervisor's wallboard follows along without a reload."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from playwright.async_api import Browser, Page, expect
from sqlalchemy import update

from tests.factories import PASSWORD, create_agency, create_citizen, create_staff
from tests.support.browser import axe_violations
from tests.support.messages import delivered_code
from tests.support.servers import LiveApp
from townsquare.citizens.models import IdentityKind
from townsquare.clock import utcnow
from townsquare.engagement.messages import InboundMessage, Sender
from townsquare.interactions.models import Channel, Conversation
from townsquare.routing.models import WorkItem, WorkItemStatus
from townsquare.staff.models import StaffRole

PHONE = "+16135550142"
EMAIL = "maria.lopez@example.org"
EARLIER_SMS = "The streetlight on Elm St is out again"
EARLIER_EMAIL = "Following up: my recycling bin was cracked by the truck"
CHAT = "My green bin was not collected this week"
LIVE = 15000  # ms: live updates cross a routing pass, the outbox worker and a fragment fetch
REPLY = "Sorry about that, Maria. A truck will come by tomorrow morning."


async def _seed(live: LiveApp) -> uuid.UUID:
    """A citizen with an SMS and an email from last week (already handled), an agent and a supervisor."""

    async def go() -> uuid.UUID:
        async with live.runtime.db.session() as s:
            agency = await create_agency(s)
            maria = await create_citizen(s, name="Maria Lopez", phone=PHONE, email=EMAIL)
            await create_staff(s, email="ana@city.example", agencies=[agency])
            await create_staff(s, email="sue@city.example", role=StaffRole.supervisor, agencies=[agency])
            await s.commit()
        earlier = [
            InboundMessage(
                channel=Channel.sms,
                text=EARLIER_SMS,
                sender=Sender(IdentityKind.phone, PHONE),
                received_at=utcnow() - timedelta(days=6),
            ),
            InboundMessage(
                channel=Channel.email,
                text=EARLIER_EMAIL,
                subject="Recycling bin",
                sender=Sender(IdentityKind.email, EMAIL),
                received_at=utcnow() - timedelta(days=5),
            ),
        ]
        for message in earlier:
            async with live.runtime.db.session() as s:
                await live.runtime.pipeline.ingest(s, message)
        async with live.runtime.db.session() as s:  # last week's work was done, and its conversation went quiet
            last_week = utcnow() - timedelta(days=4)
            await s.execute(update(WorkItem).values(status=WorkItemStatus.done, closed_at=last_week))
            await s.execute(update(Conversation).values(last_activity_at=last_week))
            await s.commit()
        return maria.id

    return await live.call(go)


async def _sign_in(page: Page, live: LiveApp, email: str, next_path: str) -> None:
    await page.goto(f"{live.url}/desk/sign-in?next={next_path}")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(f"{live.url}{next_path}")


async def _code(live: LiveApp) -> str:
    """The code in the text the live outbox worker delivered to the recording provider."""
    return await delivered_code(live.runtime.recording, PHONE)


async def _citizen_chats(page: Page, live: LiveApp) -> None:
    """Maria opens the chat on the public site, proves her phone (joining her record), and writes."""
    await page.goto(f"{live.url}/")
    await page.get_by_role("button", name="Chat with us").click()
    panel = page.get_by_role("dialog", name="Chat with us")
    await expect(panel.get_by_role("status").first).to_have_text("Connected")
    await panel.get_by_text("Verify your phone or email").click()
    await panel.get_by_label("Phone number or email address").fill("613-555-0142")
    await panel.get_by_role("button", name="Send me a code").click()
    await panel.get_by_label("The 6-digit code we sent").fill(await _code(live))
    await panel.get_by_role("button", name="Check the code").click()
    await expect(panel.locator(".ts-chat-greeting")).to_have_text("Hello, Maria Lopez.")
    await page.locator("#ts-chat-input").fill(CHAT)
    await page.locator("#ts-chat-input").press("Enter")
    await expect(page.locator(".ts-chat-log li[data-id]", has_text=CHAT)).to_have_count(1)  # acknowledged


async def test_an_agent_takes_a_live_chat_and_the_wallboard_follows(browser: Browser, live_app: LiveApp) -> None:
    live = live_app
    await _seed(live)
    sue = await (await browser.new_context()).new_page()
    ana = await (await browser.new_context()).new_page()
    maria = await (await browser.new_context(viewport={"width": 360, "height": 740})).new_page()

    await _sign_in(ana, live, "ana@city.example", "/desk")  # the first visit makes her routing profile
    await _sign_in(sue, live, "sue@city.example", "/desk/wallboard")
    await expect(sue.locator("#desk-connection")).to_have_text("Live updates: on", timeout=LIVE)
    await expect(sue.locator("#board-agents")).to_contain_text("Ana", timeout=LIVE)
    await expect(sue.locator('#board-agents td[data-col="presence"]')).to_have_text("Offline", timeout=LIVE)
    await expect(sue.locator('[data-total="depth"]')).to_have_text("0", timeout=LIVE)
    await sue.evaluate("window.__stayed = true")
    assert await axe_violations(sue) == []

    # Ana goes available with the keyboard-reachable status form.
    assert await axe_violations(ana) == []
    await ana.get_by_label("Available").check()
    await ana.get_by_role("button", name="Set status").click()
    await ana.wait_for_url(f"{live.url}/desk")
    await expect(ana.locator(".presence-now")).to_contain_text("Available", timeout=LIVE)
    await expect(ana.locator("#desk-connection")).to_have_text("Live updates: on", timeout=LIVE)
    await ana.evaluate("window.__stayed = true")
    await expect(sue.locator('#board-agents td[data-col="presence"]')).to_have_text("Available", timeout=LIVE)
    await expect(sue.locator('[data-presence-count="available"]')).to_contain_text("1", timeout=LIVE)

    # Maria writes in the chat; the offer reaches Ana's open inbox without a reload, and is announced.
    await _citizen_chats(maria, live)
    offer = ana.locator(".offer", has_text="Chat from Maria Lopez")
    await expect(offer).to_be_visible(timeout=LIVE)
    await expect(offer.locator(".countdown")).to_have_text(re.compile(r"^\d+ s$"), timeout=LIVE)
    await expect(ana.locator("#desk-announcer")).to_contain_text("New offer: Chat from Maria Lopez", timeout=LIVE)
    assert await ana.evaluate("window.__stayed") is True
    await expect(sue.locator('[data-total="offered"]')).to_have_text("1", timeout=LIVE)
    assert await axe_violations(ana) == []

    # "a" accepts the first offer; the workspace shows her earlier SMS and email beside the chat.
    await ana.locator("body").press("a")
    await ana.wait_for_url(f"{live.url}/desk/work/*")
    for text in (EARLIER_SMS, EARLIER_EMAIL, CHAT):
        await expect(ana.get_by_text(text).first).to_be_visible(timeout=LIVE)
    await expect(sue.locator('[data-total="in-progress"]')).to_have_text("1", timeout=LIVE)
    await expect(sue.locator('#board-agents td[data-col="chat"]')).to_have_text("1", timeout=LIVE)
    await expect(sue.locator('[data-total="offered"]')).to_have_text("0", timeout=LIVE)

    await ana.get_by_role("region", name="Reply").get_by_role("textbox").fill(REPLY)
    await ana.get_by_role("button", name="Send reply").click()
    await expect(maria.locator(".ts-chat-log")).to_contain_text(f"Agent: {REPLY}", timeout=LIVE)

    assert await sue.evaluate("window.__stayed") is True  # the wallboard never reloaded
    assert await axe_violations(sue) == []
