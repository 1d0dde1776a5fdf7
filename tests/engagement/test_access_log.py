"""The access log is complete: every record of a person an API caller is shown writes who, for which agencies,
what, why and when — one row per citizen in a search, per case in a list, per conversation and interaction read."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_citizen, create_service
from townsquare.app import Runtime
from townsquare.cases import service as cases
from townsquare.cases.models import Case
from townsquare.citizens.models import Citizen
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Attachment, Channel, Direction, InteractionKind
from townsquare.staff import service as staff
from townsquare.staff.models import AuditEntry


async def _rows(runtime: Runtime, action: str) -> list[AuditEntry]:
    async with runtime.db.session() as s:
        return list((await s.execute(select(AuditEntry).where(AuditEntry.action == action))).scalars())


@dataclass(frozen=True)
class Seeded:
    """Roads' three cases (one per person), the first person's email conversation and its contact, and a key."""

    roads: uuid.UUID
    people: list[Citizen]
    cases: list[Case]
    conversation: uuid.UUID
    interaction: uuid.UUID
    headers: dict[str, str]


async def _seed(session: AsyncSession) -> Seeded:
    roads = await create_agency(session, slug="roads", name="Roads")
    service = await create_service(session, agency=roads)
    people = [await create_citizen(session, name=f"Pat Example {i}", email=f"pat{i}@example.org") for i in range(3)]
    opened = [
        await cases.open_case(
            session,
            prefix="TS",
            agency_id=roads.id,
            title="Pothole",
            channel="web",
            service_id=service.id,
            citizen_id=person.id,
        )
        for person in people
    ]
    conversation = await interactions.start_conversation(
        session, citizen_id=people[0].id, channel=Channel.email, case_id=opened[0].id
    )
    contact = await interactions.record(
        session,
        conversation=conversation,
        channel=Channel.email,
        direction=Direction.inbound,
        kind=InteractionKind.message,
        body="photo attached",
        case_id=opened[0].id,
    )
    session.add(Attachment(interaction_id=contact.id, filename="hole.jpg", content_type="image/jpeg", size_bytes=3))
    key, _ = await staff.create_api_key(session, name="roads app", agency_id=roads.id)
    await session.commit()
    return Seeded(
        roads=roads.id,
        people=people,
        cases=opened,
        conversation=conversation.id,
        interaction=contact.id,
        headers={"Authorization": f"Bearer {key}"},
    )


async def test_a_search_writes_one_row_for_each_person_found(client: httpx.AsyncClient, runtime: Runtime) -> None:
    async with runtime.db.session() as s:
        seeded = await _seed(s)
    found = await client.get("/api/v1/citizens", params={"q": "Pat Example"}, headers=seeded.headers)
    assert found.status_code == 200
    rows = await _rows(runtime, "citizen.search")
    assert sorted(str(r.citizen_id) for r in rows) == sorted(c["id"] for c in found.json())
    assert len(rows) == 3
    assert {r.purpose for r in rows} == {"GET /api/v1/citizens"}
    assert {tuple(r.actor_agency_ids or []) for r in rows} == {(str(seeded.roads),)}


async def test_reading_a_case_a_list_a_conversation_and_an_interaction_is_logged(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    async with runtime.db.session() as s:
        seeded = await _seed(s)
    headers = seeded.headers
    first = seeded.cases[0]
    assert (await client.get(f"/api/v1/cases/{first.reference}", headers=headers)).status_code == 200
    (read,) = await _rows(runtime, "case.read")
    assert (read.subject_id, read.citizen_id, read.agency_id) == (str(first.id), first.citizen_id, first.agency_id)
    assert read.purpose == "GET /api/v1/cases/{reference}"

    listed = await client.get("/api/v1/cases", headers=headers)
    assert listed.status_code == 200
    assert len(await _rows(runtime, "case.list")) == len(listed.json()["items"]) == 3

    assert (await client.get(f"/api/v1/conversations/{seeded.conversation}", headers=headers)).status_code == 200
    (conversation,) = await _rows(runtime, "conversation.read")
    assert conversation.subject_id == str(seeded.conversation)

    assert (await client.get(f"/api/v1/interactions/{seeded.interaction}", headers=headers)).status_code == 200
    kinds = sorted(r.subject_kind for r in await _rows(runtime, "interaction.read"))
    assert kinds == ["attachment", "interaction"]


async def test_another_agencys_caller_reads_nothing_and_leaves_no_read_row(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    async with runtime.db.session() as s:
        seeded = await _seed(s)
        parks = await create_agency(s, slug="parks", name="Parks")
        key, _ = await staff.create_api_key(s, name="parks app", agency_id=parks.id)
        await s.commit()
    first = seeded.cases[0]
    refused = await client.get(f"/api/v1/cases/{first.reference}", headers={"Authorization": f"Bearer {key}"})
    assert refused.status_code == 404
    assert await _rows(runtime, "case.read") == []
