"""The administrators' Integrators page: who may reach it, the list with each key's use, issuing a key (its secret
shown once with an example request), refused input, revocation behind a confirmation, the audit trail, and
accessibility in Chromium."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
from playwright.async_api import Browser
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import PASSWORD, count, create_agency, create_staff
from tests.support.browser import axe_violations
from tests.support.servers import LiveApp
from tests.support.staff import sign_in_staff
from townsquare.cases import service as cases
from townsquare.cases.models import Open311Submission
from townsquare.clock import utcnow
from townsquare.staff import service as staff
from townsquare.staff.models import ApiKey, ApiKeyScope, AuditEntry, StaffRole


async def _audit(session: AsyncSession, action: str) -> list[AuditEntry]:
    await session.commit()
    return list((await session.execute(select(AuditEntry).where(AuditEntry.action == action))).scalars())


async def _key(session: AsyncSession, key_id: uuid.UUID) -> ApiKey:
    """The key as the database holds it now."""
    key = await session.get(ApiKey, key_id, populate_existing=True)
    assert key is not None
    return key


async def _staff(session: AsyncSession) -> Any:
    works = await create_agency(session)
    await create_staff(session, email="root@city.example", role=StaffRole.admin)
    await create_staff(session, email="sue@city.example", role=StaffRole.supervisor, agencies=[works])
    await create_staff(session, email="ana@city.example", agencies=[works])
    return works


async def test_only_administrators_reach_the_page_visitors_sign_in(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _staff(session)
    _, key = await staff.create_api_key(session, name="Reports app", scope=ApiKeyScope.open311)
    await session.commit()

    visitor = await client.get("/desk/integrators")
    assert (visitor.status_code, visitor.headers["location"]) == (303, "/desk/sign-in?next=/desk/integrators")
    for email in ("ana@city.example", "sue@city.example"):
        await sign_in_staff(client, email)
        refused = await client.get("/desk/integrators", headers={"Accept": "text/html"})
        assert refused.status_code == 403
        assert "The Integrators page is for administrators." in refused.text
        assert (await client.post("/desk/integrators", data={"name": "x", "scope": "api"})).status_code == 403
        assert (await client.get(f"/desk/integrators/{key.id}/revoke")).status_code == 403
        assert (await client.post(f"/desk/integrators/{key.id}/revoke")).status_code == 403
        index = (await client.get("/desk")).text
        assert "/desk/integrators" not in index
    assert await count(session, ApiKey) == 1
    await session.commit()
    assert (await _key(session, key.id)).revoked_at is None

    await sign_in_staff(client, "root@city.example")
    assert 'href="/desk/integrators"' in (await client.get("/desk")).text
    assert (await client.get("/desk/integrators")).status_code == 200
    assert (await client.get(f"/desk/integrators/{uuid.uuid4()}/revoke")).status_code == 404


async def test_the_list_shows_scope_agency_contact_limit_and_requests_of_the_last_30_days(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    works = await _staff(session)
    _, app_key = await staff.create_api_key(
        session,
        name="Reports app",
        scope=ApiKeyScope.open311,
        contact="dev@reports.example",
        rate_limit_per_minute=120,
        agency_id=works.id,
    )
    _, rest_key = await staff.create_api_key(session, name="Data warehouse")
    now = utcnow()
    for i, when in enumerate([now - timedelta(days=1), now - timedelta(days=29), now - timedelta(days=31)]):
        case = await cases.open_case(session, prefix="TS", agency_id=works.id, title=f"Pothole {i}", channel="api")
        session.add(Open311Submission(case_id=case.id, api_key_id=app_key.id, submitted_at=when))
    await session.commit()

    await sign_in_staff(client, "root@city.example")
    html = (await client.get("/desk/integrators")).text
    app_row = html.split(f'data-key="{app_key.id}"')[1].split("</tr>")[0]
    rest_row = html.split(f'data-key="{rest_key.id}"')[1].split("</tr>")[0]
    assert "Reports app" in app_row
    assert '<td data-col="scope">Open311 integrator</td>' in app_row
    assert '<td data-col="agency">City Works</td>' in app_row
    assert '<td data-col="contact">dev@reports.example</td>' in app_row
    assert "120 a minute" in app_row
    assert '<td data-col="requests">2</td>' in app_row  # the one 31 days old is outside the window
    assert '<td data-col="last-used">Never</td>' in app_row
    assert '<td data-col="scope">REST API</td>' in rest_row
    assert '<td data-col="agency">Every agency</td>' in rest_row
    assert "Default (60 a minute)" in rest_row
    assert '<td data-col="requests">0</td>' in rest_row
    assert app_key.key_hash not in html


async def test_issuing_a_key_shows_its_secret_once_with_an_example_and_audits_it(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    works = await _staff(session)
    await session.commit()
    await sign_in_staff(client, "root@city.example")
    form = {
        "name": "Reports app",
        "contact": "dev@reports.example",
        "scope": "open311",
        "agency_id": str(works.id),
        "rate_limit_per_minute": "30",
    }
    issued = await client.post("/desk/integrators", data=form)
    assert issued.status_code == 200, issued.text
    assert issued.headers["cache-control"] == "no-store"
    secret = issued.text.split('id="issued-secret" type="text" readonly value="')[1].split('"')[0]
    assert secret.startswith("ts_")
    assert f"curl -d api_key={secret} " in issued.text
    assert "http://testserver/open311/v2/requests.xml" in issued.text

    await session.commit()
    row = (await session.execute(select(ApiKey).where(ApiKey.name == "Reports app"))).scalar_one()
    assert (row.scope, row.contact, row.rate_limit_per_minute, row.agency_id) == (
        ApiKeyScope.open311,
        "dev@reports.example",
        30,
        works.id,
    )
    assert (await staff.api_key_for(session, key=secret)) is not None
    assert secret not in (await client.get("/desk/integrators")).text  # never shown again
    [entry] = await _audit(session, "api_key.create")
    assert (entry.subject_id, entry.detail) == (str(row.id), {"scope": "open311"})
    assert secret not in str(entry.detail)

    rest = await client.post("/desk/integrators", data={"name": "Warehouse", "scope": "api", "agency_id": ""})
    assert rest.status_code == 200
    assert "curl -H &#34;Authorization: Bearer ts_" in rest.text  # the REST API example
    await session.commit()
    warehouse = (await session.execute(select(ApiKey).where(ApiKey.name == "Warehouse"))).scalar_one()
    assert (warehouse.scope, warehouse.agency_id, warehouse.rate_limit_per_minute) == (ApiKeyScope.api, None, None)


async def test_refused_input_shows_the_form_again_with_the_reason_and_issues_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _staff(session)
    await session.commit()
    await sign_in_staff(client, "root@city.example")
    cases_ = [
        ({"name": " ", "scope": "api"}, "Give the key a name", "#key-name"),
        ({"name": "App", "scope": "root"}, "Choose what the key opens.", "#key-scope"),
        (
            {"name": "App", "scope": "api", "agency_id": str(uuid.uuid4())},
            "Choose one of the agencies",
            "#key-agency_id",
        ),
        ({"name": "App", "scope": "api", "rate_limit_per_minute": "lots"}, "whole number", "#key-rate_limit"),
        ({"name": "App", "scope": "api", "rate_limit_per_minute": "0"}, "from 1 to", "#key-rate_limit"),
    ]
    for form, reason, anchor in cases_:
        refused = await client.post("/desk/integrators", data={"contact": "kept@example.org", **form})
        assert refused.status_code == 422, form
        assert reason in refused.text
        assert anchor in refused.text
        assert 'value="kept@example.org"' in refused.text  # what was typed stays
        assert "issued-secret" not in refused.text
    assert await count(session, ApiKey) == 0
    assert await _audit(session, "api_key.create") == []


async def test_revoking_asks_first_then_stops_the_key_and_is_audited(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _staff(session)
    secret, key = await staff.create_api_key(session, name="Data warehouse")
    await session.commit()
    assert (await client.get("/api/v1/cases", headers={"X-API-Key": secret})).status_code == 200
    await sign_in_staff(client, "root@city.example")
    listing = (await client.get("/desk/integrators")).text
    assert f'href="/desk/integrators/{key.id}/revoke"' in listing
    confirm = await client.get(f"/desk/integrators/{key.id}/revoke")
    assert confirm.status_code == 200
    assert "Revoke the key of Data warehouse?" in confirm.text
    assert f'action="/desk/integrators/{key.id}/revoke"' in confirm.text
    await session.commit()
    assert (await _key(session, key.id)).revoked_at is None

    done = await client.post(f"/desk/integrators/{key.id}/revoke")
    assert (done.status_code, done.headers["location"]) == (303, "/desk/integrators?notice=revoked")
    page = (await client.get(done.headers["location"])).text
    assert "it stopped working at once" in page
    assert f'href="/desk/integrators/{key.id}/revoke"' not in page
    assert "Revoked" in page.split(f'data-key="{key.id}"')[1].split("</tr>")[0]
    client.cookies.clear()
    assert (await client.get("/api/v1/cases", headers={"X-API-Key": secret})).status_code == 401

    await sign_in_staff(client, "root@city.example")
    again = await client.post(f"/desk/integrators/{key.id}/revoke")
    assert again.status_code == 303
    [entry] = await _audit(session, "api_key.revoke")
    assert entry.subject_id == str(key.id)


async def test_the_integrators_pages_in_chromium_keyboard_first_with_no_axe_violations(
    browser: Browser, live_app: LiveApp
) -> None:
    async def seed() -> None:
        async with live_app.runtime.db.session() as s:
            await create_agency(s)
            await create_staff(s, email="root@city.example", role=StaffRole.admin)
            await staff.create_api_key(s, name="Old app", scope=ApiKeyScope.open311, contact="old@example.org")
            await s.commit()

    await live_app.call(seed)
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await page.goto(f"{live_app.url}/desk/sign-in")
    await page.fill("#email", "root@city.example")
    await page.fill("#password", PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{live_app.url}/desk")
    await page.goto(f"{live_app.url}/desk/integrators")
    assert await axe_violations(page) == []

    await page.focus("#key-name")
    await page.keyboard.type("Reports app")
    await page.keyboard.press("Tab")
    await page.keyboard.type("dev@reports.example")
    await page.focus("#key-rate_limit_per_minute")
    await page.keyboard.type("30")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#issued-secret")
    assert (await page.input_value("#issued-secret")).startswith("ts_")
    assert "Open311 integrator" in await page.inner_text("#keys")
    assert await axe_violations(page) == []

    await page.click("text=Revoke Old app")
    assert await axe_violations(page) == []
    await page.focus("button:has-text('Revoke the key')")
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{live_app.url}/desk/integrators?notice=revoked")
    assert await axe_violations(page) == []

    await page.fill("#key-name", "x")
    await page.fill("#key-rate_limit_per_minute", "")
    await page.evaluate("document.querySelector('#key-rate_limit_per_minute').removeAttribute('min')")
    await page.fill("#key-rate_limit_per_minute", "0")
    await page.click("text=Issue key")
    assert "from 1 to" in await page.inner_text(".error-summary")
    assert await axe_violations(page) == []
