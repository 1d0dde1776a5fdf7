"""Who is calling: a signed-in staff member (session cookie) or an integration (API key), and the rules.

Used as FastAPI dependencies by every protected route; scoping to agencies is decided here once. Each rule is
a dependency marked with the `Rule` it enforces, so the route table says who may call every route.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.db.deps import SessionDep
from townsquare.errors import forbidden, unauthorized
from townsquare.staff import service
from townsquare.staff.models import ApiKeyScope, StaffRole

SESSION_COOKIE = "ts_staff"
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Rule:
    """Who may call a route. `level`: 0 anyone, 1 a kind of caller, 2 a caller who may reach one resource."""

    name: str
    level: int
    who: str


def enforces(rule: Rule) -> Callable[[F], F]:
    """Mark a dependency as the place `rule` is enforced; the route table's authorization test reads the mark."""

    def mark(fn: F) -> F:
        fn.__access_rule__ = rule  # type: ignore[attr-defined]
        return fn

    return mark


def rule_of(call: object) -> Rule | None:
    """The rule a dependency enforces, if it is one."""
    rule = getattr(call, "__access_rule__", None)
    return rule if isinstance(rule, Rule) else None


PUBLIC = Rule("public", 0, "anyone, signed in or not")
PROVIDER = Rule("provider", 1, "the provider's own credential: a Twilio or Meta signature, or the email door's token")
OPEN311_KEY = Rule("open311-key", 1, "an Open311 integrator's key, scoped to its agency's services and reports")
SEALED_LINK = Rule("sealed-link", 2, "whoever holds a link this deployment sealed for it (an email's unsubscribe link)")
LINK_HOLDER = Rule(
    "link-holder", 2, "the device that opened a link staff sent to fill in one draft together (until it expires)"
)
RESIDENT = Rule("resident", 1, "a signed-in resident")
RESIDENT_OWN = Rule("resident-own", 2, "the signed-in resident whose record it is")
STAFF = Rule("staff", 1, "signed-in staff")
STAFF_AGENCY = Rule("staff-agency", 2, "signed-in staff of the record's agency")
STAFF_CITIZEN = Rule(
    "staff-citizen",
    2,
    "signed-in staff of an agency the person has dealt with (a case or work of it); administrators for anyone",
)
STAFF_OWN = Rule("staff-own", 2, "the member of staff who saved it (shared with a team: also its agency's supervisors)")
STAFF_HOLDER = Rule("staff-holder", 2, "the staff member handling the work (others of its agency may read it)")
SUPERVISOR = Rule("supervisor", 1, "a signed-in supervisor or administrator")
SUPERVISOR_AGENCY = Rule("supervisor-agency", 2, "a supervisor or administrator of the record's agency")
ADMIN = Rule("admin", 1, "a signed-in administrator")
ADMINISTRATOR = Rule("administrator", 1, "a signed-in administrator or agency administrator")
AGENCY_ADMIN = Rule(
    "agency-admin", 2, "an administrator, or an agency administrator of the record's agency (else as not found)"
)
API = Rule("api", 1, "staff signed in, or an integration's API key; every list narrowed to the caller's agencies")
API_ADMIN = Rule("api-admin", 1, "a signed-in administrator")
SIGNING_IN = Rule(
    "signing-in", 2, "the browser half-way through signing in (password right; its one-time code or MFA set-up to come)"
)


@enforces(PUBLIC)
async def public() -> None:
    """Anyone may call the route; declared so the route table has a rule for it."""


def declared(rule: Rule) -> Callable[[], Awaitable[None]]:
    """A dependency that declares a rule the route enforces by its own protocol (a provider's signature checked
    by the channel adapter, an Open311 key read from the form); the authorization matrix test holds it to it."""

    @enforces(rule)
    async def declaration() -> None:
        return None

    return declaration


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

    def may_see_any(self, agency_ids: set[uuid.UUID]) -> bool:
        """Whether the caller works for one of these agencies (an empty set: a record no agency owns yet)."""
        return self.agency_ids is None or not agency_ids or bool(self.agency_ids & agency_ids)

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
        purpose: str = "",
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
            purpose=purpose,
            actor_agency_ids=None if self.agency_ids is None else sorted(str(a) for a in self.agency_ids),
        )


# Read through FastAPI's security classes so every protected operation declares its schemes in the OpenAPI
# (and /docs can "Authorize"); auto_error=False because a missing credential is require_principal's 401 problem.
_BEARER = HTTPBearer(
    auto_error=False, scheme_name="bearer", description="An integration's API key: `Authorization: Bearer ts_…`."
)
_KEY_HEADER = APIKeyHeader(
    name="X-API-Key", auto_error=False, scheme_name="apiKey", description="The same API key in `X-API-Key`."
)
_SESSION = APIKeyCookie(
    name=SESSION_COOKIE, auto_error=False, scheme_name="staffSession", description="A signed-in staff member's session."
)


def _presented_key(bearer: HTTPAuthorizationCredentials | None, header_key: str | None) -> str | None:
    return bearer.credentials if bearer is not None else header_key


async def optional_principal(
    request: Request,
    session: SessionDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)],
    header_key: Annotated[str | None, Depends(_KEY_HEADER)],
    token: Annotated[str | None, Depends(_SESSION)],
) -> Principal | None:
    """The caller if they presented valid credentials, else None."""
    key = _presented_key(bearer, header_key)
    if key:
        row = await service.live_key(session, key=key)
        if row is None:
            raise unauthorized("That API key is not valid or has been revoked.")
        if row.scope is not ApiKeyScope.api:
            raise forbidden("That key is an Open311 integrator's key; it opens /open311 only, not this API.")
        if session.dirty:
            await session.commit()
        scope = None if row.agency_id is None else frozenset({row.agency_id})
        return Principal("api_key", row.id, row.name, None, scope)
    if token:
        idle = getattr(getattr(request.app.state, "settings", None), "staff_idle_minutes", None)
        account = await service.staff_for_session(session, token=token, idle_minutes=idle)
        if account is not None and account.touched:
            await session.commit()  # the session's last-seen time, at most once a minute
        if account is not None:
            scope = None if account.role is StaffRole.admin else account.agency_ids
            return Principal("staff", account.id, account.display_name, account.role, scope)
    return None


@enforces(API)
async def require_principal(principal: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
    """The caller, or a 401 problem."""
    if principal is None:
        raise unauthorized()
    return principal


@enforces(API_ADMIN)
async def require_admin(principal: Annotated[Principal, Depends(require_principal)]) -> Principal:
    """A signed-in admin, or a 403 problem."""
    if principal.role is not StaffRole.admin:
        raise forbidden("Only administrators may do this.")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(require_principal)]
MaybePrincipal = Annotated[Principal | None, Depends(optional_principal)]
AdminPrincipal = Annotated[Principal, Depends(require_admin)]
