"""No agreement, no read: the one decision every path takes before another agency's value about a person is shown
(portal prefill, the desk, the Person API, the channel assistants), and the access-log row it writes either way.

For each attribute asked for ("provider.code"), in order: the provider must hold it (else 422); an agreement in
force from that provider to the reading agency must exist (no agreement), name the attribute (attribute outside
the agreement) and the purpose asked (purpose does not match); unless the agreement marks the purpose consent-free
by law, the person's consent to that agency, purpose and attribute must be in force (none, expired, revoked).
One refusal refuses the whole read: nothing is revealed, and the refusal is written to the access log and
committed before the 403 is raised.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Agency
from townsquare.clock import utcnow
from townsquare.errors import FieldError, Problem, invalid
from townsquare.sharing import agreements as agreements_
from townsquare.sharing import consents as consents_
from townsquare.sharing.holdings import HeldValue, held_values
from townsquare.sharing.models import HeldAttribute, SharingAgreement
from townsquare.staff import service as staff

READ = "person_data.read"
REFUSED = "person_data.refused"
REASONS = {
    "no-agreement": "{consumer} has no data-sharing agreement in force with {provider}.",
    "attribute-outside": "{attribute} is not among the attributes {provider} agreed to share with {consumer}.",
    "purpose-mismatch": "{provider} shares {attribute} with {consumer} for other purposes than '{purpose}'.",
    "consent-needed": "The person has not consented to {consumer} reading {attribute} for '{purpose}'.",
    "consent-expired": "The person's consent to {consumer} reading {attribute} for '{purpose}' has expired.",
    "consent-revoked": "The person withdrew their consent to {consumer} reading {attribute} for '{purpose}'.",
}


@dataclass(frozen=True)
class Reader:
    """Who reads and for which agency: staff, an agency's system (API key), or the portal for the person."""

    kind: str  # staff, api_key, citizen
    id: str | None
    agency_id: uuid.UUID  # the consumer agency
    channel: str  # web, desk, voice, api …
    via: str  # the route or use (the access log's `purpose` column)


@dataclass(frozen=True)
class Grant:
    """One attribute the reader may see, under what, and its value (None when the provider holds none)."""

    key: str  # "provider.code"
    attribute: HeldAttribute
    agreement: SharingAgreement
    consent_id: uuid.UUID | None
    held: HeldValue | None


@dataclass(frozen=True)
class Denial:
    key: str
    reason: str
    message: str


async def resolve_keys(
    session: AsyncSession, keys: list[str]
) -> tuple[dict[str, tuple[Agency, HeldAttribute]], list[str]]:
    """The provider and attribute each "provider.code" names, and the keys that name nothing."""
    found: dict[str, tuple[Agency, HeldAttribute]] = {}
    wanted = {tuple(k.split(".", 1)) for k in keys if k.count(".") == 1}
    if wanted:
        rows = await session.execute(
            select(Agency, HeldAttribute)
            .join(HeldAttribute, HeldAttribute.agency_id == Agency.id)
            .where(Agency.slug.in_({p for p, _ in wanted}), HeldAttribute.active.is_(True))
        )
        for agency, attribute in rows:
            if (agency.slug, attribute.code) in wanted:
                found[f"{agency.slug}.{attribute.code}"] = (agency, attribute)
    return found, [k for k in keys if k not in found]


async def decide(
    session: AsyncSession,
    *,
    consumer: Agency,
    citizen_id: uuid.UUID,
    keys: list[str],
    purpose: str,
    at: datetime | None = None,
) -> tuple[list[tuple[str, Agency, HeldAttribute, SharingAgreement, uuid.UUID | None]], list[Denial]]:
    """For each attribute, the agreement (and consent) that allows the read, or why it is refused."""
    now = at or utcnow()
    named, unknown = await resolve_keys(session, keys)
    if unknown:
        raise invalid(
            "Some attributes are not held by any agency; name them as agency.code.",
            *(FieldError("attributes", f"unknown attribute '{k}'") for k in unknown),
        )
    in_force = [a for a in await agreements_.between(session, consumer_agency_id=consumer.id)
                if agreements_.in_force(a, now.date())]  # fmt: skip
    given = await consents_.of_person(session, citizen_id=citizen_id, consumer_agency_id=consumer.id)
    allowed: list[tuple[str, Agency, HeldAttribute, SharingAgreement, uuid.UUID | None]] = []
    denials: list[Denial] = []
    for key in keys:
        provider, attribute = named[key]
        words = {"consumer": consumer.slug, "provider": provider.slug, "attribute": key, "purpose": purpose}
        from_provider = [a for a in in_force if a.provider_agency_id == provider.id]
        covering = [a for a in from_provider if attribute.code in a.attribute_codes]
        fitting = [a for a in covering if a.purpose == purpose]
        reason = None
        if not from_provider:
            reason = "no-agreement"
        elif not covering:
            reason = "attribute-outside"
        elif not fitting:
            reason = "purpose-mismatch"
        if reason is not None:
            denials.append(Denial(key, reason, REASONS[reason].format(**words)))
            continue
        free = [a for a in fitting if not a.consent_required]
        if free:
            allowed.append((key, provider, attribute, free[0], None))
            continue
        mine = [c for c in given if c.purpose == purpose and key in c.attributes]
        states = {consents_.state(c, now): c for c in reversed(mine)}  # the newest of each state wins
        if "active" in states:
            allowed.append((key, provider, attribute, fitting[0], states["active"].id))
            continue
        reason = "consent-revoked" if "revoked" in states else "consent-expired" if "expired" in states else None
        reason = reason or "consent-needed"
        denials.append(Denial(key, reason, REASONS[reason].format(**words)))
    return allowed, denials


def refusal(denials: list[Denial]) -> Problem:
    """The 403 a refused read answers with: every reason, no value."""
    first = denials[0]
    return Problem(
        403,
        "Not allowed to read this data",
        " ".join(d.message for d in denials),
        f"sharing-{first.reason}",
        [FieldError(d.key, d.reason) for d in denials],
        {"refused": [{"attribute": d.key, "reason": d.reason} for d in denials]},
    )


def _log(
    session: AsyncSession, reader: Reader, citizen_id: uuid.UUID, action: str, purpose: str, detail: dict[str, Any]
) -> None:
    staff.audit(
        session,
        actor_kind=reader.kind,
        actor_id=reader.id,
        action=action,
        subject_kind="citizen",
        subject_id=str(citizen_id),
        citizen_id=citizen_id,
        agency_id=reader.agency_id,
        detail={"purpose": purpose, "channel": reader.channel, **detail},
        purpose=reader.via,
        actor_agency_ids=[str(reader.agency_id)],
    )


async def read(
    session: AsyncSession,
    *,
    reader: Reader,
    consumer: Agency,
    citizen_id: uuid.UUID,
    keys: list[str],
    purpose: str,
) -> list[Grant]:
    """The values the reader may see, each with its provenance, the read written to the access log and committed
    before anything is shown. A refusal is logged and committed, then raised as a 403: nothing is revealed."""
    allowed, denials = await decide(session, consumer=consumer, citizen_id=citizen_id, keys=keys, purpose=purpose)
    if denials:
        _log(
            session,
            reader,
            citizen_id,
            REFUSED,
            purpose,
            {"attributes": sorted(keys), "refused": {d.key: d.reason for d in denials}},
        )
        await session.commit()
        raise refusal(denials)
    values = await held_values(session, citizen_id=citizen_id, attribute_ids={a.id for _, _, a, _, _ in allowed})
    grants = [Grant(key, attribute, agreement, consent, values.get(attribute.id))
              for key, _, attribute, agreement, consent in allowed]  # fmt: skip
    _log(
        session,
        reader,
        citizen_id,
        READ,
        purpose,
        {
            "attributes": sorted(keys),
            "agreements": sorted({agreements_.label(g.agreement) for g in grants}),
            "consents": sorted({str(g.consent_id) for g in grants if g.consent_id is not None}),
            "providers": sorted({g.key.split(".", 1)[0] for g in grants}),
        },
    )
    await session.commit()
    return grants
