"""/api/v1/citizens: records, identities, preferences, the timeline, scoping and the audit trail."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import api_key_headers, create_agency, create_citizen, create_service
from townsquare.app import Runtime
from townsquare.citizens.models import IdentityKind
from townsquare.clock import utcnow
from townsquare.engagement.messages import InboundMessage, Sender
from townsquare.interactions.models import Channel
from townsquare.staff.models import AuditEntry


async def test_create_a_citizen_with_identities_then_read_it(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await create_agency(session)
    headers = await api_key_headers(session)
    await session.commit()
    body = {
        "display_name": "Jean Tremblay",
        "language": "fr",
        "identities": [
            {"kind": "phone", "value": "613-555-0199", "verified_by": "sms_code"},
            {"kind": "email", "value": "Jean.Tremblay@Example.ORG"},
        ],
    }
    created = await client.post("/api/v1/citizens", json=body, headers=headers)
    assert created.status_code == 201, created.text
    citizen = created.json()
    identities = {i["kind"]: i for i in citizen["identities"]}
    assert identities["phone"]["value"] == "+16135550199"
    assert identities["phone"]["verified"] is True
    assert identities["phone"]["verification_method"] == "sms_code"
    assert identities["email"]["value"] == "jean.tremblay@example.org"
    assert identities["email"]["verified"] is False
    read = await client.get(f"/api/v1/citizens/{citizen['id']}", headers=headers)
    assert read.json()["language"] == "fr"
    found = await client.get("/api/v1/citizens", params={"q": "(613) 555-0199"}, headers=headers)
    assert [c["id"] for c in found.json()] == [citizen["id"]]


async def test_an_identity_that_belongs_to_someone_else_is_a_conflict(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_agency(session)
    headers = await api_key_headers(session)
    await create_citizen(session, name="First", phone="+16135550199")
    second = await create_citizen(session, name="Second")
    await session.commit()
    response = await client.post(
        f"/api/v1/citizens/{second.id}/identities", json={"kind": "phone", "value": "6135550199"}, headers=headers
    )
    assert response.status_code == 409
    assert "another citizen" in response.json()["detail"]


async def test_preferences(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await create_agency(session)
    headers = await api_key_headers(session)
    citizen = await create_citizen(session)
    await session.commit()
    ok = await client.patch(
        f"/api/v1/citizens/{citizen.id}/preferences",
        json={
            "language": "fr",
            "preferred_channels": ["sms", "email"],  # a name twice is refused: tests/web/test_hygiene_doors.py
            "quiet_hours_start": "21:00",
            "quiet_hours_end": "08:00",
        },
        headers=headers,
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["preferred_channels"] == ["sms", "email"]
    assert ok.json()["quiet_hours_start"] == "21:00:00"
    half = await client.patch(
        f"/api/v1/citizens/{citizen.id}/preferences", json={"quiet_hours_start": "21:00"}, headers=headers
    )
    assert half.status_code == 422


async def test_the_timeline_is_one_scroll_across_channels_with_paging(
    client: httpx.AsyncClient, runtime: Runtime, session: AsyncSession
) -> None:
    await create_agency(session)
    headers = await api_key_headers(session)
    citizen = await create_citizen(session, phone="+16135550142", email="maria@example.org")
    await session.commit()
    start = utcnow() - timedelta(hours=5)
    steps = [
        (Channel.sms, IdentityKind.phone, "+16135550142"),
        (Channel.email, IdentityKind.email, "maria@example.org"),
        (Channel.voice, IdentityKind.phone, "613 555 0142"),
    ]
    for i, (channel, kind, value) in enumerate(steps):
        async with runtime.db.session() as s:
            await runtime.pipeline.ingest(
                s,
                InboundMessage(
                    channel=channel,
                    text=f"step {i}",
                    sender=Sender(kind, value),
                    received_at=start + timedelta(hours=i),
                ),
            )
    page = await client.get(f"/api/v1/citizens/{citizen.id}/timeline", params={"limit": 2}, headers=headers)
    assert page.status_code == 200, page.text
    assert [i["channel"] for i in page.json()["items"]] == ["voice", "email"]
    rest = await client.get(
        f"/api/v1/citizens/{citizen.id}/timeline",
        params={"limit": 2, "cursor": page.json()["next_cursor"]},
        headers=headers,
    )
    assert [i["channel"] for i in rest.json()["items"]] == ["sms"]
    assert rest.json()["next_cursor"] is None
    bad = await client.get(f"/api/v1/citizens/{citizen.id}/timeline", params={"cursor": "nope"}, headers=headers)
    assert bad.status_code == 422


async def test_reads_of_a_citizen_are_audited(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await create_agency(session)
    headers = await api_key_headers(session)
    citizen = await create_citizen(session)
    await session.commit()
    await client.get(f"/api/v1/citizens/{citizen.id}", headers=headers)
    await client.get(f"/api/v1/citizens/{citizen.id}/timeline", headers=headers)
    rows = (await session.execute(select(AuditEntry).where(AuditEntry.citizen_id == citizen.id))).scalars().all()
    assert [r.action for r in rows] == ["citizen.read", "timeline.read"]
    assert all(r.actor_kind == "api_key" for r in rows)


async def test_a_key_scoped_to_one_agency_does_not_see_another_agencys_cases_on_the_timeline(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    works = await create_agency(session, slug="works", name="Works")
    revenue = await create_agency(session, slug="revenue", name="Revenue")
    await create_service(session, agency=works, code="POTHOLE")
    await create_service(session, agency=revenue, code="PROP-TAX", name="Tax")
    admin_headers = await api_key_headers(session)
    works_headers = await api_key_headers(session, agency=works)
    citizen = await create_citizen(session)
    await session.commit()
    for code in ("POTHOLE", "PROP-TAX"):
        r = await client.post(
            "/api/v1/cases",
            json={"service_code": code, "citizen_id": str(citizen.id), "attributes": {}},
            headers=admin_headers,
        )
        assert r.status_code == 201, r.text
    everything = (await client.get(f"/api/v1/citizens/{citizen.id}/timeline", headers=admin_headers)).json()
    scoped = (await client.get(f"/api/v1/citizens/{citizen.id}/timeline", headers=works_headers)).json()
    assert len(everything["items"]) == 2
    assert len(scoped["items"]) == 1
    assert "Report a pothole" in scoped["items"][0]["body"]
    tax_case = (await client.get("/api/v1/cases", headers=admin_headers)).json()["items"]
    tax_ref = next(c["reference"] for c in tax_case if c["agency_id"] == str(revenue.id))
    assert (await client.get(f"/api/v1/cases/{tax_ref}", headers=works_headers)).status_code == 404


async def test_unknown_citizen_is_a_404_problem(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await create_agency(session)
    headers = await api_key_headers(session)
    await session.commit()
    response = await client.get(f"/api/v1/citizens/{uuid.uuid4()}", headers=headers)
    assert response.status_code == 404
    assert response.json()["title"] == "Citizen not found"


async def test_an_interaction_of_another_agencys_case_is_hidden_and_reads_are_audited(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    works = await create_agency(session, slug="works", name="Works")
    revenue = await create_agency(session, slug="revenue", name="Revenue")
    await create_service(session, agency=revenue, code="PROP-TAX", name="Tax")
    admin = await api_key_headers(session)
    works_only = await api_key_headers(session, agency=works)
    citizen = await create_citizen(session)
    await session.commit()
    opened = await client.post(
        "/api/v1/cases", json={"service_code": "PROP-TAX", "citizen_id": str(citizen.id)}, headers=admin
    )
    ref = opened.json()["reference"]
    item = (await client.get(f"/api/v1/cases/{ref}/timeline", headers=admin)).json()["items"][0]
    assert (await client.get(f"/api/v1/interactions/{item['id']}", headers=admin)).status_code == 200
    assert (await client.get(f"/api/v1/interactions/{item['id']}", headers=works_only)).status_code == 404
    actions = (await session.execute(select(AuditEntry.action).where(AuditEntry.citizen_id == citizen.id))).scalars()
    assert "interaction.read" in list(actions)
