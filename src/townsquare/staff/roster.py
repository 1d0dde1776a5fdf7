"""Staff accounts as the catalogue's staff file states them: put one into the described state (role, agencies,
active), and read every account back with its agencies.

Never sets or reads a password: an account created here has none that works (the person signs in through the
organisation's identity provider, or sets one with a reset link). Keyword-only, the session first, never commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.clock import utcnow
from townsquare.db import Change, assign
from townsquare.staff.models import StaffAccount, StaffAgency, StaffRole, StaffSession

# Not an argon2 hash, so no password ever verifies against it (`service.authenticate` treats it as a wrong one).
NO_PASSWORD = "!none"  # noqa: S105 - a marker that no password matches, not a password


async def put_staff(
    session: AsyncSession,
    *,
    email: str,
    display_name: str,
    role: StaffRole,
    agency_ids: Iterable[uuid.UUID],
    active: bool = True,
) -> tuple[StaffAccount, Change]:
    """The account signing in as `email`, created (without a usable password) or updated; its agencies exactly
    `agency_ids`. Deactivating it ends its sessions."""
    email = email.strip().lower()
    account = await session.scalar(select(StaffAccount).where(StaffAccount.email == email))
    created = account is None
    if account is None:
        account = StaffAccount(email=email, display_name=display_name, password_hash=NO_PASSWORD, role=role)
        account.active = active
        session.add(account)
        await session.flush()
        changed = True
    else:
        was_active = account.active
        changed = assign(account, display_name=display_name, role=role, active=active)
        if was_active and not active:
            await session.execute(
                update(StaffSession)
                .where(StaffSession.staff_id == account.id, StaffSession.revoked_at.is_(None))
                .values(revoked_at=utcnow())
            )
    wanted = set(agency_ids)
    current = set(
        (await session.scalars(select(StaffAgency.agency_id).where(StaffAgency.staff_id == account.id))).all()
    )
    if current != wanted:
        if current - wanted:
            await session.execute(
                delete(StaffAgency).where(
                    StaffAgency.staff_id == account.id, StaffAgency.agency_id.in_(current - wanted)
                )
            )
        session.add_all(StaffAgency(staff_id=account.id, agency_id=a) for a in sorted(wanted - current))
        changed = True
    await session.flush()
    return account, Change.created if created else Change.updated if changed else Change.unchanged


async def roster(session: AsyncSession) -> list[tuple[StaffAccount, set[uuid.UUID]]]:
    """Every staff account (active or not), by email, with the agencies it works for."""
    accounts = list((await session.scalars(select(StaffAccount).order_by(StaffAccount.email))).all())
    memberships: dict[uuid.UUID, set[uuid.UUID]] = {}
    for staff_id, agency_id in (await session.execute(select(StaffAgency.staff_id, StaffAgency.agency_id))).all():
        memberships.setdefault(staff_id, set()).add(agency_id)
    return [(account, memberships.get(account.id, set())) for account in accounts]
