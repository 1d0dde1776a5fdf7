"""The waiting work as a supervisor reads it: their agencies' queued and offered work in routing order, filtered by
queue and channel, every person shown on the access log; and whom one piece may go to, with why not."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_agent, create_citizen
from townsquare.casework import queue_admin
from townsquare.clock import utcnow
from townsquare.routing import service as items
from townsquare.routing.models import WorkItemStatus
from townsquare.staff.auth import Principal
from townsquare.staff.models import AuditEntry, StaffRole

REQUEST = Request({"type": "http", "method": "GET", "path": "/desk/queue", "headers": [], "query_string": b""})


async def test_the_waiting_work_of_the_supervisors_agencies_in_routing_order_with_each_person_logged(
    session: AsyncSession,
) -> None:
    works = await create_agency(session)
    parks = await create_agency(session, slug="parks", name="Parks")
    sue = await create_agent(session, email="sue@city.example", agencies=[works], role=StaffRole.supervisor)
    ana = await create_agent(session, email="ana@city.example", agencies=[works], languages=["fr"])
    maria = await create_citizen(session, name="Maria Lopez")
    made = []
    for agency, channel, priority in ((works, "email", 10), (works, "voice", 90), (parks, "email", 50)):
        item = await items.create(
            session,
            channel=channel,
            kind="message",
            agency_id=agency.id,
            received_at=utcnow(),
            priority=priority,
            citizen_id=maria.id,
        )
        made.append(item.id)
    done = await items.create(session, channel="sms", kind="message", agency_id=works.id, received_at=utcnow())
    done.status = WorkItemStatus.assigned
    await session.commit()
    me = Principal("staff", sue.id, "Sue", StaffRole.supervisor, frozenset({works.id}))

    view = await queue_admin.read_queue(session, me=me, request=REQUEST, queue_id=None, channel="")
    assert [w.id for w in view.items] == [made[1], made[0]]  # the urgent call first; nothing of Parks
    assert (view.total, view.capped) == (2, False)
    assert [w.who for w in view.items] == ["Maria Lopez", "Maria Lopez"]
    logged = (await session.execute(select(AuditEntry.subject_id).where(AuditEntry.action == "work_item.list"))).all()
    assert sorted(str(r[0]) for r in logged) == sorted(str(i) for i in made[:2])
    calls = await queue_admin.read_queue(session, me=me, request=REQUEST, queue_id=None, channel="voice")
    assert [w.id for w in calls.items] == [made[1]]

    one = await queue_admin.read_waiting(session, me=me, request=REQUEST, item_id=made[0])
    assert one.waiting
    reasons = {c.staff_id: c.reasons for c in one.candidates}
    assert reasons == {ana.id: ["language"], sue.id: []}
    handled = await queue_admin.read_waiting(session, me=me, request=REQUEST, item_id=done.id)
    assert (handled.waiting, handled.candidates) == (False, [])
    assert handled.item.id == done.id
