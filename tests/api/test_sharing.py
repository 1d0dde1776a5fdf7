"""The agency-records and Person APIs over HTTP: an agency's own key sends its records (one, or a CSV file), another
agency's key reads a person only under an agreement and the person's consent; every refusal is a clear problem
and is logged."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import api_key_headers
from tests.sharing.world import EMAIL, INCOME, PURPOSE, World, sharing_world
from townsquare.sharing import access, consents
from townsquare.staff.models import AuditEntry

PERSON_QUERY = {"attributes": "revenue.household_income,licensing.home_address", "purpose": PURPOSE}


async def _consent(session: AsyncSession, world: World) -> None:
    await consents.give(
        session,
        citizen_id=world.person.id,
        consumer_agency_id=world.benefits.id,
        purpose=PURPOSE,
        attributes=["revenue.household_income", "licensing.home_address"],
        agreements=[],
        channel="web",
    )
    await session.commit()


async def test_an_agencys_key_puts_its_record_and_it_links(client: httpx.AsyncClient, session: AsyncSession) -> None:
    world = await sharing_world(session, with_agreements=False)
    headers = await api_key_headers(session, agency=world.revenue)
    await session.commit()
    body = {
        "identifiers": [{"kind": "email", "value": EMAIL.upper()}],
        "last_updated": "2026-11-30T09:00:00-05:00",
        "values": {"household_income": {"value": 50100, "last_updated": "2026-04-30T00:00:00Z"}},
    }
    created = await client.put("/api/v1/agency-records/revenue/RT-77", json=body, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["citizen_id"] == str(world.person.id)
    assert created.json()["link"] == "linked"
    again = await client.put("/api/v1/agency-records/revenue/RT-77", json=body, headers=headers)
    assert again.status_code == 200
    logged = (await session.execute(select(AuditEntry).where(AuditEntry.action == "agency_record.put"))).scalars()
    assert [row.citizen_id for row in logged] == [world.person.id, world.person.id]


async def test_only_the_agencys_own_key_may_send_its_records(client: httpx.AsyncClient, session: AsyncSession) -> None:
    world = await sharing_world(session, with_agreements=False)
    other = await api_key_headers(session, agency=world.licensing)
    every = await api_key_headers(session)
    await session.commit()
    body = {"last_updated": "2026-11-30T09:00:00Z", "values": {"household_income": 1}}
    for headers in (other, every):
        refused = await client.put("/api/v1/agency-records/revenue/RT-78", json=body, headers=headers)
        assert refused.status_code == 403
        assert refused.headers["content-type"] == "application/problem+json"


async def test_a_record_with_another_agencys_attribute_is_forbidden(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await sharing_world(session, with_agreements=False)
    headers = await api_key_headers(session, agency=world.revenue)
    await session.commit()
    body = {"last_updated": "2026-11-30T09:00:00Z", "values": {"home_address": "1 A St\nB"}}
    refused = await client.put("/api/v1/agency-records/revenue/RT-79", json=body, headers=headers)
    assert refused.status_code == 403
    assert "licensing" in refused.json()["detail"]


async def test_a_csv_import_answers_with_its_counts_or_every_problem(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await sharing_world(session, with_agreements=False)
    headers = await api_key_headers(session, agency=world.revenue)
    await session.commit()
    good = f"record_id,last_updated,email,household_income\nRT-1,2026-11-29T00:00:00Z,{EMAIL},38000\n"
    done = await client.post("/api/v1/agency-records/revenue/import", content=good.encode(),
                             headers=headers | {"content-type": "text/csv"})  # fmt: skip
    assert done.status_code == 200, done.text
    assert done.json() == {"created": 0, "updated": 1, "linked": 1, "unmatched": 0, "ambiguous": 0}
    bad = "record_id,last_updated,household_income\nRT-2,soon,x\n"
    refused = await client.post("/api/v1/agency-records/revenue/import", content=bad.encode(),
                                headers=headers | {"content-type": "text/csv"})  # fmt: skip
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["line 2: last_updated"]
    wrong_type = await client.post("/api/v1/agency-records/revenue/import", json={}, headers=headers)
    assert wrong_type.status_code == 415


async def test_the_person_api_answers_under_an_agreement_and_consent(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await sharing_world(session)
    headers = await api_key_headers(session, agency=world.benefits)
    await session.commit()
    refused = await client.get(f"/api/v1/persons/{world.person.id}", params=PERSON_QUERY, headers=headers)
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("sharing-consent-needed")
    assert str(INCOME) not in refused.text
    await _consent(session, world)
    read = await client.get(f"/api/v1/persons/{world.person.id}", params=PERSON_QUERY, headers=headers)
    assert read.status_code == 200, read.text
    values = {a["attribute"]: a for a in read.json()["attributes"]}
    assert values["revenue.household_income"]["value"] == INCOME
    assert values["revenue.household_income"]["source_agency"] == "revenue"
    assert values["revenue.household_income"]["classification"] == "protected_b"
    assert values["licensing.home_address"]["agreement"].endswith("v1")
    actions = await session.execute(select(AuditEntry.action).where(AuditEntry.citizen_id == world.person.id))
    assert {access.REFUSED, access.READ} <= set(actions.scalars())


async def test_the_person_api_refuses_an_agency_without_an_agreement(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await sharing_world(session)
    await _consent(session, world)
    headers = await api_key_headers(session, agency=world.licensing)  # consent and agreements are for benefits
    await session.commit()
    refused = await client.get(
        f"/api/v1/persons/{world.person.id}",
        params={"attributes": "revenue.household_income", "purpose": PURPOSE},
        headers=headers,
    )
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("sharing-no-agreement")


async def test_the_person_api_asks_a_caller_of_every_agency_to_name_one(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await sharing_world(session)
    headers = await api_key_headers(session)
    await session.commit()
    asked = await client.get(f"/api/v1/persons/{world.person.id}", params=PERSON_QUERY, headers=headers)
    assert asked.status_code == 422
    named = await client.get(
        f"/api/v1/persons/{world.person.id}", params=PERSON_QUERY | {"agency": "benefits"}, headers=headers
    )
    assert named.status_code == 403  # an agency named, but the person has not consented
