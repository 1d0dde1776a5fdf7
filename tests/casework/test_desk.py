"""The desk's orchestration: the 360 view (scoped to the agent's agencies), reply channels, placeholders, notes."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_citizen, create_staff, desk_citizen_with_history
from townsquare.cases import service as cases
from townsquare.casework import desk
from townsquare.citizens.models import Citizen
from townsquare.errors import Problem
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel, Direction, Interaction, InteractionKind
from townsquare.staff.auth import Principal
from townsquare.staff.models import AuditEntry, StaffRole


def _principal(staff_id: uuid.UUID, agency_ids: Iterable[uuid.UUID]) -> Principal:
    return Principal("staff", staff_id, "Wren", StaffRole.agent, frozenset(agency_ids))


async def test_the_360_view_hides_other_agencies_cases_and_their_touchpoints(session: AsyncSession) -> None:
    works = await create_agency(session)
    licensing = await create_agency(session, slug="licensing", name="Licensing")
    theirs = await cases.open_case(session, prefix="TS", agency_id=licensing.id, title="Dog licence", channel="web")
    ours = await cases.open_case(session, prefix="TS", agency_id=works.id, title="Pothole", channel="web")
    citizen, _ = await desk_citizen_with_history(session, touchpoints=4, case_id=ours.id)
    theirs.citizen_id = ours.citizen_id = citizen.id
    hidden = await interactions.start_conversation(
        session, citizen_id=citizen.id, channel=Channel.web, case_id=theirs.id
    )
    await interactions.record(
        session,
        conversation=hidden,
        channel=Channel.web,
        direction=Direction.inbound,
        kind=InteractionKind.form_submission,
        body="about my dog",
    )
    await session.flush()

    view = await desk.citizen_360(session, citizen_id=citizen.id, agency_ids={works.id})
    assert [c.reference for c in view.cases] == [ours.reference]
    assert "about my dog" not in [i.body for i in view.timeline]
    assert [i.body for i in view.timeline] == [f"touchpoint {n}" for n in (3, 2, 1, 0)]
    assert [len(i.attachments) for i in view.timeline] == [0, 0, 0, 1]
    everything = await desk.citizen_360(session, citizen_id=citizen.id, agency_ids=None)
    assert "about my dog" in [i.body for i in everything.timeline]
    with pytest.raises(Problem):
        await desk.citizen_360(session, citizen_id=works.id, agency_ids=None)


async def test_pages_of_the_timeline_follow_each_other_without_gaps(session: AsyncSession) -> None:
    await create_agency(session)
    citizen, _ = await desk_citizen_with_history(session, touchpoints=7)
    first = await desk.citizen_360(session, citizen_id=citizen.id, agency_ids=None, limit=3)
    assert first.earlier is not None
    second = await desk.citizen_360(session, citizen_id=citizen.id, agency_ids=None, limit=3, before=first.earlier)
    third = await desk.citizen_360(session, citizen_id=citizen.id, agency_ids=None, limit=3, before=second.earlier)
    bodies = [i.body for page in (first, second, third) for i in page.timeline]
    assert bodies == [f"touchpoint {n}" for n in range(6, -1, -1)]
    assert third.earlier is None


async def test_reply_channels_come_from_identities_and_the_conversation(session: AsyncSession) -> None:
    citizen = await create_citizen(session, phone="+16135550142")
    chat = await interactions.start_conversation(session, citizen_id=citizen.id, channel=Channel.chat)
    loaded = (await session.execute(select(Citizen).where(Citizen.id == citizen.id))).scalar_one()
    await session.refresh(loaded, ["identities"])
    assert desk.reply_channels(loaded, chat) == [Channel.chat, Channel.sms, Channel.voice]
    assert desk.reply_channels(loaded, None) == [Channel.sms, Channel.voice]


async def test_placeholders_are_filled_and_readable_when_unknown(session: AsyncSession) -> None:
    citizen = await create_citizen(session, name="Maria Lopez")
    text = "Hi {first_name}, about {case_reference}."
    assert desk.fill_placeholders(text, citizen=citizen, case_reference="TS-2026-000001") == (
        "Hi Maria, about TS-2026-000001."
    )
    assert desk.fill_placeholders(text, citizen=None, case_reference=None) == "Hi there, about your case."


async def test_a_note_is_internal_and_audited(session: AsyncSession) -> None:
    agency = await create_agency(session)
    wren = await create_staff(session, email="wren@city.example", agencies=[agency])
    citizen = await create_citizen(session)
    me = _principal(wren.id, {agency.id})
    note = await desk.add_note(session, actor=me, body=" Spoke to depot ", conversation_id=None, citizen_id=citizen.id)
    assert (note.direction, note.kind, note.body, note.staff_id) == (
        Direction.internal,
        InteractionKind.note,
        "Spoke to depot",
        wren.id,
    )
    assert (await session.execute(select(AuditEntry.action))).scalars().all() == ["interaction.note"]
    with pytest.raises(Problem, match="needs some text"):
        await desk.add_note(session, actor=me, body="  ", conversation_id=None, citizen_id=citizen.id)
    assert len((await session.execute(select(Interaction))).scalars().all()) == 1
