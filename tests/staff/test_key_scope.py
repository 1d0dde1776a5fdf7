"""An Open311 integrator's key opens /open311 only, never the REST API that reads citizens' records."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency
from townsquare.staff import service as staff
from townsquare.staff.models import ApiKeyScope


async def test_an_open311_key_is_refused_by_the_rest_api(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await create_agency(session)
    integrator, row = await staff.create_api_key(session, name="City app")
    row.scope = ApiKeyScope.open311
    full, _ = await staff.create_api_key(session, name="CRM sync")
    await session.commit()

    refused = await client.get("/api/v1/cases", headers={"Authorization": f"Bearer {integrator}"})
    assert refused.status_code == 403
    assert "Open311" in refused.json()["detail"]
    allowed = await client.get("/api/v1/cases", headers={"Authorization": f"Bearer {full}"})
    assert allowed.status_code == 200
