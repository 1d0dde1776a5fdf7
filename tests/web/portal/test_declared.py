"""/account/details: a resident gives, changes and removes details about herself; a value of the wrong kind is
refused in her language; another resident never sees them; each change is in the log about her own record."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency
from tests.web.portal.conftest import Resident, make_resident, sign_in
from townsquare.sharing import declared
from townsquare.sharing.holdings import put_attribute
from townsquare.sharing.models import ValueType
from townsquare.staff.models import AuditEntry


async def _attributes(session: AsyncSession) -> None:
    benefits = await create_agency(session, slug="benefits", name="Benefits")
    await put_attribute(session, agency_id=benefits.id, code="household_size", name="Household size",
                        value_type=ValueType.number, translations={"fr": {"name": "Taille du ménage"}})  # fmt: skip
    await put_attribute(session, agency_id=benefits.id, code="mailing_address", name="Mailing address",
                        value_type=ValueType.address)  # fmt: skip
    await session.commit()


async def test_a_resident_gives_changes_and_removes_a_detail(
    client: httpx.AsyncClient, session: AsyncSession, resident: Resident
) -> None:
    await _attributes(session)
    sign_in(client, resident)
    page = await client.get("/account/details")
    assert page.status_code == 200
    assert "Household size" in page.text
    given = await client.post("/account/details", data={"key": "benefits.household_size", "value": "3"})
    assert given.status_code == 303
    changed = await client.post("/account/details", data={"key": "benefits.household_size", "value": "4"})
    assert changed.status_code == 303
    await session.rollback()  # see what the app's requests committed
    kept = await declared.of_person(session, citizen_id=resident.citizen_id)
    assert [(d.key, d.value) for d in kept] == [("benefits.household_size", 4)]
    shown = await client.get("/account/details?saved=1")
    assert "We kept that detail" in shown.text
    removed = await client.post("/account/details/remove", data={"key": "benefits.household_size"})
    assert removed.status_code == 303
    await session.rollback()
    assert await declared.of_person(session, citizen_id=resident.citizen_id) == []
    actions = await session.execute(select(AuditEntry.action).where(AuditEntry.citizen_id == resident.citizen_id))
    assert {"citizen.detail_declared", "citizen.detail_removed"} <= set(actions.scalars())


async def test_a_value_of_the_wrong_kind_is_refused_in_french(
    client: httpx.AsyncClient, session: AsyncSession, resident: Resident
) -> None:
    await _attributes(session)
    sign_in(client, resident)
    client.cookies.set("ts_lang", "fr")
    refused = await client.post("/account/details", data={"key": "benefits.household_size", "value": "trois"})
    assert refused.status_code == 200
    assert "Entrez un nombre" in refused.text
    assert "Taille du ménage" in refused.text
    assert await declared.of_person(session, citizen_id=resident.citizen_id) == []


async def test_another_residents_details_are_not_shown(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await _attributes(session)
    first = await make_resident(session, name="Ana", email="ana@example.org")
    second = await make_resident(session, name="Ben", email="ben@example.org")
    await declared.declare(session, citizen_id=first.citizen_id, key="benefits.mailing_address", raw="1 Elm St\nTown")
    await session.commit()
    sign_in(client, second)
    page = await client.get("/account/details")
    assert "1 Elm St" not in page.text
