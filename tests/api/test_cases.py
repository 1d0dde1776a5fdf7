"""/api/v1/cases: opening against the service's form, the workflow, the case timeline, replies."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import api_key_headers, count, create_agency, create_citizen, create_service
from townsquare.app import Runtime
from townsquare.cases.models import Case
from townsquare.clock import utcnow
from townsquare.routing.models import WorkItem

FORM: list[dict[str, Any]] = [
    {
        "code": "size",
        "datatype": "singlevaluelist",
        "required": True,
        "values": [{"key": "small", "name": "Small"}, {"key": "large", "name": "Large"}],
    },
    {"code": "depth_cm", "datatype": "number"},
    {"code": "seen_at", "datatype": "datetime"},
    {"code": "streams", "datatype": "multivaluelist", "values": [{"key": "a", "name": "A"}, {"key": "b", "name": "B"}]},
]


@pytest.fixture
async def setup(session: AsyncSession) -> tuple[dict[str, str], str]:
    agency = await create_agency(session)
    await create_service(session, agency=agency, code="POTHOLE", attributes=FORM, sla_target_hours=72)
    citizen = await create_citizen(session, phone="+16135550142")
    headers = await api_key_headers(session)
    await session.commit()
    return headers, str(citizen.id)


async def test_open_a_case_and_walk_the_workflow(
    client: httpx.AsyncClient, setup: tuple[dict[str, str], str], session: AsyncSession
) -> None:
    headers, citizen_id = setup
    body = {
        "service_code": "POTHOLE",
        "citizen_id": citizen_id,
        "channel": "counter",
        "location": {"lat": 45.42, "long": -75.69, "address_string": "100 Elm St"},
        "attributes": {
            "size": "large",
            "depth_cm": "12",
            "seen_at": "2026-11-20T08:00:00-05:00",
            "streams": ["a", "b"],
        },
    }
    created = await client.post("/api/v1/cases", json=body, headers=headers)
    assert created.status_code == 201, created.text
    case = created.json()
    assert re.fullmatch(rf"TS-{utcnow().year}-\d{{6}}", case["reference"])
    assert case["attributes"] == {
        "size": "large",
        "depth_cm": 12,
        "seen_at": "2026-11-20T08:00:00-05:00",
        "streams": ["a", "b"],
    }
    assert case["sla_due_at"] is not None
    assert await count(session, WorkItem) == 1
    ref = case["reference"]
    moved = await client.post(
        f"/api/v1/cases/{ref}/status", json={"status": "in_progress", "note": "crew sent"}, headers=headers
    )
    assert moved.json()["status"] == "in_progress"
    refused = await client.post(f"/api/v1/cases/{ref}/status", json={"status": "closed"}, headers=headers)
    assert refused.status_code == 409
    assert "allowed next" in refused.json()["detail"]
    timeline = (await client.get(f"/api/v1/cases/{ref}/timeline", headers=headers)).json()["items"]
    assert [i["kind"] for i in timeline] == ["status_change", "status_change"]
    assert timeline[0]["body"] == "Status changed from new to in_progress: crew sent"


async def test_every_problem_with_the_answers_is_reported_at_once(
    client: httpx.AsyncClient, setup: tuple[dict[str, str], str], session: AsyncSession
) -> None:
    headers, citizen_id = setup
    body = {
        "service_code": "POTHOLE",
        "citizen_id": citizen_id,
        "attributes": {"depth_cm": "deep", "seen_at": "yesterday", "streams": ["z"], "colour": "red"},
    }
    response = await client.post("/api/v1/cases", json=body, headers=headers)
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {
        "attribute[size]",
        "attribute[depth_cm]",
        "attribute[seen_at]",
        "attribute[streams]",
        "attribute[colour]",
    }
    assert await count(session, Case) == 0


async def test_case_references_are_sequential_and_unique(
    client: httpx.AsyncClient, setup: tuple[dict[str, str], str]
) -> None:
    headers, _citizen_id = setup
    refs = []
    for _ in range(3):
        r = await client.post(
            "/api/v1/cases", json={"service_code": "POTHOLE", "attributes": {"size": "small"}}, headers=headers
        )
        refs.append(r.json()["reference"])
    numbers = [int(ref.rsplit("-", 1)[1]) for ref in refs]
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]


async def test_a_reply_goes_out_on_the_citizens_last_channel(
    client: httpx.AsyncClient, setup: tuple[dict[str, str], str], runtime: Runtime
) -> None:
    headers, _ = setup
    inbound = await client.post(
        "/api/v1/interactions",
        json={"channel": "sms", "external_id": "SM9", "from": {"kind": "phone", "value": "6135550142"}, "text": "hi"},
        headers=headers,
    )
    conversation_id = inbound.json()["conversation_id"]
    replied = await client.post(
        f"/api/v1/conversations/{conversation_id}/replies", json={"text": "We are on it"}, headers=headers
    )
    assert replied.status_code == 202, replied.text
    assert replied.json()["channel"] == "sms"
    assert replied.json()["rendered"]["segments"] == 1
    await runtime.worker.drain()
    assert [(e.channel, e.recipient) for e in runtime.recording.sent] == [("sms", "+16135550142")]
    no_email = await client.post(
        f"/api/v1/conversations/{conversation_id}/replies", json={"text": "x", "channel": "email"}, headers=headers
    )
    assert no_email.status_code == 422
    assert "no email" in no_email.json()["detail"]
