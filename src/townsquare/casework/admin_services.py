"""Administering the service catalogue: the services of the agencies the caller administers, creating one (a code
nobody has), editing its wording in both languages, SLA, Open311 flag, keywords and synonyms, and deactivating it
(never deleting: cases point to it). Its form is the form builder's.

Scope and audit live here; never commits, the route does once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import admin as checks
from townsquare.agencies.models import Agency, Service
from townsquare.casework.admin_common import Mistakes, administered_agencies, changes, chosen_agency, word_list
from townsquare.db import assign
from townsquare.errors import not_found
from townsquare.staff.auth import Principal

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
MAX_SLA_HOURS = 24 * 366
WORDED = ("name", "description", "group", "notice")  # the fields written in both languages


@dataclass
class ServiceForm:
    """What the service form shows: a service as it is, or what was just sent when it was refused."""

    code: str = ""
    agency: str = ""  # the owning agency's id
    name: str = ""
    name_fr: str = ""
    description: str = ""
    description_fr: str = ""
    group: str = ""
    group_fr: str = ""
    notice: str = ""
    notice_fr: str = ""
    sla_hours: str = ""
    open311: bool = False
    keywords: str = ""
    synonyms: str = ""


@dataclass
class ServiceRow:
    service: Service
    agency: str


async def service_rows(session: AsyncSession, me: Principal) -> list[ServiceRow]:
    """The services of the agencies the caller administers, active first, by group and name."""
    agencies = {a.id: a.name for a in await administered_agencies(session, me)}
    stmt = select(Service).where(Service.agency_id.in_(agencies)).order_by(Service.group, Service.name)
    rows = [ServiceRow(s, agencies[s.agency_id]) for s in (await session.execute(stmt)).scalars()]
    return sorted(rows, key=lambda r: not r.service.active)


async def service_in_scope(session: AsyncSession, me: Principal, code: str) -> Service:
    """The service with this code if the caller administers its agency, else 404 as for one that does not exist."""
    service = await session.scalar(select(Service).where(Service.code == code[:64]))
    if service is None or not me.may_see(service.agency_id):
        raise not_found("Service", "There is no service with that code.")
    return service


def form_of(service: Service) -> ServiceForm:
    """The form filled with the service as it is."""
    wording = (service.translations or {}).get("fr")
    fr = wording if isinstance(wording, dict) else {}
    return ServiceForm(
        code=service.code,
        agency=str(service.agency_id),
        name=service.name,
        name_fr=str(fr.get("name") or ""),
        description=service.description,
        description_fr=str(fr.get("description") or ""),
        group=service.group,
        group_fr=str(fr.get("group") or ""),
        notice=service.notice,
        notice_fr=str(fr.get("notice") or ""),
        sla_hours="" if service.sla_target_hours is None else str(service.sla_target_hours),
        open311=service.open311,
        keywords=", ".join(service.keywords or []),
        synonyms=", ".join(service.synonyms or []),
    )


def _sla(text: str, mistakes: Mistakes) -> int | None:
    if not text:
        return None
    try:
        hours = int(text)
    except ValueError:
        hours = -1
    if not 1 <= hours <= MAX_SLA_HOURS:
        mistakes.add("sla_hours", "The SLA is a whole number of hours above zero (at most a year), or empty.")
        return None
    return hours


async def _check(
    session: AsyncSession, me: Principal, f: ServiceForm, service: Service | None
) -> tuple[Mistakes, Agency | None, int | None]:
    mistakes = Mistakes()
    if service is None and not CODE.match(f.code):
        mistakes.add("code", "Give a code: letters, digits, dots, hyphens and underscores, starting with one of them.")
    elif service is None and await checks.service_code_taken(session, code=f.code):
        mistakes.add("code", "Another service already has that code.")
    agency = chosen_agency(await administered_agencies(session, me), f.agency, mistakes)
    if not f.name:
        mistakes.add("name", "Give the service's name in English.")
    if not f.name_fr:
        mistakes.add("name_fr", "Give the service's name in French.")
    return mistakes, agency, _sla(f.sla_hours, mistakes)


def _values(f: ServiceForm, agency: Agency, sla: int | None, translations: dict[str, Any]) -> dict[str, Any]:
    old = translations.get("fr")
    fr = {k: v for k, v in (old if isinstance(old, dict) else {}).items() if k not in WORDED}
    fr |= {k: v for k in WORDED if (v := getattr(f, f"{k}_fr"))}
    return {
        "agency_id": agency.id,
        "name": f.name,
        "description": f.description,
        "group": f.group[:100],
        "notice": f.notice,
        "sla_target_hours": sla,
        "open311": f.open311,
        "keywords": word_list(f.keywords),
        "synonyms": word_list(f.synonyms),
        "translations": {**translations, "fr": fr},
    }


def _audited(service: Service) -> dict[str, Any]:
    keys = ("name", "description", "group", "notice", "sla_target_hours", "open311", "keywords", "synonyms")
    return {k: getattr(service, k) for k in keys} | {
        "agency_id": str(service.agency_id),
        "translations": service.translations,
    }


async def create(session: AsyncSession, *, me: Principal, form: ServiceForm) -> Service:
    """A new service as the form says, in an agency the caller administers, audited."""
    mistakes, agency, sla = await _check(session, me, form, None)
    mistakes.refuse("The service was not created.")
    assert agency is not None  # refused above otherwise
    service = Service(code=form.code, **_values(form, agency, sla, {}))
    session.add(service)
    await session.flush()
    me.audit(
        session,
        action="service.create",
        subject_kind="service",
        subject_id=form.code,
        agency_id=agency.id,
        detail={"after": _audited(service)},
    )
    return service


async def update(session: AsyncSession, *, me: Principal, service: Service, form: ServiceForm) -> None:
    """Change the service as the form says (its code stays), audited with what changed before and after."""
    mistakes, agency, sla = await _check(session, me, form, service)
    mistakes.refuse("The service was not changed.")
    assert agency is not None
    before = _audited(service)
    assign(service, **_values(form, agency, sla, dict(service.translations or {})))
    await session.flush()
    me.audit(
        session,
        action="service.update",
        subject_kind="service",
        subject_id=service.code,
        agency_id=agency.id,
        detail=changes(before, _audited(service)),
    )


async def set_active(session: AsyncSession, *, me: Principal, service: Service, active: bool) -> bool:
    """Withdraw or offer again the service (audited); False when it already was, which changes nothing."""
    if service.active is active:
        return False
    service.active = active
    action = "service.reactivate" if active else "service.deactivate"
    me.audit(
        session,
        action=action,
        subject_kind="service",
        subject_id=service.code,
        agency_id=service.agency_id,
        detail={"before": {"active": not active}, "after": {"active": active}},
    )
    await session.flush()
    return True
