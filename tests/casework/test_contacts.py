"""The workspace's contact list: filters read from and written back to a query string, each bad value named;
work finished lately is the agent's own, finished within the shift, and the list costs the same queries however
much the agent finished before."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_agent, create_citizen
from tests.support.db import record_statements
from tests.support.staff import sign_in_staff
from townsquare.app import Runtime
from townsquare.casework.contacts import ContactFilters
from townsquare.clock import utcnow
from townsquare.db import remembered
from townsquare.errors import Problem
from townsquare.routing import engine
from townsquare.routing import service as routing
from townsquare.routing.models import WorkItem

QUEUE = uuid.UUID("01a24704-59d7-741e-9a9e-1a18df36e855")


def test_filters_round_trip_through_the_query_string() -> None:
    filters = ContactFilters.parse({"state": "offered", "channel": "sms", "queue": str(QUEUE), "canned": "x"})
    assert filters == ContactFilters("offered", "sms", QUEUE)
    assert ContactFilters.parse_query(filters.query_string()) == filters
    assert filters.suffix() == f"?state=offered&channel=sms&queue={QUEUE}"
    assert ContactFilters().suffix() == ""
    assert not ContactFilters.parse({}).narrowed


def test_a_bad_filter_is_named() -> None:
    with pytest.raises(Problem) as refused:
        ContactFilters.parse({"state": "lost", "channel": "push", "queue": "7"})
    assert refused.value.status == 422
    assert [e.field for e in refused.value.errors] == ["state", "channel", "queue"]


async def _finish(session: AsyncSession, agent_id: uuid.UUID, agency_id: uuid.UUID, ago: timedelta) -> uuid.UUID:
    citizen = await create_citizen(session, name=f"Person {ago}", email=None, phone=None)
    item = await routing.create(
        session, channel="email", kind="message", agency_id=agency_id, received_at=utcnow(), citizen_id=citizen.id
    )
    await engine.route(session)
    await engine.accept(session, item_id=item.id, staff_id=agent_id)
    await engine.complete(session, item_id=item.id, staff_id=agent_id, now=utcnow() - ago)
    return item.id


async def test_finished_lately_is_the_shifts_work_and_costs_the_same_however_much_came_before(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    works = await create_agency(session)
    wren = await create_agent(session, email="wren@city.example", agencies=[works], capacity={"async": 50})
    recent = await _finish(session, wren.id, works.id, timedelta(hours=1))
    yesterday = await _finish(session, wren.id, works.id, timedelta(hours=20))
    await session.commit()
    await sign_in_staff(client)

    async def listed() -> tuple[str, int]:
        remembered.forget()  # counted cold each time: the configuration it reads is remembered for a few seconds
        with record_statements(runtime.db.engine) as statements:
            page = await client.get("/desk/_contacts", params={"state": "done"})
        assert page.status_code == 200
        return page.text, len(statements.queries)

    text, queries = await listed()
    assert str(recent) in text
    assert str(yesterday) not in text  # finished before the shift
    for hours in range(2, 8):
        await _finish(session, wren.id, works.id, timedelta(hours=hours))
    old = [await _finish(session, wren.id, works.id, timedelta(days=3)) for _ in range(3)]
    await session.execute(update(WorkItem).where(WorkItem.id.in_(old)).values(closed_at=utcnow() - timedelta(days=3)))
    await session.commit()
    text, again = await listed()
    assert again == queries
    assert text.count('class="contact contact-finished"') == 7
