"""/api/v1/webhooks: an integration's key registers endpoints (https only, events of the catalogue), sees its
secret once, lists and removes only its own endpoints, and reads their delivery logs; all of it in the OpenAPI."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_staff
from tests.support.staff import sign_in_staff
from townsquare.app import Runtime
from townsquare.notify.webhooks import service as webhooks
from townsquare.notify.webhooks.catalogue import CASE_CREATED, EVENT_TYPES, NOTIFICATION_STATUS_CHANGED
from townsquare.notify.webhooks.models import WebhookEndpoint
from townsquare.staff import service as staff
from townsquare.staff.models import AuditEntry, StaffRole

HOOK = {"url": "https://crm.example.org/hooks/townsquare", "event_types": [CASE_CREATED]}


async def _key(session: AsyncSession, *, agency_slug: str | None = None, name: str = "crm") -> dict[str, str]:
    agency = await create_agency(session, slug=agency_slug, name=agency_slug.title()) if agency_slug else None
    key, _ = await staff.create_api_key(session, name=name, agency_id=agency.id if agency else None)
    await session.commit()
    return {"Authorization": f"Bearer {key}"}


async def test_a_key_registers_an_endpoint_and_sees_its_secret_once(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    auth = await _key(session, agency_slug="roads")
    created = await client.post("/api/v1/webhooks", json=HOOK, headers=auth)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert body["url"] == HOOK["url"]
    assert body["event_types"] == [CASE_CREATED]
    assert body["agency_id"] is not None  # the key's agency: the endpoint hears that agency only
    listed = (await client.get("/api/v1/webhooks", headers=auth)).json()
    assert [e["id"] for e in listed] == [body["id"]]
    assert "secret" not in listed[0]
    audit = (await session.execute(select(AuditEntry).where(AuditEntry.action == "webhook.create"))).scalar_one()
    assert audit.subject_id == body["id"]
    assert body["secret"] not in str(audit.detail)


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({"url": "http://crm.example.org/hook"}, "url"),
        ({"url": "ftp://crm.example.org/hook"}, "url"),
        ({"url": "https:///no-host"}, "url"),
        ({"url": "https://user:pw@crm.example.org/hook"}, "url"),
        ({"url": "https://10.1.2.3/hook"}, "url"),
        ({"url": "https://169.254.169.254/latest/meta-data"}, "url"),
        ({"event_types": ["case.deleted"]}, "event_types"),
        ({"event_types": []}, "event_types"),
    ],
)
async def test_a_url_that_is_not_https_or_an_event_outside_the_catalogue_is_refused(
    client: httpx.AsyncClient, session: AsyncSession, sent: dict[str, object], field: str
) -> None:
    auth = await _key(session)
    refused = await client.post("/api/v1/webhooks", json=HOOK | sent, headers=auth)
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in refused.json()["errors"]] == [field]
    assert (await session.execute(select(WebhookEndpoint))).first() is None


async def test_plain_http_to_loopback_is_allowed_in_tests_but_never_in_production() -> None:
    assert webhooks.check_url("http://127.0.0.1:8080/hook", allow_loopback_http=True)
    assert webhooks.check_url("http://localhost/hook", allow_loopback_http=True)
    for url in ("http://127.0.0.1:8080/hook", "http://10.0.0.1/hook"):
        with pytest.raises(Exception, match="https"):
            webhooks.check_url(url, allow_loopback_http=url.startswith("http://10"))
    with pytest.raises(Exception, match="https"):
        webhooks.check_url("http://127.0.0.1/hook", allow_loopback_http=False)
    with pytest.raises(Exception, match="private or local"):
        webhooks.check_url("https://localhost/hook", allow_loopback_http=False)
    with pytest.raises(Exception, match="private or local"):
        webhooks.check_url("https://[::1]/hook", allow_loopback_http=False)
    assert webhooks.check_url("https://203.0.114.7/hook", allow_loopback_http=False)


async def test_each_key_reaches_only_its_own_endpoints(client: httpx.AsyncClient, session: AsyncSession) -> None:
    mine = await _key(session, name="mine")
    theirs = await _key(session, name="theirs")
    created = (await client.post("/api/v1/webhooks", json=HOOK, headers=mine)).json()
    assert (await client.get("/api/v1/webhooks", headers=theirs)).json() == []
    for method, path in (("DELETE", ""), ("GET", "/deliveries")):
        other = await client.request(method, f"/api/v1/webhooks/{created['id']}{path}", headers=theirs)
        unknown = await client.request(method, f"/api/v1/webhooks/{uuid.uuid4()}{path}", headers=theirs)
        assert other.status_code == unknown.status_code == 404
        assert other.json()["detail"] == unknown.json()["detail"]


async def test_removing_an_endpoint_stops_it_hearing_and_fails_what_waited(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    auth = await _key(session)
    created = (await client.post("/api/v1/webhooks", json=HOOK, headers=auth)).json()
    async with runtime.db.session() as s:
        assert await webhooks.emit(s, event_type=CASE_CREATED, data={"reference": "TS-1"}, agency_id=None) == 1
        await s.commit()
    removed = await client.delete(f"/api/v1/webhooks/{created['id']}", headers=auth)
    assert removed.status_code == 200
    assert removed.json()["active"] is False
    assert (await client.get("/api/v1/webhooks", headers=auth)).json() == []
    assert (await client.delete(f"/api/v1/webhooks/{created['id']}", headers=auth)).status_code == 404
    log = (await client.get(f"/api/v1/webhooks/{created['id']}/deliveries", headers=auth)).json()
    assert log["total"] == 1
    assert log["items"][0]["status"] == "failed"
    assert log["items"][0]["next_attempt_at"] is None
    async with runtime.db.session() as s:
        assert await webhooks.emit(s, event_type=CASE_CREATED, data={}, agency_id=None) == 0


async def test_the_delivery_log_pages_newest_first(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    auth = await _key(session)
    hook = HOOK | {"event_types": [CASE_CREATED, NOTIFICATION_STATUS_CHANGED]}
    created = (await client.post("/api/v1/webhooks", json=hook, headers=auth)).json()
    for i in range(3):
        async with runtime.db.session() as s:
            await webhooks.emit(s, event_type=CASE_CREATED, data={"reference": f"TS-{i}"}, agency_id=None)
            await s.commit()
    page = (await client.get(f"/api/v1/webhooks/{created['id']}/deliveries?limit=2", headers=auth)).json()
    assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (3, 2, 0, 2)
    first = page["items"][0]
    assert (first["status"], first["attempts"], first["event_type"]) == ("pending", 0, CASE_CREATED)
    assert first["next_attempt_at"] is not None
    rest = (await client.get(f"/api/v1/webhooks/{created['id']}/deliveries?offset=2", headers=auth)).json()
    assert len(rest["items"]) == 1
    assert rest["items"][0]["created_at"] <= first["created_at"]


async def test_staff_sessions_and_anonymous_callers_are_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_staff(session, email="admin@city.example", role=StaffRole.admin)
    await session.commit()
    assert (await client.get("/api/v1/webhooks")).status_code == 401
    await sign_in_staff(client, "admin@city.example")
    refused = await client.post("/api/v1/webhooks", json=HOOK, headers={"origin": "http://testserver"})
    assert refused.status_code == 403
    assert "API key" in refused.json()["detail"]


async def test_the_webhook_operations_are_in_the_openapi_with_their_problems(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    create = spec["paths"]["/api/v1/webhooks"]["post"]
    assert set(create["responses"]) >= {"201", "401", "403", "422"}
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/WebhookIn")
    assert "secret" in spec["components"]["schemas"]["WebhookCreated"]["properties"]
    assert "secret" not in spec["components"]["schemas"]["WebhookOut"]["properties"]
    deliveries = spec["paths"]["/api/v1/webhooks/{webhook_id}/deliveries"]["get"]
    assert "404" in deliveries["responses"]
    assert "delete" in spec["paths"]["/api/v1/webhooks/{webhook_id}"]
    for name in EVENT_TYPES:
        assert name in spec["components"]["schemas"]["WebhookIn"]["properties"]["event_types"]["description"]
