"""SLA targets as administrators keep them: per agency, per channel and optionally per service, how soon the first
response is due (entered in minutes, hours or days, stored in seconds), the share of contacts that should meet it,
and whether the clock runs in business hours only.

A target of zero, a negative one or one over a year is refused, and so is a second target for the same agency,
service and channel (naming the one that exists). Never committing; every change audited before and after.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import service as agencies
from townsquare.agencies.models import Agency
from townsquare.errors import not_found
from townsquare.interactions.kinds import Channel
from townsquare.routing.admin_common import Refusals, agencies_of, audit_change, chosen_agency, in_scope, plain
from townsquare.routing.models import SlaTarget
from townsquare.staff.auth import Principal

UNITS = {"minutes": 60, "hours": 3600, "days": 86400}
MAX_SECONDS = 366 * 86400  # over a year is a typing mistake, not a promise
SLA_CHANNELS = tuple(c.value for c in Channel if c is not Channel.push)


@dataclass
class SlaForm:
    agency_id: str = ""
    channel: str = ""  # "": any channel
    service_code: str = ""  # "": any service
    amount: str = ""
    unit: str = "hours"
    goal_percent: str = "80"
    business_hours: bool = False
    active: bool = True


@dataclass
class SlaRow:
    target: SlaTarget
    agency: str
    service: str | None  # the service's name
    amount: int
    unit: str


def in_units(seconds: int) -> tuple[int, str]:
    """A stored target in the largest unit that says it exactly: 172800 → (2, "days")."""
    for unit in ("days", "hours", "minutes"):
        if seconds % UNITS[unit] == 0:
            return seconds // UNITS[unit], unit
    return max(1, round(seconds / 60)), "minutes"


async def services_of(
    session: AsyncSession, agencies_ids: set[uuid.UUID]
) -> list[tuple[uuid.UUID, str, str, uuid.UUID]]:
    """(agency, code, name, id) of the agencies' services."""
    found = await agencies.list_services(session, include_inactive=True)
    return [(s.agency_id, s.code, s.name, s.id) for s in found if s.agency_id in agencies_ids]


async def sla_view(
    session: AsyncSession, me: Principal
) -> tuple[list[SlaRow], list[Agency], list[tuple[uuid.UUID, str, str, uuid.UUID]]]:
    choices = await agencies_of(session, me)
    names = {a.id: a.name for a in choices}
    services = await services_of(session, set(names))
    service_names = {sid: n for _, _, n, sid in services}
    rows = await session.scalars(
        select(SlaTarget).where(SlaTarget.agency_id.in_(names)).order_by(SlaTarget.agency_id, SlaTarget.channel)
    )
    return (
        [
            SlaRow(
                t,
                names[t.agency_id],
                service_names.get(t.service_id) if t.service_id else None,
                *in_units(t.first_response_seconds),
            )
            for t in rows
        ],
        choices,
        services,
    )


async def target_in_scope(session: AsyncSession, me: Principal, target_id: uuid.UUID) -> SlaTarget:
    target = await session.get(SlaTarget, target_id)
    if target is None:
        raise not_found("SLA target")
    in_scope(me, target.agency_id, "SLA target")
    return target


def _seconds(sent: SlaForm, refusals: Refusals) -> int:
    """The first response time in seconds: more than zero, at most a year."""
    try:
        seconds = int(sent.amount) * UNITS[sent.unit]
    except (ValueError, KeyError):
        refusals.add("amount", "Enter the first response time as a whole number of minutes, hours or days.")
        return 0
    if seconds <= 0:
        refusals.add("amount", "The first response time must be more than zero.")
    elif seconds > MAX_SECONDS:
        refusals.add("amount", "The first response time must be at most a year.")
    return seconds


def _goal(sent: SlaForm, refusals: Refusals) -> int:
    try:
        goal = int(sent.goal_percent)
    except ValueError:
        goal = 0
    if not 1 <= goal <= 100:
        refusals.add("goal_percent", "The goal is a percentage from 1 to 100.")
    return goal


async def _checked(session: AsyncSession, me: Principal, sent: SlaForm, target: SlaTarget | None) -> dict[str, object]:
    refusals = Refusals()
    agency_id = chosen_agency(me, sent.agency_id, await agencies_of(session, me), refusals)
    channel = sent.channel or None
    if channel is not None and channel not in SLA_CHANNELS:
        refusals.add("channel", "Choose a channel from the list, or any channel.")
    service_id = None
    if sent.service_code and agency_id is not None:
        found = [sid for a, code, _, sid in await services_of(session, {agency_id}) if code == sent.service_code]
        if not found:
            refusals.add("service_code", "Choose one of the agency's services, or any service.")
        else:
            service_id = found[0]
    seconds = _seconds(sent, refusals)
    goal = _goal(sent, refusals)
    if agency_id is not None and not refusals.errors:
        clash = select(SlaTarget.id).where(
            SlaTarget.agency_id == agency_id,
            SlaTarget.service_id.is_(None) if service_id is None else SlaTarget.service_id == service_id,
            SlaTarget.channel.is_(None) if channel is None else SlaTarget.channel == channel,
        )
        if target is not None:
            clash = clash.where(SlaTarget.id != target.id)
        if await session.scalar(clash) is not None:
            refusals.add(
                "channel",
                "The agency already has a target for this service and channel: change that one instead.",
            )
    refusals.check()
    return {
        "agency_id": agency_id,
        "service_id": service_id,
        "channel": channel,
        "first_response_seconds": seconds,
        "goal_percent": goal,
        "business_hours": sent.business_hours,
        "active": sent.active,
    }


def _values(target: SlaTarget) -> dict[str, object]:
    keys = ("agency_id", "service_id", "channel", "first_response_seconds", "goal_percent", "business_hours", "active")
    return plain({key: getattr(target, key) for key in keys})


async def create(session: AsyncSession, *, me: Principal, sent: SlaForm) -> SlaTarget:
    target = SlaTarget(**await _checked(session, me, sent, None))
    session.add(target)
    await session.flush()
    audit_change(
        session,
        me,
        action="sla_target.create",
        kind="sla_target",
        subject_id=target.id,
        agency_id=target.agency_id,
        before=None,
        after=_values(target),
    )
    return target


async def update(session: AsyncSession, *, me: Principal, target_id: uuid.UUID, sent: SlaForm) -> SlaTarget:
    target = await target_in_scope(session, me, target_id)
    before = _values(target)
    for key, value in (await _checked(session, me, sent, target)).items():
        setattr(target, key, value)
    await session.flush()
    audit_change(
        session,
        me,
        action="sla_target.update",
        kind="sla_target",
        subject_id=target.id,
        agency_id=target.agency_id,
        before=before,
        after=_values(target),
    )
    return target


async def form_of(session: AsyncSession, target: SlaTarget) -> SlaForm:
    amount, unit = in_units(target.first_response_seconds)
    code = ""
    if target.service_id is not None:
        code = next(
            (c for _, c, _, sid in await services_of(session, {target.agency_id}) if sid == target.service_id), ""
        )
    return SlaForm(
        agency_id=str(target.agency_id),
        channel=target.channel or "",
        service_code=code,
        amount=str(amount),
        unit=unit,
        goal_percent=str(target.goal_percent),
        business_hours=target.business_hours,
        active=target.active,
    )
