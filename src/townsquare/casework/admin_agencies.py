"""Administering agencies: the list an administrator (every agency) or an agency administrator (its own) sees,
creating one, editing its names in both languages, contact details, contact points and branding, and
deactivating it (never deleting: cases and history point to it).

Scope and audit live here (before/after of what changed); never commits, the route does once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import admin as checks
from townsquare.agencies.catalogue import put_contact_points
from townsquare.agencies.models import Agency
from townsquare.casework.admin_common import EMAIL_PATTERN, Mistakes, administered_agencies, changes
from townsquare.db import assign
from townsquare.errors import Problem, not_found
from townsquare.interactions.kinds import Channel
from townsquare.staff.auth import Principal

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
POINT_CHANNELS = (Channel.voice, Channel.sms, Channel.email, Channel.chat, Channel.social, Channel.mail)


@dataclass
class AgencyForm:
    """What the agency form shows: an agency's details, or what was just sent when it was refused."""

    slug: str = ""
    name: str = ""
    name_fr: str = ""
    description: str = ""
    description_fr: str = ""
    email: str = ""
    phone: str = ""
    timezone: str = "America/Toronto"
    short_name: str = ""
    accent_colour: str = ""
    contact_points: list[tuple[str, str]] = field(default_factory=list)  # (channel, address); empty rows ignored
    remove_logo: bool = False


@dataclass
class AgencyRow:
    agency: Agency
    points: list[tuple[str, str]]
    logo: bool


@dataclass
class Sent:
    """A form as sent, with the logo's bytes when one was uploaded."""

    form: AgencyForm
    logo: bytes | None = None
    points: list[tuple[str, str]] = field(default_factory=list)


async def agency_rows(session: AsyncSession, me: Principal) -> list[AgencyRow]:
    """The agencies the caller administers, active first, with their contact points and whether they have a logo."""
    agencies = await administered_agencies(session, me)
    logos = await checks.has_logo(session, agency_ids={a.id for a in agencies})
    rows = [AgencyRow(a, await checks.contact_points_of(session, agency_id=a.id), a.id in logos) for a in agencies]
    return sorted(rows, key=lambda r: not r.agency.active)


async def agency_in_scope(session: AsyncSession, me: Principal, slug: str) -> Agency:
    """The agency with this slug if the caller administers it, else 404 as for one that does not exist."""
    agency = await session.scalar(select(Agency).where(Agency.slug == slug[:64]))
    if agency is None or not me.may_see(agency.id):
        raise not_found("Agency")
    return agency


def _french(agency: Agency) -> dict[str, str]:
    wording = (agency.translations or {}).get("fr")
    return {k: str(v) for k, v in wording.items()} if isinstance(wording, dict) else {}


async def form_of(session: AsyncSession, agency: Agency) -> AgencyForm:
    """The form filled with the agency as it is."""
    points = await checks.contact_points_of(session, agency_id=agency.id)
    fr = _french(agency)
    return AgencyForm(
        slug=agency.slug,
        name=agency.name,
        name_fr=fr.get("name", ""),
        description=agency.description,
        description_fr=fr.get("description", ""),
        email=agency.email or "",
        phone=agency.phone or "",
        timezone=agency.timezone,
        short_name=agency.short_name,
        accent_colour=agency.accent_colour or "",
        contact_points=points,
    )


def _points(sent: list[tuple[str, str]], mistakes: Mistakes) -> list[tuple[str, str]]:
    points: list[tuple[str, str]] = []
    channels = {c.value for c in POINT_CHANNELS}
    for channel, address in sent:
        if not address.strip():
            continue
        if channel not in channels:
            mistakes.add("contact_points", f"Choose the channel of each contact point. — {address.strip()[:100]}")
            continue
        points.append((channel, address.strip().lower()[:320]))
    return list(dict.fromkeys(points))


async def _check(session: AsyncSession, sent: Sent, agency: Agency | None) -> Mistakes:
    f, mistakes = sent.form, Mistakes()
    if agency is None and not SLUG.match(f.slug):
        mistakes.add("slug", "Give a short name for addresses: lower-case letters, digits and hyphens.")
    elif agency is None and await session.scalar(select(Agency.id).where(Agency.slug == f.slug)):
        mistakes.add("slug", "Another agency already has that short name for addresses.")
    if not f.name:
        mistakes.add("name", "Give the agency's name in English.")
    if not f.name_fr:
        mistakes.add("name_fr", "Give the agency's name in French.")
    if f.email and not EMAIL_PATTERN.match(f.email):
        mistakes.add("email", "Give an email address like info@city.example, or leave it empty.")
    mistakes.extend([checks.timezone_problem(f.timezone)])
    if f.accent_colour:
        mistakes.extend([checks.colour_problem(f.accent_colour)])
    sent.points = _points(f.contact_points, mistakes)
    taken = await checks.address_holders(session, points=sent.points, agency_id=agency.id if agency else None)
    for (channel, address), holder in sorted(taken.items()):
        mistakes.add("contact_points", f"Another agency already has this address. — {channel} {address}: {holder}")
    if sent.logo:
        try:
            checks.read_logo(sent.logo)
        except Problem as exc:
            mistakes.extend(exc.errors)
    return mistakes


def _values(f: AgencyForm, translations: dict[str, Any]) -> dict[str, Any]:
    fr = {"name": f.name_fr, "description": f.description_fr}
    return {
        "name": f.name,
        "description": f.description,
        "email": f.email or None,
        "phone": f.phone or None,
        "timezone": f.timezone,
        "short_name": f.short_name,
        "accent_colour": f.accent_colour.lower() or None,
        "translations": {**translations, "fr": fr},
    }


def _audited(agency: Agency) -> dict[str, Any]:
    keys = ("name", "description", "email", "phone", "timezone", "short_name", "accent_colour", "translations")
    return {k: getattr(agency, k) for k in keys}


async def _logo(session: AsyncSession, agency: Agency, sent: Sent) -> str | None:
    if sent.logo:
        await checks.put_logo(session, agency_id=agency.id, logo=checks.read_logo(sent.logo))
        return "replaced"
    if sent.form.remove_logo and (row := await checks.logo_of(session, agency_id=agency.id)) is not None:
        await session.delete(row)
        await session.flush()
        return "removed"
    return None


async def create(session: AsyncSession, *, me: Principal, sent: Sent) -> Agency:
    """A new agency as the form says (administrators only; the route admits them), audited."""
    (await _check(session, sent, None)).refuse("The agency was not created.")
    agency = Agency(slug=sent.form.slug, **_values(sent.form, {}))
    session.add(agency)
    await session.flush()
    await put_contact_points(session, agency_id=agency.id, points=sent.points)
    logo = await _logo(session, agency, sent)
    detail = {"after": {**_audited(agency), "contact_points": sent.points, "logo": logo}}
    me.audit(
        session,
        action="agency.create",
        subject_kind="agency",
        subject_id=str(agency.id),
        agency_id=agency.id,
        detail=detail,
    )
    return agency


async def update(session: AsyncSession, *, me: Principal, agency: Agency, sent: Sent) -> None:
    """Change the agency as the form says, audited with what changed before and after."""
    (await _check(session, sent, agency)).refuse("The agency was not changed.")
    before = {**_audited(agency), "contact_points": await checks.contact_points_of(session, agency_id=agency.id)}
    assign(agency, **_values(sent.form, dict(agency.translations or {})))
    await put_contact_points(session, agency_id=agency.id, points=sent.points)
    after = {**_audited(agency), "contact_points": await checks.contact_points_of(session, agency_id=agency.id)}
    detail = changes(before, after)
    if logo := await _logo(session, agency, sent):
        detail["logo"] = logo
    me.audit(
        session,
        action="agency.update",
        subject_kind="agency",
        subject_id=str(agency.id),
        agency_id=agency.id,
        detail=detail,
    )
    await session.flush()


async def set_active(session: AsyncSession, *, me: Principal, agency: Agency, active: bool) -> bool:
    """Deactivate or reactivate the agency (audited); False when it already was, which changes nothing."""
    if agency.active is active:
        return False
    agency.active = active
    action = "agency.reactivate" if active else "agency.deactivate"
    me.audit(
        session,
        action=action,
        subject_kind="agency",
        subject_id=str(agency.id),
        agency_id=agency.id,
        detail={"before": {"active": not active}, "after": {"active": active}},
    )
    await session.flush()
    return True


async def logo(session: AsyncSession, agency: Agency) -> tuple[str, bytes] | None:
    """The agency's logo (its content type and bytes), if it has one."""
    row = await checks.logo_of(session, agency_id=agency.id)
    return None if row is None else (row.content_type, row.data)


async def has_logo(session: AsyncSession, agency: Agency) -> bool:
    return agency.id in await checks.has_logo(session, agency_ids={agency.id})
