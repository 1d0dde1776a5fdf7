"""The staff desk pages: sign in, search, the citizen timeline, sign out, and cross-site form refusal."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import PASSWORD, api_key_headers, create_agency, create_citizen, create_staff
from townsquare.staff.models import AuditEntry


async def test_sign_in_search_and_read_a_citizen_timeline(client: httpx.AsyncClient, session: AsyncSession) -> None:
    agency = await create_agency(session)
    await create_staff(session, email="wren@city.example", agencies=[agency])
    citizen = await create_citizen(session, name="Maria Lopez", phone="+16135550142", phone_verified=True)
    headers = await api_key_headers(session)
    await session.commit()
    for body in (
        {"channel": "sms", "from": {"kind": "phone", "value": "6135550142"}, "text": "Pothole on Elm"},
        {
            "channel": "voice",
            "from": {"kind": "phone", "value": "+16135550142"},
            "text": "Called about Elm",
            "duration_seconds": 95,
        },
    ):
        assert (await client.post("/api/v1/interactions", json=body, headers=headers)).status_code == 201

    redirected = await client.get("/desk")
    assert redirected.status_code == 303
    assert redirected.headers["location"].startswith("/desk/sign-in")

    wrong = await client.post("/desk/sign-in", data={"email": "wren@city.example", "password": "nope"})
    assert wrong.status_code == 401
    assert "The email or password is not right." in wrong.text
    assert 'role="alert"' in wrong.text

    ok = await client.post("/desk/sign-in", data={"email": "WREN@city.example", "password": PASSWORD, "next": "/desk"})
    assert ok.status_code == 303
    cookie = ok.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie

    found = await client.get("/desk", params={"q": "(613) 555-0142"})
    assert "Maria Lopez" in found.text
    page = await client.get(f"/desk/citizens/{citizen.id}")
    assert page.status_code == 200
    html = page.text
    assert html.index("Called about Elm") < html.index("Pothole on Elm")  # newest first
    assert "Text message" in html
    assert re.search(r'<svg class="channel-icon"[^>]* aria-hidden="true">.*?</svg> Phone</span>', html)  # never emoji
    assert "☎" not in html
    assert "1 minute 35 seconds" in html
    assert "Yes, by a code sent by text message" in html
    assert '<html lang="en">' in html
    assert 'href="#main"' in html
    actions = (await session.execute(select(AuditEntry.action))).scalars().all()
    assert "citizen.read" in actions

    out = await client.post("/desk/sign-out")
    assert out.status_code == 303
    client.cookies.clear()
    client.cookies.set("ts_staff", ok.cookies["ts_staff"])  # the old token no longer works
    assert (await client.get(f"/desk/citizens/{citizen.id}")).status_code == 303


async def test_forms_posted_from_another_site_are_refused(client: httpx.AsyncClient, session: AsyncSession) -> None:
    agency = await create_agency(session)
    await create_staff(session, email="wren@city.example", agencies=[agency])
    await session.commit()
    await client.post("/desk/sign-in", data={"email": "wren@city.example", "password": PASSWORD})
    attack = await client.post("/desk/sign-out", headers={"Origin": "https://evil.example"})
    assert attack.status_code == 403
    assert (await client.get("/desk")).status_code == 200  # still signed in


async def test_the_start_page_lists_services_and_errors_render_as_pages(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_agency(session)
    await session.commit()
    home = await client.get("/")
    assert "Search services" in home.text
    missing = await client.get("/nowhere", headers={"Accept": "text/html"})
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert "There is nothing at this address." in missing.text
