"""A POST requests sent again (a client whose first try timed out while the platform was still answering it) with
the same `Idempotency-Key` header opens one case and is answered as the first time; without the header a second
POST is a second report, as Open311 v2 has it. The soak found the duplicates this header prevents.
"""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.open311.conftest import City, counts_now, parse_json, parse_xml, pothole_form, spark

from townsquare.cases.models import Case, Open311Submission
from townsquare.interactions.models import Interaction
from townsquare.staff import service as staff
from townsquare.staff.models import ApiKeyScope, AuditEntry

PATH = "/open311/v2/requests.json"


async def test_a_retry_with_the_same_idempotency_key_opens_one_case_and_gets_the_first_answer(
    client: httpx.AsyncClient, city: City, session: AsyncSession
) -> None:
    form = pothole_form(city, email="ana@example.org", account_id="u-7")
    headers = {"Idempotency-Key": "6f1c2d3e-retry-1"}
    first = await client.post(PATH, data=form, headers=headers)
    before = await counts_now(session)
    again = await client.post(PATH, data=form, headers=headers)
    as_xml = await client.post("/open311/v2/requests.xml", data=form, headers=headers)
    assert (first.status_code, again.status_code, as_xml.status_code) == (200, 200, 200), again.text
    assert parse_json(again) == parse_json(first)
    assert spark(parse_xml(as_xml))[0]["service_request_id"] == parse_json(first)[0]["service_request_id"]
    assert await counts_now(session) == before  # nothing written: no case, record, contact or audit entry
    assert await session.scalar(select(func.count()).select_from(Case)) == 1
    assert await session.scalar(select(func.count()).select_from(Open311Submission)) == 1
    assert (
        await session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "open311.request"))
        == 1
    )


async def test_a_batch_service_retried_gets_the_same_token(client: httpx.AsyncClient, city: City) -> None:
    form = {"api_key": city.key, "service_code": "GRAFFITI", "address_id": "A-100", "description": "Tags on a wall"}
    headers = {"Idempotency-Key": "batch-retry"}
    first = await client.post(PATH, data=form, headers=headers)
    again = await client.post(PATH, data=form, headers=headers)
    assert parse_json(first)[0]["token"] == parse_json(again)[0]["token"]


async def test_two_tries_at_once_open_one_case(client: httpx.AsyncClient, city: City, session: AsyncSession) -> None:
    form = pothole_form(city)
    headers = {"Idempotency-Key": "racing"}
    answers = await asyncio.gather(*(client.post(PATH, data=form, headers=headers) for _ in range(3)))
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert len({a.json()[0]["service_request_id"] for a in answers}) == 1
    await session.commit()
    assert await session.scalar(select(func.count()).select_from(Case)) == 1


async def test_without_the_header_or_with_another_key_each_post_is_a_new_report(
    client: httpx.AsyncClient, city: City, session: AsyncSession
) -> None:
    form = pothole_form(city)
    plain = [await client.post(PATH, data=form) for _ in range(2)]
    assert plain[0].json() != plain[1].json()
    other_key, _ = await staff.create_api_key(session, name="Another app", scope=ApiKeyScope.open311)
    await session.commit()
    headers = {"Idempotency-Key": "shared-by-chance"}
    ours = await client.post(PATH, data=form, headers=headers)
    theirs = await client.post(PATH, data=form | {"api_key": other_key}, headers=headers)
    assert ours.json()[0]["service_request_id"] != theirs.json()[0]["service_request_id"]
    await session.commit()
    assert await session.scalar(select(func.count()).select_from(Case)) == 4
    inbound = select(func.count()).select_from(Interaction).where(Interaction.external_id.like("open311:%"))
    assert await session.scalar(inbound) == 2


async def test_an_unreadable_idempotency_key_is_refused(
    client: httpx.AsyncClient, city: City, session: AsyncSession
) -> None:
    before = await counts_now(session)
    response = await client.post(PATH, data=pothole_form(city), headers={"Idempotency-Key": "x" * 201})
    assert response.status_code == 400
    assert response.json() == [
        {"code": 400, "description": "Idempotency-Key must be 1 to 200 printable ASCII characters"}
    ]
    assert await counts_now(session) == before
