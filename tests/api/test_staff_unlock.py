"""POST /api/v1/staff/{id}/unlock: an administrator unlocks an account that failed sign-ins locked (audited);
nobody else may."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import PASSWORD, api_key_headers, create_agency, create_staff
from townsquare.settings import Settings
from townsquare.staff.models import AuditEntry, StaffAccount, StaffRole

LOCKED = "wren@city.example"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"staff_lock_after_failures": 2, "staff_sign_in_account_limits": "10/minute"})


async def _locked_at(session: AsyncSession, staff_id: uuid.UUID) -> object:
    await session.rollback()  # a fresh snapshot: the app committed since the last read
    stmt = select(StaffAccount.locked_at).where(StaffAccount.id == staff_id)
    return (await session.execute(stmt)).scalar_one()


async def _sign_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> int:
    response = await client.post("/desk/sign-in", data={"email": email, "password": password})
    return response.status_code


async def _locked_account(client: httpx.AsyncClient, session: AsyncSession) -> uuid.UUID:
    agency = await create_agency(session)
    account = await create_staff(session, email=LOCKED, agencies=[agency])
    await session.commit()
    assert [await _sign_in(client, LOCKED, "wrong-password-1") for _ in range(2)] == [401, 401]
    assert await _sign_in(client, LOCKED) == 429
    assert await _locked_at(session, account.id) is not None
    return account.id


async def test_an_admin_unlocks_an_account_and_the_right_password_works_again(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    staff_id = await _locked_account(client, session)
    admin = await create_staff(session, email="ada@city.example", role=StaffRole.admin)
    await session.commit()
    assert await _sign_in(client, "ada@city.example") == 303

    response = await client.post(f"/api/v1/staff/{staff_id}/unlock")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["id"], body["email"], body["locked_at"], body["failed_sign_ins"]) == (str(staff_id), LOCKED, None, 0)
    assert "password_hash" not in body

    client.cookies.clear()
    assert await _sign_in(client, LOCKED) == 303
    await session.rollback()
    entry = (await session.execute(select(AuditEntry).where(AuditEntry.action == "staff.unlocked"))).scalar_one()
    assert (entry.actor_kind, entry.actor_id, entry.subject_id) == ("staff", str(admin.id), str(staff_id))


async def test_agents_and_api_keys_may_not_unlock(client: httpx.AsyncClient, session: AsyncSession) -> None:
    staff_id = await _locked_account(client, session)
    await create_staff(session, email="agent@city.example")
    headers = await api_key_headers(session)  # a key for every agency is still not an administrator
    await session.commit()
    assert (await client.post(f"/api/v1/staff/{staff_id}/unlock")).status_code == 401
    assert (await client.post(f"/api/v1/staff/{staff_id}/unlock", headers=headers)).status_code == 403
    assert await _sign_in(client, "agent@city.example") == 303
    refused = await client.post(f"/api/v1/staff/{staff_id}/unlock")
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert await _locked_at(session, staff_id) is not None
    assert (await session.execute(select(AuditEntry).where(AuditEntry.action == "staff.unlocked"))).first() is None


async def test_an_unknown_account_is_a_404(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await create_staff(session, email="ada@city.example", role=StaffRole.admin)
    await session.commit()
    assert await _sign_in(client, "ada@city.example") == 303
    missing = await client.post(f"/api/v1/staff/{uuid.uuid4()}/unlock")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "No staff account has that id."
    assert (await client.post("/api/v1/staff/not-an-id/unlock")).status_code == 422
