"""The queue over REST: work in routing order, agents' profiles set by supervisors, queues set by admins."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import api_key_headers, create_agency, create_agent, create_staff
from tests.support.staff import sign_in_staff
from townsquare.app import Runtime
from townsquare.clock import utcnow
from townsquare.routing import engine
from townsquare.routing import service as items
from townsquare.staff.models import StaffRole


async def test_work_items_come_in_routing_order_for_your_agencies_only(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    works = await create_agency(session)
    revenue = await create_agency(session, slug="revenue", name="Revenue")
    now = utcnow()
    late = await items.create(session, channel="email", kind="message", agency_id=works.id, received_at=now)
    urgent = await items.create(
        session, channel="email", kind="message", agency_id=works.id, received_at=now, priority=90
    )
    early = await items.create(
        session, channel="email", kind="message", agency_id=works.id, received_at=now - timedelta(hours=5)
    )
    await items.create(session, channel="email", kind="message", agency_id=revenue.id, received_at=now)
    headers = await api_key_headers(session, agency=works)
    await session.commit()
    page = (await client.get("/api/v1/work-items?status=queued", headers=headers)).json()
    assert [i["id"] for i in page["items"]] == [str(urgent.id), str(early.id), str(late.id)]
    assert page["total"] == 3
    assert (await client.get("/api/v1/work-items?status=nonsense", headers=headers)).status_code == 422


async def test_supervisors_set_agent_profiles_of_their_agencies(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    works = await create_agency(session)
    revenue = await create_agency(session, slug="revenue", name="Revenue")
    agent = await create_agent(session, email="wren@city.example", agencies=[works])
    other = await create_agent(session, email="rae@city.example", agencies=[revenue])
    await create_staff(session, email="boss@city.example", role=StaffRole.supervisor, agencies=[works])
    await session.commit()

    await sign_in_staff(client, "wren@city.example")
    assert (await client.put(f"/api/v1/agents/{agent.id}", json={"languages": ["fr"]})).status_code == 403

    await sign_in_staff(client, "boss@city.example")
    changed = await client.put(
        f"/api/v1/agents/{agent.id}",
        json={"capacity": {"voice": 1, "chat": 2, "async": 8}, "languages": ["en", "FR"], "skills": {"Pothole": 4}},
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["capacity"] == {"voice": 1, "chat": 2, "async": 8}
    assert body["languages"] == ["en", "fr"]
    assert body["skills"] == {"pothole": 4}
    bad = await client.put(f"/api/v1/agents/{agent.id}", json={"capacity": {"fax": 2}})
    assert bad.status_code == 422
    assert "Capacity" in bad.json()["detail"]
    assert (await client.put(f"/api/v1/agents/{agent.id}", json={"skills": {"x": 9}})).status_code == 422
    assert (await client.put(f"/api/v1/agents/{other.id}", json={"languages": ["fr"]})).status_code == 404
    names = [a["name"] for a in (await client.get("/api/v1/agents")).json()]
    assert names == ["Wren"]


async def test_admins_create_queues(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await create_agency(session)
    await create_staff(session, email="admin@city.example", role=StaffRole.admin)
    await session.commit()
    await sign_in_staff(client, "admin@city.example")
    spec = {"agency_slug": "city-works", "slug": "roads", "name": "Roads", "service_codes": ["POTHOLE"]}
    created = await client.post("/api/v1/queues", json=spec)
    assert created.status_code == 201, created.text
    assert (await client.post("/api/v1/queues", json=spec)).status_code == 409
    assert [q["slug"] for q in (await client.get("/api/v1/queues")).json()] == ["roads"]


async def test_an_internal_task_is_queued_routed_and_shown_on_the_work_page(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    works = await create_agency(session)
    await create_agency(session, slug="revenue", name="Revenue")
    agent = await create_agent(session, email="wren@city.example", agencies=[works])
    headers = await api_key_headers(session, agency=works)
    await session.commit()
    task = {"agency_slug": "city-works", "title": "Inspect the bridge railing", "details": "Reported loose at pier 3"}
    created = await client.post("/api/v1/work-items", json=task, headers=headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["channel"], body["kind"], body["capacity_class"], body["status"]) == (
        "internal",
        "task",
        "async",
        "queued",
    )
    elsewhere = await client.post("/api/v1/work-items", json={**task, "agency_slug": "revenue"}, headers=headers)
    assert elsewhere.status_code == 403
    naive = await client.post("/api/v1/work-items", json={**task, "due_at": "2026-12-01T09:00:00"}, headers=headers)
    assert naive.status_code == 422
    bad_case = await client.post(
        "/api/v1/work-items", json={**task, "case_reference": "TS-2026-999999"}, headers=headers
    )
    assert bad_case.status_code == 422
    async with runtime.db.session() as s:
        report = await engine.route(s)
        await s.commit()
    assert [str(item_id) for item_id, _ in report.offered] == [body["id"]]
    assert report.offered[0][1] == agent.id
    await sign_in_staff(client, "wren@city.example")
    page = await client.get(f"/desk/work/{body['id']}")
    assert "Inspect the bridge railing" in page.text
