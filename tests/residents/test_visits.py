"""What a resident's visit writes while it reads is committed by the use case itself, before the page answers:
another connection sees it at once, and the page's route never commits."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_citizen
from townsquare.app import Runtime
from townsquare.citizens import sessions
from townsquare.citizens.models import CitizenSearch, CitizenSession
from townsquare.clock import utcnow
from townsquare.residents import visits
from townsquare.staff.models import AuditEntry


async def test_the_data_download_is_on_record_before_it_leaves(session: AsyncSession, runtime: Runtime) -> None:
    citizen = await create_citizen(session, name="Ines Moreau", email="ines@example.org")
    await session.commit()
    async with runtime.db.session() as visit:
        document = await visits.download_data(visit, citizen_id=citizen.id)
    assert document["profile"]["id"] == str(citizen.id)
    async with runtime.db.session(deferred=True) as other:
        rows = (await other.execute(select(AuditEntry).where(AuditEntry.citizen_id == citizen.id))).scalars().all()
    assert [r.action for r in rows] == ["citizen.data_downloaded"]


async def test_a_remembered_search_is_committed_by_the_use_case(session: AsyncSession, runtime: Runtime) -> None:
    citizen = await create_citizen(session, name="Omar Haddad", email="omar@example.org")
    await session.commit()
    async with runtime.db.session() as visit:
        await visits.remember_search(visit, citizen_id=citizen.id, query="bulky waste")
    async with runtime.db.session(deferred=True) as other:
        found = (await other.execute(select(CitizenSearch.query).where(CitizenSearch.citizen_id == citizen.id))).all()
    assert [q for (q,) in found] == ["bulky waste"]


async def test_the_last_seen_time_of_a_session_is_committed(session: AsyncSession, runtime: Runtime) -> None:
    citizen = await create_citizen(session, name="Lea Tran", email="lea@example.org")
    token = await sessions.start(session, citizen_id=citizen.id, method="email", hours=24)
    long_ago = utcnow() - timedelta(days=1)
    row = (await session.execute(select(CitizenSession).where(CitizenSession.citizen_id == citizen.id))).scalar_one()
    row.last_seen_at = long_ago
    await session.commit()
    async with runtime.db.session() as visit:
        seen = await visits.signed_in(visit, token=token)
    assert seen is not None
    assert seen.id == citizen.id
    async with runtime.db.session(deferred=True) as other:
        stored = await other.scalar(select(CitizenSession.last_seen_at).where(CitizenSession.citizen_id == citizen.id))
    assert stored is not None
    assert stored > long_ago
