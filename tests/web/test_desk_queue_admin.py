"""Supervisors give out the waiting work of their agencies: they see the queued and offered work, take a piece,
offer or hand it to a named agent or give it to a team, each with an audit row; an agent who cannot take it is
named with the reasons; agents may do none of it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_agent, create_citizen
from tests.support.db import fresh
from tests.support.staff import sign_in_staff
from townsquare.clock import utcnow
from townsquare.routing import service as items
from townsquare.routing.models import Team, WorkItem, WorkItemStatus
from townsquare.staff.models import AuditEntry, StaffRole


@dataclass
class World:
    email: uuid.UUID  # queued, from Maria
    french: uuid.UUID  # queued, in French
    theirs: uuid.UUID  # another agency's
    sue: uuid.UUID  # the supervisor
    ana: uuid.UUID  # an agent who speaks English only
    team: uuid.UUID


async def _world(session: AsyncSession) -> World:
    works = await create_agency(session)
    parks = await create_agency(session, slug="parks", name="Parks")
    sue = await create_agent(
        session, email="sue@city.example", agencies=[works], role=StaffRole.supervisor, presence="offline"
    )
    ana = await create_agent(session, email="ana@city.example", agencies=[works], presence="away")
    maria = await create_citizen(session, name="Maria Lopez")
    made = {}
    for name, agency, language in (("email", works, "en"), ("french", works, "fr"), ("theirs", parks, "en")):
        item = await items.create(
            session,
            channel="email",
            kind="message",
            agency_id=agency.id,
            received_at=utcnow(),
            citizen_id=maria.id,
            language=language,
        )
        made[name] = item.id
    team = Team(agency_id=works.id, slug="crew", name="North crew")
    session.add(team)
    await session.commit()
    return World(made["email"], made["french"], made["theirs"], sue.id, ana.id, team.id)


async def _item(session: AsyncSession, item_id: uuid.UUID) -> WorkItem:
    await fresh(session)
    return await session.get_one(WorkItem, item_id)


async def test_a_supervisor_sees_the_waiting_work_and_hands_a_piece_to_an_agent(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await _world(session)
    await sign_in_staff(client, "sue@city.example")
    page = await client.get("/desk/queue")
    assert page.status_code == 200
    assert "2 pieces of work" in page.text  # not the other agency's
    assert "Email from Maria Lopez" in page.text
    assert f'action="/desk/queue/{world.theirs}/take"' not in page.text
    assert (await client.get(f"/desk/queue/{world.theirs}")).status_code == 404

    item_page = await client.get(f"/desk/queue/{world.french}")
    assert "cannot take it now: does not speak the language it is in" in item_page.text
    refused = await client.post(f"/desk/queue/{world.french}/give", data={"staff_id": str(world.ana), "how": "direct"})
    assert refused.status_code == 422
    assert "Ana cannot take this work now: does not speak the language it is in." in refused.text
    assert (await _item(session, world.french)).status is WorkItemStatus.queued

    handed = await client.post(f"/desk/queue/{world.email}/give", data={"staff_id": str(world.ana), "how": "direct"})
    assert handed.status_code == 303
    assert handed.headers["location"] == "/desk/queue?done=direct#queue-title"
    item = await _item(session, world.email)
    assert (item.status, item.assigned_to_id) == (WorkItemStatus.assigned, world.ana)
    logged = (await session.execute(select(AuditEntry).where(AuditEntry.action == "work_item.reassign"))).scalar_one()
    assert (logged.actor_id, logged.subject_id, logged.detail) == (
        str(world.sue),
        str(world.email),
        {"how": "direct", "to_staff": str(world.ana)},
    )
    assert "The work was handed over" in (await client.get("/desk/queue?done=direct")).text
    again = await client.post(f"/desk/queue/{world.email}/give", data={"staff_id": str(world.ana), "how": "offer"})
    assert again.status_code == 409
    assert "no longer waiting" in again.text


async def test_a_supervisor_takes_work_or_gives_it_to_a_team(client: httpx.AsyncClient, session: AsyncSession) -> None:
    world = await _world(session)
    await sign_in_staff(client, "sue@city.example")
    teamed = await client.post(f"/desk/queue/{world.email}/team", data={"team_id": str(world.team)})
    assert teamed.status_code == 303
    assert (await _item(session, world.email)).target_team_id == world.team
    taken = await client.post(f"/desk/queue/{world.email}/take")
    assert taken.status_code == 303
    item = await _item(session, world.email)
    assert (item.status, item.assigned_to_id) == (WorkItemStatus.assigned, world.sue)
    hows = (await session.execute(select(AuditEntry.detail).where(AuditEntry.action == "work_item.reassign"))).scalars()
    assert sorted(d["how"] for d in hows) == ["take", "team"]


async def test_agents_may_not_give_out_work(client: httpx.AsyncClient, session: AsyncSession) -> None:
    world = await _world(session)
    await sign_in_staff(client, "ana@city.example")
    assert (await client.get("/desk/queue")).status_code == 403
    assert (await client.get(f"/desk/queue/{world.email}")).status_code == 403
    assert (await client.post(f"/desk/queue/{world.email}/take")).status_code == 403
    given = await client.post(f"/desk/queue/{world.email}/give", data={"staff_id": str(world.ana), "how": "direct"})
    assert given.status_code == 403
    assert (await _item(session, world.email)).status is WorkItemStatus.queued
