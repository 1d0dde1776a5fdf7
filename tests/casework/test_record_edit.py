"""Who may correct a person's record, and what a correction keeps: the agencies the person dealt with decide; every
change is one history row and one audit row by the member of staff, never an opt-out row in the person's name."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_citizen, create_staff, desk_work_item
from townsquare.cases import service as cases
from townsquare.casework import record_edit
from townsquare.citizens.models import CitizenChange, CitizenStatus
from townsquare.errors import Problem
from townsquare.notify import opt_outs
from townsquare.staff.auth import Principal
from townsquare.staff.models import AuditEntry, StaffRole


def _staff(agency_ids: Iterable[uuid.UUID] | None, role: StaffRole = StaffRole.agent) -> Principal:
    scope = None if agency_ids is None else frozenset(agency_ids)
    return Principal("staff", uuid.uuid4(), "Wren", role, scope)


async def test_the_agencies_a_person_dealt_with_decide_who_may_correct_them(session: AsyncSession) -> None:
    roads = await create_agency(session, slug="roads", name="Roads")
    parks = await create_agency(session, slug="parks", name="Parks")
    by_case = await create_citizen(session, name="Ana")
    by_work = await create_citizen(session, name="Ben")
    nobody = await create_citizen(session, name="Cleo")
    await cases.open_case(session, prefix="TS", agency_id=roads.id, title="Hole", channel="web", citizen_id=by_case.id)
    await desk_work_item(session, agency=parks, citizen=by_work, conversation_id=None, holder=None)
    assert await record_edit.dealt_with(session, citizen_id=by_case.id) == {roads.id}
    assert await record_edit.dealt_with(session, citizen_id=by_work.id) == {parks.id}
    roads_agent, admin = _staff({roads.id}), _staff(None, StaffRole.admin)
    assert await record_edit.may_correct(session, me=roads_agent, citizen_id=by_case.id)
    assert not await record_edit.may_correct(session, me=roads_agent, citizen_id=by_work.id)
    assert await record_edit.may_correct(session, me=admin, citizen_id=by_work.id)
    assert await record_edit.may_correct(session, me=roads_agent, citizen_id=nobody.id)  # nobody's yet: any staff
    key = Principal("api_key", uuid.uuid4(), "key", None, None)
    assert not await record_edit.may_correct(session, me=key, citizen_id=nobody.id)
    with pytest.raises(Problem) as refused:
        await record_edit.editable(session, me=roads_agent, citizen_id=by_work.id)
    assert refused.value.status == 403


async def test_a_merged_record_is_corrected_where_it_was_merged_into(session: AsyncSession) -> None:
    gone = await create_citizen(session, name="Old record")
    gone.status = CitizenStatus.merged
    await session.flush()
    with pytest.raises(Problem) as refused:
        await record_edit.change_name(
            session, me=_staff(None), citizen_id=gone.id, names={"display_name": "New"}, reason="typo"
        )
    assert refused.value.status == 409


async def test_every_field_is_checked_before_anything_changes(session: AsyncSession) -> None:
    person = await create_citizen(session, name="Ana", phone="+16135550142")
    with pytest.raises(Problem) as refused:
        await record_edit.change_preferences(
            session,
            me=_staff(None),
            citizen_id=person.id,
            language="de",
            channels=["email"],
            quiet_start="25:00",
            quiet_end="",
            reason="",
        )
    fields = {(e.field, e.message) for e in refused.value.errors}
    assert fields == {
        ("language", "language"),
        ("channels", "not_reachable"),
        ("quiet_start", "time"),
        ("quiet_end", "time"),
        ("reason", "required"),
    }
    assert person.language == "en"
    assert (await session.execute(select(CitizenChange))).first() is None


async def test_notification_choices_changed_by_staff_are_audited_as_theirs_once_per_channel(
    session: AsyncSession,
) -> None:
    person = await create_citizen(session, name="Ana", phone="+16135550142", email="ana@example.org")
    account = await create_staff(session, email="admin@city.example", role=StaffRole.admin)
    me = Principal("staff", account.id, "Wren", StaffRole.admin, None)
    changed = await record_edit.change_notifications(
        session,
        me=me,
        citizen_id=person.id,
        wanted={"sms": ["acknowledgement"], "email": list(opt_outs.TYPES)},
        reason="Only the receipt by text",
    )
    assert changed == 1
    rows = (await session.execute(select(AuditEntry))).scalars().all()
    assert [(r.actor_kind, r.actor_id, r.action, r.detail["field"]) for r in rows] == [
        ("staff", str(me.id), record_edit.CORRECTED, "notifications.sms")
    ]
    change = (await session.execute(select(CitizenChange))).scalar_one()
    assert change.new_value == "acknowledgement"
    assert change.old_value == ",".join(opt_outs.TYPES)
