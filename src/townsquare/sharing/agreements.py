"""Data-sharing agreements: proposed by staff of either agency, in force once a supervisor or administrator of each
agency approved it (two different people), between its start and end dates.

A change is a new version under the same reference; when it takes effect the version before it is superseded, so
there is at most one active version of an agreement, and every version stays for the record.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.clock import utcnow
from townsquare.errors import FieldError, conflict, forbidden, invalid, not_found
from townsquare.sharing.holdings import attributes_of
from townsquare.sharing.models import AgreementStatus, SharingAgreement

PURPOSE = r"^[a-z0-9][a-z0-9-]{1,63}$"


@dataclass(frozen=True)
class Terms:
    """What an agreement says; the same for a first version and a change."""

    provider_agency_id: uuid.UUID
    consumer_agency_id: uuid.UUID
    attribute_codes: list[str]
    purpose: str
    purpose_text: str
    legal_basis: str
    starts_on: date
    ends_on: date | None = None
    consent_required: bool = True
    translations: dict[str, Any] | None = None


async def _check(session: AsyncSession, terms: Terms) -> None:
    errors: list[FieldError] = []
    if terms.provider_agency_id == terms.consumer_agency_id:
        errors.append(FieldError("consumer", "an agency needs no agreement to read what it holds itself"))
    held = await attributes_of(session, agency_id=terms.provider_agency_id)
    unknown = sorted(c for c in terms.attribute_codes if c not in held or not held[c].active)
    if not terms.attribute_codes:
        errors.append(FieldError("attributes", "name at least one attribute"))
    if unknown:
        errors.append(FieldError("attributes", f"the provider holds no attribute {', '.join(unknown)}"))
    if not re.fullmatch(PURPOSE, terms.purpose):
        errors.append(FieldError("purpose", "a short code of lower-case letters, digits and dashes"))
    if not terms.purpose_text.strip():
        errors.append(FieldError("purpose_text", "say what the data is used for, as the resident will read it"))
    if not terms.legal_basis.strip():
        errors.append(FieldError("legal_basis", "name the law or by-law that allows the sharing"))
    if terms.ends_on is not None and terms.ends_on < terms.starts_on:
        errors.append(FieldError("ends_on", "must not be before the start date"))
    if errors:
        raise invalid("The agreement is not complete; nothing was saved.", *errors)


async def propose(
    session: AsyncSession, terms: Terms, *, proposed_by_id: uuid.UUID, reference: str | None = None
) -> SharingAgreement:
    """A new agreement (no reference) or a new version of one, waiting for both agencies' approval."""
    await _check(session, terms)
    version = 1
    if reference is None:
        count = (await session.execute(select(func.count(func.distinct(SharingAgreement.reference))))).scalar_one()
        reference = f"DSA-{count + 1:04d}"
    else:
        versions = await history(session, reference=reference)
        if not versions:
            raise not_found("Agreement")
        latest = versions[-1]
        if (latest.provider_agency_id, latest.consumer_agency_id) != (
            terms.provider_agency_id,
            terms.consumer_agency_id,
        ):
            raise invalid("A new version keeps the same two agencies; make a new agreement for others.")
        if any(v.status is AgreementStatus.proposed for v in versions):
            raise conflict(f"{reference} already has a version waiting for approval; approve or withdraw it first.")
        version = latest.version + 1
    row = SharingAgreement(
        reference=reference,
        version=version,
        provider_agency_id=terms.provider_agency_id,
        consumer_agency_id=terms.consumer_agency_id,
        attribute_codes=sorted(set(terms.attribute_codes)),
        purpose=terms.purpose,
        purpose_text=terms.purpose_text.strip(),
        legal_basis=terms.legal_basis.strip(),
        consent_required=terms.consent_required,
        starts_on=terms.starts_on,
        ends_on=terms.ends_on,
        translations=terms.translations or {},
        status=AgreementStatus.proposed,
        proposed_by_id=proposed_by_id,
    )
    session.add(row)
    await session.flush()
    return row


async def history(session: AsyncSession, *, reference: str) -> list[SharingAgreement]:
    """Every version of an agreement, oldest first."""
    rows = await session.execute(
        select(SharingAgreement).where(SharingAgreement.reference == reference).order_by(SharingAgreement.version)
    )
    return list(rows.scalars())


async def get(session: AsyncSession, *, agreement_id: uuid.UUID) -> SharingAgreement:
    row = await session.get(SharingAgreement, agreement_id)
    if row is None:
        raise not_found("Agreement")
    return row


async def approve(
    session: AsyncSession, row: SharingAgreement, *, staff_id: uuid.UUID, for_agency_id: uuid.UUID
) -> SharingAgreement:
    """One agency's approval; the second (by another person) puts the version in force and supersedes the one
    before it. The caller has checked that the approver may speak for `for_agency_id`."""
    if row.status is not AgreementStatus.proposed:
        raise conflict(f"{row.reference} v{row.version} is {row.status.value}; only a proposal can be approved.")
    now = utcnow()
    if for_agency_id == row.provider_agency_id and row.provider_approved_at is None:
        if row.consumer_approved_by_id == staff_id:
            raise forbidden("The two agencies' approvals must come from two different people.")
        row.provider_approved_by_id, row.provider_approved_at = staff_id, now
    elif for_agency_id == row.consumer_agency_id and row.consumer_approved_at is None:
        if row.provider_approved_by_id == staff_id:
            raise forbidden("The two agencies' approvals must come from two different people.")
        row.consumer_approved_by_id, row.consumer_approved_at = staff_id, now
    else:
        raise conflict("That agency has already approved this version, or is not a party to it.")
    if row.provider_approved_at is not None and row.consumer_approved_at is not None:
        for earlier in await history(session, reference=row.reference):
            if earlier.status is AgreementStatus.active:
                earlier.status, earlier.closed_at = AgreementStatus.superseded, now
        row.status = AgreementStatus.active
    await session.flush()
    return row


async def close(session: AsyncSession, row: SharingAgreement, *, staff_id: uuid.UUID) -> SharingAgreement:
    """End an agreement in force, or withdraw a proposal; reads under it stop at once."""
    if row.status is AgreementStatus.active:
        row.status = AgreementStatus.ended
    elif row.status is AgreementStatus.proposed:
        row.status = AgreementStatus.withdrawn
    else:
        raise conflict(f"{row.reference} v{row.version} is already {row.status.value}.")
    row.closed_by_id, row.closed_at = staff_id, utcnow()
    await session.flush()
    return row


def in_force(row: SharingAgreement, on: date) -> bool:
    """Whether the version allows reads on that day."""
    return row.status is AgreementStatus.active and row.starts_on <= on and (row.ends_on is None or on <= row.ends_on)


async def between(
    session: AsyncSession, *, provider_agency_id: uuid.UUID | None = None, consumer_agency_id: uuid.UUID
) -> list[SharingAgreement]:
    """The active versions a consumer agency holds (from one provider, or from all)."""
    query = select(SharingAgreement).where(
        SharingAgreement.consumer_agency_id == consumer_agency_id, SharingAgreement.status == AgreementStatus.active
    )
    if provider_agency_id is not None:
        query = query.where(SharingAgreement.provider_agency_id == provider_agency_id)
    return list((await session.execute(query.order_by(SharingAgreement.reference))).scalars())


async def listing(session: AsyncSession, *, agency_ids: set[uuid.UUID] | None) -> list[SharingAgreement]:
    """Every version a party of which is among the agencies (None: all), newest first."""
    query = select(SharingAgreement)
    if agency_ids is not None:
        query = query.where(
            SharingAgreement.provider_agency_id.in_(agency_ids) | SharingAgreement.consumer_agency_id.in_(agency_ids)
        )
    rows = await session.execute(query.order_by(SharingAgreement.reference.desc(), SharingAgreement.version.desc()))
    return list(rows.scalars())


def label(row: SharingAgreement) -> str:
    """How a consent or a log entry names the version it relied on."""
    return f"{row.reference} v{row.version}"


def stamp(row: SharingAgreement) -> datetime | None:
    """When the version took effect (its second approval)."""
    times = [t for t in (row.provider_approved_at, row.consumer_approved_at) if t is not None]
    return max(times) if len(times) == 2 else None
