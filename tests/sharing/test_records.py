"""Agency records: they arrive whole, link only through what a person proved, never carry another agency's
attributes, never go back in time, and a bulk file is taken all or nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import count, create_citizen
from tests.sharing.world import ADDRESS, EMAIL, INCOME, WHEN, sharing_world, verified_person
from townsquare.citizens import service as citizens
from townsquare.citizens.kinds import IdentityKind
from townsquare.citizens.models import VerificationMethod
from townsquare.errors import Problem
from townsquare.sharing.holdings import held_values
from townsquare.sharing.linking import relink
from townsquare.sharing.models import AgencyRecord, HeldAttribute, RecordValue
from townsquare.sharing.records import Identifier, IncomingRecord, import_csv, put_record


async def _attribute(session: AsyncSession, code: str) -> HeldAttribute:
    return (await session.execute(select(HeldAttribute).where(HeldAttribute.code == code))).scalar_one()


async def test_a_record_links_to_the_one_person_who_proved_its_email(session: AsyncSession) -> None:
    world = await sharing_world(session, with_agreements=False)
    income = await _attribute(session, "household_income")
    values = await held_values(session, citizen_id=world.person.id, attribute_ids={income.id})
    assert values[income.id].value == INCOME
    assert values[income.id].agency_slug == "revenue"
    assert values[income.id].source == "tax system"


async def test_an_email_nobody_proved_links_nothing(session: AsyncSession) -> None:
    world = await sharing_world(session, with_agreements=False)
    await create_citizen(session, name="Typed It", email="typed@example.org")  # added, never proved
    record = IncomingRecord(
        "RT-2", WHEN, [Identifier(IdentityKind.email, "typed@example.org")], {"household_income": 1}
    )
    stored = await put_record(session, world.revenue, record, source="s", provenance={}, region="CA")
    assert (stored.citizen_id, stored.link) == (None, "unmatched")


async def test_identifiers_of_two_people_link_neither(session: AsyncSession) -> None:
    world = await sharing_world(session, with_agreements=False)
    other = await create_citizen(session, name="Other", phone="+16135550111", phone_verified=True)
    named = [Identifier(IdentityKind.email, EMAIL), Identifier(IdentityKind.phone, "613-555-0111")]
    stored = await put_record(session, world.revenue, IncomingRecord("RT-3", WHEN, named, {}), source="s",
                              provenance={}, region="CA")  # fmt: skip
    assert (stored.citizen_id, stored.link) == (None, "ambiguous")
    assert other.id != world.person.id


async def test_a_record_waits_until_its_person_proves_an_identifier(session: AsyncSession) -> None:
    world = await sharing_world(session, with_agreements=False)
    later = await create_citizen(session, name="Later", email="later@example.org")
    record = IncomingRecord(
        "RT-4", WHEN, [Identifier(IdentityKind.email, "later@example.org")], {"household_income": 9}
    )
    stored = await put_record(session, world.revenue, record, source="s", provenance={}, region="CA")
    assert stored.citizen_id is None
    assert await relink(session, citizen_id=later.id) == 0  # still not proved
    identity = await citizens.find_identity(session, kind=IdentityKind.email, value="later@example.org")
    assert identity is not None
    identity.verified, identity.verification_method = True, VerificationMethod.email_link
    assert await relink(session, citizen_id=later.id) == 1
    assert (await session.get_one(AgencyRecord, stored.record_id)).citizen_id == later.id


async def test_a_put_replaces_the_whole_record(session: AsyncSession) -> None:
    world = await sharing_world(session, with_agreements=False)
    named = [Identifier(IdentityKind.email, EMAIL)]
    record = IncomingRecord("RT-1", WHEN + timedelta(days=1), named, {"household_income": "52,000"})
    stored = await put_record(session, world.revenue, record, source="s", provenance={}, region="CA")
    assert not stored.created
    rows = (await session.execute(select(RecordValue).where(RecordValue.record_id == stored.record_id))).scalars()
    assert [r.value for r in rows] == [52000]  # the mailing address was left out, so it is gone


async def test_an_older_record_than_the_one_held_is_refused(session: AsyncSession) -> None:
    world = await sharing_world(session, with_agreements=False)
    record = IncomingRecord("RT-1", WHEN - timedelta(days=1), [], {"household_income": 1})
    with pytest.raises(Problem) as refused:
        await put_record(session, world.revenue, record, source="s", provenance={}, region="CA")
    assert refused.value.status == 409
    income = await _attribute(session, "household_income")
    assert (await held_values(session, citizen_id=world.person.id, attribute_ids={income.id}))[
        income.id
    ].value == INCOME


async def test_another_agencys_attribute_is_forbidden_and_nothing_is_kept(session: AsyncSession) -> None:
    world = await sharing_world(session, with_agreements=False)
    before = await count(session, AgencyRecord)
    record = IncomingRecord("RT-9", WHEN, [], {"household_income": 1, "home_address": ADDRESS})
    with pytest.raises(Problem) as refused:
        await put_record(session, world.revenue, record, source="s", provenance={}, region="CA")
    assert refused.value.status == 403
    assert "home_address (licensing)" in refused.value.detail
    assert await count(session, AgencyRecord) == before


async def test_every_bad_value_is_named_at_once(session: AsyncSession) -> None:
    world = await sharing_world(session, with_agreements=False)
    record = IncomingRecord(
        "DL-9",
        WHEN,
        [Identifier(IdentityKind.phone, "not a phone")],
        {"date_of_birth": "30/04/1980", "home_address": "one line", "shoe_size": 9},
    )
    with pytest.raises(Problem) as refused:
        await put_record(session, world.licensing, record, source="s", provenance={}, region="CA")
    assert refused.value.status == 422
    fields = {e.field for e in refused.value.errors}
    assert fields == {"identifiers[0].value", "values.date_of_birth", "values.home_address", "values.shoe_size"}


async def test_a_csv_file_is_taken_whole(session: AsyncSession) -> None:
    world = await sharing_world(session, with_agreements=False)
    second = await verified_person(session, email="sam@example.org", name="Sam")
    text = (
        "record_id,last_updated,email,phone,household_income,mailing_address\n"
        f"RT-1,2026-11-20T10:00:00Z,{EMAIL},,39000,\n"
        'RT-20,2026-11-20T10:00:00Z,sam@example.org,,18000,"1 King St\nToronto ON  M5H 1A1"\n'
        "RT-21,2026-11-20T10:00:00Z,nobody@example.org,,25000,\n"
    )
    result = await import_csv(session, world.revenue, text, source="batch", provenance={}, region="CA")
    assert (result.created, result.updated, result.linked, result.unmatched) == (2, 1, 2, 1)
    income = await _attribute(session, "household_income")
    held = await held_values(session, citizen_id=second.id, attribute_ids={income.id})
    assert held[income.id].value == 18000


async def test_one_bad_line_refuses_the_file_with_every_problem_by_line(session: AsyncSession) -> None:
    world = await sharing_world(session, with_agreements=False)
    before = await count(session, AgencyRecord)
    text = (
        "record_id,last_updated,email,household_income\n"
        "RT-30,2026-11-20T10:00:00Z,a@example.org,12000\n"
        "RT-31,yesterday,b@example.org,13000\n"
        "RT-32,2026-11-20T10:00:00Z,b@example.org,lots\n"
        "RT-30,2026-11-20T10:00:00Z,c@example.org,14000\n"
    )
    with pytest.raises(Problem) as refused:
        await import_csv(session, world.revenue, text, source="batch", provenance={}, region="CA")
    assert refused.value.status == 422
    assert {e.field for e in refused.value.errors} == {
        "line 3: last_updated",
        "line 4: values.household_income",
        "line 5: record_id",
    }
    assert await count(session, AgencyRecord) == before


async def test_a_csv_column_of_another_agency_is_forbidden(session: AsyncSession) -> None:
    world = await sharing_world(session, with_agreements=False)
    text = "record_id,last_updated,home_address\nRT-40,2026-11-20T10:00:00Z,x\n"
    with pytest.raises(Problem) as refused:
        await import_csv(session, world.revenue, text, source="batch", provenance={}, region="CA")
    assert refused.value.status == 403
