"""/api/v1/staff: administrators unlock a staff account that repeated failed sign-ins locked.

Administrators only; the unlock is the same service function as the desk's button and the CLI, and is audited.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from townsquare.db.deps import SessionDep
from townsquare.staff import sign_in
from townsquare.staff.auth import AdminPrincipal
from townsquare.staff.schemas import StaffAccountOut

router = APIRouter(prefix="/api/v1/staff", tags=["staff"])


@router.post("/{staff_id}/unlock", response_model=StaffAccountOut)
async def unlock(staff_id: uuid.UUID, session: SessionDep, admin: AdminPrincipal) -> StaffAccountOut:
    """Unlock the account and start its count of failed sign-ins afresh; unlocking an unlocked account is harmless."""
    account = await sign_in.unlock(session, staff_id=staff_id, actor_kind=admin.kind, actor_id=admin.actor_id)
    await session.commit()
    return StaffAccountOut.model_validate(account)
