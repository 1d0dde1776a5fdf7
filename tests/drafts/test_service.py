"""Drafts that follow a resident across devices, merged field by field with version checks."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_citizen, create_service
from townsquare.agencies.models import Service
from townsquare.app import Runtime
from townsquare.cases import service as cases
from townsquare.drafts import service as drafts
from townsquare.drafts.schemas import SaveOut
from townsquare.errors import Problem


async def _setup(session: AsyncSession) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    """A citizen, a service and that citizen's draft for it: (citizen_id, service_id, draft_id)."""
    agency = await create_agency(session)
    service = await create_service(session, agency=agency)
    citizen = await create_citizen(session)
    draft = await drafts.start_or_resume(session, citizen_id=citizen.id, service_id=service.id)
    return citizen.id, service.id, draft.id


async def _save(
    session: AsyncSession, citizen_id: uuid.UUID, draft_id: uuid.UUID, base: int, **changes: Any
) -> drafts.SaveResult:
    return await drafts.save(session, draft_id=draft_id, citizen_id=citizen_id, base_version=base, changes=changes)


async def test_another_device_resumes_the_same_draft_with_the_same_answers(runtime: Runtime) -> None:
    async with runtime.db.session() as phone:
        citizen_id, service_id, draft_id = await _setup(phone)
        await drafts.save(
            phone, draft_id=draft_id, citizen_id=citizen_id, base_version=0, changes={"street": "Main St"}, step=2
        )
        await phone.commit()
    async with runtime.db.session() as laptop:
        resumed = await drafts.start_or_resume(laptop, citizen_id=citizen_id, service_id=service_id)
        assert resumed.id == draft_id
        assert resumed.answers == {"street": "Main St"}
        assert (resumed.version, resumed.step) == (1, 2)
        assert [d.id for d in await drafts.recent(laptop, citizen_id=citizen_id)] == [draft_id]


async def test_a_draft_is_only_its_owners(session: AsyncSession) -> None:
    citizen_id, _, draft_id = await _setup(session)
    stranger = await create_citizen(session, name="Someone Else")
    with pytest.raises(Problem) as info:
        await drafts.get(session, draft_id=draft_id, citizen_id=stranger.id)
    assert info.value.status == 404
    with pytest.raises(Problem) as info:
        await _save(session, stranger.id, draft_id, 0, street="Elm St")
    assert info.value.status == 404
    assert (await drafts.get(session, draft_id=draft_id, citizen_id=citizen_id)).answers == {}


async def test_two_devices_editing_different_fields_from_the_same_base_both_land(session: AsyncSession) -> None:
    citizen_id, _, draft_id = await _setup(session)
    await _save(session, citizen_id, draft_id, 0, street="Main St", size="small")
    phone = await _save(session, citizen_id, draft_id, 1, street="Main Street")
    laptop = await _save(session, citizen_id, draft_id, 1, size="large", notes="deep")
    assert (phone.applied, laptop.applied) == (["street"], ["size", "notes"])
    assert laptop.conflicts == []
    draft = await drafts.get(session, draft_id=draft_id, citizen_id=citizen_id)
    assert draft.answers == {"street": "Main Street", "size": "large", "notes": "deep"}
    assert draft.version == 3
    assert draft.field_versions == {"street": 2, "size": 3, "notes": 3}


async def test_the_same_field_changed_to_different_values_is_a_conflict_and_keeps_the_stored_value(
    session: AsyncSession,
) -> None:
    citizen_id, _, draft_id = await _setup(session)
    await _save(session, citizen_id, draft_id, 0, street="Main St")
    await _save(session, citizen_id, draft_id, 1, street="Main Street")
    stale = await _save(session, citizen_id, draft_id, 1, street="Main St.", notes="near the school")
    assert stale.conflicts == [drafts.FieldConflict(field="street", their_value="Main Street", your_value="Main St.")]
    assert stale.applied == ["notes"]  # the rest of the save still lands
    assert stale.draft.answers == {"street": "Main Street", "notes": "near the school"}
    assert stale.draft.version == 3
    out = SaveOut.of(stale).model_dump()
    assert out["conflicts"] == [{"field": "street", "their_value": "Main Street", "your_value": "Main St."}]
    assert out["draft"]["version"] == 3


async def test_the_same_value_from_two_devices_is_not_a_conflict(session: AsyncSession) -> None:
    citizen_id, _, draft_id = await _setup(session)
    await _save(session, citizen_id, draft_id, 0, street="Main St", count=1)
    result = await _save(session, citizen_id, draft_id, 0, street="Main St", count=1)
    assert (result.applied, result.conflicts, result.draft.version) == ([], [], 1)
    # JSON-equal means equal as JSON: true is not 1.
    result = await _save(session, citizen_id, draft_id, 0, count=True)
    assert [c.field for c in result.conflicts] == ["count"]


async def test_resolving_applies_the_chosen_value_unless_the_field_changed_again(session: AsyncSession) -> None:
    citizen_id, _, draft_id = await _setup(session)
    await _save(session, citizen_id, draft_id, 0, street="A")
    await _save(session, citizen_id, draft_id, 1, street="B")
    shown = await _save(session, citizen_id, draft_id, 1, street="C")
    assert [c.field for c in shown.conflicts] == ["street"]
    seen = shown.draft.version  # 2: what the person was looking at when choosing

    # Meanwhile another device changes the field again: the choice made on the older view is still a conflict.
    await _save(session, citizen_id, draft_id, seen, street="D")
    stale = await drafts.resolve(
        session, draft_id=draft_id, citizen_id=citizen_id, field="street", value="C", base_version=seen
    )
    assert stale.conflicts == [drafts.FieldConflict(field="street", their_value="D", your_value="C")]
    assert stale.draft.answers["street"] == "D"

    fresh = await drafts.resolve(
        session, draft_id=draft_id, citizen_id=citizen_id, field="street", value="C", base_version=stale.draft.version
    )
    assert (fresh.applied, fresh.conflicts) == (["street"], [])
    assert fresh.draft.answers["street"] == "C"


async def test_a_submitted_draft_refuses_changes_and_leaves_the_recent_list(session: AsyncSession) -> None:
    citizen_id, service_id, draft_id = await _setup(session)
    service = await session.get_one(Service, service_id)
    case = await cases.open_case(session, prefix="TS", agency_id=service.agency_id, title="Pothole", channel="web")
    await drafts.mark_submitted(session, draft_id=draft_id, citizen_id=citizen_id, case_id=case.id)
    again = await drafts.mark_submitted(session, draft_id=draft_id, citizen_id=citizen_id, case_id=case.id)
    assert again.case_id == case.id
    assert again.submitted_at is not None

    with pytest.raises(Problem) as info:
        await _save(session, citizen_id, draft_id, 0, street="Main St")
    assert info.value.status == 409
    assert "already been sent" in info.value.detail
    with pytest.raises(Problem) as info:
        await drafts.discard(session, draft_id=draft_id, citizen_id=citizen_id)
    assert info.value.status == 409
    assert await drafts.recent(session, citizen_id=citizen_id) == []
    fresh = await drafts.start_or_resume(session, citizen_id=citizen_id, service_id=service_id)
    assert fresh.id != draft_id
    assert fresh.answers == {}


async def test_recent_lists_open_drafts_most_recently_changed_first(session: AsyncSession) -> None:
    citizen_id, _, first_id = await _setup(session)
    agency = await create_agency(session, slug="licensing", name="Licensing")
    other = await create_service(session, agency=agency, code="DOG", name="Dog licence")
    second = await drafts.start_or_resume(session, citizen_id=citizen_id, service_id=other.id)
    assert [d.id for d in await drafts.recent(session, citizen_id=citizen_id)] == [second.id, first_id]
    await _save(session, citizen_id, first_id, 0, street="Main St")
    assert [d.id for d in await drafts.recent(session, citizen_id=citizen_id)] == [first_id, second.id]
    assert [d.id for d in await drafts.recent(session, citizen_id=citizen_id, limit=1)] == [first_id]
    await drafts.discard(session, draft_id=first_id, citizen_id=citizen_id)
    assert [d.id for d in await drafts.recent(session, citizen_id=citizen_id)] == [second.id]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({f"f{i}": "x" for i in range(201)}, "at most 200 fields"),
        ({"notes": "x" * 20_001}, "limited to 20,000 characters"),
        ({"notes": ["ok", {"deep": "x" * 20_001}]}, "limited to 20,000 characters"),
        ({"when": object()}, "not plain text"),
        ({"ratio": float("nan")}, "not plain text"),
        ({"": "x"}, "field name"),
    ],
)
async def test_limits_are_refused_with_a_readable_message(
    session: AsyncSession, changes: dict[str, Any], message: str
) -> None:
    citizen_id, _, draft_id = await _setup(session)
    with pytest.raises(Problem) as info:
        await drafts.save(session, draft_id=draft_id, citizen_id=citizen_id, base_version=0, changes=changes)
    assert info.value.status == 422
    assert message in info.value.detail + " ".join(e.message for e in info.value.errors)
    assert (await drafts.get(session, draft_id=draft_id, citizen_id=citizen_id)).answers == {}


async def test_limits_at_the_edge_are_accepted_and_the_total_is_capped(session: AsyncSession) -> None:
    citizen_id, _, draft_id = await _setup(session)
    full = {f"f{i}": "x" for i in range(199)} | {"notes": "y" * 20_000}
    assert len((await _save(session, citizen_id, draft_id, 0, **full)).applied) == 200
    with pytest.raises(Problem) as info:
        await _save(session, citizen_id, draft_id, 1, extra="one too many")
    assert info.value.status == 422
    with pytest.raises(Problem) as info:
        await _save(session, citizen_id, draft_id, 5, f0="from the future")
    assert info.value.status == 422


@pytest.mark.postgres_only
async def test_two_devices_saving_at_once_both_land(runtime: Runtime) -> None:
    async with runtime.db.session() as setup:
        citizen_id, _, draft_id = await _setup(setup)
        await setup.commit()

    async def device(field: str, value: str) -> drafts.SaveResult:
        async with runtime.db.session() as session:
            result = await _save(session, citizen_id, draft_id, 0, **{field: value})
            await asyncio.sleep(0.05)  # hold the lock while the other device tries to save
            await session.commit()
            return result

    phone, laptop = await asyncio.gather(device("street", "Main St"), device("size", "large"))
    assert phone.conflicts == []
    assert laptop.conflicts == []
    assert sorted([phone.draft.version, laptop.draft.version]) == [1, 2]

    async with runtime.db.session() as check:
        draft = await drafts.get(check, draft_id=draft_id, citizen_id=citizen_id)
        assert draft.answers == {"street": "Main St", "size": "large"}
        assert draft.version == 2


@pytest.mark.postgres_only
async def test_two_devices_starting_at_once_meet_one_draft(runtime: Runtime) -> None:
    async with runtime.db.session() as setup:
        agency = await create_agency(setup)
        service = await create_service(setup, agency=agency)
        citizen = await create_citizen(setup)
        await setup.commit()

    async def device() -> uuid.UUID:
        async with runtime.db.session() as session:
            draft = await drafts.start_or_resume(session, citizen_id=citizen.id, service_id=service.id)
            await asyncio.sleep(0.05)
            await session.commit()
            return draft.id

    first, second = await asyncio.gather(device(), device())
    assert first == second


async def test_open_drafts_say_where_the_person_is_and_how_much_they_answered_never_what(
    session: AsyncSession,
) -> None:
    agency = await create_agency(session)
    other = await create_agency(session, slug="parks", name="Parks")
    located = await create_service(
        session, agency=agency, code="HOLE", name="Hole", open311=True, attributes=[{"code": "size"}]
    )
    plain = await create_service(
        session, agency=other, code="BENCH", name="Bench", attributes=[{"code": "a"}, {"code": "b", "page": 1}]
    )
    person = await create_citizen(session)
    first = await drafts.start_or_resume(session, citizen_id=person.id, service_id=located.id)
    await drafts.save(
        session,
        draft_id=first.id,
        citizen_id=person.id,
        base_version=0,
        changes={"size": "big", "_address": "", "_lat": "45", "_devices": ["x"]},
        step=1,
    )
    await drafts.start_or_resume(session, citizen_id=person.id, service_id=plain.id)
    found = await drafts.open_drafts(session, citizen_id=person.id, agency_ids=None)
    assert {(d.service_name, d.pages, d.step, d.filled) for d in found} == {
        ("Hole", 3, 1, 1),  # a location page, one question page, the details; the point and devices are no answers
        ("Bench", 3, 0, 0),  # two question pages, the details
    }
    mine = await drafts.open_drafts(session, citizen_id=person.id, agency_ids=[agency.id])
    assert [d.id for d in mine] == [first.id]
