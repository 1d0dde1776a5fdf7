"""POST/GET /api/v1/notifications: a back-office system tells a person something; limits per key."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import api_key_headers, create_agency, create_citizen
from townsquare.app import Runtime
from townsquare.cases import service as cases
from townsquare.content.notification_templates import import_notification_templates
from townsquare.demo.city import NOTIFICATIONS_DIR
from townsquare.notify.models import Notification, OutboxMessage
from townsquare.ratelimit import RateLimiter
from townsquare.settings import Settings

RENEWAL = {"subject": "Your permit", "message": "Your parking permit ends on 31 January; renew it online."}


@pytest.fixture
async def headers(session: AsyncSession) -> dict[str, str]:
    await import_notification_templates(session, NOTIFICATIONS_DIR)
    await create_agency(session)
    headers = await api_key_headers(session)
    await session.commit()
    return headers


async def _count(session: AsyncSession, model: type[Notification] | type[OutboxMessage]) -> int:
    return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def test_a_notification_to_an_email_address_is_accepted_sent_and_readable(
    client: httpx.AsyncClient, headers: dict[str, str], runtime: Runtime
) -> None:
    body = {"template": "general", "email_address": "Maria@Example.org", "personalisation": RENEWAL, "reference": "P-1"}
    response = await client.post("/api/v1/notifications", json=body, headers=headers)
    assert response.status_code == 201, response.text
    accepted = response.json()
    assert (accepted["status"], accepted["channels"], accepted["reference"]) == ("sending", ["email"], "P-1")
    assert [a["channel"] for a in accepted["attempts"]] == ["email"]

    await runtime.worker.drain()
    [email] = runtime.recording.sent
    assert email.recipient == "maria@example.org"
    assert email.payload["subject"] == "Your permit"
    assert "renew it online" in email.payload["text"]
    await runtime.notices.drain()
    read = (await client.get(f"/api/v1/notifications/{accepted['id']}", headers=headers)).json()
    assert read["status"] == "sent"
    assert read["attempts"][0]["delivery_status"] == "sent"


async def test_the_same_idempotency_key_is_answered_with_the_first_notification(
    client: httpx.AsyncClient, headers: dict[str, str], session: AsyncSession
) -> None:
    body = {
        "template": "general",
        "phone_number": "613 555 0142",
        "personalisation": RENEWAL,
        "idempotency_key": "k-12345678",
    }
    first = await client.post("/api/v1/notifications", json=body, headers=headers)
    again = await client.post("/api/v1/notifications", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    other_system = await api_key_headers(session)
    await session.commit()
    theirs = await client.post("/api/v1/notifications", json=body, headers=other_system)
    assert theirs.status_code == 201
    assert theirs.json()["id"] != first.json()["id"]
    assert await _count(session, OutboxMessage) == 2


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"template": "no_such_thing"}, 422, "template"),
        ({"personalisation": {"subject": "Your permit"}}, 422, "message"),
        ({"personalisation": {**RENEWAL, "x": {"nested": 1}}}, 422, "personalisation"),
        ({"citizen_id": "0193a000-0000-7000-8000-000000000009"}, 422, "exactly one"),
        ({"email_address": "not an address"}, 422, "email"),
    ],
)
async def test_bad_requests_are_clear_and_queue_nothing(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    session: AsyncSession,
    change: dict[str, object],
    status: int,
    words: str,
) -> None:
    body = {"template": "general", "email_address": "maria@example.org", "personalisation": RENEWAL, **change}
    response = await client.post("/api/v1/notifications", json=body, headers=headers)
    assert response.status_code == status, response.text
    assert words in response.text
    assert await _count(session, Notification) == 0
    assert await _count(session, OutboxMessage) == 0


async def test_a_person_no_channel_reaches_is_a_422(
    client: httpx.AsyncClient, headers: dict[str, str], session: AsyncSession
) -> None:
    citizen = await create_citizen(session)
    await session.commit()
    body = {"template": "general", "citizen_id": str(citizen.id), "personalisation": RENEWAL}
    response = await client.post("/api/v1/notifications", json=body, headers=headers)
    assert response.status_code == 422
    assert "no channel" in response.json()["detail"]
    assert await _count(session, Notification) == 0


async def test_another_agencys_case_is_not_found_and_another_keys_notification_is_not_readable(
    client: httpx.AsyncClient, headers: dict[str, str], session: AsyncSession
) -> None:
    licensing = await create_agency(session, slug="licensing", name="Licensing")
    citizen = await create_citizen(session, email="maria@example.org")
    case = await cases.open_case(
        session, prefix="TS", agency_id=licensing.id, title="Permit", channel="web", citizen_id=citizen.id
    )
    works_key = await api_key_headers(session, agency=await create_agency(session, slug="works", name="Works"))
    await session.commit()
    body = {"template": "general", "citizen_id": str(citizen.id), "personalisation": RENEWAL}
    refused = await client.post(
        "/api/v1/notifications", json={**body, "case_reference": case.reference}, headers=works_key
    )
    assert refused.status_code == 404
    sent = await client.post("/api/v1/notifications", json=body, headers=headers)
    assert (await client.get(f"/api/v1/notifications/{sent.json()['id']}", headers=works_key)).status_code == 404


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"notify_api_rate_limit_per_minute": 3, "notify_api_daily_cap": 4})


async def test_a_key_is_limited_per_minute_and_per_day(
    client: httpx.AsyncClient, headers: dict[str, str], app: FastAPI
) -> None:
    body = {"template": "general", "email_address": "maria@example.org", "personalisation": RENEWAL}
    codes = [(await client.post("/api/v1/notifications", json=body, headers=headers)).status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]
    limited = await client.post("/api/v1/notifications", json=body, headers=headers)
    assert int(limited.headers["Retry-After"]) > 0
    assert "a minute" in limited.json()["detail"]
    app.state.limiter = RateLimiter()  # a minute later
    assert (await client.post("/api/v1/notifications", json=body, headers=headers)).status_code == 201
    capped = await client.post("/api/v1/notifications", json=body, headers=headers)
    assert capped.status_code == 429
    assert "daily cap" in capped.json()["detail"]
    assert int(capped.headers["Retry-After"]) > 0
