"""The citizen page's "Merged records" panel: a supervisor merges another record into a person's with a reason,
sees both values of every field the records disagreed on, and undoes the merge; an agent sees none of it."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_citizen, create_staff
from tests.support.db import fresh
from tests.support.staff import sign_in_staff
from townsquare.citizens.models import Citizen, CitizenMerge, CitizenStatus
from townsquare.events import CitizensMerged
from townsquare.staff.models import AuditEntry, StaffRole


async def status_of(session: AsyncSession, citizen_id: uuid.UUID) -> CitizenStatus:
    """As committed (the test's own objects may hold what they held before the request)."""
    return (await session.execute(select(Citizen.status).where(Citizen.id == citizen_id))).scalar_one()


async def _world(session: AsyncSession) -> tuple[Citizen, Citizen]:
    agency = await create_agency(session)
    await create_staff(session, email="sup@city.example", role=StaffRole.supervisor, agencies=[agency])
    await create_staff(session, email="agent@city.example", agencies=[agency])
    maria = await create_citizen(session, name="Maria Lopez", phone="+16135550111", phone_verified=True)
    other = await create_citizen(session, name="M. Lopez", email="ml@example.org")
    other.language = "fr"
    await session.commit()
    return maria, other


async def test_a_supervisor_merges_a_record_in_sees_both_values_and_undoes_it(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    maria, other = await _world(session)
    maria_id, other_id = maria.id, other.id
    await sign_in_staff(client, "sup@city.example")
    page = await client.get(f"/desk/citizens/{maria_id}")
    assert 'id="merges"' in page.text
    assert "This record was never merged with another." in page.text

    merged = await client.post(
        f"/desk/citizens/{maria_id}/merges",
        data={"other": str(other_id), "reason": "Same person: the email is hers", "keep_display_name": "merged"},
    )
    assert merged.status_code == 303
    assert merged.headers["location"] == f"/desk/citizens/{maria_id}?merge=merged#merges"
    await fresh(session)
    record = (await session.execute(select(CitizenMerge))).scalar_one()
    assert (record.survivor_id, record.merged_id, record.source) == (maria_id, other_id, "staff")
    assert record.reason == "Same person: the email is hers"
    assert await status_of(session, other_id) is CitizenStatus.merged
    logged = (await session.execute(select(AuditEntry).where(AuditEntry.action == CitizensMerged.name))).scalars()
    assert {e.citizen_id for e in logged} == {maria_id, other_id}

    page = await client.get(f"/desk/citizens/{maria_id}?merge=merged")
    assert "The records were merged." in page.text
    assert f"Record {other_id} was merged into this one" in page.text
    assert "Same person: the email is hers" in page.text
    assert "<td>Maria Lopez</td><td>M. Lopez</td><td>the merged record's</td>" in page.text
    assert "<td>en</td><td>fr</td><td>the surviving record's</td>" in page.text

    no_reason = await client.post(f"/desk/citizens/{maria_id}/merges/{record.id}/undo", data={"undo_reason": " "})
    assert no_reason.status_code == 422
    assert "Nothing was changed" in no_reason.text
    undone = await client.post(
        f"/desk/citizens/{maria_id}/merges/{record.id}/undo", data={"undo_reason": "Two people after all"}
    )
    assert undone.status_code == 303
    await fresh(session)
    assert await status_of(session, other_id) is CitizenStatus.confirmed
    name = select(Citizen.display_name).where(Citizen.id == maria_id)
    assert (await session.execute(name)).scalar_one() == "Maria Lopez"
    page = await client.get(f"/desk/citizens/{maria_id}?merge=unmerged")
    assert "The merge was undone" in page.text
    assert "Two people after all" in page.text
    assert "Undo this merge" not in page.text


async def test_refused_merges_say_why_and_change_nothing(client: httpx.AsyncClient, session: AsyncSession) -> None:
    maria, other = await _world(session)
    await sign_in_staff(client, "sup@city.example")
    for data, status, says in [
        ({"other": "not-an-id", "reason": "r"}, 422, "Give the other record&#39;s id"),
        ({"other": str(maria.id), "reason": "r"}, 422, "cannot be merged into themselves"),
        ({"other": str(other.id), "reason": ""}, 422, "Say why"),
    ]:
        response = await client.post(f"/desk/citizens/{maria.id}/merges", data=data)
        assert response.status_code == status, response.text
        assert says in response.text
    await fresh(session)
    assert (await session.execute(select(CitizenMerge))).scalars().all() == []


async def test_an_agent_neither_sees_the_panel_nor_merges(client: httpx.AsyncClient, session: AsyncSession) -> None:
    maria, other = await _world(session)
    await sign_in_staff(client, "agent@city.example")
    page = await client.get(f"/desk/citizens/{maria.id}")
    assert page.status_code == 200
    assert 'id="merges"' not in page.text
    refused = await client.post(f"/desk/citizens/{maria.id}/merges", data={"other": str(other.id), "reason": "r"})
    assert refused.status_code == 403
    await fresh(session)
    assert (await session.execute(select(CitizenMerge))).scalars().all() == []
