"""The simulator's Mastodon panel and its stand-in server: a person posts mentioning the city, the platform's real
poller reads it from the stand-in, and the panel shows the city's public first answer and its private ones; the
stand-in speaks Mastodon's paging and refuses a wrong token; in Chromium the whole loop runs and the page is
axe-clean at 320 and 1280 pixels."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from playwright.async_api import Browser
from sqlalchemy.ext.asyncio import AsyncSession

from tests.engagement.test_authorization_matrix import route_table
from tests.factories import create_agency
from tests.support.browser import AXE
from tests.support.mastodon import TOKEN, mastodon_settings, opened, social
from tests.support.servers import free_port, serving
from townsquare.app import Runtime, create_app
from townsquare.engagement import replies
from townsquare.interactions.models import Direction
from townsquare.notify.rendering import Content
from townsquare.settings import Settings
from townsquare.web.simulator.mastodon_fake import FakeMastodon

SAME_SITE = {"origin": "http://testserver"}
API = "/simulator/mastodon/api/v1"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return mastodon_settings(settings)


@pytest.fixture
async def fake(app: FastAPI, runtime: Runtime, session: AsyncSession) -> FakeMastodon:
    await create_agency(session, slug="city", name="City")
    await session.commit()
    return await opened(app, runtime)


async def read_and_answer(runtime: Runtime) -> None:
    assert runtime.mastodon is not None
    await runtime.mastodon.run_once()
    await runtime.worker.drain()


async def test_a_post_from_the_panel_is_read_and_the_city_s_answers_are_shown_public_then_private(
    client: httpx.AsyncClient, runtime: Runtime, fake: FakeMastodon, session: AsyncSession
) -> None:
    form = {"account": "maria@social.example", "name": "Maria", "text": "Pothole on Elm St", "visibility": "public"}
    posted = await client.post("/simulator/mastodon/post", data=form, headers=SAME_SITE)
    assert posted.status_code == 303
    assert posted.headers["location"] == "/simulator/mastodon"
    await read_and_answer(runtime)
    (contact,) = await social(session, direction=Direction.inbound)
    async with runtime.db.session() as s:
        await replies.reply(s, conversation_id=contact.conversation_id, content=Content(text="A crew comes Monday."))
        await s.commit()
    await runtime.worker.drain()
    panel = await client.get("/simulator/mastodon")
    assert panel.status_code == 200
    text = panel.text
    assert "@maria@social.example" in text
    assert "Pothole on Elm St" in text
    assert "Public, unlisted" in text
    assert "Thank you, we have your message." in text
    assert "Private mention" in text
    assert "A crew comes Monday." in text
    threads = text[text.index('id="mastodon-threads"') :]
    assert threads.index("Pothole on Elm St") < threads.index("Thank you, we have your message.")
    assert threads.index("Thank you, we have your message.") < threads.index("A crew comes Monday.")
    assert "read its mentions up to notification 95" in text


async def test_a_private_post_with_a_photo_from_the_panel(
    client: httpx.AsyncClient, runtime: Runtime, fake: FakeMastodon, session: AsyncSession
) -> None:
    form = {"account": "jean", "text": "Graffiti here", "visibility": "direct", "photo": "yes"}
    assert (await client.post("/simulator/mastodon/post", data=form, headers=SAME_SITE)).status_code == 303
    (status,) = fake.statuses.values()
    photo = status["media_attachments"][0]["url"]
    assert photo.startswith("http://testserver/simulator/mastodon/media/")
    served = await client.get(photo.removeprefix("http://testserver"))
    assert served.headers["content-type"] == "image/png"
    assert served.content.startswith(b"\x89PNG")
    await read_and_answer(runtime)
    (contact,) = await social(session, direction=Direction.inbound)
    assert contact.payload["mastodon"]["account"] == "jean@testserver"
    assert "Private mention" in (await client.get("/simulator/mastodon")).text


@pytest.mark.parametrize(
    ("form", "problem"),
    [
        ({"account": "not an account!", "text": "x"}, "Enter an account like maria or maria@social.example"),
        ({"account": "maria", "text": "x" * 5001}, "A post here may have at most 5000 characters"),
        ({"account": "maria", "text": "x", "visibility": "everyone"}, "Choose who can see the post"),
    ],
)
async def test_a_bad_post_is_refused_with_the_reason_and_nothing_posted(
    client: httpx.AsyncClient, fake: FakeMastodon, form: dict[str, str], problem: str
) -> None:
    refused = await client.post("/simulator/mastodon/post", data=form, headers=SAME_SITE)
    assert refused.status_code == 422
    assert problem in refused.text
    assert fake.statuses == {}


async def test_the_panel_says_when_the_platform_is_not_reading_it(settings: Settings, runtime: Runtime) -> None:
    unplugged = settings.model_copy(update={"mastodon_base_url": None})
    app = create_app(unplugged, runtime)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        panel = await client.get("/simulator/mastodon")
    assert "The platform is not reading this server" in panel.text


async def test_every_panel_route_declares_exactly_one_rule(app: FastAPI) -> None:
    ours = [r for r in route_table(app) if r.path.startswith("/simulator/mastodon")]
    assert {r.path for r in ours} >= {"/simulator/mastodon", f"{API}/notifications", f"{API}/statuses"}
    rules = {r.path: r.rule.name for r in ours}
    assert rules[f"{API}/notifications"] == rules[f"{API}/statuses"] == "provider"
    assert rules["/simulator/mastodon"] == rules["/simulator/mastodon/post"] == "public"


async def test_the_stand_in_refuses_a_wrong_token_as_mastodon_does(
    client: httpx.AsyncClient, fake: FakeMastodon
) -> None:
    for headers in ({}, {"authorization": "Bearer wrong"}):
        refused = await client.get(f"{API}/notifications", headers=headers)
        assert refused.status_code == 401
        assert refused.json() == {"error": "The access token is invalid"}
    posted = await client.post(f"{API}/statuses", data={"status": "hi"}, headers={"authorization": "Bearer wrong"})
    assert posted.status_code == 401
    assert fake.city_statuses() == []


async def test_the_stand_in_pages_as_mastodon_does(client: httpx.AsyncClient, fake: FakeMastodon) -> None:
    for n in range(5):
        fake.post("maria", f"post {n}")  # notifications 95 … 99
    auth = {"authorization": f"Bearer {TOKEN}"}

    async def ids(**query: str) -> tuple[list[str], str]:
        answer = await client.get(f"{API}/notifications", params={"types[]": "mention", **query}, headers=auth)
        assert answer.status_code == 200
        assert int(answer.headers["x-ratelimit-remaining"]) < int(answer.headers["x-ratelimit-limit"])
        return [n["id"] for n in answer.json()], answer.headers.get("link", "")

    newest, link = await ids(limit="2")
    assert newest == ["99", "98"]
    assert link == (
        f'<http://testserver{API}/notifications?max_id=98>; rel="next", '
        f'<http://testserver{API}/notifications?min_id=99>; rel="prev"'
    )
    assert (await ids(limit="2", max_id="98"))[0] == ["97", "96"]
    assert (await ids(limit="2", since_id="95"))[0] == ["99", "98"]  # since_id: the newest, above the bound
    assert (await ids(limit="2", min_id="95"))[0] == ["97", "96"]  # min_id: just after the cursor
    assert (await ids(limit="2", min_id="99")) == ([], "")
    assert (await ids(**{"types[]": "follow"}))[0] == []


# In Chromium: the whole loop, live


@pytest.fixture
def live_mastodon(settings: Settings, session: AsyncSession) -> Iterator[str]:
    """The app on loopback, reading its mentions from its own stand-in server, with its workers running."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    live = settings.model_copy(
        update={
            "public_url": url,
            "mastodon_base_url": f"{url}/simulator/mastodon",
            "outbox_worker": True,
            "mastodon_poll_seconds": 1.0,
        }
    )
    with serving(create_app(live), port):
        yield url


@pytest.fixture
async def city(session: AsyncSession) -> None:
    await create_agency(session, slug="city", name="City")
    await session.commit()


async def test_in_chromium_a_person_posts_and_reads_the_city_s_public_answer(
    browser: Browser, city: None, live_mastodon: str
) -> None:
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await page.goto(f"{live_mastodon}/simulator/mastodon")
    await page.fill("#mastodon-account", "bad account")
    await page.click("#mastodon-post button[type=submit]")
    await page.wait_for_selector(".error-summary[role=alert]")
    await page.fill("#mastodon-account", "maria@social.example")
    await page.fill("#mastodon-text", "The light on Oak Ave is out")
    await page.click("#mastodon-post button[type=submit]")
    for _ in range(200):  # the poller reads it and the outbox posts the answer: reload until it shows
        if await page.query_selector(".answer:has-text('Thank you, we have your message.')"):
            break
        await page.wait_for_timeout(100)
        await page.goto(f"{live_mastodon}/simulator/mastodon")
    assert await page.is_visible(".answer:has-text('Public, unlisted')")
    await page.add_script_tag(path=str(AXE))
    for width in (1280, 320):
        await page.set_viewport_size({"width": width, "height": 900})
        violations = await page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations.map(v => v.id)"
        )
        assert violations == [], width
