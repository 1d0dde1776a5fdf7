"""The use cases of "tell us once" on the portal, without pages: what is offered (only under an agreement in force,
only what is held), the keyed hash that seals a prefilled answer to its draft and question, and the checks."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.sharing.world import INCOME, agree, sharing_world
from tests.web.portal.test_apply_prefill import add_transit_pass, prefill_world
from townsquare.agencies.models import Service
from townsquare.drafts import service as drafts
from townsquare.residents import applications as apps
from townsquare.residents import prefill
from townsquare.sharing import agreements

SECRET = "s" * 32
TZ = "America/Toronto"


async def _service(session: AsyncSession) -> Service:
    row = (await session.execute(select(Service).where(Service.code == "TRANSIT"))).scalar_one()
    return await apps.service_with_form(session, service_id=row.id)


async def test_only_values_under_an_agreement_in_force_are_offered(session: AsyncSession) -> None:
    world, _token = await prefill_world(session)
    service = await _service(session)
    offered = await prefill.offer(session, citizen_id=world.person.id, service=service, tz=TZ)
    assert offered is not None
    assert {(i.code, i.key, i.value) for i in offered.items} == {
        ("household_income", "revenue.household_income", str(INCOME)),
        ("mailing_address", "licensing.home_address", "12 Elm St\nToronto ON M5V 1A1"),
    }  # the date of birth is held too, but no agreement covers it
    for row in world.agreements:
        if row.provider_agency_id == world.licensing.id:
            await agreements.close(session, row, staff_id=world.provider_approver.id)
    offered = await prefill.offer(session, citizen_id=world.person.id, service=service, tz=TZ)
    assert offered is not None
    assert [i.code for i in offered.items] == ["household_income"]


async def test_a_consent_free_agreement_is_offered_too_and_nothing_without_a_purpose(session: AsyncSession) -> None:
    world = await sharing_world(session, with_agreements=False)
    await agree(session, world, world.revenue, ["household_income"], consent_required=False)
    await add_transit_pass(session, world)
    service = await _service(session)
    offered = await prefill.offer(session, citizen_id=world.person.id, service=service, tz=TZ)
    assert offered is not None
    assert [i.code for i in offered.items] == ["household_income"]
    service.sharing_purpose = None
    assert await prefill.offer(session, citizen_id=world.person.id, service=service, tz=TZ) is None


def test_the_answer_hash_seals_draft_question_and_value() -> None:
    one, two = uuid.uuid4(), uuid.uuid4()
    sealed = prefill.answer_hash(SECRET, one, "household_income", "41200")
    assert sealed == prefill.answer_hash(SECRET, one, "household_income", "41200")
    assert sealed != prefill.answer_hash(SECRET, two, "household_income", "41200")
    assert sealed != prefill.answer_hash(SECRET, one, "household_size", "41200")
    assert sealed != prefill.answer_hash(SECRET, one, "household_income", "41201")
    assert sealed != prefill.answer_hash("t" * 32, one, "household_income", "41200")


async def test_check_finds_a_changed_locked_answer_and_keeps_the_provenance_of_the_rest(session: AsyncSession) -> None:
    world, _token = await prefill_world(session)
    service = await _service(session)
    draft = await drafts.start_or_resume(session, citizen_id=world.person.id, service_id=service.id)
    await session.commit()
    shown = await prefill.offer(session, citizen_id=world.person.id, service=service, tz=TZ)
    assert shown is not None
    used = await prefill.accept(session, draft=draft, service=service, tz=TZ, secret=SECRET,
                                shown=shown.digest(SECRET, draft.id))  # fmt: skip
    assert used is not None
    found = await prefill.check(session, draft=used, service=service, tz=TZ, secret=SECRET, max_age_hours=24)
    assert (found.tampered, found.stale) == ([], [])
    assert set(found.provenance) == {"household_income", "mailing_address"}
    used.answers = {**used.answers, "household_income": "1"}
    found = await prefill.check(session, draft=used, service=service, tz=TZ, secret=SECRET, max_age_hours=24)
    assert found.tampered == ["household_income"]
    assert await prefill.accept(session, draft=used, service=service, tz=TZ, secret=SECRET, shown="x") is None
