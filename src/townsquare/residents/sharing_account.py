"""The resident's "Data you share": each consent they gave (which agency reads which attributes of theirs from
which agencies, for what, since when, until when), withdrawing one, and its receipt.

Reads only the signed-in resident's own consents: another person's consent answers exactly as one that does not
exist. Withdrawing is audited and takes effect on the next read (`sharing.access` checks consent on every read).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Agency
from townsquare.agencies.wording import translated
from townsquare.clock import utcnow
from townsquare.sharing import agreements as agreements_
from townsquare.sharing import consents
from townsquare.sharing.models import Consent, HeldAttribute, SharingAgreement
from townsquare.staff import service as staff

WITHDRAWN = "citizen.consent_withdrawn"


@dataclass(frozen=True)
class SharedAttribute:
    """One attribute a consent covers: the agency that holds it and its name in the reader's language."""

    key: str  # "provider.code"
    provider: Agency | None
    name: str


@dataclass(frozen=True)
class ConsentView:
    """One consent as the resident reads it."""

    id: uuid.UUID
    reader: Agency
    purpose: str  # the code
    purpose_text: str  # in the resident's language
    attributes: list[SharedAttribute]
    agreements: list[str]
    given_at: datetime
    channel: str
    recorded_by_agent: bool
    expires_at: datetime
    withdrawn_at: datetime | None
    withdrawn_channel: str | None
    state: str  # active, revoked, expired

    @property
    def active(self) -> bool:
        return self.state == "active"


async def _views(session: AsyncSession, rows: list[Consent], language: str) -> list[ConsentView]:
    """Consents with their agencies, attribute names and purpose wording: three queries however many there are."""
    if not rows:
        return []
    keys = {key for row in rows for key in row.attributes}
    slugs = {key.split(".", 1)[0] for key in keys if "." in key}
    readers = {row.consumer_agency_id for row in rows}
    agencies = {
        a.id: a
        for a in (
            await session.execute(select(Agency).where(Agency.id.in_(readers) | Agency.slug.in_(slugs)))
        ).scalars()
    }
    by_slug = {a.slug: a for a in agencies.values()}
    held = (
        await session.execute(
            select(HeldAttribute).where(HeldAttribute.agency_id.in_({a.id for a in by_slug.values()}))
        )
    ).scalars()
    attribute_of = {(a.agency_id, a.code): a for a in held}
    terms = list(
        (
            await session.execute(
                select(SharingAgreement).where(
                    SharingAgreement.consumer_agency_id.in_(readers),
                    SharingAgreement.purpose.in_({row.purpose for row in rows}),
                )
            )
        ).scalars()
    )
    now = utcnow()
    views = []
    for row in rows:
        shared = []
        for key in row.attributes:
            slug, _sep, code = key.partition(".")
            provider = by_slug.get(slug)
            attribute = attribute_of.get((provider.id, code)) if provider is not None else None
            name = key
            if attribute is not None:
                name = translated(attribute.translations, language, "name", attribute.name)
            shared.append(SharedAttribute(key, provider, name))
        fitting = [t for t in terms if t.consumer_agency_id == row.consumer_agency_id and t.purpose == row.purpose]
        named = [t for t in fitting if agreements_.label(t) in row.agreements] or fitting
        texts: list[str] = []
        for t in sorted(named, key=lambda t: (t.reference, t.version)):
            text = translated(t.translations, language, "purpose_text", t.purpose_text)
            if text not in texts:
                texts.append(text)
        views.append(
            ConsentView(
                id=row.id,
                reader=agencies[row.consumer_agency_id],
                purpose=row.purpose,
                purpose_text=" ".join(texts) or row.purpose,
                attributes=shared,
                agreements=list(row.agreements),
                given_at=row.given_at,
                channel=row.channel,
                recorded_by_agent=row.recorded_by_id is not None,
                expires_at=row.expires_at,
                withdrawn_at=row.revoked_at,
                withdrawn_channel=row.revoked_channel,
                state=consents.state(row, now),
            )
        )
    return views


async def consents_of(session: AsyncSession, *, citizen_id: uuid.UUID, language: str) -> list[ConsentView]:
    """Every consent the resident gave, newest first."""
    return await _views(session, await consents.of_person(session, citizen_id=citizen_id), language)


async def consent_of(
    session: AsyncSession, *, citizen_id: uuid.UUID, consent_id: uuid.UUID, language: str
) -> ConsentView:
    """One of the resident's consents (404 for one that is not theirs, as for one that does not exist)."""
    row = await consents.get_own(session, citizen_id=citizen_id, consent_id=consent_id)
    return (await _views(session, [row], language))[0]


async def withdraw(session: AsyncSession, *, citizen_id: uuid.UUID, consent_id: uuid.UUID) -> None:
    """Withdraw one of the resident's consents on the web, audited; the next read under it is refused."""
    row = await consents.revoke(session, citizen_id=citizen_id, consent_id=consent_id, channel="web")
    staff.audit_own_record(
        session,
        citizen_id,
        WITHDRAWN,
        {"consent_id": str(row.id), "agency_id": str(row.consumer_agency_id), "purpose": row.purpose},
    )


async def receipt(
    session: AsyncSession, *, citizen_id: uuid.UUID, consent_id: uuid.UUID, language: str = "en"
) -> dict[str, Any]:
    """The consent receipt (JSON-ready): what the resident agreed to, the purpose in their language."""
    row = await consents.get_own(session, citizen_id=citizen_id, consent_id=consent_id)
    view = (await _views(session, [row], language))[0]
    names = {a.key: f"{a.name} ({a.provider.name})" if a.provider else a.name for a in view.attributes}
    document = consents.receipt(row, consumer=view.reader.name, attribute_names=names, purpose_text=view.purpose_text)
    for line in document["data"]:
        provider = next((a.provider for a in view.attributes if a.key == line["attribute"]), None)
        line["held_by"] = provider.name if provider is not None else None
    return document
