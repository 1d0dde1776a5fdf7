"""Staff sign-in with the organisation's OpenID Connect provider: who the checked ID token's claims are on the desk.

The groups claim (its name a setting) is read through the group mapping (group -> role and agency slugs; several
groups combine to the highest role and every agency named). An account is found by issuer and subject, or the
first time by the verified email of an existing account not linked yet; an unknown person gets an account only
when just-in-time creation is on. At every sign-in the role and agencies are set from the groups again (a change
is audited). A token without the claim, or whose groups map to nothing, is refused and nothing is created or
changed; so is a deactivated account. Refusals are audited with a reason and no personal data. `finish` is the
use case the callback (a GET) calls: it commits the sign-in, or the refusal's audit row alone.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import column, delete, select, table
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.clock import utcnow
from townsquare.staff import service
from townsquare.staff.models import StaffAccount, StaffAgency, StaffRole

SIGNED_IN = "staff.sign_in"
REFUSED = "staff.sso_refused"
LINKED = "staff.sso_linked"
CREATED = "staff.sso_created"
ACCESS_CHANGED = "staff.sso_access_changed"
RANK = {StaffRole.agent: 0, StaffRole.supervisor: 1, StaffRole.agency_admin: 2, StaffRole.admin: 3}
_agencies = table("agencies", column("id"), column("slug"))  # read by slug only; agencies is a sibling package


class Refusal(StrEnum):
    no_claim = "no_claim"  # the token has no groups claim (or not a list of names)
    unmapped = "unmapped"  # none of its groups is in the mapping
    unknown_agency = "unknown_agency"  # the mapping names an agency slug this deployment does not have
    unknown_person = "unknown_person"  # no account, and just-in-time creation is off
    no_email = "no_email"  # an account would be made, but the token has no verified email
    deactivated = "deactivated"


@dataclass(frozen=True)
class Grant:
    """What a person's groups give them on the desk."""

    role: StaffRole
    agencies: frozenset[str]  # slugs


@dataclass(frozen=True)
class Policy:
    """The provider's settings that decide who may sign in and as what."""

    issuer: str
    groups_claim: str
    mapping: dict[str, Grant]
    create_accounts: bool

    @classmethod
    def parse_mapping(cls, raw: str) -> dict[str, Grant]:
        """The group mapping setting (already checked for shape by Settings)."""
        return {
            str(group): Grant(StaffRole(grant["role"]), frozenset(grant.get("agencies", [])))
            for group, grant in json.loads(raw).items()
        }


def grant_for(claims: dict[str, Any], policy: Policy) -> Grant | Refusal:
    """The combined grant of the token's groups: the highest role, every agency; or why there is none."""
    groups = claims.get(policy.groups_claim)
    if isinstance(groups, str):
        groups = [groups]
    if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
        return Refusal.no_claim
    grants = [policy.mapping[g] for g in groups if g in policy.mapping]
    if not grants:
        return Refusal.unmapped
    role = max((g.role for g in grants), key=RANK.__getitem__)
    return Grant(role, frozenset().union(*(g.agencies for g in grants)))


@dataclass(frozen=True)
class Outcome:
    """A signed-in account, or why not."""

    account: StaffAccount | None
    refusal: Refusal | None


def _refuse(session: AsyncSession, refusal: Refusal, account: StaffAccount | None = None) -> Outcome:
    service.audit(
        session,
        actor_kind="system",
        actor_id=None,
        action=REFUSED,
        subject_kind="staff",
        subject_id=str(account.id) if account is not None else None,
        detail={"reason": refusal.value},
    )
    return Outcome(None, refusal)


async def _agency_ids(session: AsyncSession, slugs: frozenset[str]) -> dict[str, uuid.UUID] | None:
    if not slugs:
        return {}
    rows = (await session.execute(select(_agencies.c.slug, _agencies.c.id).where(_agencies.c.slug.in_(slugs)))).all()
    found = {str(slug): uuid.UUID(str(agency_id)) for slug, agency_id in rows}
    return found if set(found) == set(slugs) else None


def _verified_email(claims: dict[str, Any]) -> str | None:
    email = claims.get("email")
    if isinstance(email, str) and "@" in email and claims.get("email_verified") is True:
        return email.strip().lower()
    return None


async def _find(session: AsyncSession, policy: Policy, claims: dict[str, Any]) -> tuple[StaffAccount | None, bool]:
    """The linked account, else the unlinked one with the token's verified email (to link); and whether it is new
    to the link."""
    by_subject = select(StaffAccount).where(
        StaffAccount.oidc_issuer == policy.issuer, StaffAccount.oidc_subject == claims["sub"]
    )
    account = (await session.execute(by_subject)).scalar_one_or_none()
    if account is not None:
        return account, False
    email = _verified_email(claims)
    if email is None:
        return None, False
    by_email = select(StaffAccount).where(StaffAccount.email == email, StaffAccount.oidc_subject.is_(None))
    return (await session.execute(by_email)).scalar_one_or_none(), True


async def sign_in(session: AsyncSession, policy: Policy, claims: dict[str, Any]) -> Outcome:
    """Who the checked claims are on the desk, with their role and agencies set from their groups; or a refusal."""
    grant = grant_for(claims, policy)
    if isinstance(grant, Refusal):
        return _refuse(session, grant)
    agency_ids = await _agency_ids(session, grant.agencies)
    if agency_ids is None:
        return _refuse(session, Refusal.unknown_agency)
    account, linking = await _find(session, policy, claims)
    if account is not None and not account.active:
        return _refuse(session, Refusal.deactivated, account)
    if account is None:
        if not policy.create_accounts:
            return _refuse(session, Refusal.unknown_person)
        email = _verified_email(claims)
        if email is None:
            return _refuse(session, Refusal.no_email)
        account = await _create(session, policy, claims, email, grant.role)
    elif linking:
        account.oidc_issuer, account.oidc_subject = policy.issuer, str(claims["sub"])
        _audit(session, account, LINKED, {})
    await _apply(session, account, grant.role, set(agency_ids.values()))
    account.last_sign_in_at = utcnow()
    _audit(session, account, SIGNED_IN, {"method": "sso"})
    await session.flush()
    return Outcome(account, None)


async def _create(
    session: AsyncSession, policy: Policy, claims: dict[str, Any], email: str, role: StaffRole
) -> StaffAccount:
    name = claims.get("name")
    account = StaffAccount(
        email=email,
        display_name=(name if isinstance(name, str) and name.strip() else email.partition("@")[0])[:200],
        password_hash="",  # no local password: single sign-on only (a reset link can give one)
        role=role,
        oidc_issuer=policy.issuer,
        oidc_subject=str(claims["sub"]),
    )
    session.add(account)
    await session.flush()
    _audit(session, account, CREATED, {"role": role.value})
    return account


async def _apply(session: AsyncSession, account: StaffAccount, role: StaffRole, agency_ids: set[uuid.UUID]) -> None:
    """Set the role and agencies the groups give, auditing what changed (ids and role names only)."""
    current = await service.agency_ids_for(session, staff_id=account.id)
    added, removed = agency_ids - current, current - agency_ids
    if role is account.role and not added and not removed:
        return
    detail: dict[str, Any] = {
        "role": [account.role.value, role.value] if role is not account.role else None,
        "agencies_added": sorted(str(a) for a in added),
        "agencies_removed": sorted(str(a) for a in removed),
    }
    account.role = role
    if removed:
        await session.execute(
            delete(StaffAgency).where(StaffAgency.staff_id == account.id, StaffAgency.agency_id.in_(removed))
        )
    session.add_all(StaffAgency(staff_id=account.id, agency_id=a) for a in added)
    _audit(session, account, ACCESS_CHANGED, detail)


def _audit(session: AsyncSession, account: StaffAccount, action: str, detail: dict[str, Any]) -> None:
    service.audit(
        session,
        actor_kind="staff",
        actor_id=str(account.id),
        action=action,
        subject_kind="staff",
        subject_id=str(account.id),
        detail=detail,
    )


async def finish(
    session: AsyncSession, policy: Policy, claims: dict[str, Any], *, hours: int, browser: str
) -> str | Refusal:
    """Sign the checked claims in and start a desk session (its token returned), or refuse; committed either way."""
    outcome = await sign_in(session, policy, claims)
    if outcome.account is None:
        await session.commit()  # the refusal's audit row, nothing else
        return outcome.refusal or Refusal.unmapped
    token = await service.start_session(
        session, staff_id=outcome.account.id, hours=hours, browser=browser, method="sso"
    )
    await session.commit()
    return token
