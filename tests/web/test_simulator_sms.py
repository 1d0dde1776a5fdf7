"""The simulator's SMS phone plays Twilio over real HTTP against the platform's signed SMS webhook."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from playwright.async_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import counts, create_agency, create_citizen
from tests.support.browser import AXE
from townsquare.app import Runtime
from townsquare.engagement import replies
from townsquare.interactions.models import Direction, Interaction
from townsquare.notify.rendering import Content
from townsquare.settings import Settings

CITY = "+16135550100"
RESIDENT = "+16135551000"
ACCOUNT = "AC" + "7" * 32


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"twilio_auth_token": "simulator-test-token", "twilio_account_sid": ACCOUNT, "simulator": True}
    )


@pytest.fixture
async def city(session: AsyncSession) -> None:
    await create_agency(session, slug="city-works", name="City Works", contact=("sms", CITY))
    await create_citizen(session, name="Maria Lopez", phone=RESIDENT, phone_verified=True)
    await session.commit()


@pytest.mark.usefixtures("city")
async def test_the_phone_texts_the_city_as_twilio_and_sees_answers_and_agent_replies(
    live_server: str, session: AsyncSession, runtime: Runtime
) -> None:
    async with httpx.AsyncClient(base_url=live_server, timeout=30) as web:
        page = await web.get("/simulator")
        assert page.status_code == 200
        assert 'id="sms-thread"' in page.text
        assert 'aria-live="polite"' in page.text
        assert (await web.get("/static/simulator/sms.js")).status_code == 200

        numbers = (await web.get("/simulator/sms/numbers")).json()
        assert {"number": CITY, "name": "City Works"} in numbers["city"]
        assert numbers["residents"][0] == {"number": RESIDENT, "name": "Maria Lopez"}

        sent = await web.post(
            "/simulator/sms/send",
            json={"from_number": "(613) 555-1000", "to_number": CITY, "body": "Is the pool open?"},
        )
        assert sent.status_code == 200, sent.text
        result = sent.json()
        assert result["status"] == 200
        assert "<Message>Thanks, we have your message" in result["twiml"]
        sid = result["message_sid"]
        assert sid.startswith("SM")
        assert len(sid) == 34

        await session.rollback()
        inbound = (
            await session.execute(select(Interaction).where(Interaction.direction == Direction.inbound))
        ).scalar_one()
        assert inbound.external_id == sid
        assert inbound.body == "Is the pool open?"
        assert inbound.payload["account_sid"] == ACCOUNT
        assert inbound.payload["to"] == CITY
        conversation_id = inbound.conversation_id

        async with runtime.db.session() as s:
            await replies.reply(s, conversation_id=conversation_id, content=Content("Yes, until 9 pm."))
            await s.commit()

        inbox = await web.get("/simulator/sms/inbox", params={"number": "613-555-1000"})
        assert inbox.status_code == 200
        messages = inbox.json()["messages"]
        assert inbox.json()["number"] == RESIDENT
        by_via = {m["via"]: m for m in messages}
        assert by_via["outbox"]["body"] == "Yes, until 9 pm."
        assert by_via["outbox"]["status"] in ("pending", "sent")
        assert by_via["outbox"]["from"] == CITY
        assert by_via["twiml"]["body"].startswith("Thanks, we have your message")
        assert len(messages) == 2

        assert (await web.get("/simulator/sms/inbox", params={"number": "+16135559999"})).json()["messages"] == []
        assert (await web.get("/simulator/sms/inbox", params={"number": "pool"})).status_code == 422


@pytest.mark.usefixtures("city")
async def test_an_unusable_sender_gets_the_polite_answer_through_the_simulator_and_nothing_is_stored(
    live_server: str, session: AsyncSession
) -> None:
    before = await counts(session)
    async with httpx.AsyncClient(base_url=live_server, timeout=30) as web:
        sent = await web.post("/simulator/sms/send", json={"from_number": "VERIFY", "to_number": CITY, "body": "hi"})
        refused = await web.post("/simulator/sms/send", json={"from_number": "", "to_number": CITY, "body": "hi"})
    assert sent.json()["status"] == 200
    assert "this kind of number" in sent.json()["twiml"]
    assert refused.status_code == 422
    await session.rollback()
    assert await counts(session) == before


async def test_the_simulator_refuses_to_sign_without_an_auth_token(
    app: FastAPI, settings: Settings, client: httpx.AsyncClient
) -> None:
    app.state.settings = settings.model_copy(update={"twilio_auth_token": None})
    response = await client.post("/simulator/sms/send", json={"from_number": RESIDENT, "to_number": CITY, "body": "x"})
    assert response.status_code == 409
    assert "TWILIO_AUTH_TOKEN" in response.json()["detail"]


async def _panel_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core findings inside the SMS panel only (the other panels are other people's)."""
    await page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = await page.evaluate(
        "async () => await axe.run(document.querySelector('#sim-sms').closest('section'),"
        " {resultTypes: ['violations']})"
    )
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]


@pytest.mark.usefixtures("city")
async def test_the_sms_panel_works_from_the_keyboard_in_a_browser_with_no_axe_violations(
    live_server: str, browser: Browser
) -> None:
    page = await browser.new_page(viewport={"width": 320, "height": 800})
    await page.goto(f"{live_server}/simulator")
    panel = page.get_by_role("region", name="Text message (SMS)")
    await expect(panel.get_by_label("City number (To)")).to_have_value(CITY)
    await expect(panel.get_by_label("Your phone number (From)")).to_have_value(RESIDENT)
    await panel.get_by_label("Message", exact=True).fill("Help")
    await panel.get_by_role("button", name="Send text").press("Enter")
    thread = panel.get_by_role("list", name="Messages on this phone")
    await expect(thread).to_contain_text("You sent: Help")
    await expect(thread).to_contain_text("City services: text your question")
    assert await _panel_violations(page) == []
    # What the city sent is shown as text, its web addresses as links (a sign-in link, "read more").
    shown = await page.evaluate(
        """() => { const p = document.createElement("p");
             window.TownsquareSimLinks.append(p, "Sign in: http://127.0.0.1/account/sign-in/abc. <b>bold</b>");
             return { html: p.innerHTML, href: p.querySelector("a").getAttribute("href") }; }"""
    )
    assert shown["href"] == "http://127.0.0.1/account/sign-in/abc"
    assert "&lt;b&gt;bold&lt;/b&gt;" in shown["html"]  # never read as HTML
