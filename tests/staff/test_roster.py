"""Staff accounts from the catalogue's staff file: created with no password that works, updated in place with
their agencies made exact, and deactivated with their sessions ended."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import PASSWORD, create_agency
from townsquare.db import Change
from townsquare.staff import roster, service
from townsquare.staff.models import StaffRole, StaffSession


async def test_an_account_from_the_staff_file_signs_in_with_no_password(session: AsyncSession) -> None:
    works = await create_agency(session, slug="works", name="Works")
    parks = await create_agency(session, slug="parks", name="Parks")
    account, change = await roster.put_staff(
        session, email=" Ann@City.example", display_name="Ann", role=StaffRole.agent, agency_ids=[works.id]
    )
    assert change is Change.created
    assert account.email == "ann@city.example"
    for password in (PASSWORD, roster.NO_PASSWORD, ""):
        assert await service.authenticate(session, email="ann@city.example", password=password) is None
    _, same = await roster.put_staff(
        session, email="ann@city.example", display_name="Ann", role=StaffRole.agent, agency_ids=[works.id]
    )
    assert same is Change.unchanged
    _, moved = await roster.put_staff(
        session, email="ann@city.example", display_name="Ann", role=StaffRole.supervisor, agency_ids=[parks.id]
    )
    assert moved is Change.updated
    ((_, agencies),) = [(a, ids) for a, ids in await roster.roster(session) if a.email == "ann@city.example"]
    assert agencies == {parks.id}


async def test_deactivating_ends_the_account_s_sessions(session: AsyncSession) -> None:
    account, _ = await roster.put_staff(
        session, email="bo@city.example", display_name="Bo", role=StaffRole.agent, agency_ids=[]
    )
    token = await service.start_session(session, staff_id=account.id, hours=8)
    assert await service.staff_for_session(session, token=token) is not None
    _, change = await roster.put_staff(
        session, email="bo@city.example", display_name="Bo", role=StaffRole.agent, agency_ids=[], active=False
    )
    assert change is Change.updated
    rows = (await session.scalars(select(StaffSession).where(StaffSession.staff_id == account.id))).all()
    assert rows
    assert all(row.revoked_at is not None for row in rows)
    assert await service.staff_for_session(session, token=token) is None
