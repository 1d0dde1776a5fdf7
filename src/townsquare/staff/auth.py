"""Who is calling: a signed-in staff member (session cookie) or an integration (API key).

Used as FastAPI dependencies by every protected route; scoping to agencies is decided here once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.db.deps import SessionDep
from townsquare.errors import forbidden, unauthorized
from townsquare.staff import service
from townsquare.staff.models import ApiKeyScope, StaffRole

SESSION_COOKIE = "ts_staff"


@dataclass(frozen=True)
class Principal:
    """The caller. `agency_ids` None means every agency (admins and unscoped keys)."""

    kind: str  # "staff" or "api_key"
    id: uuid.UUID
    name: str
    role: StaffRole | None
    agency_ids: frozenset[uuid.UUID] | None

    @property
    def actor_id(self) -> str:
        return str(self.id)

    def may_see(self, agency_id: uuid.UUID) -> bool:
        return self.agency_ids is None or agency_id in self.agency_ids

    def visible(self) -> set[uuid.UUID] | None:
        return None if self.agency_ids is None else set(self.agency_ids)

    def audit(
        self,
        session: AsyncSession,
        *,
        action: str,
        subject_kind: str,
        subject_id: str | None = None,
        citizen_id: uuid.UUID | None = None,
        agency_id: uuid.UUID | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Append what this caller did or saw to the audit log, in the session's transaction."""
        service.audit(
            session,
            actor_kind=self.kind,
            actor_id=self.actor_id,
            action=action,
            subject_kind=subject_kind,
            subject_id=subject_id,
            citizen_id=citizen_id,
            agency_id=agency_id,
            detail=detail,
        )


def _presented_key(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.headers.get("x-api-key")


async def optional_principal(request: Request, session: SessionDep) -> Principal | None:
    """The caller if they presented valid credentials, else None."""
    key = _presented_key(request)
    if key:
        row = await service.api_key_for(session, key=key)
        if row is None:
            raise unauthorized("That API key is not valid or has been revoked.")
        if row.scope is not ApiKeyScope.api:
            raise forbidden("That key is an Open311 integrator's key; it opens /open311 only, not this API.")
        if session.dirty:
            await session.commit()
        scope = None if row.agency_id is None else frozenset({row.agency_id})
        return Principal("api_key", row.id, row.name, None, scope)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        account = await service.staff_for_session(session, token=token)
        if account is not None:
            agencies = await service.agency_ids_for(session, staff_id=account.id)
            scope = None if account.role is StaffRole.admin else frozenset(agencies)
            return Principal("staff", account.id, account.display_name, account.role, scope)
    return None


async def require_principal(principal: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
    """The caller, or a 401 problem."""
    if principal is None:
        raise unauthorized()
    return principal


async def require_admin(principal: Annotated[Principal, Depends(require_principal)]) -> Principal:
    """A signed-in admin, or a 403 problem."""
    if principal.role is not StaffRole.admin:
        raise forbidden("Only administrators may do this.")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(require_principal)]
MaybePrincipal = Annotated[Principal | None, Depends(optional_principal)]
AdminPrincipal = Annotated[Principal, Depends(require_admin)]
