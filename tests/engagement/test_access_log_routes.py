"""Every read of a person's data by staff or an agency's system is in the access log the person sees — checked from
the route table, not from a list someone keeps: each GET route staff or integrators may call is called as a caller
its rule allows, and any answer that shows the resident's name, email or words must have written an access-log row
about her in that request (an answer naming her record's id counts: it ties what it shows to her)."""

from __future__ import annotations

import uuid

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from tests.engagement.test_authorization_matrix import ALLOWED, _as, _fill, _world, route_table, with_files
from townsquare.app import Runtime
from townsquare.staff.models import AuditEntry

# Rules under which staff or an agency's system reads (a resident reading her own record is not an access by
# someone else, and public pages show no one's data).
READERS = {
    "staff",
    "staff-agency",
    "staff-holder",
    "supervisor",
    "supervisor-agency",
    "admin",
    "api",
    "api-admin",
    "api-key",
    "case",
    "conversation",
    "interaction",
    "citizen",
    "reader-agency",
    "agency-system",
}
CALLERS = ("admin", "supervisor", "agent_a", "key_any", "key_a")  # the first one a rule allows calls the route
MARKERS = ("Ana A", "ana@example.org", "There is a hole")  # the world's resident: her name, email and words, and her id


async def _rows_about(runtime: Runtime, citizen_id: uuid.UUID) -> int:
    async with runtime.db.session() as session:
        found = await session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.citizen_id == citizen_id)
        )
    return int(found or 0)


async def test_every_answer_that_shows_a_person_logged_the_read(
    app: FastAPI, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    async with runtime.db.session() as session:
        world = await _world(session)
        await with_files(runtime, session, world)
    resident = uuid.UUID(str(world.credentials["resident_a"]))
    unlogged: list[str] = []
    shown = []
    for route in route_table(app):
        if route.websocket or "GET" not in route.methods or route.rule.name not in READERS:
            continue
        caller = next(role for role in CALLERS if role in ALLOWED[route.rule.name])
        async with runtime.db.session() as session:
            headers, cookies, query = await _as(session, world, caller)
        client.cookies.clear()
        for name, value in cookies.items():
            client.cookies.set(name, value)
        before = await _rows_about(runtime, resident)
        response = await client.get(_fill(route.path, world.params), headers=headers, params=query)
        if response.status_code != 200 or not any(m in response.text for m in (*MARKERS, str(resident))):
            continue
        shown.append(route.path)
        if await _rows_about(runtime, resident) <= before:
            unlogged.append(f"GET {route.path} as {caller} showed the resident and logged nothing")
    assert unlogged == [], "\n".join(unlogged)
    assert len(shown) >= 12, f"too few routes showed the resident for this test to mean anything: {shown}"
