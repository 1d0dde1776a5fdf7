"""The demo's stand-in for staff members' phones: the code each authenticator app would show now.

Only the simulator calls it, and the simulator is served only with TOWNSQUARE_SIMULATOR, which production
refuses; it refuses itself in production too. It reads the keys `staff.mfa` keeps, never writes, and nothing it
returns is logged or audited.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyotp
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.clock import utcnow
from townsquare.settings import Settings
from townsquare.staff.models import StaffAccount

STEP_SECONDS = 30


@dataclass(frozen=True)
class ShownCode:
    email: str
    name: str
    code: str
    seconds_left: int


async def codes_now(session: AsyncSession, settings: Settings) -> list[ShownCode]:
    """Every active staff member who set up an authenticator, with the code it shows now, by email."""
    if settings.env == "production" or not settings.simulator:
        raise PermissionError("the demo's authenticator is never served in production")
    rows = await session.scalars(
        select(StaffAccount)
        .where(StaffAccount.mfa_enabled_at.is_not(None), StaffAccount.active.is_(True))
        .order_by(StaffAccount.email)
    )
    now = utcnow()
    left = STEP_SECONDS - int(now.timestamp()) % STEP_SECONDS
    return [ShownCode(a.email, a.display_name, pyotp.TOTP(a.mfa_secret).at(now), left) for a in rows if a.mfa_secret]
