"""No agreement, no read: each refusal says why, reveals nothing and is logged (and committed); a read under an
agreement and a consent is logged with both; revoking a consent takes effect on the next read."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.sharing.world import INCOME, PURPOSE, World, agree, sharing_world
from townsquare.app import Runtime
from townsquare.clock import utcnow
from townsquare.errors import Problem
from townsquare.sharing import access, agreements, consents
from townsquare.sharing.models import Consent
from townsquare.staff.models import AuditEntry

INCOME_KEY = "revenue.household_income"
ADDRESS_KEY = "licensing.home_address"


def _reader(world: World) -> access.Reader:
    return access.Reader("staff", str(world.consumer_approver.id), world.benefits.id, "desk", "test")


async def _consent(session: AsyncSession, world: World, keys: list[str], *, purpose: str = PURPOSE) -> Consent:
    return await consents.give(
        session,
        citizen_id=world.person.id,
        consumer_agency_id=world.benefits.id,
        purpose=purpose,
        attributes=keys,
        agreements=[agreements.label(a) for a in world.agreements],
        channel="web",
    )


async def _read(session: AsyncSession, world: World, keys: list[str], purpose: str = PURPOSE) -> list[access.Grant]:
    return await access.read(
        session, reader=_reader(world), consumer=world.benefits, citizen_id=world.person.id, keys=keys, purpose=purpose
    )


async def _refused(
    runtime: Runtime, session: AsyncSession, world: World, keys: list[str], purpose: str = PURPOSE
) -> str:
    with pytest.raises(Problem) as refused:
        await _read(session, world, keys, purpose)
    assert refused.value.status == 403
    assert "41200" not in str(refused.value.detail)
    assert "Elm" not in str(refused.value.detail)
    async with runtime.db.session() as other:  # the refusal was committed: another session sees it
        logged = (
            (
                await other.execute(
                    select(AuditEntry)
                    .where(AuditEntry.action == access.REFUSED)
                    .order_by(AuditEntry.occurred_at.desc())
                )
            )
            .scalars()
            .first()
        )
    assert logged is not None
    assert (logged.citizen_id, logged.agency_id) == (world.person.id, world.benefits.id)
    return refused.value.type_slug.removeprefix("sharing-")


async def test_with_an_agreement_and_consent_the_value_is_read_and_logged(session: AsyncSession) -> None:
    world = await sharing_world(session)
    given = await _consent(session, world, [INCOME_KEY, ADDRESS_KEY])
    grants = await _read(session, world, [INCOME_KEY, ADDRESS_KEY])
    income = next(g for g in grants if g.key == INCOME_KEY)
    assert income.held is not None
    assert income.held.value == INCOME
    assert {g.consent_id for g in grants} == {given.id}
    await session.commit()
    row = (await session.execute(select(AuditEntry).where(AuditEntry.action == access.READ))).scalar_one()
    assert row.citizen_id == world.person.id
    assert row.detail["agreements"] == sorted(agreements.label(a) for a in world.agreements)
    assert row.detail["consents"] == [str(given.id)]
    assert row.detail["purpose"] == PURPOSE


async def test_no_agreement_refuses(runtime: Runtime, session: AsyncSession) -> None:
    world = await sharing_world(session, with_agreements=False)
    await _consent(session, world, [INCOME_KEY])
    assert await _refused(runtime, session, world, [INCOME_KEY]) == "no-agreement"


async def test_an_attribute_outside_the_agreement_refuses_the_whole_read(
    runtime: Runtime, session: AsyncSession
) -> None:
    world = await sharing_world(session)
    await _consent(session, world, [INCOME_KEY, "revenue.mailing_address"])
    assert await _refused(runtime, session, world, [INCOME_KEY, "revenue.mailing_address"]) == "attribute-outside"


async def test_another_purpose_refuses(runtime: Runtime, session: AsyncSession) -> None:
    world = await sharing_world(session)
    await _consent(session, world, [INCOME_KEY], purpose="marketing")
    assert await _refused(runtime, session, world, [INCOME_KEY], "marketing") == "purpose-mismatch"


async def test_without_consent_refuses(runtime: Runtime, session: AsyncSession) -> None:
    world = await sharing_world(session)
    assert await _refused(runtime, session, world, [INCOME_KEY]) == "consent-needed"


async def test_a_consent_to_other_attributes_does_not_cover_this_one(runtime: Runtime, session: AsyncSession) -> None:
    world = await sharing_world(session)
    await _consent(session, world, [ADDRESS_KEY])
    assert await _refused(runtime, session, world, [INCOME_KEY]) == "consent-needed"


async def test_an_expired_consent_refuses(runtime: Runtime, session: AsyncSession) -> None:
    world = await sharing_world(session)
    given = await _consent(session, world, [INCOME_KEY])
    given.expires_at = utcnow() - timedelta(minutes=1)
    assert await _refused(runtime, session, world, [INCOME_KEY]) == "consent-expired"


async def test_revoking_takes_effect_on_the_next_read(runtime: Runtime, session: AsyncSession) -> None:
    world = await sharing_world(session)
    given = await _consent(session, world, [INCOME_KEY])
    assert await _read(session, world, [INCOME_KEY])
    await consents.revoke(session, citizen_id=world.person.id, consent_id=given.id, channel="web")
    assert await _refused(runtime, session, world, [INCOME_KEY]) == "consent-revoked"


async def test_only_the_person_may_revoke_their_consent(session: AsyncSession) -> None:
    world = await sharing_world(session)
    given = await _consent(session, world, [INCOME_KEY])
    with pytest.raises(Problem) as refused:
        await consents.revoke(session, citizen_id=world.benefits.id, consent_id=given.id, channel="web")
    assert refused.value.status == 404


async def test_an_ended_agreement_stops_reads_at_once(runtime: Runtime, session: AsyncSession) -> None:
    world = await sharing_world(session)
    await _consent(session, world, [INCOME_KEY])
    await agreements.close(session, world.agreements[0], staff_id=world.provider_approver.id)
    assert await _refused(runtime, session, world, [INCOME_KEY]) == "no-agreement"


async def test_a_consent_free_purpose_reads_without_consent_and_is_still_logged(session: AsyncSession) -> None:
    world = await sharing_world(session, with_agreements=False)
    await agree(session, world, world.revenue, ["household_income"], purpose="fraud-check", consent_required=False)
    grants = await _read(session, world, [INCOME_KEY], "fraud-check")
    assert grants[0].consent_id is None
    await session.commit()
    row = (await session.execute(select(AuditEntry).where(AuditEntry.action == access.READ))).scalar_one()
    assert row.detail["consents"] == []


async def test_an_unknown_attribute_is_invalid(session: AsyncSession) -> None:
    world = await sharing_world(session)
    with pytest.raises(Problem) as refused:
        await _read(session, world, ["revenue.shoe_size", "income"])
    assert refused.value.status == 422
