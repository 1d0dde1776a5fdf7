"""The desk's "Shared data" panel on a citizen: the agreements in force under which the staff member's agency may
read what other agencies hold about the person, what the person consented to, a consent an agent records when
the person agrees by voice or at a counter, and the values themselves — read only through `sharing.access.read`.

A value is never shown without that check: a refusal is logged by it and shown here as its reasons in plain words,
with nothing revealed. The consent is audited; the route commits once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import service as agencies
from townsquare.agencies.models import Agency
from townsquare.agencies.wording import translated
from townsquare.casework import desk
from townsquare.citizens import service as citizens
from townsquare.clock import utcnow
from townsquare.errors import FieldError, Problem, forbidden, invalid, not_found
from townsquare.sharing import access, agreements, consents
from townsquare.sharing.holdings import attributes_of
from townsquare.staff.auth import Principal

CHANNELS = ("voice", "counter")
PLAIN = {
    "no-agreement": "{consumer} has no data-sharing agreement in force with {provider} any more.",
    "attribute-outside": "{attribute} is not among what {provider} agreed to share with {consumer}.",
    "purpose-mismatch": "{provider} shares {attribute} with {consumer} for another purpose only.",
    "consent-needed": "The person has not consented to {consumer} reading {attribute} for this purpose. "
    "Ask them, and record their consent if they agree.",
    "consent-expired": "The person's consent to {consumer} reading {attribute} has expired. Ask them again.",
    "consent-revoked": "The person withdrew their consent to {consumer} reading {attribute}.",
}


@dataclass(frozen=True)
class Attribute:
    key: str  # "provider.code", as consents and reads name it
    name: str  # in English, for staff
    name_in_language: str  # in the person's language, for the script


@dataclass(frozen=True)
class ConsentLine:
    """One consent the person gave this agency for the agreement's purpose."""

    id: uuid.UUID
    state: str  # active, expired, revoked
    channel: str
    given_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    recorded_by: str | None
    attribute_names: list[str]


@dataclass(frozen=True)
class SharedAgreement:
    """An agreement in force with the staff member's agency as consumer, and the person's consents under it."""

    id: uuid.UUID
    label: str
    provider: Agency
    consumer: Agency
    purpose: str
    purpose_text: str
    purpose_text_in_language: str
    consent_required: bool
    attributes: list[Attribute]
    consents: list[ConsentLine]


@dataclass(frozen=True)
class SharedDataPanel:
    citizen_id: uuid.UUID
    language: str  # the person's, for the consent script
    agreements: list[SharedAgreement]


@dataclass(frozen=True)
class SharedValue:
    key: str
    name: str
    value: Any
    provider: str
    verified: bool
    last_updated: datetime | None
    agreement: str
    consent_id: uuid.UUID | None


@dataclass(frozen=True)
class SharedValues:
    """What "Show shared values" found: the values with their provenance, or why the read was refused."""

    agreement: SharedAgreement
    values: list[SharedValue]
    refused: list[str]


async def _shared(
    session: AsyncSession, me: Principal, citizen_id: uuid.UUID, language: str, only: uuid.UUID | None = None
) -> list[SharedAgreement]:
    today = utcnow().date()
    rows = [
        a
        for a in await agreements.listing(session, agency_ids=me.visible())
        if me.may_see(a.consumer_agency_id) and agreements.in_force(a, today) and only in (None, a.id)
    ]
    if not rows:
        return []
    by_id = await agencies.agencies_by_id(
        session, ids={a.provider_agency_id for a in rows} | {a.consumer_agency_id for a in rows}
    )
    given = await consents.of_person(session, citizen_id=citizen_id)
    names = await desk.staff_names(session, ids={c.recorded_by_id for c in given if c.recorded_by_id})
    now = utcnow()
    found = []
    for row in sorted(rows, key=lambda a: a.reference):
        provider, consumer = by_id[row.provider_agency_id], by_id[row.consumer_agency_id]
        held = await attributes_of(session, agency_id=provider.id)
        attributes = []
        for code in row.attribute_codes:
            attribute = held.get(code)
            name = attribute.name if attribute else code
            other = translated(attribute.translations if attribute else None, language, "name", name)
            attributes.append(Attribute(f"{provider.slug}.{code}", name, other))
        keys = {a.key: a.name for a in attributes}
        lines = [
            ConsentLine(
                c.id,
                consents.state(c, now),
                c.channel,
                c.given_at,
                c.expires_at,
                c.revoked_at,
                names.get(c.recorded_by_id) if c.recorded_by_id else None,
                [keys[k] for k in c.attributes if k in keys],
            )
            for c in given
            if c.consumer_agency_id == consumer.id and c.purpose == row.purpose and set(c.attributes) & set(keys)
        ]
        found.append(
            SharedAgreement(
                row.id,
                agreements.label(row),
                provider,
                consumer,
                row.purpose,
                row.purpose_text,
                translated(row.translations, language, "purpose_text", row.purpose_text),
                row.consent_required,
                attributes,
                lines,
            )
        )
    return found


async def panel(session: AsyncSession, *, me: Principal, citizen_id: uuid.UUID) -> SharedDataPanel:
    """The agreements in force for the staff member's agencies as consumer, with the person's consents."""
    person = await citizens.get(session, citizen_id=citizen_id)
    return SharedDataPanel(person.id, person.language, await _shared(session, me, person.id, person.language))


async def _one(session: AsyncSession, me: Principal, citizen_id: uuid.UUID, agreement: str) -> SharedAgreement:
    person = await citizens.get(session, citizen_id=citizen_id)
    try:
        chosen = uuid.UUID(agreement)
    except ValueError:
        raise invalid("Choose the agreement.", FieldError("agreement", "choose an agreement in force")) from None
    found = await _shared(session, me, person.id, person.language, only=chosen)
    if not found:
        raise not_found("Agreement", "Your agency has no agreement in force with that id.")
    return found[0]


async def record_consent(
    session: AsyncSession,
    *,
    me: Principal,
    citizen_id: uuid.UUID,
    agreement: str,
    attributes: list[str],
    channel: str,
    confirmed: bool,
) -> uuid.UUID:
    """Record the consent a person gave by voice or at a counter to exactly these attributes of the agreement,
    recorded by this staff member; audited. The consent's id."""
    shared = await _one(session, me, citizen_id, agreement)
    offered = {a.key for a in shared.attributes}
    errors = []
    if not attributes:
        errors.append(FieldError("attributes", "choose what the person agreed to share"))
    elif not set(attributes) <= offered:
        errors.append(FieldError("attributes", "choose only attributes of this agreement"))
    if channel not in CHANNELS:
        errors.append(FieldError("channel", "say whether the person agreed by voice or at the counter"))
    if not confirmed:
        errors.append(FieldError("confirmed", "confirm the person agreed to exactly these, after hearing the script"))
    if errors:
        raise invalid("The consent was not recorded.", *errors)
    if not me.may_see(shared.consumer.id) or me.kind != "staff":
        raise forbidden("Only staff of the agency that reads the data may record a consent to it.")
    row = await consents.give(
        session,
        citizen_id=citizen_id,
        consumer_agency_id=shared.consumer.id,
        purpose=shared.purpose,
        attributes=attributes,
        agreements=[shared.label],
        channel=channel,
        recorded_by_id=me.id,
    )
    me.audit(
        session,
        action="consent.recorded",
        subject_kind="consent",
        subject_id=str(row.id),
        citizen_id=citizen_id,
        agency_id=shared.consumer.id,
        detail={
            "agreement": shared.label,
            "attributes": sorted(attributes),
            "channel": channel,
            "purpose": shared.purpose,
        },
    )
    return row.id


async def show_values(
    session: AsyncSession, *, me: Principal, citizen_id: uuid.UUID, agreement: str, via: str
) -> SharedValues:
    """The agreement's values about the person, read through the one access decision (which logs and commits the
    read or the refusal); a refusal's reasons in plain words instead of any value."""
    shared = await _one(session, me, citizen_id, agreement)
    reader = access.Reader(kind="staff", id=me.actor_id, agency_id=shared.consumer.id, channel="desk", via=via)
    names = {a.key: a.name for a in shared.attributes}
    try:
        grants = await access.read(
            session,
            reader=reader,
            consumer=shared.consumer,
            citizen_id=citizen_id,
            keys=list(names),
            purpose=shared.purpose,
        )
    except Problem as refusal:
        if refusal.status != 403 or not refusal.type_slug.startswith("sharing-"):
            raise
        words = {"consumer": shared.consumer.name, "provider": shared.provider.name}
        refused = [
            PLAIN.get(r["reason"], "The read was refused.").format(
                attribute=names.get(r["attribute"], r["attribute"]), **words
            )
            for r in refusal.extra.get("refused", [])
        ]
        return SharedValues(shared, [], refused or [refusal.detail])
    values = [
        SharedValue(
            g.key,
            names.get(g.key, g.attribute.name),
            g.held.value if g.held else None,
            shared.provider.name,
            g.attribute.verified,
            g.held.last_updated if g.held else None,
            agreements.label(g.agreement),
            g.consent_id,
        )
        for g in grants
    ]
    return SharedValues(shared, values, [])


async def roll_back(session: AsyncSession) -> None:
    """Undo a refused consent before the page is shown again."""
    await session.rollback()
