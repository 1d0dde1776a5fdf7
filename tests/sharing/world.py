"""A small "tell us once" world: three agencies, what two of them hold about one person who proved her email, and
(optionally) the agreements under which the third may read it for a benefit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_citizen, create_staff
from townsquare.agencies.models import Agency
from townsquare.citizens import service as citizens
from townsquare.citizens.kinds import IdentityKind
from townsquare.citizens.models import Citizen, VerificationMethod
from townsquare.clock import utcnow
from townsquare.sharing import agreements
from townsquare.sharing.holdings import put_attribute
from townsquare.sharing.models import Classification, SharingAgreement, ValueType
from townsquare.sharing.records import Identifier, IncomingRecord, put_record
from townsquare.staff.models import StaffAccount, StaffRole

PURPOSE = "benefit-eligibility"
EMAIL = "pat@example.org"
ADDRESS = "12 Elm St\nToronto ON  M5V 1A1"
INCOME = 41200
WHEN = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


@dataclass
class World:
    revenue: Agency
    licensing: Agency
    benefits: Agency
    person: Citizen
    provider_approver: StaffAccount
    consumer_approver: StaffAccount
    agreements: list[SharingAgreement]


async def verified_person(session: AsyncSession, email: str = EMAIL, name: str = "Pat Example") -> Citizen:
    person = await create_citizen(session, name=name)
    await citizens.add_identity(
        session,
        citizen_id=person.id,
        kind=IdentityKind.email,
        value=email,
        region="CA",
        verification_method=VerificationMethod.email_link,
    )
    return person


async def agree(
    session: AsyncSession,
    world: World,
    provider: Agency,
    codes: list[str],
    *,
    purpose: str = PURPOSE,
    consent_required: bool = True,
) -> SharingAgreement:
    """An agreement in force: proposed and approved by one person of each side."""
    row = await agreements.propose(
        session,
        agreements.Terms(
            provider_agency_id=provider.id,
            consumer_agency_id=world.benefits.id,
            attribute_codes=codes,
            purpose=purpose,
            purpose_text="To check eligibility for the low-income transit pass.",
            legal_basis="Transit Fare Assistance By-law, s. 4",
            starts_on=utcnow().date() - timedelta(days=1),
            consent_required=consent_required,
        ),
        proposed_by_id=world.consumer_approver.id,
    )
    await agreements.approve(session, row, staff_id=world.provider_approver.id, for_agency_id=provider.id)
    await agreements.approve(session, row, staff_id=world.consumer_approver.id, for_agency_id=world.benefits.id)
    world.agreements.append(row)
    return row


async def sharing_world(session: AsyncSession, *, with_agreements: bool = True) -> World:
    revenue = await create_agency(session, slug="revenue", name="Revenue")
    licensing = await create_agency(session, slug="licensing", name="Licensing")
    benefits = await create_agency(session, slug="benefits", name="Benefits")
    for agency, code, kind in [
        (revenue, "household_income", ValueType.number),
        (revenue, "mailing_address", ValueType.address),
        (licensing, "home_address", ValueType.address),
        (licensing, "date_of_birth", ValueType.date),
    ]:
        await put_attribute(session, agency_id=agency.id, code=code, name=code.replace("_", " ").capitalize(),
                            value_type=kind, classification=Classification.protected_b)  # fmt: skip
    person = await verified_person(session)
    named = [Identifier(IdentityKind.email, EMAIL)]
    await put_record(session, revenue, IncomingRecord("RT-1", WHEN, named, {"household_income": INCOME,
                     "mailing_address": ADDRESS}), source="tax system", provenance={}, region="CA")  # fmt: skip
    licence = {"home_address": ADDRESS, "date_of_birth": "1980-04-30"}
    await put_record(session, licensing, IncomingRecord("DL-1", WHEN, named, licence), source="licensing system",
                     provenance={}, region="CA")  # fmt: skip
    world = World(
        revenue,
        licensing,
        benefits,
        person,
        await create_staff(
            session, email="rev.sup@city.example", role=StaffRole.supervisor, agencies=[revenue, licensing]
        ),
        await create_staff(session, email="ben.sup@city.example", role=StaffRole.supervisor, agencies=[benefits]),
        [],
    )
    if with_agreements:
        await agree(session, world, revenue, ["household_income"])
        await agree(session, world, licensing, ["home_address"])
    await session.commit()
    return world
