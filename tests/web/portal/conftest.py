"""Signed-in residents for the portal's tests: a citizen with a verified email and a session cookie."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx
import pytest
from playwright._impl._api_structures import SetCookieParam
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_citizen
from townsquare.citizens import sessions
from townsquare.citizens.models import Identity, IdentityKind, VerificationMethod
from townsquare.citizens.sessions import CITIZEN_COOKIE
from townsquare.clock import utcnow


@dataclass(frozen=True)
class Resident:
    """A signed-in resident: their citizen id, email and one session token (the `ts_citizen` cookie)."""

    citizen_id: uuid.UUID
    email: str
    token: str

    def cookie(self, url: str) -> SetCookieParam:
        """The session cookie for a Playwright browser context at `url`."""
        return {"name": CITIZEN_COOKIE, "value": self.token, "url": url}


async def make_resident(
    session: AsyncSession, *, name: str = "Maria Lopez", email: str = "maria@example.org", phone: str | None = None
) -> Resident:
    """A confirmed resident with a verified email (and optionally a verified phone), signed in once."""
    citizen = await create_citizen(session, name=name, email=email, phone=phone, phone_verified=phone is not None)
    citizen_id = citizen.id
    await session.flush()
    for identity in (await session.execute(Identity.__table__.select())).all():
        if identity.citizen_id == citizen_id and identity.kind == IdentityKind.email:
            await session.execute(
                update(Identity)
                .where(Identity.id == identity.id)
                .values(verified=True, verification_method=VerificationMethod.email_link, verified_at=utcnow())
            )
    token = await sessions.start(session, citizen_id=citizen_id, method="email_link", hours=24, device="test")
    await session.commit()
    return Resident(citizen_id=citizen_id, email=email, token=token)


def sign_in(client: httpx.AsyncClient, resident: Resident) -> httpx.AsyncClient:
    """The client, now sending the resident's session cookie."""
    client.cookies.set(CITIZEN_COOKIE, resident.token)
    return client


@pytest.fixture
async def resident(session: AsyncSession) -> Resident:
    """Maria, signed in."""
    return await make_resident(session)
