"""Citizen records and identity resolution: normalise a handle, find its citizen or make a provisional one.

Links automatically only on an exact normalised identifier; never merges people on a guess.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection, Sequence
from datetime import datetime, time, timedelta

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import ColumnElement, CompoundSelect, Select, String, bindparam, inspect, literal, select, union
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from townsquare.citizens.models import Citizen, CitizenStatus, Identity, IdentityKind, VerificationMethod
from townsquare.clock import utcnow
from townsquare.db import races
from townsquare.db.base import new_id
from townsquare.errors import FieldError, Problem, conflict, invalid, not_found

# How far an identity's last-seen time may trail its latest contact before it is written again: someone who sends
# five messages in a minute is not five updates of the same row. A social account's is kept exact, since Meta's
# 24-hour reply window is counted from it (engagement.meta).
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


def normalise_phone(raw: str, *, region: str) -> str:
    """E.164 form of a phone number, as typed by a person or sent by a carrier."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise invalid("That is not a phone number.", FieldError("phone", "not a phone number")) from None
    if not phonenumbers.is_possible_number(number):
        raise invalid("That phone number has the wrong number of digits.", FieldError("phone", "impossible number"))
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def normalise_email(raw: str) -> str:
    """Lower-cased, IDNA-normalised email address; refuses anything that is not an address."""
    try:
        checked = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise invalid("That is not an email address.", FieldError("email", str(exc))) from None
    return checked.normalized.lower()


POSTAL_MAX_LINES = 6


def normalise_postal(raw: str) -> str:
    """A postal address as lines (trimmed, inner spaces collapsed, blank lines dropped), joined by newlines."""
    lines = [" ".join(line.split()) for line in raw.replace("\r", "\n").split("\n")]
    kept = [line for line in lines if line]
    if len(kept) < 2 or len(kept) > POSTAL_MAX_LINES or any(len(line) > 60 for line in kept):
        raise invalid(
            f"A postal address needs 2 to {POSTAL_MAX_LINES} lines of at most 60 characters each.",
            FieldError("postal", "not an address"),
        )
    joined = "\n".join(kept)
    if len(joined) > 320:
        raise invalid("That postal address is too long.", FieldError("postal", "too long"))
    return joined


def normalise(kind: IdentityKind, value: str, *, region: str) -> str:
    """The canonical form of an identifier of the given kind."""
    if kind is IdentityKind.phone:
        return normalise_phone(value, region=region)
    if kind is IdentityKind.email:
        return normalise_email(value)
    if kind is IdentityKind.postal:
        return normalise_postal(value)
    cleaned = value.strip()
    if not cleaned or len(cleaned) > 320:
        raise invalid(f"A {kind.value} identity needs a value of 1 to 320 characters.", FieldError(kind.value, "empty"))
    return cleaned.lower() if kind is IdentityKind.social else cleaned


# Built once: every contact from a handle looks its identity up.
_IDENTITY = select(Identity).where(
    Identity.kind == bindparam("kind"),
    Identity.namespace == bindparam("namespace"),
    Identity.value == bindparam("value"),
)


# The same, with the identity's citizen (resolve needs both: one statement, not two).
_IDENTITY_AND_CITIZEN = (
    select(Identity, Citizen)
    .join(Citizen, Citizen.id == Identity.citizen_id)
    .where(
        Identity.kind == bindparam("kind"),
        Identity.namespace == bindparam("namespace"),
        Identity.value == bindparam("value"),
    )
)


async def find_identity(
    session: AsyncSession, *, kind: IdentityKind, value: str, namespace: str = ""
) -> Identity | None:
    """The identity with exactly this normalised value."""
    params = {"kind": kind, "namespace": namespace, "value": value}
    return (await session.execute(_IDENTITY, params)).scalar_one_or_none()


async def resolve(
    session: AsyncSession,
    *,
    kind: IdentityKind,
    value: str,
    namespace: str = "",
    display_name: str | None = None,
    seen_at: datetime | None = None,
) -> tuple[Citizen, Identity, bool]:
    """The citizen behind a normalised identifier, making a provisional one on first contact.

    Safe against two first messages arriving at once: the loser of the unique-constraint race re-reads (inside the
    flow's guard, the flow places its contact again: `db.races`).
    """
    seen = seen_at or utcnow()
    params = {"kind": kind, "namespace": namespace, "value": value}
    found = (await session.execute(_IDENTITY_AND_CITIZEN, params)).first()
    identity: Identity | None = found[0] if found is not None else None  # its citizen is now in the session
    created = False
    if identity is None:
        try:
            async with races.guarded(session):
                citizen = Citizen(id=new_id(), display_name=display_name, status=CitizenStatus.provisional)
                identity = Identity(
                    citizen_id=citizen.id, kind=kind, namespace=namespace, value=value, last_seen_at=seen
                )
                session.add_all((citizen, identity))
                await session.flush()  # one unit of work: the citizen's row goes first (the identity refers to it)
            created = True
        except IntegrityError:
            identity = await find_identity(session, kind=kind, value=value, namespace=namespace)
            if identity is None:
                raise
    if _seen_later(identity, seen):
        identity.last_seen_at = seen  # never backwards: a late delivery of an older message is not news
    citizen = await session.get_one(Citizen, identity.citizen_id)
    while citizen.status is CitizenStatus.merged and citizen.merged_into_id is not None:
        citizen = await session.get_one(Citizen, citizen.merged_into_id)
    if citizen.display_name is None and display_name:
        citizen.display_name = display_name
    return citizen, identity, created


def _seen_later(identity: Identity, seen: datetime) -> bool:
    """Whether a contact at `seen` moves the identity's last-seen time (by more than the resolution)."""
    last = identity.last_seen_at
    if last is None:
        return True
    return seen > last + (timedelta(0) if identity.kind is IdentityKind.social else LAST_SEEN_RESOLUTION)


async def anonymous(session: AsyncSession, *, display_name: str | None = None) -> Citizen:
    """A provisional citizen with no identity yet (a blocked caller id, an anonymous form)."""
    citizen = Citizen(display_name=display_name, status=CitizenStatus.provisional)
    session.add(citizen)
    await session.flush()
    return citizen


async def get(session: AsyncSession, *, citizen_id: uuid.UUID) -> Citizen:
    """A citizen with identities loaded, or a 404 problem; no query when this session has loaded them already (a
    query would return that same object unchanged: an object in the session is not refreshed by a read)."""
    known = session.identity_map.get(session.identity_key(Citizen, citizen_id))
    if isinstance(known, Citizen) and "identities" not in inspect(known).unloaded:
        return known
    stmt = select(Citizen).where(Citizen.id == citizen_id).options(joinedload(Citizen.identities))
    citizen = (await session.execute(stmt)).unique().scalar_one_or_none()
    if citizen is None:
        raise not_found("Citizen")
    return citizen


async def create(
    session: AsyncSession,
    *,
    display_name: str | None,
    given_name: str | None = None,
    family_name: str | None = None,
    language: str = "en",
    status: CitizenStatus = CitizenStatus.confirmed,
) -> Citizen:
    """A new citizen record (identities are added with `add_identity`)."""
    citizen = Citizen(
        display_name=display_name,
        given_name=given_name,
        family_name=family_name,
        language=language,
        status=status,
    )
    session.add(citizen)
    await session.flush()
    return citizen


async def add_identity(
    session: AsyncSession,
    *,
    citizen_id: uuid.UUID,
    kind: IdentityKind,
    value: str,
    region: str,
    namespace: str = "",
    verification_method: VerificationMethod | None = None,
) -> Identity:
    """Attach an identifier to a citizen; refuses one that already belongs to someone else."""
    normalised = normalise(kind, value, region=region)
    existing = await find_identity(session, kind=kind, value=normalised, namespace=namespace)
    if existing is not None and existing.citizen_id != citizen_id:
        raise conflict(f"That {kind.value} already belongs to another citizen record; staff can merge the two.")
    identity = existing or Identity(citizen_id=citizen_id, kind=kind, namespace=namespace, value=normalised)
    if verification_method is not None:
        identity.verified = True
        identity.verification_method = verification_method
        identity.verified_at = utcnow()
    session.add(identity)
    await session.flush()
    return identity


async def update_preferences(
    session: AsyncSession,
    *,
    citizen: Citizen,
    language: str | None = None,
    preferred_channels: Sequence[str] | None = None,
    quiet_hours: tuple[time, time] | None = None,
) -> Citizen:
    """Change what a citizen told us about how they want to be contacted."""
    if language is not None:
        citizen.language = language
    if preferred_channels is not None:
        citizen.preferred_channels = list(dict.fromkeys(preferred_channels))
    if quiet_hours is not None:
        citizen.quiet_hours_start, citizen.quiet_hours_end = quiet_hours
    await session.flush()
    return citizen


# A name search looks for the query inside names, so it needs three characters to be worth an index probe (a
# trigram index on PostgreSQL) and to mean anything in a city of a million.
NAME_MIN = 3
_PHONE_LIKE = re.compile(r"[+(]?\d[\d\s().\-/]{5,}\d")


async def search(session: AsyncSession, *, query: str, region: str, limit: int = 50) -> list[Citizen]:
    """Citizens who hold exactly the phone number or email address typed, in any format; otherwise citizens
    whose name contains the query or who hold an identifier of another kind with exactly that value.

    A phone number or email address is looked up by its normalised value alone, never scanned for in names."""
    ids = await search_ids(session, query=query, region=region, limit=limit)
    return await _citizens(session, Citizen.id.in_(ids), limit) if ids else []


async def search_ids(session: AsyncSession, *, query: str, region: str, limit: int = 200) -> list[uuid.UUID]:
    """The ids of the citizens `search` finds (the same rules), most recently changed first; at most `limit`."""
    found = _matching(query, region=region).subquery()
    stmt = select(found.c.id).order_by(found.c.updated_at.desc(), found.c.id).limit(limit)
    return list((await session.execute(stmt)).scalars())


Matching = Select[uuid.UUID, datetime] | CompoundSelect[uuid.UUID, datetime]


def _matching(query: str, *, region: str) -> Matching:
    """The citizens a query names, as (id, updated_at) rows, merged records left out (see `search`).

    Each branch reads the citizens it finds and no others: joined to the whole table instead, PostgreSQL reads
    every citizen once a name is common ("out" is in 3,000 names of a million)."""
    q = query.strip()
    exact = _as_contact(q, region=region)
    if exact is not None:
        kind, value = exact
        return _holding(Identity.value == value, Identity.kind == kind)
    others = _holding(Identity.value.in_({q, q.lower()}))
    if len(q) < NAME_MIN:
        return others
    escaped = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    # The pattern is written into the statement, not sent as a parameter: a plan prepared for any pattern guesses
    # thousands of names match (PostgreSQL's generic plan, after five runs) and stops using the indexes well.
    pattern = literal(escaped, String(), literal_execute=True)
    live = Citizen.status != CitizenStatus.merged
    # Three branches, each served by its own index (a trigram index per name; identities by value), united
    # before they are ordered: under one OR the database would read every citizen in update order.
    return union(
        select(Citizen.id, Citizen.updated_at).where(Citizen.display_name.ilike(pattern, escape="\\"), live),
        select(Citizen.id, Citizen.updated_at).where(Citizen.family_name.ilike(pattern, escape="\\"), live),
        others,
    )


def _holding(*where: ColumnElement[bool]) -> Select[uuid.UUID, datetime]:
    """The citizens holding an identity that meets `where`."""
    return (
        select(Citizen.id, Citizen.updated_at)
        .join(Identity, Identity.citizen_id == Citizen.id)
        .where(*where, Citizen.status != CitizenStatus.merged)
    )


def is_contact(query: str, *, region: str) -> bool:
    """Whether a search is a phone number or an email address (looked up exactly, never as words)."""
    return _as_contact(query.strip(), region=region) is not None


def _as_contact(query: str, *, region: str) -> tuple[IdentityKind, str] | None:
    """The query as a normalised (phone, value) or (email, value), when that is what it is."""
    kind = IdentityKind.email if "@" in query else IdentityKind.phone if _PHONE_LIKE.fullmatch(query) else None
    if kind is None:
        return None
    try:
        return kind, normalise(kind, query, region=region)
    except Problem:
        return None


async def _citizens(session: AsyncSession, condition: ColumnElement[bool], limit: int) -> list[Citizen]:
    stmt = (
        select(Citizen)
        .where(condition, Citizen.status != CitizenStatus.merged)
        .options(selectinload(Citizen.identities))
        .order_by(Citizen.updated_at.desc())
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars())


async def display_names(session: AsyncSession, *, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
    """How each of these citizens is named on a list (their display name, else given and family names)."""
    if not ids:
        return {}
    rows = await session.execute(
        select(Citizen.id, Citizen.display_name, Citizen.given_name, Citizen.family_name).where(Citizen.id.in_(ids))
    )
    out: dict[uuid.UUID, str] = {}
    for citizen_id, display, given, family in rows:
        name = display or " ".join(p for p in (given, family) if p)
        if name:
            out[citizen_id] = name
    return out


async def recent(session: AsyncSession, *, limit: int = 50) -> list[Citizen]:
    """The citizens most recently changed or contacted."""
    stmt = (
        select(Citizen)
        .where(Citizen.status != CitizenStatus.merged)
        .options(selectinload(Citizen.identities))
        .order_by(Citizen.updated_at.desc())
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars())


async def contact_for(session: AsyncSession, *, citizen_id: uuid.UUID, kind: IdentityKind) -> Identity | None:
    """The identity to reach a citizen by: verified first, then the most recently seen."""
    stmt = (
        select(Identity)
        .where(Identity.citizen_id == citizen_id, Identity.kind == kind)
        .order_by(Identity.verified.desc(), Identity.last_seen_at.desc().nulls_last(), Identity.created_at.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def set_opted_out(
    session: AsyncSession, *, identity_id: uuid.UUID, opted_out: bool, at: datetime | None = None
) -> Identity | None:
    """Record that the person asked for no more messages at this identity (SMS STOP), or asked again (START)."""
    identity = await session.get(Identity, identity_id)
    if identity is None:
        return None
    if opted_out and identity.opted_out_at is None:
        identity.opted_out_at = at or utcnow()
    elif not opted_out:
        identity.opted_out_at = None
    await session.flush()
    return identity


async def sample_contacts(session: AsyncSession, *, kind: IdentityKind, limit: int = 8) -> list[tuple[str, str]]:
    """A few citizens' identities of one kind as (value, name), verified first: the simulator's demo residents."""
    rows = await session.execute(
        select(Identity.value, Citizen.display_name)
        .join(Citizen, Citizen.id == Identity.citizen_id)
        .where(Identity.kind == kind)
        .order_by(Identity.verified.desc(), Identity.created_at)
        .limit(limit)
    )
    return [(str(value), str(name or "")) for value, name in rows.all()]
