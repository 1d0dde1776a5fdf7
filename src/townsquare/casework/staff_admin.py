"""Administering staff accounts: creating one (no password: the person sets it through "Forgot your password" or
signs in with the organisation's identity provider), changing its role and agencies, deactivating it (its
sessions end at once) and reactivating it.

An agency administrator manages the staff of its own agencies only, never an administrator, and can grant
neither `admin` nor an agency it does not have; nobody demotes or deactivates the last active administrator.
Audited; never commits.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select
from sqlalchemy import update as sql_update
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Agency
from townsquare.casework.admin_common import EMAIL_PATTERN, Mistakes, administered_agencies, changes
from townsquare.clock import utcnow
from townsquare.errors import conflict, not_found
from townsquare.routing import agents as routing_agents
from townsquare.staff import service as staff
from townsquare.staff.auth import Principal
from townsquare.staff.models import StaffAccount, StaffAgency, StaffRole, StaffSession


@dataclass
class StaffForm:
    """What the staff form shows: an account as it is, or what was just sent when it was refused."""

    email: str = ""
    display_name: str = ""
    role: str = StaffRole.agent.value
    agencies: list[str] = field(default_factory=list)  # agency ids


@dataclass
class AccountRow:
    account: StaffAccount
    agencies: list[str]


def grantable_roles(me: Principal) -> list[StaffRole]:
    """The roles the caller may give: every one for an administrator, all but `admin` for an agency administrator."""
    return [r for r in StaffRole if me.role is StaffRole.admin or r is not StaffRole.admin]


async def _memberships(
    session: AsyncSession, staff_ids: set[uuid.UUID] | None = None
) -> dict[uuid.UUID, set[uuid.UUID]]:
    stmt = select(StaffAgency.staff_id, StaffAgency.agency_id)
    if staff_ids is not None:
        stmt = stmt.where(StaffAgency.staff_id.in_(staff_ids))
    held: dict[uuid.UUID, set[uuid.UUID]] = {}
    for staff_id, agency_id in (await session.execute(stmt)).all():
        held.setdefault(staff_id, set()).add(agency_id)
    return held


def _manages(me: Principal, account: StaffAccount, agencies: set[uuid.UUID]) -> bool:
    if me.agency_ids is None:
        return True
    return account.role is not StaffRole.admin and bool(agencies & me.agency_ids)


async def account_rows(session: AsyncSession, me: Principal) -> list[AccountRow]:
    """The accounts the caller manages, active first, by name, with their agencies' names (the caller's only)."""
    names = {a.id: a.name for a in await administered_agencies(session, me)}
    held = await _memberships(session)
    stmt = select(StaffAccount).order_by(StaffAccount.active.desc(), StaffAccount.display_name)
    return [
        AccountRow(a, sorted(names[i] for i in held.get(a.id, set()) if i in names))
        for a in (await session.execute(stmt)).scalars()
        if _manages(me, a, held.get(a.id, set()))
    ]


async def account_in_scope(session: AsyncSession, me: Principal, staff_id: uuid.UUID) -> StaffAccount:
    """The account if the caller manages it, else 404 as for one that does not exist."""
    account = await session.get(StaffAccount, staff_id)
    if account is None or not _manages(me, account, (await _memberships(session, {staff_id})).get(staff_id, set())):
        raise not_found("Staff account")
    return account


async def form_of(session: AsyncSession, me: Principal, account: StaffAccount) -> StaffForm:
    """The form filled with the account as it is (its agencies the caller administers)."""
    held = (await _memberships(session, {account.id})).get(account.id, set())
    shown = sorted(str(a) for a in held if me.may_see(a))
    return StaffForm(account.email, account.display_name, account.role.value, shown)


async def _active_admins(session: AsyncSession) -> int:
    stmt = select(func.count()).where(StaffAccount.role == StaffRole.admin, StaffAccount.active.is_(True))
    return int(await session.scalar(stmt) or 0)


async def _check(
    session: AsyncSession, me: Principal, f: StaffForm, account: StaffAccount | None
) -> tuple[Mistakes, StaffRole | None, set[uuid.UUID]]:
    mistakes = Mistakes()
    if account is None and not EMAIL_PATTERN.match(f.email):
        mistakes.add("email", "Give the person's work email address, like name@city.example.")
    elif account is None and await session.scalar(select(StaffAccount.id).where(StaffAccount.email == f.email)):
        mistakes.add("email", "A staff account with that email already exists.")
    if not f.display_name:
        mistakes.add("display_name", "Give the person's name.")
    role = next((r for r in grantable_roles(me) if r.value == f.role), None)
    if role is None:
        mistakes.add("role", "Choose one of the roles you may give.")
    mine = {a.id for a in await administered_agencies(session, me)}
    chosen = {uuid.UUID(a) for a in f.agencies if a in {str(m) for m in mine}}
    if len(chosen) != len(set(f.agencies)):
        mistakes.add("agencies", "Choose among your own agencies.")
    elif not chosen and role is not StaffRole.admin:
        mistakes.add("agencies", "Choose at least one agency the person works for.")
    demoted = account is not None and account.active and account.role is StaffRole.admin and role is not StaffRole.admin
    if demoted and await _active_admins(session) <= 1:
        mistakes.add("role", "This is the last active administrator: make someone else an administrator first.")
    return mistakes, role, chosen


async def create(session: AsyncSession, *, me: Principal, form: StaffForm) -> StaffAccount:
    """A new account as the form says, with a password nobody knows (the person sets their own) and a routing
    profile, audited."""
    mistakes, role, chosen = await _check(session, me, form, None)
    mistakes.refuse("The account was not created.")
    assert role is not None
    account = await staff.create_staff(
        session,
        email=form.email,
        display_name=form.display_name,
        password=secrets.token_urlsafe(32),
        role=role,
        agency_ids=sorted(chosen),
    )
    # Offline with default capacity, as the command line makes one: a supervisor sets languages and skills on the
    # Agents page, and a queue can count the person as someone who could serve it, before their first sign-in.
    await routing_agents.ensure_agent(session, staff_id=account.id)
    after = {"role": role.value, "agencies": sorted(str(a) for a in chosen), "active": True}
    me.audit(session, action="staff.create", subject_kind="staff", subject_id=str(account.id), detail={"after": after})
    return account


async def update(session: AsyncSession, *, me: Principal, account: StaffAccount, form: StaffForm) -> None:
    """Change the account's name, role and agencies (those outside the caller's agencies stay), audited."""
    mistakes, role, chosen = await _check(session, me, form, account)
    mistakes.refuse("The account was not changed.")
    assert role is not None
    held = (await _memberships(session, {account.id})).get(account.id, set())
    kept = {a for a in held if not me.may_see(a)}
    renamed = account.display_name != form.display_name  # the audit says so, without the names
    before = {"role": account.role.value, "agencies": sorted(map(str, held))}
    account.display_name, account.role = form.display_name, role
    await session.execute(delete(StaffAgency).where(StaffAgency.staff_id == account.id))
    session.add_all(StaffAgency(staff_id=account.id, agency_id=a) for a in sorted(kept | chosen))
    await session.flush()
    after = {"role": role.value, "agencies": sorted(map(str, kept | chosen))}
    detail = changes(before, after) | ({"renamed": True} if renamed else {})
    me.audit(session, action="staff.update", subject_kind="staff", subject_id=str(account.id), detail=detail)


async def set_active(session: AsyncSession, *, me: Principal, account: StaffAccount, active: bool) -> bool:
    """Deactivate the account (its sessions end at once) or reactivate it, audited; False when it already was.

    Refused (409) for the last active administrator and for oneself."""
    if account.active is active:
        return False
    if not active and account.id == me.id:
        raise conflict("You cannot deactivate your own account; ask another administrator.")
    if not active and account.role is StaffRole.admin and await _active_admins(session) <= 1:
        raise conflict("This is the last active administrator: make someone else an administrator first.")
    account.active = active
    if not active:
        await session.execute(
            sql_update(StaffSession)
            .where(StaffSession.staff_id == account.id, StaffSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
    action = "staff.reactivate" if active else "staff.deactivate"
    me.audit(
        session,
        action=action,
        subject_kind="staff",
        subject_id=str(account.id),
        detail={"before": {"active": not active}, "after": {"active": active}},
    )
    await session.flush()
    return True


async def agency_choices(session: AsyncSession, me: Principal) -> list[Agency]:
    """The agencies the caller may give an account."""
    return await administered_agencies(session, me)
