"""Data-sharing agreements on the desk: the list and history a staff member's agencies are party to, and what a
supervisor or administrator of a party does with them — propose (a new agreement or a new version), approve for
their agency, end one in force or withdraw a proposal.

Every change is audited here (subject `sharing_agreement`); the route commits once. Another agency's agreement
answers as an unknown one. An approver speaks only for an agency they supervise (an administrator for any), and
never for both sides (`sharing.agreements.approve` refuses the same person twice).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import service as agencies
from townsquare.agencies.models import Agency
from townsquare.casework import desk
from townsquare.clock import utcnow
from townsquare.errors import FieldError, forbidden, invalid, not_found
from townsquare.sharing import agreements
from townsquare.sharing.holdings import attributes_of
from townsquare.sharing.models import AgreementStatus, HeldAttribute, SharingAgreement
from townsquare.staff.auth import Principal
from townsquare.staff.models import SUPERVISING

SUBJECT = "sharing_agreement"
MANAGERS = SUPERVISING


@dataclass(frozen=True)
class AgreementRow:
    """One version as the desk lists it, with what this staff member may do with it."""

    agreement: SharingAgreement
    label: str
    provider: Agency
    consumer: Agency
    attribute_names: list[str]
    in_force: bool
    names: dict[uuid.UUID, str]
    may_approve_for: list[Agency]
    may_close: bool

    def who(self, staff_id: uuid.UUID | None) -> str | None:
        return None if staff_id is None else self.names.get(staff_id, "a staff member")


@dataclass(frozen=True)
class AgreementPage:
    """Every version of one agreement, newest first, and whether a new version may be proposed."""

    reference: str
    versions: list[AgreementRow]
    may_propose: bool


@dataclass
class ProposalSent:
    """The proposal form as sent: every field as text, checked by `propose`."""

    provider: str = ""
    consumer: str = ""
    attributes: list[str] = field(default_factory=list)
    purpose: str = ""
    purpose_text: str = ""
    purpose_text_fr: str = ""
    legal_basis: str = ""
    starts_on: str = ""
    ends_on: str = ""
    consent_required: str = ""


@dataclass(frozen=True)
class ProposalForm:
    """What the proposal form offers: the agencies, the chosen provider's attributes, and what was sent."""

    agencies: list[Agency]
    provider: Agency | None
    consumer: Agency | None
    attributes: list[HeldAttribute]
    sent: ProposalSent
    reference: str | None


def speaks_for(me: Principal, agency_id: uuid.UUID) -> bool:
    """Whether this staff member may propose, approve or end for the agency: a supervisor of it, or an admin."""
    return me.kind == "staff" and me.role in MANAGERS and me.may_see(agency_id)


def _party(me: Principal, row: SharingAgreement) -> bool:
    return me.may_see(row.provider_agency_id) or me.may_see(row.consumer_agency_id)


async def _rows(session: AsyncSession, me: Principal, versions: list[SharingAgreement]) -> list[AgreementRow]:
    ids = {v.provider_agency_id for v in versions} | {v.consumer_agency_id for v in versions}
    by_id = await agencies.agencies_by_id(session, ids=ids)
    people = {
        p
        for v in versions
        for p in (v.proposed_by_id, v.provider_approved_by_id, v.consumer_approved_by_id, v.closed_by_id)
        if p is not None
    }
    names = await desk.staff_names(session, ids=people)
    held: dict[uuid.UUID, dict[str, HeldAttribute]] = {}
    for provider_id in {v.provider_agency_id for v in versions}:
        held[provider_id] = await attributes_of(session, agency_id=provider_id)
    today = utcnow().date()
    rows = []
    for v in versions:
        waiting = [(v.provider_agency_id, v.provider_approved_at), (v.consumer_agency_id, v.consumer_approved_at)]
        approvable = [by_id[a] for a, at in waiting if at is None and speaks_for(me, a)]
        named = held.get(v.provider_agency_id, {})
        rows.append(
            AgreementRow(
                agreement=v,
                label=agreements.label(v),
                provider=by_id[v.provider_agency_id],
                consumer=by_id[v.consumer_agency_id],
                attribute_names=[named[c].name if c in named else c for c in v.attribute_codes],
                in_force=agreements.in_force(v, today),
                names=names,
                may_approve_for=approvable if v.status is AgreementStatus.proposed else [],
                may_close=v.status in (AgreementStatus.proposed, AgreementStatus.active)
                and (speaks_for(me, v.provider_agency_id) or speaks_for(me, v.consumer_agency_id)),
            )
        )
    return rows


async def list_agreements(session: AsyncSession, *, me: Principal) -> list[AgreementRow]:
    """Every version of every agreement one of the staff member's agencies is party to (admins: all)."""
    return await _rows(session, me, await agreements.listing(session, agency_ids=me.visible()))


async def versions_in_scope(session: AsyncSession, me: Principal, reference: str) -> list[SharingAgreement]:
    """Every version of the agreement, oldest first, if one of the staff member's agencies is party to it."""
    versions = await agreements.history(session, reference=reference[:32])
    if not versions or not _party(me, versions[-1]):
        raise not_found("Agreement", "No data-sharing agreement of your agencies has that reference.")
    return versions


async def managed_versions(session: AsyncSession, me: Principal, reference: str) -> list[SharingAgreement]:
    """The versions, if a supervisor or administrator of one of its two agencies is asking (403 for others)."""
    versions = await versions_in_scope(session, me, reference)
    latest = versions[-1]
    if not (speaks_for(me, latest.provider_agency_id) or speaks_for(me, latest.consumer_agency_id)):
        raise forbidden("Only a supervisor or administrator of one of the two agencies may change an agreement.")
    return versions


async def agreement_page(session: AsyncSession, *, me: Principal, reference: str) -> AgreementPage:
    """One agreement's every version, newest first."""
    versions = await versions_in_scope(session, me, reference)
    latest = versions[-1]
    rows = await _rows(session, me, list(reversed(versions)))
    may = (speaks_for(me, latest.provider_agency_id) or speaks_for(me, latest.consumer_agency_id)) and not any(
        v.status is AgreementStatus.proposed for v in versions
    )
    return AgreementPage(reference=latest.reference, versions=rows, may_propose=may)


async def proposal_form(
    session: AsyncSession, *, me: Principal, sent: ProposalSent, reference: str | None = None
) -> ProposalForm:
    """The form: every agency to choose from and, once a provider is chosen, the attributes it holds."""
    everyone = await agencies.list_agencies(session)
    by_slug = {a.slug: a for a in everyone}
    if reference is not None:
        latest = (await managed_versions(session, me, reference))[-1]
        by_id = {a.id: a for a in everyone}
        sent.provider = by_id[latest.provider_agency_id].slug
        sent.consumer = by_id[latest.consumer_agency_id].slug
    provider, consumer = by_slug.get(sent.provider), by_slug.get(sent.consumer)
    held = {} if provider is None else await attributes_of(session, agency_id=provider.id)
    offered = sorted((a for a in held.values() if a.active), key=lambda a: a.name)
    return ProposalForm(everyone, provider, consumer, offered, sent, reference)


def proposal_from(row: SharingAgreement, provider: Agency, consumer: Agency) -> ProposalSent:
    """A new version's form, filled in with the terms of the latest one."""
    french = (row.translations or {}).get("fr", {})
    return ProposalSent(
        provider=provider.slug,
        consumer=consumer.slug,
        attributes=list(row.attribute_codes),
        purpose=row.purpose,
        purpose_text=row.purpose_text,
        purpose_text_fr=str(french.get("purpose_text", "")),
        legal_basis=row.legal_basis,
        starts_on=utcnow().date().isoformat(),
        ends_on=row.ends_on.isoformat() if row.ends_on else "",
        consent_required="yes" if row.consent_required else "no",
    )


async def new_version_form(session: AsyncSession, *, me: Principal, reference: str) -> ProposalForm:
    """The form for a new version of an agreement, filled in with its latest terms."""
    latest = (await managed_versions(session, me, reference))[-1]
    by_id = await agencies.agencies_by_id(session, ids={latest.provider_agency_id, latest.consumer_agency_id})
    sent = proposal_from(latest, by_id[latest.provider_agency_id], by_id[latest.consumer_agency_id])
    return await proposal_form(session, me=me, sent=sent, reference=reference)


def _date(raw: str, name: str, errors: list[FieldError], *, required: bool) -> date | None:
    if not raw.strip():
        if required:
            errors.append(FieldError(name, "give the date the agreement starts"))
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        errors.append(FieldError(name, "a date like 2026-12-01"))
        return None


async def _terms(session: AsyncSession, me: Principal, sent: ProposalSent) -> agreements.Terms:
    """The terms the form says, or every problem with it at once (422)."""
    errors: list[FieldError] = []
    everyone = {a.slug: a for a in await agencies.list_agencies(session)}
    provider, consumer = everyone.get(sent.provider), everyone.get(sent.consumer)
    if provider is None:
        errors.append(FieldError("provider", "choose the agency that holds the data"))
    if consumer is None:
        errors.append(FieldError("consumer", "choose the agency that will read it"))
    if provider is not None and consumer is not None and provider.id == consumer.id:
        errors.append(FieldError("consumer", "an agency needs no agreement to read what it holds itself"))
    held = {} if provider is None else await attributes_of(session, agency_id=provider.id)
    if not sent.attributes:
        errors.append(FieldError("attributes", "choose at least one attribute the provider shares"))
    elif provider is not None and any(c not in held or not held[c].active for c in sent.attributes):
        errors.append(FieldError("attributes", f"choose only attributes {provider.name} holds"))
    _check_words(sent, errors)
    starts = _date(sent.starts_on, "starts_on", errors, required=True)
    ends = _date(sent.ends_on, "ends_on", errors, required=False)
    if starts and ends and ends < starts:
        errors.append(FieldError("ends_on", "must not be before the start date"))
    if errors or provider is None or consumer is None or starts is None:
        raise invalid("The agreement is not complete; nothing was saved.", *errors)
    if not (speaks_for(me, provider.id) or speaks_for(me, consumer.id)):
        raise forbidden("Only a supervisor or administrator of one of the two agencies may propose an agreement.")
    return agreements.Terms(
        provider_agency_id=provider.id,
        consumer_agency_id=consumer.id,
        attribute_codes=sent.attributes,
        purpose=sent.purpose.strip(),
        purpose_text=sent.purpose_text,
        legal_basis=sent.legal_basis,
        starts_on=starts,
        ends_on=ends,
        consent_required=sent.consent_required == "yes",
        translations={"fr": {"purpose_text": sent.purpose_text_fr.strip()}},
    )


def _check_words(sent: ProposalSent, errors: list[FieldError]) -> None:
    if not re.fullmatch(agreements.PURPOSE, sent.purpose.strip()):
        errors.append(FieldError("purpose", "a short code of lower-case letters, digits and dashes"))
    if not sent.purpose_text.strip():
        errors.append(FieldError("purpose_text", "say what the data is used for, as the resident will read it"))
    if not sent.purpose_text_fr.strip():
        errors.append(FieldError("purpose_text_fr", "say it in French too, for French-speaking residents"))
    if not sent.legal_basis.strip():
        errors.append(FieldError("legal_basis", "name the law or by-law that allows the sharing"))
    if sent.consent_required not in ("yes", "no"):
        errors.append(FieldError("consent_required", "say whether the resident's consent is required"))


async def propose(
    session: AsyncSession, *, me: Principal, sent: ProposalSent, reference: str | None = None
) -> SharingAgreement:
    """Propose a new agreement, or a new version of `reference`; audited."""
    if reference is not None:
        latest = (await managed_versions(session, me, reference))[-1]
        by_id = await agencies.agencies_by_id(session, ids={latest.provider_agency_id, latest.consumer_agency_id})
        sent.provider = by_id[latest.provider_agency_id].slug
        sent.consumer = by_id[latest.consumer_agency_id].slug
    terms = await _terms(session, me, sent)
    row = await agreements.propose(session, terms, proposed_by_id=me.id, reference=reference)
    _audit(me, session, row, "sharing_agreement.proposed")
    return row


def _version(versions: list[SharingAgreement], number: int) -> SharingAgreement:
    for v in versions:
        if v.version == number:
            return v
    raise not_found("Agreement version")


async def approve(
    session: AsyncSession, *, me: Principal, reference: str, version: int, for_agency: str
) -> SharingAgreement:
    """Approve one version for one of its agencies that this staff member speaks for; audited."""
    row = _version(await managed_versions(session, me, reference), version)
    sides = {row.provider_agency_id, row.consumer_agency_id}
    by_id = await agencies.agencies_by_id(session, ids=sides)
    chosen = [a for a in by_id.values() if a.slug == for_agency]
    if not for_agency:
        waiting = [
            a
            for a, at in (
                (row.provider_agency_id, row.provider_approved_at),
                (row.consumer_agency_id, row.consumer_approved_at),
            )
            if at is None
        ]
        chosen = [by_id[a] for a in waiting if speaks_for(me, a)]
        if len(chosen) != 1:
            raise invalid("Say which agency you approve for.", FieldError("for_agency", "choose an agency"))
    if not chosen:
        raise invalid("That agency is not a party to the agreement.", FieldError("for_agency", "not a party"))
    agency = chosen[0]
    if not speaks_for(me, agency.id):
        raise forbidden(f"Only a supervisor or administrator of {agency.name} may approve for it.")
    await agreements.approve(session, row, staff_id=me.id, for_agency_id=agency.id)
    _audit(me, session, row, "sharing_agreement.approved", {"for_agency": agency.slug})
    return row


async def close(session: AsyncSession, *, me: Principal, reference: str, version: int) -> SharingAgreement:
    """End a version in force, or withdraw a proposal; reads under it stop at once. Audited."""
    row = _version(await managed_versions(session, me, reference), version)
    await agreements.close(session, row, staff_id=me.id)
    action = "sharing_agreement.ended" if row.status is AgreementStatus.ended else "sharing_agreement.withdrawn"
    _audit(me, session, row, action)
    return row


def _audit(
    me: Principal, session: AsyncSession, row: SharingAgreement, action: str, extra: dict[str, str] | None = None
) -> None:
    me.audit(
        session,
        action=action,
        subject_kind=SUBJECT,
        subject_id=str(row.id),
        agency_id=row.consumer_agency_id,
        detail={"agreement": agreements.label(row), "status": row.status.value, **(extra or {})},
    )


async def roll_back(session: AsyncSession) -> None:
    """Undo a refused change before the form is shown again."""
    await session.rollback()
