"""An agency's record of a person also becomes a source record of the citizen base: its identifiers and the values
that say who the person is (a date of birth, an address written as lines), linked to the person it was proved to
belong to, or to whomever the model finds; the agency record's own link (what may be shared) never changes."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import api_key_headers
from tests.sharing.world import EMAIL, WHEN, sharing_world
from townsquare.engagement import record_intake
from townsquare.matching.models import MatchDecision, Outcome, SourceRecord
from townsquare.settings import Settings
from townsquare.sharing.models import AgencyRecord
from townsquare.sharing.records import IncomingRecord


async def test_a_put_record_joins_the_person_it_was_proved_to_be(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await sharing_world(session, with_agreements=False)
    headers = await api_key_headers(session, agency=world.revenue)
    await session.commit()
    body = {
        "identifiers": [{"kind": "email", "value": EMAIL}],
        "last_updated": "2026-11-30T09:00:00-05:00",
        "values": {"mailing_address": "77 Maple Ave\nOttawa ON K1A 0B1", "household_income": 50100},
    }
    created = await client.put("/api/v1/agency-records/revenue/RT-77", json=body, headers=headers)
    assert created.status_code == 201, created.text
    await session.commit()
    record = (await session.execute(select(SourceRecord).where(SourceRecord.source == "agency:revenue"))).scalar_one()
    assert record.source_key == "RT-77"
    assert record.citizen_id == world.person.id
    assert (record.street_number, record.street, record.postcode) == ("77", "mapleavenue", "K1A0B1")
    assert "household_income" not in record.fields  # only what says who the person is
    again = await client.put("/api/v1/agency-records/revenue/RT-77", json=body, headers=headers)
    assert again.status_code == 200
    await session.commit()
    assert len((await session.execute(select(SourceRecord))).scalars().all()) == 1  # the same record is one row


async def test_an_unproved_record_is_linked_by_the_model_but_shares_nothing(
    session: AsyncSession, settings: Settings
) -> None:
    world = await sharing_world(session, with_agreements=False)
    licence = {"date_of_birth": "1980-04-30", "given_name": "Pat", "family_name": "Tremblay",
               "home_address": "12 Elm St\nToronto ON M5V 1A1"}  # fmt: skip
    pass_ = {"date_of_birth": "30/04/1980", "given_name": "PAT", "family_name": "Tremblay",
             "home_address": "12 Elm Street\nToronto M5V1A1"}  # fmt: skip
    one = await record_intake.agency_record(
        session, settings, agency_slug="licensing", record=IncomingRecord("L-1", WHEN, values=licence), citizen_id=None
    )
    two = await record_intake.agency_record(
        session, settings, agency_slug="transit", record=IncomingRecord("T-9", WHEN, values=pass_), citizen_id=None
    )
    assert one is not None
    assert two is not None
    assert two.citizen_id == one.citizen_id
    decision = (
        await session.execute(select(MatchDecision).where(MatchDecision.source_record_id == two.record.id))
    ).scalar_one()
    assert decision.outcome is Outcome.linked
    held = (await session.execute(select(AgencyRecord.citizen_id))).scalars().all()
    assert one.citizen_id not in held  # the model's link opens no agency's data
    assert world.person.id != one.citizen_id
