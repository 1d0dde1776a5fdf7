"""The app's cross-site guard: a page's form posted from another site is refused with or without cookies (login
CSRF), while the doors for machines (REST API, provider webhooks, Open311) keep answering whatever Origin says."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.channels.conftest import TWILIO_ACCOUNT, TWILIO_TOKEN, twilio_signature
from tests.factories import PASSWORD, api_key_headers, create_agency, create_staff
from townsquare.notify.models import OutboxMessage
from townsquare.settings import Settings
from townsquare.staff import service as staff
from townsquare.staff.models import ApiKeyScope, AuditEntry, StaffSession

EVIL = "https://evil.example"
CITY = "+16135550100"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"twilio_auth_token": TWILIO_TOKEN, "twilio_account_sid": TWILIO_ACCOUNT})


async def _rows(session: AsyncSession, model: type[object]) -> int:
    await session.rollback()
    return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


@pytest.mark.parametrize(
    "headers",
    [{"Origin": EVIL}, {"Referer": f"{EVIL}/login.html"}, {"Origin": "null"}, {"Origin": "http://testserver.evil"}],
)
async def test_a_sign_in_posted_from_another_site_without_cookies_is_refused(
    client: httpx.AsyncClient, session: AsyncSession, headers: dict[str, str]
) -> None:
    await create_staff(session, email="wren@city.example")
    await session.commit()
    assert not client.cookies
    form = {"email": "wren@city.example", "password": PASSWORD}
    refused = await client.post("/desk/sign-in", data=form, headers=headers)
    assert refused.status_code == 403
    assert refused.json()["detail"] == "This form was sent from another site, so it was refused."
    assert "ts_staff" not in refused.cookies
    assert await _rows(session, StaffSession) == 0
    assert await _rows(session, AuditEntry) == 0  # refused before the sign-in was even looked at

    email_me = await client.post("/account/sign-in", data={"email": "maria@example.org"}, headers=headers)
    assert email_me.status_code == 403
    assert await _rows(session, OutboxMessage) == 0


async def test_a_sign_in_from_our_own_pages_works(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await create_staff(session, email="wren@city.example")
    await session.commit()
    form = {"email": "wren@city.example", "password": PASSWORD}
    ours = await client.post("/desk/sign-in", data=form, headers={"Origin": "http://testserver"})
    assert ours.status_code == 303
    client.cookies.clear()
    referred = await client.post("/desk/sign-in", data=form, headers={"Referer": "http://testserver/desk/sign-in"})
    assert referred.status_code == 303
    client.cookies.clear()
    assert (await client.post("/desk/sign-in", data=form)).status_code == 303  # no Origin: not a browser's form


async def test_the_cookie_rule_still_covers_the_api(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await create_staff(session, email="wren@city.example")
    await session.commit()
    await client.post("/desk/sign-in", data={"email": "wren@city.example", "password": PASSWORD})
    body = {"channel": "web", "from": {"kind": "email", "value": "maria@example.org"}, "text": "Hello"}
    refused = await client.post("/api/v1/interactions", json=body, headers={"Origin": EVIL})
    assert refused.status_code == 403


async def test_api_keys_webhooks_and_open311_are_unaffected_by_origin(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_agency(session, slug="city-works", contact=("sms", CITY))
    headers = {**await api_key_headers(session), "Origin": EVIL}
    open311_key, _ = await staff.create_api_key(session, name="City app", scope=ApiKeyScope.open311)
    await session.commit()

    body = {"channel": "web", "from": {"kind": "email", "value": "maria@example.org"}, "text": "Hello"}
    assert (await client.post("/api/v1/interactions", json=body, headers=headers)).status_code == 201

    form = {
        "MessageSid": "SM" + uuid.uuid4().hex,
        "AccountSid": TWILIO_ACCOUNT,
        "From": "+16135550142",
        "To": CITY,
        "Body": "Pothole on Elm",
        "NumMedia": "0",
    }
    path = "/channels/sms/twilio"
    signed = {"X-Twilio-Signature": twilio_signature("http://testserver" + path, form), "Origin": EVIL}
    webhook = await client.post(path, data=form, headers=signed)
    assert webhook.status_code == 200, webhook.text
    assert webhook.headers["content-type"].startswith("application/xml")

    report = await client.post("/open311/v2/requests.json", data={"api_key": open311_key}, headers={"Origin": EVIL})
    assert report.status_code == 400  # Open311's own answer: the service code is missing, not a cross-site refusal
    assert isinstance(report.json(), list)
    assert "service_code" in report.text
