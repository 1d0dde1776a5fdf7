"""The administrators' list of staff accounts: role, agencies, last sign-in and whether repeated failed sign-ins
locked the account.

Reads only; never returns a password hash or anything about failed attempts beyond their count. Unlocking is
`staff.sign_in.unlock`, the same as the API and the CLI.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Agency
from townsquare.staff.models import StaffAccount, StaffAgency, StaffRole

ROLE_LABELS = {
    StaffRole.agent: "Agent",
    StaffRole.supervisor: "Supervisor",
    StaffRole.agency_admin: "Agency administrator",
    StaffRole.admin: "Administrator",
}


@dataclass(frozen=True)
class StaffRow:
    account: StaffAccount
    role: str
    agencies: list[str]


async def staff_rows(session: AsyncSession) -> list[StaffRow]:
    """Every account, locked ones first, with the names of its agencies; two queries."""
    names: dict[uuid.UUID, list[str]] = defaultdict(list)
    memberships = select(StaffAgency.staff_id, Agency.name).join(Agency, Agency.id == StaffAgency.agency_id)
    for staff_id, name in (await session.execute(memberships.order_by(Agency.name))).all():
        names[staff_id].append(name)
    accounts = select(StaffAccount).order_by(StaffAccount.locked_at.is_(None), StaffAccount.display_name)
    return [
        StaffRow(a, ROLE_LABELS.get(a.role, a.role.value), names.get(a.id, []))
        for a in (await session.execute(accounts)).scalars()
    ]
