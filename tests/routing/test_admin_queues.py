"""Queues as administrators keep them: who could serve a queue (skills at their levels, the team, active staff), a
new queue's slug, and the audit row of a change with its values before and after."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_agent
from townsquare.errors import Problem
from townsquare.routing import admin_queues, setup
from townsquare.routing.admin_queues import QueueForm
from townsquare.routing.models import TeamMember
from townsquare.staff.auth import Principal
from townsquare.staff.models import AuditEntry, StaffRole


async def test_who_could_serve_a_queue(session: AsyncSession) -> None:
    roads = await create_agency(session, slug="roads", name="Roads")
    ana = await create_agent(session, email="ana@city.example", agencies=[roads], skills={"ramps": 3})
    await create_agent(session, email="bo@city.example", agencies=[roads], skills={"ramps": 1})
    team, _ = await setup.put_team(session, agency_id=roads.id, slug="crew", name="Crew")

    async def serving(required: dict[str, int], team_id: object = None) -> int:
        return await admin_queues.agents_who_could_serve(
            session,
            agency_id=roads.id,
            required=required,
            team_id=team_id,  # type: ignore[arg-type]
        )

    assert await serving({}) == 2
    assert await serving({"ramps": 2}) == 1
    assert await serving({"ramps": 4}) == 0
    assert await serving({"ramps": 1}, team.id) == 0
    session.add(TeamMember(team_id=team.id, staff_id=ana.id))
    await session.flush()
    assert await serving({"ramps": 1}, team.id) == 1
    ana.active = False
    await session.flush()
    assert await serving({"ramps": 2}) == 0


async def test_a_queue_is_added_with_a_free_slug_and_changed_with_its_before_and_after(session: AsyncSession) -> None:
    roads = await create_agency(session, slug="roads", name="Roads")
    await create_agent(session, email="ana@city.example", agencies=[roads])
    calendar, _ = await setup.put_calendar(
        session, agency_id=roads.id, name="Office", timezone="America/Toronto", hours={}, holidays=[]
    )
    await setup.put_queue(session, agency_id=roads.id, slug="phone-calls", name="Old", active=False)
    me = Principal("staff", roads.id, "Admin", StaffRole.admin, None)
    sent = QueueForm(agency_id=str(roads.id), name="Phone calls", calendar_id=str(calendar.id), channels={"voice"})
    queue = await admin_queues.create(session, me=me, sent=sent)
    assert queue.slug == "phone-calls-2"
    changed = QueueForm(**{**vars(sent), "priority_boost": "20", "active": False})
    await admin_queues.update(session, me=me, queue_id=queue.id, sent=changed)
    await session.flush()
    rows = (await session.scalars(select(AuditEntry).where(AuditEntry.subject_id == str(queue.id)))).all()
    assert [r.action for r in rows] == ["queue.create", "queue.update"]
    assert rows[1].detail["before"]["priority_boost"] == 0
    assert rows[1].detail["after"] == rows[1].detail["after"] | {"priority_boost": 20, "active": False}
    with pytest.raises(Problem) as refused:
        await admin_queues.update(
            session, me=me, queue_id=queue.id, sent=QueueForm(**{**vars(sent), "channels": {"fax"}})
        )
    assert [e.field for e in refused.value.errors] == ["channels"]
