"""The agent's inbox: a profile on first visit, presence, offers accepted and declined, the live fragment."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import api_key_headers, create_agency, create_citizen, create_staff
from tests.support.staff import sign_in_staff
from townsquare.app import Runtime
from townsquare.routing.models import Agent, Presence, WorkItem, WorkItemStatus
from townsquare.staff.models import StaffAccount, StaffRole

PHONE = "+16135550142"


async def _setup(client: httpx.AsyncClient, session: AsyncSession) -> tuple[StaffAccount, dict[str, str]]:
    agency = await create_agency(session)
    wren = await create_staff(session, email="wren@city.example", agencies=[agency])
    await create_citizen(session, name="Maria Lopez", phone=PHONE)
    headers = await api_key_headers(session)
    await session.commit()
    await sign_in_staff(client)
    return wren, headers


async def _text_in(client: httpx.AsyncClient, headers: dict[str, str], text: str = "Pothole on Elm") -> uuid.UUID:
    body = {"channel": "sms", "from": {"kind": "phone", "value": PHONE}, "text": text}
    response = await client.post("/api/v1/interactions", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return uuid.UUID(response.json()["work_item_id"])


async def _item(runtime: Runtime, item_id: uuid.UUID) -> WorkItem:
    async with runtime.db.session(deferred=True) as s:
        item = await s.get(WorkItem, item_id)
        assert item is not None
        return item


async def test_first_visit_makes_an_offline_agent_and_shows_the_five_states(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    wren, _ = await _setup(client, session)
    page = await client.get("/desk")
    assert page.status_code == 200
    html = page.text
    async with runtime.db.session(deferred=True) as s:
        agent = await s.get(Agent, wren.id)
        assert agent is not None
        assert agent.presence is Presence.offline
        assert agent.capacity == {"voice": 1, "chat": 3, "async": 5}
    for value in ("available", "busy", "away", "wrap_up", "offline"):
        assert f'id="presence-{value}"' in html
    assert 'id="presence-offline" name="presence" value="offline"\n            checked' in html
    assert "Offers for you (0)" in html
    assert "Set your status to Available to receive work." in html
    assert 'role="search"' in html  # the citizen search is still here
    assert "Newest cases in your agencies" in html
    assert "/static/desk/desk.js" in html
    assert "<kbd>a</kbd>" in html
    assert 'href="/desk/wallboard"' not in html  # supervision links are for supervisors


async def test_supervisors_find_the_wallboard_and_agents_pages_from_the_desk(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    agency = await create_agency(session)
    await create_staff(session, email="sue@city.example", role=StaffRole.supervisor, agencies=[agency])
    await session.commit()
    await sign_in_staff(client, "sue@city.example")
    html = (await client.get("/desk")).text
    assert 'href="/desk/wallboard"' in html
    assert 'href="/desk/agents"' in html


async def test_an_available_agent_is_offered_work_accepts_it_and_finds_it_under_my_work(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    wren, headers = await _setup(client, session)
    moved = await client.post("/desk/presence", data={"presence": "available"})
    assert (moved.status_code, moved.headers["location"]) == (303, "/desk")
    item_id = await _text_in(client, headers)
    report = await runtime.router.run_once()
    assert (item_id, wren.id) in report.offered

    fragment = await client.get("/desk/_inbox")
    assert fragment.status_code == 200
    assert "<html" not in fragment.text  # a fragment, not a page
    assert "Offers for you (1)" in fragment.text
    assert "Text message from Maria Lopez" in fragment.text
    assert f'action="/desk/offers/{item_id}/accept"' in fragment.text
    assert "data-expires-at=" in fragment.text
    assert "You are <strong>Available</strong>" in fragment.text

    accepted = await client.post(f"/desk/offers/{item_id}/accept")
    assert (accepted.status_code, accepted.headers["location"]) == (303, f"/desk/work/{item_id}")
    item = await _item(runtime, item_id)
    assert (item.status, item.assigned_to_id) == (WorkItemStatus.assigned, wren.id)
    page = await client.get("/desk")
    assert "My work (1)" in page.text
    assert f'href="/desk/work/{item_id}"' in page.text
    assert "Offers for you (0)" in page.text

    again = await client.post(f"/desk/offers/{item_id}/accept", headers={"Accept": "text/html"})
    assert again.status_code == 409
    assert "This offer is no longer yours" in again.text
    assert 'role="alert"' in again.text


async def test_declining_puts_the_work_back_in_the_queue(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    _, headers = await _setup(client, session)
    await client.post("/desk/presence", data={"presence": "available"})
    item_id = await _text_in(client, headers)
    await runtime.router.run_once()
    declined = await client.post(f"/desk/offers/{item_id}/decline")
    assert (declined.status_code, declined.headers["location"]) == (303, "/desk")
    item = await _item(runtime, item_id)
    assert item.status is WorkItemStatus.queued
    assert item.assigned_to_id is None
    assert "Offers for you (0)" in (await client.get("/desk/_inbox")).text


async def test_presence_the_queue_sets_or_that_does_not_exist_is_refused(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    wren, _ = await _setup(client, session)
    for value in ("busy", "wrap_up", "asleep", ""):
        refused = await client.post("/desk/presence", data={"presence": value})
        assert refused.status_code == 422, value
    assert "available, away or offline" in refused.json()["detail"]
    async with runtime.db.session(deferred=True) as s:
        agent = await s.scalar(select(Agent).where(Agent.staff_id == wren.id))
        assert agent is None or agent.presence is Presence.offline
    assert (await client.post("/desk/presence", data={"presence": "away"})).status_code == 303
    assert "You are <strong>Away</strong>" in (await client.get("/desk/_inbox")).text


async def test_signed_out_staff_get_the_sign_in_form_or_a_401(client: httpx.AsyncClient) -> None:
    assert (await client.get("/desk")).headers["location"] == "/desk/sign-in?next=/desk"
    assert (await client.get("/desk/_inbox")).status_code == 401
    posted = await client.post("/desk/presence", data={"presence": "available"})
    assert posted.headers["location"].startswith("/desk/sign-in")
    offer = await client.post(f"/desk/offers/{uuid.uuid4()}/accept")
    assert offer.headers["location"].startswith("/desk/sign-in")
