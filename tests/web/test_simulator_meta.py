"""The simulator's Meta panel plays Meta over real HTTP: signed deliveries to the platform's webhook, files held and
served as Meta serves them, and the Graph API stand-in receiving the city's replies in the Graph API's format."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from playwright.async_api import Browser, expect
from sqlalchemy import select

from tests.factories import create_agency
from tests.support import meta as wire
from tests.support.browser import assert_accessible
from tests.support.servers import LiveApp, free_port, serving
from townsquare.app import build_runtime, create_app
from townsquare.engagement import links, replies
from townsquare.interactions.models import Attachment, DeliveryStatus, Direction, Interaction
from townsquare.notify.rendering import Content
from townsquare.settings import Settings
from townsquare.web.simulator.graph_fake import FakeGraph

PNG = b"\x89PNG\r\n\x1a\n" + b"a pothole" * 100
PATIENCE_SECONDS = 30  # an upper bound on a loaded machine; each wait ends as soon as its condition holds


@dataclass
class Sim:
    live: LiveApp
    app: FastAPI

    @property
    def graph(self) -> FakeGraph:
        fake: FakeGraph = self.app.state.fake_graph
        return fake


@pytest.fixture
def sim(settings: Settings) -> Iterator[Sim]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    live = wire.meta_settings(settings).model_copy(
        update={
            "simulator": True,
            "public_url": base,
            "outbox_worker": True,
            "meta_graph_base_url": f"{base}/simulator/meta/graph",
        }
    )
    runtime = build_runtime(live)
    app = create_app(live, runtime)
    with serving(app, port) as loop:
        yield Sim(LiveApp(base, runtime, loop), app)


async def until(check: Callable[[], Awaitable[bool]]) -> None:
    """Wait for a condition the server's workers bring about (polled, never a fixed wait)."""
    for _ in range(PATIENCE_SECONDS * 10):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the condition never held")


async def test_the_panel_writes_as_meta_and_sees_the_citys_reply_as_the_graph_api_does(sim: Sim) -> None:
    db = sim.live.runtime.db

    async def city() -> None:
        async with db.session() as s:
            await create_agency(s)
            await s.commit()

    await sim.live.call(city)
    async with httpx.AsyncClient(base_url=sim.live.url, timeout=30) as web:
        assert 'href="/simulator/meta"' in (await web.get("/simulator")).text
        assert 'action="/simulator/meta/send"' in (await web.get("/simulator/meta")).text
        form = {"product": "whatsapp", "account": wire.WA_ID, "name": "Maria Lopez", "text": "This pothole"}
        where = {"lat": "45.4215", "long": "-75.6972", "place": "Elm St"}
        sent = await web.post(
            "/simulator/meta/send", data=form | where, files={"image": ("hole.png", PNG, "image/png")}
        )
        assert sent.status_code == 303, sent.text
        assert "the platform answered 200" in (await web.get("/simulator/meta")).text

        async def recorded() -> list[Interaction]:
            async with db.session() as s:
                stmt = select(Interaction).where(Interaction.direction == Direction.inbound)
                return list((await s.execute(stmt.order_by(Interaction.body))).scalars())

        located, photo = await sim.live.call(recorded)
        assert photo.body == "This pothole"
        assert photo.payload["network"] == "whatsapp"
        assert located.payload["location"] == {"lat": 45.4215, "long": -75.6972, "address_string": "Elm St"}

        async def fetched() -> bool:
            async with db.session() as s:
                kept = (await s.execute(select(Attachment))).scalar_one()
                return kept.sha256 is not None and sim.live.runtime.pipeline.store.read(kept.sha256) == PNG

        await until(lambda: sim.live.call(fetched))  # through the Graph API's media object, with the token

        async def answer() -> None:
            async with db.session() as s:
                options = links.reply_options(sim.live.runtime.settings)
                await replies.reply(
                    s, conversation_id=photo.conversation_id, content=Content("Booked."), options=options
                )
                await s.commit()

        await sim.live.call(answer)

        async def graph_received() -> bool:
            return len(sim.graph.received) == 2

        await until(graph_received)
        thanks, reply = sim.graph.received
        assert thanks.body["text"]["body"].startswith("Thanks, we have your message")
        assert reply.path == f"/simulator/meta/graph/v25.0/{wire.PHONE_NUMBER_ID}/messages"
        assert reply.body["text"] == {"preview_url": False, "body": "Booked."}
        page = (await web.get("/simulator/meta")).text
        assert "Mark read" in page

        async def replied() -> Interaction:
            async with db.session() as s:
                stmt = select(Interaction).where(Interaction.direction == Direction.outbound)
                return (await s.execute(stmt.order_by(Interaction.occurred_at.desc()))).scalars().first()  # type: ignore[return-value]

        async def sent_by_worker() -> bool:
            return (await sim.live.call(replied)).external_id is not None

        await until(sent_by_worker)
        assert (await web.post("/simulator/meta/status", data={"index": "1", "state": "read"})).status_code == 303
        answered = await sim.live.call(replied)
        assert answered.delivery_status is DeliveryStatus.delivered
        assert answered.payload["provider_status"] == "read"

        messenger = {"product": "messenger", "account": wire.PSID, "text": "And the pool?"}
        assert (await web.post("/simulator/meta/send", data=messenger)).status_code == 303
        assert [i.payload["network"] for i in await sim.live.call(recorded)].count("messenger") == 1
        nowhere = await web.post("/simulator/meta/send", data=messenger | where)
        assert nowhere.status_code == 422
        assert "no longer send shared locations" in nowhere.json()["detail"]


@pytest.mark.parametrize("width", [320, 1280])
async def test_the_meta_panel_is_a_plain_form_with_no_axe_violations(sim: Sim, browser: Browser, width: int) -> None:
    async def city() -> None:
        async with sim.live.runtime.db.session() as s:
            await create_agency(s)
            await s.commit()

    await sim.live.call(city)
    context = await browser.new_context(viewport={"width": width, "height": 900})  # the page has no script
    page = await context.new_page()
    await page.goto(f"{sim.live.url}/simulator/meta")
    await assert_accessible(page)
    await page.get_by_label("Instagram").check()
    await page.get_by_label("Your account").fill(wire.IGSID)
    await page.get_by_label("Message (or the photo's caption)").fill("Is the library open on Sunday?")
    await page.get_by_role("button", name="Send as Meta delivers it").click()
    await expect(page.locator("#deliveries + ol li").first).to_contain_text("instagram")
    await expect(page.locator("#deliveries + ol li").first).to_contain_text("the platform answered 200")
    await assert_accessible(page)
