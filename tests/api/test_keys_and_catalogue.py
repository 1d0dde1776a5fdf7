"""API keys managed by admins; the public catalogue; problem details for unknown routes."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import PASSWORD, create_agency, create_service, create_staff
from townsquare.staff.models import StaffRole


async def _sign_in(client: httpx.AsyncClient, email: str) -> None:
    r = await client.post("/desk/sign-in", data={"email": email, "password": PASSWORD, "next": "/desk"})
    assert r.status_code == 303, r.text


async def test_admins_issue_and_revoke_keys(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await create_agency(session)
    await create_staff(session, email="admin@city.example", role=StaffRole.admin)
    await create_staff(session, email="agent@city.example")
    await session.commit()
    await _sign_in(client, "agent@city.example")
    assert (await client.post("/api/v1/api-keys", json={"name": "x"})).status_code == 403
    await _sign_in(client, "admin@city.example")
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
    await _sign_in(client, "admin@city.example")
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
