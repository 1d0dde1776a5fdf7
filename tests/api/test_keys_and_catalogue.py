"""API keys managed by admins; the public catalogue; problem details for unknown routes."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_service, create_staff
from tests.support.staff import sign_in_staff
from townsquare.staff.models import AuditEntry, StaffRole


async def test_admins_issue_and_revoke_keys(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await create_agency(session)
    await create_staff(session, email="admin@city.example", role=StaffRole.admin)
    await create_staff(session, email="agent@city.example")
    await session.commit()
    await sign_in_staff(client, "agent@city.example")
    assert (await client.post("/api/v1/api-keys", json={"name": "x"})).status_code == 403
    await sign_in_staff(client, "admin@city.example")
    created = await client.post("/api/v1/api-keys", json={"name": "FixMyStreet", "agency_slug": "city-works"})
    assert created.status_code == 201, created.text
    key = created.json()["key"]
    assert key.startswith("ts_")
    listed = (await client.get("/api/v1/api-keys")).json()
    assert "key" not in listed[0]
    client.cookies.clear()
    auth = {"Authorization": f"Bearer {key}"}
    assert (await client.get("/api/v1/cases", headers=auth)).status_code == 200
    assert (await client.get("/api/v1/cases", headers={"X-API-Key": key})).status_code == 200
    await sign_in_staff(client, "admin@city.example")
    assert (await client.delete(f"/api/v1/api-keys/{created.json()['id']}")).status_code == 200
    client.cookies.clear()
    assert (await client.get("/api/v1/cases", headers=auth)).status_code == 401


async def test_the_catalogue_is_public(client: httpx.AsyncClient, session: AsyncSession) -> None:
    agency = await create_agency(session)
    await create_service(session, agency=agency, attributes=[{"code": "size", "datatype": "string", "required": True}])
    await session.commit()
    services = (await client.get("/api/v1/services")).json()
    assert services[0]["code"] == "POTHOLE"
    assert services[0]["attributes"][0]["required"] is True
    assert (await client.get("/api/v1/services/POTHOLE")).status_code == 200
    missing = await client.get("/api/v1/services/NOPE")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert (await client.get("/api/v1/agencies/city-works")).json()["name"] == "City Works"


async def test_unknown_routes_are_problems_and_docs_are_served(client: httpx.AsyncClient) -> None:
    missing = await client.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "There is nothing at this address."
    assert (await client.get("/docs")).status_code == 200
    spec = (await client.get("/openapi.json")).json()
    assert "/api/v1/interactions" in spec["paths"]
    assert (await client.get("/readyz")).json()["status"] == "ready"


async def test_keys_carry_a_scope_a_contact_and_a_rate_limit(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await create_agency(session)
    await create_staff(session, email="admin@city.example", role=StaffRole.admin)
    await session.commit()
    await sign_in_staff(client, "admin@city.example")
    body = {"name": "Reports app", "scope": "open311", "contact": "dev@reports.example", "rate_limit_per_minute": 30}
    created = await client.post("/api/v1/api-keys", json=body)
    assert created.status_code == 201, created.text
    shown = created.json()
    assert (shown["scope"], shown["contact"], shown["rate_limit_per_minute"]) == ("open311", "dev@reports.example", 30)
    plain = (await client.post("/api/v1/api-keys", json={"name": "Warehouse"})).json()
    assert (plain["scope"], plain["contact"], plain["rate_limit_per_minute"]) == ("api", "", None)
    listed = {k["name"]: k for k in (await client.get("/api/v1/api-keys")).json()}
    assert listed["Reports app"]["scope"] == "open311"
    assert listed["Reports app"]["rate_limit_per_minute"] == 30
    assert "key" not in listed["Reports app"]
    audit = (await session.execute(select(AuditEntry).where(AuditEntry.action == "api_key.create"))).scalars().all()
    assert sorted(a.detail["scope"] for a in audit) == ["api", "open311"]

    for bad in ({"scope": "root"}, {"rate_limit_per_minute": 0}, {"rate_limit_per_minute": "lots"}, {"name": ""}):
        refused = await client.post("/api/v1/api-keys", json={"name": "x", **bad})
        assert refused.status_code == 422, bad

    client.cookies.clear()
    integrator = {"Authorization": f"Bearer {shown['key']}"}
    assert (await client.get("/api/v1/cases", headers=integrator)).status_code == 403  # Open311 only
    assert (await client.get("/api/v1/cases", headers={"X-API-Key": plain["key"]})).status_code == 200
