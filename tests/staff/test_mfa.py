"""TOTP codes work once (never the same step twice); recovery codes are stored hashed and work once."""

from __future__ import annotations

import pyotp
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_staff
from townsquare.staff import mfa
from townsquare.staff.models import StaffRecoveryCode, StaffRole


async def test_a_code_works_once_and_recovery_codes_are_hashed(session: AsyncSession) -> None:
    account = await create_staff(session, email="root@city.example", role=StaffRole.admin)
    secret = mfa.start(account)
    totp = pyotp.TOTP(secret)
    codes = await mfa.confirm(session, account, totp.now())
    assert codes is not None
    assert len(codes) == mfa.RECOVERY_CODES

    assert not await mfa.check(session, account, totp.now())  # the step confirming it is used up
    stored = list((await session.execute(select(StaffRecoveryCode.code_hash))).scalars())
    assert not any(code in stored or code.replace("-", "") in stored for code in codes)
    assert await mfa.check(session, account, codes[3])
    assert not await mfa.check(session, account, codes[3])
    assert await mfa.recovery_codes_left(session, account) == mfa.RECOVERY_CODES - 1


def test_who_must_have_it() -> None:
    assert mfa.required_for(StaffRole.admin)
    assert mfa.required_for(StaffRole.agency_admin)
    assert not mfa.required_for(StaffRole.supervisor)
    assert not mfa.required_for(StaffRole.agent)
