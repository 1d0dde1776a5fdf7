"""The desk's data-sharing agreements: scoped to the staff member's agencies, a proposal form that names every
gap, approval by a supervisor of each agency (two people; an agent cannot), ending one stops reads, all audited."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_staff
from tests.sharing.world import PURPOSE, World, sharing_world
from tests.support.staff import sign_in_staff
from townsquare.clock import utcnow
from townsquare.errors import Problem
from townsquare.sharing import access, agreements
from townsquare.sharing.models import AgreementStatus, SharingAgreement
from townsquare.staff.models import AuditEntry, StaffRole

KEY = "revenue.household_income"


def _proposal(**changes: Any) -> dict[str, Any]:
    return {
        "provider": "revenue",
        "consumer": "benefits",
        "attributes": ["household_income"],
        "purpose": PURPOSE,
        "purpose_text": "To check eligibility for the low-income transit pass.",
        "purpose_text_fr": "Pour vérifier l'admissibilité au laissez-passer à tarif réduit.",
        "legal_basis": "Transit Fare Assistance By-law, s. 4",
        "starts_on": utcnow().date().isoformat(),
        "ends_on": "",
        "consent_required": "no",
    } | changes


async def _world(session: AsyncSession) -> World:
    world = await sharing_world(session, with_agreements=False)
    await create_staff(session, email="ben.agent@city.example", agencies=[world.benefits])
    await create_staff(session, email="admin@city.example", role=StaffRole.admin)
    parks = await create_agency(session, slug="parks", name="Parks")
    await create_staff(session, email="parks.sup@city.example", role=StaffRole.supervisor, agencies=[parks])
    await session.commit()
    return world


async def _version(session: AsyncSession, reference: str, version: int = 1) -> SharingAgreement:
    await session.commit()
    stmt = (
        select(SharingAgreement)
        .where(SharingAgreement.reference == reference, SharingAgreement.version == version)
        .execution_options(populate_existing=True)
    )
    return (await session.execute(stmt)).scalar_one()


async def _actions(session: AsyncSession) -> list[str]:
    await session.commit()
    rows = await session.execute(
        select(AuditEntry.action).where(AuditEntry.subject_kind == "sharing_agreement").order_by(AuditEntry.id)
    )
    return list(rows.scalars())


async def test_a_proposal_names_every_gap_then_two_supervisors_put_it_in_force_and_ending_it_stops_reads(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await _world(session)
    await sign_in_staff(client, "ben.sup@city.example")
    form = await client.get("/desk/agreements/new", params={"provider": "revenue", "consumer": "benefits"})
    assert form.status_code == 200
    assert 'value="household_income"' in form.text
    assert 'value="mailing_address"' in form.text
    assert "without asking the resident" in form.text  # the warning on "no consent"

    empty = await client.post("/desk/agreements", data={})
    assert empty.status_code == 422
    assert 'role="alert"' in empty.text
    for name in ("provider", "consumer", "attributes", "purpose", "purpose_text", "purpose_text_fr", "legal_basis",
                 "starts_on", "consent_required"):  # fmt: skip
        assert f'href="#field-{name}"' in empty.text, name
    late = await client.post("/desk/agreements", data=_proposal(ends_on="2000-01-01", attributes=["date_of_birth"]))
    assert late.status_code == 422
    assert 'href="#field-ends_on"' in late.text
    assert 'href="#field-attributes"' in late.text
    assert await _actions(session) == []

    made = await client.post("/desk/agreements", data=_proposal())
    assert made.status_code == 303
    assert made.headers["location"] == "/desk/agreements/DSA-0001?notice=proposed"
    page = await client.get("/desk/agreements/DSA-0001")
    assert "Waiting for approval" in page.text
    assert "Approve for Benefits" in page.text
    assert "Approve for Revenue" not in page.text

    await sign_in_staff(client, "ben.agent@city.example")
    assert "DSA-0001" in (await client.get("/desk/agreements")).text  # staff of a party see it
    refused = await client.post("/desk/agreements/DSA-0001/versions/1/approve", data={"for_agency": "benefits"})
    assert refused.status_code == 403  # an agent cannot approve
    assert (await _version(session, "DSA-0001")).consumer_approved_at is None

    await sign_in_staff(client, "ben.sup@city.example")
    other_side = await client.post("/desk/agreements/DSA-0001/versions/1/approve", data={"for_agency": "revenue"})
    assert other_side.status_code == 403  # he does not speak for Revenue
    ok = await client.post("/desk/agreements/DSA-0001/versions/1/approve", data={"for_agency": "benefits"})
    assert ok.status_code == 303
    assert (await _version(session, "DSA-0001")).status is AgreementStatus.proposed

    await sign_in_staff(client, "rev.sup@city.example")
    assert (await client.post("/desk/agreements/DSA-0001/versions/1/approve", data={})).status_code == 303
    row = await _version(session, "DSA-0001")
    assert row.status is AgreementStatus.active
    reader = access.Reader("staff", None, world.benefits.id, "desk", "test")
    grants = await access.read(session, reader=reader, consumer=world.benefits, citizen_id=world.person.id,
                               keys=[KEY], purpose=PURPOSE)  # fmt: skip
    assert [g.held.value for g in grants if g.held] == [41200]
    listed = await client.get("/desk/agreements")
    assert "Revenue → Benefits" in listed.text
    assert "Active" in listed.text

    ended = await client.post("/desk/agreements/DSA-0001/versions/1/close")
    assert ended.status_code == 303
    assert (await _version(session, "DSA-0001")).status is AgreementStatus.ended
    with pytest.raises(Problem) as stopped:
        await access.read(session, reader=reader, consumer=world.benefits, citizen_id=world.person.id, keys=[KEY],
                          purpose=PURPOSE)  # fmt: skip
    assert stopped.value.type_slug == "sharing-no-agreement"
    assert await _actions(session) == [
        "sharing_agreement.proposed",
        "sharing_agreement.approved",
        "sharing_agreement.approved",
        "sharing_agreement.ended",
    ]


async def test_one_person_never_approves_both_sides_and_a_proposal_can_be_withdrawn(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _world(session)
    await sign_in_staff(client, "admin@city.example")
    assert (await client.post("/desk/agreements", data=_proposal())).status_code == 303
    first = await client.post("/desk/agreements/DSA-0001/versions/1/approve", data={"for_agency": "revenue"})
    assert first.status_code == 303
    twice = await client.post("/desk/agreements/DSA-0001/versions/1/approve", data={"for_agency": "benefits"})
    assert twice.status_code == 403
    assert "two different people" in twice.text
    row = await _version(session, "DSA-0001")
    assert row.status is AgreementStatus.proposed
    assert row.consumer_approved_at is None

    await sign_in_staff(client, "ben.sup@city.example")
    assert (await client.post("/desk/agreements/DSA-0001/versions/1/close")).status_code == 303
    assert (await _version(session, "DSA-0001")).status is AgreementStatus.withdrawn
    assert (await _actions(session))[-1] == "sharing_agreement.withdrawn"


async def test_the_list_and_pages_are_scoped_to_the_staff_members_agencies(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await _world(session)
    row = await agreements.propose(
        session,
        agreements.Terms(
            world.revenue.id, world.benefits.id, ["household_income"], PURPOSE, "To check.", "By-law 4", utcnow().date()
        ),
        proposed_by_id=world.consumer_approver.id,
    )
    await session.commit()
    await sign_in_staff(client, "parks.sup@city.example")
    assert "DSA-0001" not in (await client.get("/desk/agreements")).text
    assert (await client.get(f"/desk/agreements/{row.reference}")).status_code == 404
    assert (await client.post(f"/desk/agreements/{row.reference}/versions/1/close")).status_code == 404
    forged = await client.post("/desk/agreements", data=_proposal())  # neither agency is his
    assert forged.status_code == 403

    await sign_in_staff(client, "admin@city.example")
    assert "DSA-0001" in (await client.get("/desk/agreements")).text

    await sign_in_staff(client, "ben.sup@city.example")
    history = await client.get(f"/desk/agreements/{row.reference}")
    assert history.status_code == 200
    assert "<caption" in history.text
    busy = await client.get(f"/desk/agreements/{row.reference}/new-version")  # a version is still waiting
    assert busy.status_code == 200
    again = await client.post(f"/desk/agreements/{row.reference}/versions", data=_proposal())
    assert again.status_code == 409
    assert "waiting for approval" in again.text


async def test_a_new_version_is_filled_in_from_the_latest_and_supersedes_it_once_both_approve(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await sharing_world(session)  # DSA-0001 v1 (Revenue → Benefits) in force
    await sign_in_staff(client, "ben.sup@city.example")
    form = await client.get("/desk/agreements/DSA-0001/new-version")
    assert form.status_code == 200
    assert "To check eligibility for the low-income transit pass." in form.text
    assert 'value="household_income" checked' in form.text
    sent = _proposal(attributes=["household_income", "mailing_address"], consent_required="yes", provider="parks")
    made = await client.post("/desk/agreements/DSA-0001/versions", data=sent)  # the two agencies stay the same
    assert made.status_code == 303
    v2 = await _version(session, "DSA-0001", 2)
    assert (v2.status, v2.attribute_codes) == (AgreementStatus.proposed, ["household_income", "mailing_address"])
    assert (await _version(session, "DSA-0001", 1)).status is AgreementStatus.active  # until v2 is approved

    assert (await client.post("/desk/agreements/DSA-0001/versions/2/approve", data={})).status_code == 303
    await sign_in_staff(client, "rev.sup@city.example")
    assert (await client.post("/desk/agreements/DSA-0001/versions/2/approve", data={})).status_code == 303
    assert (await _version(session, "DSA-0001", 2)).status is AgreementStatus.active
    assert (await _version(session, "DSA-0001", 1)).status is AgreementStatus.superseded
    history = await client.get("/desk/agreements/DSA-0001")
    assert history.text.index('data-agreement="DSA-0001 v2"') < history.text.index('data-agreement="DSA-0001 v1"')
    assert "Superseded" in history.text
