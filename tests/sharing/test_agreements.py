"""Agreements: complete before they are saved, in force only once both agencies approved (two different people),
versioned under one reference with one version in force."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.sharing.world import PURPOSE, sharing_world
from townsquare.clock import utcnow
from townsquare.errors import Problem
from townsquare.sharing import agreements
from townsquare.sharing.models import AgreementStatus


def _terms(
    provider_id: uuid.UUID, consumer_id: uuid.UUID, codes: tuple[str, ...] = ("household_income",), **changes: Any
) -> agreements.Terms:
    fields: dict[str, Any] = {
        "provider_agency_id": provider_id,
        "consumer_agency_id": consumer_id,
        "attribute_codes": list(codes),
        "purpose": PURPOSE,
        "purpose_text": "To check eligibility.",
        "legal_basis": "By-law 4",
        "starts_on": utcnow().date(),
    } | changes
    return agreements.Terms(**fields)


async def test_an_incomplete_agreement_names_every_gap(session: AsyncSession) -> None:
    world = await sharing_world(session, with_agreements=False)
    terms = _terms(world.revenue.id, world.revenue.id, ("shoe_size",), purpose="Not A Code", legal_basis=" ",
                   ends_on=utcnow().date() - timedelta(days=1))  # fmt: skip
    with pytest.raises(Problem) as refused:
        await agreements.propose(session, terms, proposed_by_id=world.consumer_approver.id)
    assert {e.field for e in refused.value.errors} == {"consumer", "attributes", "purpose", "legal_basis", "ends_on"}


async def test_both_agencies_approve_and_two_people_are_needed(session: AsyncSession) -> None:
    world = await sharing_world(session, with_agreements=False)
    row = await agreements.propose(session, _terms(world.revenue.id, world.benefits.id),
                                   proposed_by_id=world.consumer_approver.id)  # fmt: skip
    await agreements.approve(session, row, staff_id=world.provider_approver.id, for_agency_id=world.revenue.id)
    assert row.status == AgreementStatus.proposed
    with pytest.raises(Problem) as same_person:
        await agreements.approve(session, row, staff_id=world.provider_approver.id, for_agency_id=world.benefits.id)
    assert same_person.value.status == 403
    with pytest.raises(Problem) as twice:
        await agreements.approve(session, row, staff_id=world.consumer_approver.id, for_agency_id=world.revenue.id)
    assert twice.value.status == 409
    await agreements.approve(session, row, staff_id=world.consumer_approver.id, for_agency_id=world.benefits.id)
    assert (await agreements.get(session, agreement_id=row.id)).status is AgreementStatus.active
    assert agreements.in_force(row, utcnow().date())


async def test_a_new_version_supersedes_the_one_in_force_when_approved(session: AsyncSession) -> None:
    world = await sharing_world(session)
    first = world.agreements[0]
    second = await agreements.propose(
        session,
        _terms(world.revenue.id, world.benefits.id, ("household_income", "mailing_address")),
        proposed_by_id=world.consumer_approver.id,
        reference=first.reference,
    )
    assert (second.reference, second.version) == (first.reference, 2)
    assert first.status is AgreementStatus.active  # still in force until the change is approved
    with pytest.raises(Problem):  # one proposal at a time
        await agreements.propose(session, _terms(world.revenue.id, world.benefits.id),
                                 proposed_by_id=world.consumer_approver.id, reference=first.reference)  # fmt: skip
    await agreements.approve(session, second, staff_id=world.provider_approver.id, for_agency_id=world.revenue.id)
    await agreements.approve(session, second, staff_id=world.consumer_approver.id, for_agency_id=world.benefits.id)
    assert (first.status, second.status) == (AgreementStatus.superseded, AgreementStatus.active)
    assert [v.version for v in await agreements.history(session, reference=first.reference)] == [1, 2]


async def test_an_agreement_outside_its_dates_is_not_in_force(session: AsyncSession) -> None:
    world = await sharing_world(session)
    row = world.agreements[0]
    today = utcnow().date()
    assert agreements.in_force(row, today)
    row.ends_on = today - timedelta(days=1)
    assert not agreements.in_force(row, today)
    row.ends_on, row.starts_on = None, today + timedelta(days=1)
    assert not agreements.in_force(row, today)
