"""In Chromium, the must-show journey of the workspace: an agent works three contacts on three channels (a text,
an email and a chat, in through the engagement pipeline as the channels' doors hand them over) with the keyboard
alone and never leaves the workspace: the offers arrive live in the list, each is accepted, answered on its own
channel, noted and completed with a wrap-up, and the agent moves between contacts with the shortcuts. The
workspace is axe-clean and never scrolls sideways at 320 px and 1280 px."""

from __future__ import annotations

import hashlib
import re
import uuid
from urllib.parse import urlparse

from playwright.async_api import Browser, Page, expect
from sqlalchemy import select

from tests.factories import PASSWORD, create_agency, create_agent, create_citizen
from tests.support.browser import axe_violations, share_cookies
from tests.support.servers import LiveApp
from townsquare.citizens import service as citizens
from townsquare.citizens.models import IdentityKind
from townsquare.engagement.messages import InboundMessage, Sender
from townsquare.interactions.models import Channel, Interaction, InteractionKind
from townsquare.notify.models import OutboxMessage
from townsquare.routing.engine import RoutingConfig
from townsquare.routing.models import WorkItem, WorkItemStatus, WrapUpCode

LIVE = 15000  # ms: an offer crosses the pipeline, a routing pass and a fragment fetch
PHONE = "+16135550142"
DEVICE = hashlib.sha256(b"Cleo's chat widget").hexdigest()
PEOPLE = {"Maria Lopez": "sms", "Ben Okafor": "email", "Cleo Martin": "chat"}  # who writes on which channel
WORK = re.compile(r"/desk/work/[0-9a-f-]{36}(\?[^#]*)?(#.*)?$")
SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


async def _seed(live: LiveApp) -> None:
    """An agent, available, and three residents the city knows: by phone, by email, by a chat device."""
    # An offer waits an hour for its answer: working with the keyboard is never a race against the clock.
    live.runtime.router.config = RoutingConfig(offer_seconds={"voice": 3600, "chat": 3600, "async": 3600})

    async def go() -> None:
        async with live.runtime.db.session() as s:
            works = await create_agency(s)
            s.add(WrapUpCode(agency_id=works.id, code="answered", label="Answered"))
            await create_agent(s, email="wren@city.example", agencies=[works])
            await create_citizen(s, name="Maria Lopez", phone=PHONE)
            await create_citizen(s, name="Ben Okafor", email="ben@example.org")
            cleo = await create_citizen(s, name="Cleo Martin")
            await citizens.add_identity(
                s, citizen_id=cleo.id, kind=IdentityKind.device, value=DEVICE, region="CA", namespace="chat"
            )
            await s.commit()

    await live.call(go)


async def _contacts_arrive(live: LiveApp) -> None:
    """A text, an email and a chat come in through the pipeline, as the channels' doors hand them over."""
    messages = [
        InboundMessage(
            channel=Channel.sms, text="The streetlight on Elm is out", sender=Sender(IdentityKind.phone, PHONE)
        ),
        InboundMessage(
            channel=Channel.email,
            text="My recycling bin was cracked by the truck",
            subject="Recycling bin",
            sender=Sender(IdentityKind.email, "ben@example.org"),
        ),
        InboundMessage(
            channel=Channel.chat,
            text="Is the pool open on the holiday?",
            sender=Sender(IdentityKind.device, DEVICE, namespace="chat"),
        ),
    ]

    async def go() -> None:
        for message in messages:
            async with live.runtime.db.session() as s:
                await live.runtime.pipeline.ingest(s, message)

    await live.call(go)


async def _who(page: Page) -> str:
    """The person whose conversation the middle pane shows."""
    heading = await page.locator("#conversation-title").inner_text()
    return next(name for name in PEOPLE if name in heading)


async def _work_it(page: Page) -> str:
    """Reply, note and complete the contact on screen, with the keyboard alone; who it was."""
    who = await _who(page)
    first = who.split()[0]
    await page.keyboard.press("Alt+r")
    await expect(page.locator("#reply-body")).to_be_focused()
    await page.keyboard.type(f"Thanks {first}, a crew is on it.")
    await page.keyboard.press("Tab")  # "Send reply"
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r"#reply$"))
    await expect(page.locator("#thread .timeline")).to_contain_text(f"Thanks {first}, a crew is on it.")

    await page.keyboard.press("Alt+n")
    await expect(page.locator("#note-body")).to_be_focused()
    await page.keyboard.type(f"Told {first} about the crew")
    await page.keyboard.press("Tab")  # "Add note"
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r"done=note"))
    await expect(page.locator("#done-notice")).to_have_text("Your note was added to the timeline.")

    await page.keyboard.press("Alt+w")
    await expect(page.locator("#wrap-up")).to_be_focused()
    await page.keyboard.press("ArrowDown")  # "Answered"
    await page.keyboard.press("Tab")
    await page.keyboard.type("Crew booked")
    await page.keyboard.press("Tab")  # "Complete"
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r"done=complete"))
    await expect(page.locator("#conversation-title")).to_contain_text("Done")
    return who


async def _choose_the_next_offer(page: Page, key: str) -> None:
    """Move up the list with `key` to the offer above, and accept it with "a"."""
    before = page.url
    await page.keyboard.press(key)
    await expect(page).not_to_have_url(before, timeout=LIVE)
    await expect(page.locator("#conversation-title")).to_be_focused()
    await expect(page.locator("#conversation-title")).to_contain_text("Offered")
    await expect(page.locator("#workspace-announcer")).to_contain_text("Offered")
    await page.keyboard.press("a")
    await page.wait_for_url(WORK)
    await expect(page.locator("#conversation-title")).to_contain_text("Being handled")


async def _no_axe_and_no_sideways(page: Page, where: str) -> None:
    assert await axe_violations(page) == [], where
    assert await page.evaluate(SIDEWAYS) <= 0, f"{where} scrolls sideways"


async def test_an_agent_works_three_contacts_on_three_channels_with_the_keyboard_alone(
    browser: Browser, live_app: LiveApp
) -> None:
    live = live_app
    await _seed(live)
    page = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
    visited: list[str] = []
    page.on("framenavigated", lambda frame: visited.append(frame.url) if frame == page.main_frame else None)
    await page.goto(f"{live.url}/desk/sign-in?next=/desk/work")
    await page.locator("#email").fill("wren@city.example")
    await page.locator("#password").fill(PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{live.url}/desk/work")
    visited.clear()  # from here on, the agent is in the workspace
    await expect(page.locator("#desk-connection")).to_have_text("Live updates: on", timeout=LIVE)
    await _no_axe_and_no_sideways(page, "the empty workspace at 1280 px")

    await _contacts_arrive(live)
    await expect(page.locator("#contacts .contact-offer")).to_have_count(3, timeout=LIVE)  # live, no reload
    for name, channel in (("Maria Lopez", "Text message"), ("Ben Okafor", "Email"), ("Cleo Martin", "Chat")):
        row = page.locator("#contacts .contact-offer", has_text=name)
        await expect(row.locator(f'svg[role="img"][aria-label="{channel}"]')).to_have_count(1)

    await page.keyboard.press("a")  # the first offer
    await page.wait_for_url(WORK)
    await _no_axe_and_no_sideways(page, "a contact in the workspace at 1280 px")
    await page.keyboard.press("Alt+t")  # an action panel open, one at a time
    await expect(page.locator("#panel-transfer")).to_have_attribute("open", "")
    await page.keyboard.press("Alt+e")
    await expect(page.locator("#panel-transfer")).not_to_have_attribute("open", "")
    await expect(page.locator("#escalate-reason")).to_be_focused()
    assert await axe_violations(page) == []
    await page.keyboard.press("Escape")
    await expect(page.locator("#panel-escalate")).not_to_have_attribute("open", "")
    await expect(page.locator("#escalate-title")).to_be_focused()
    await page.keyboard.press("?")
    await expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    assert await axe_violations(page) == []
    await page.keyboard.press("Escape")
    await expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_hidden()

    worked = [await _work_it(page)]
    await _choose_the_next_offer(page, "k")  # the finished contact is last in the list: the offers are above it
    worked.append(await _work_it(page))
    await _choose_the_next_offer(page, "Alt+ArrowUp")
    worked.append(await _work_it(page))
    assert sorted(worked) == sorted(PEOPLE)
    await expect(page.locator("#contacts .contact-finished")).to_have_count(3, timeout=LIVE)

    paths = {urlparse(url).path for url in visited}
    assert paths, "no page was shown"
    assert all(p == "/desk/work" or p.startswith("/desk/work/") for p in paths), paths

    async def outcome() -> tuple[set[tuple[str, str]], int, set[tuple[WorkItemStatus, str | None]]]:
        async with live.runtime.db.session() as s:
            sent = (
                await s.execute(
                    select(OutboxMessage.channel, Interaction.body).join(
                        Interaction, Interaction.id == OutboxMessage.interaction_id
                    )
                )
            ).all()
            notes = (await s.execute(select(Interaction.id).where(Interaction.kind == InteractionKind.note))).all()
            items = (await s.execute(select(WorkItem.status, WorkItem.wrap_up_code))).all()
        return {(c, b) for c, b in sent}, len(notes), {(st, code) for st, code in items}

    sent, notes, items = await live.call(outcome)
    expected = {(channel, f"Thanks {name.split()[0]}, a crew is on it.") for name, channel in PEOPLE.items()}
    assert expected <= sent  # each reply went out on its own contact's channel
    assert notes == 3
    assert items == {(WorkItemStatus.done, "answered")}

    phone = await (await browser.new_context(viewport={"width": 320, "height": 640})).new_page()
    await share_cookies(page.context, phone.context)
    current = urlparse(page.url)
    for path in ("/desk/work", current.path):
        await phone.goto(f"{live.url}{path}")
        await _no_axe_and_no_sideways(phone, f"{path} at 320 px")
    await expect(phone.get_by_role("navigation", name="Workspace panes")).to_be_visible()


async def test_the_shortcuts_walk_the_list_and_back_returns_to_the_contact_before(
    browser: Browser, live_app: LiveApp
) -> None:
    """j and k walk the list in its order; the address follows, and back returns to the contact before."""
    live = live_app
    await _seed(live)
    await _contacts_arrive(live)
    page = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
    await page.goto(f"{live.url}/desk/sign-in?next=/desk/work")
    await page.locator("#email").fill("wren@city.example")
    await page.locator("#password").fill(PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{live.url}/desk/work")
    await expect(page.locator("#contacts .contact-offer")).to_have_count(3, timeout=LIVE)
    ids = [uuid.UUID(i) for i in await page.locator("#contacts a[data-contact]").evaluate_all(
        "links => links.map((a) => a.getAttribute('data-contact'))"
    )]  # fmt: skip
    await page.keyboard.press("j")
    await expect(page).to_have_url(f"{live.url}/desk/work/{ids[0]}")
    await page.keyboard.press("j")
    await expect(page).to_have_url(f"{live.url}/desk/work/{ids[1]}")
    await expect(page.locator(f'#contacts a[data-contact="{ids[1]}"]')).to_have_attribute("aria-current", "page")
    await page.go_back()
    await expect(page).to_have_url(f"{live.url}/desk/work/{ids[0]}")
    await expect(page.locator(f'#contacts a[data-contact="{ids[0]}"]')).to_have_attribute("aria-current", "page")
    await expect(page.locator("#conversation-title")).to_be_focused()
    await page.keyboard.press("Alt+ArrowDown")
    await expect(page).to_have_url(f"{live.url}/desk/work/{ids[1]}")
