"""The simulator's authenticator shows the code a staff member's authenticator app shows now, so the demo's
administrators can give it after their password; it is never served, nor computed, in production."""

from __future__ import annotations

import httpx
import pyotp
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_staff
from townsquare.clock import utcnow
from townsquare.settings import Settings
from townsquare.staff.authenticator_demo import codes_now
from townsquare.staff.models import StaffRole

KEY = pyotp.random_base32(32)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"simulator": True})


async def _with_authenticator(session: AsyncSession) -> None:
    admin = await create_staff(session, email="ada@city.example", role=StaffRole.admin)
    admin.mfa_secret, admin.mfa_enabled_at = KEY, utcnow()
    setting_up = await create_staff(session, email="sam@city.example", role=StaffRole.admin)
    setting_up.mfa_secret = pyotp.random_base32(32)  # not confirmed yet: no code to show
    await session.commit()


async def test_the_panel_shows_the_current_code_of_each_authenticator(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _with_authenticator(session)
    page = await client.get("/simulator/authenticator")
    assert page.status_code == 200
    assert 'data-email="ada@city.example"' in page.text
    assert "sam@city.example" not in page.text
    now = pyotp.TOTP(KEY)
    assert any(f">{code}<" in page.text for code in (now.now(), now.at(utcnow(), counter_offset=-1)))


async def test_production_never_computes_a_code(session: AsyncSession, settings: Settings) -> None:
    await _with_authenticator(session)
    with pytest.raises(PermissionError):
        await codes_now(session, settings.model_copy(update={"env": "production"}))
    with pytest.raises(PermissionError):
        await codes_now(session, settings.model_copy(update={"simulator": False}))
