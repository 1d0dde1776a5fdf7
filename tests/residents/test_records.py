"""A resident's own view: their cases and conversations, never staff-internal entries, and answering through
the pipeline into the conversation staff see."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import (
    count,
    create_agency,
    create_citizen,
    create_service,
    create_staff,
    desk_citizen_with_history,
)
from townsquare.agencies.models import Agency
from townsquare.app import Runtime
from townsquare.cases import service as cases
from townsquare.cases.models import Case, CaseStatus
from townsquare.casework import cases as casework
from townsquare.casework import desk
from townsquare.citizens.models import Citizen
from townsquare.clock import utcnow
from townsquare.db import keyset
from townsquare.engagement import replies
from townsquare.engagement.messages import InboundMessage
from townsquare.errors import Problem
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel, Conversation, Direction, Interaction, InteractionKind
from townsquare.notify.rendering import Content
from townsquare.residents import records as residents
from townsquare.routing.models import WorkItem
from townsquare.settings import Settings
from townsquare.staff.auth import Principal
from townsquare.staff.models import StaffAccount, StaffRole


def _staff(staff_id: uuid.UUID, agency_id: uuid.UUID) -> Principal:
    return Principal("staff", staff_id, "Wren", StaffRole.agent, frozenset({agency_id}))


async def _case_with_history(
    session: AsyncSession, settings: Settings
) -> tuple[Agency, StaffAccount, Case, Citizen, Conversation]:
    """A pothole case of Maria's with cross-channel history, a staff note, an assignment and a status change."""
    works = await create_agency(session)
    wren = await create_staff(session, email="wren.hale@city.example", agencies=[works])
    case = await cases.open_case(session, prefix="TS", agency_id=works.id, title="Pothole", channel="web")
    citizen, conversation = await desk_citizen_with_history(session, touchpoints=10, case_id=case.id, staff_id=wren.id)
    case.citizen_id = citizen.id
    conversation.case_id = case.id
    me = _staff(wren.id, works.id)
    await desk.add_note(
        session,
        actor=me,
        body="Caller was rude; check the old file",
        conversation_id=conversation.id,
        citizen_id=citizen.id,
        case_id=case.id,
    )
    await desk.assign_case(session, actor=me, case=case, staff_id=wren.id)
    await casework.change_status(
        session, settings=settings, actor=me, case=case, status=CaseStatus.in_progress, note="internal detail"
    )
    await session.flush()
    return works, wren, case, citizen, conversation


async def test_the_case_timeline_shows_every_channel_and_status_changes_but_never_staff_internal_entries(
    session: AsyncSession,
    settings: Settings,
) -> None:
    _works, wren, case, citizen, _conversation = await _case_with_history(session, settings)
    page = await residents.case_timeline(session, citizen_id=citizen.id, case_id=case.id)

    kinds = [(i.direction, i.kind) for i in page.entries]
    assert (Direction.internal, InteractionKind.note) not in kinds
    assert all(i.kind is not InteractionKind.note for i in page.entries)
    assert not any("rude" in i.body or "assigned to" in i.body for i in page.entries)
    status = [i for i in page.entries if i.kind is InteractionKind.status_change]
    assert [s.payload["to"] for s in status] == ["in_progress"]
    assert {i.channel for i in page.entries} >= {Channel.sms, Channel.voice, Channel.email, Channel.chat, Channel.web}
    assert len(page.entries) == 11  # ten touchpoints and the status change; the note and the assignment hidden
    assert page.staff == {wren.id: "Wren.Hale"}  # first word of the display name only
    everything = await interactions.timeline(session, case_id=case.id)
    assert len(everything) == 13  # the staff do see the note and the assignment


async def test_the_case_timeline_pages_without_gaps_or_repeats(session: AsyncSession, settings: Settings) -> None:
    _works, _wren, case, citizen, _conversation = await _case_with_history(session, settings)
    seen: list[uuid.UUID] = []
    cursor = None
    while True:
        page = await residents.case_timeline(session, citizen_id=citizen.id, case_id=case.id, before=cursor, limit=4)
        seen += [i.id for i in page.entries]
        if page.earlier is None:
            break
        cursor = keyset.read_token(keyset.token(page.earlier))
    assert len(seen) == len(set(seen)) == 11
    with pytest.raises(Problem):
        keyset.read_token("not-a-cursor")


async def test_another_persons_case_or_conversation_is_not_found(session: AsyncSession, settings: Settings) -> None:
    _works, _wren, case, citizen, conversation = await _case_with_history(session, settings)
    stranger = await create_citizen(session, name="Sam Stranger", email="sam@example.org")
    assert await residents.case_of(session, citizen_id=stranger.id, reference=case.reference) is None
    assert await residents.case_of(session, citizen_id=citizen.id, reference=case.reference.lower()) is not None
    assert await residents.conversation_of(session, citizen_id=stranger.id, conversation_id=conversation.id) is None
    rows, total = await residents.conversations_of(session, citizen_id=stranger.id)
    assert (rows, total) == ([], 0)
    assert await residents.cases_of(session, citizen_id=stranger.id) == ([], 0)


async def test_cases_come_newest_activity_first_and_conversations_carry_their_latest_message(
    session: AsyncSession,
    settings: Settings,
) -> None:
    works, _wren, old_case, citizen, conversation = await _case_with_history(session, settings)
    await create_service(session, agency=works, code="TREE", name="Fallen tree")
    newer = await cases.open_case(session, prefix="TS", agency_id=works.id, title="Tree", channel="web")
    newer.citizen_id = citizen.id
    newer.updated_at = utcnow() - timedelta(days=40)  # opened long ago, quiet since
    await session.flush()
    rows, total = await residents.cases_of(session, citizen_id=citizen.id)
    assert total == 2
    assert [r.case.reference for r in rows] == [old_case.reference, newer.reference]

    found, total = await residents.conversations_of(session, citizen_id=citizen.id)
    assert total == 1
    row = found[0]
    assert row.conversation.id == conversation.id
    assert row.case is not None
    assert row.case.id == old_case.id
    assert row.last is not None
    assert row.last.body == "touchpoint 9"
    assert set(row.channels) == {Channel.sms, Channel.voice, Channel.email, Channel.chat, Channel.web}

    view = await residents.conversation_of(session, citizen_id=citizen.id, conversation_id=conversation.id, limit=4)
    assert view is not None
    assert [m.body for m in view.messages] == [f"touchpoint {n}" for n in (6, 7, 8, 9)]  # oldest first on a page
    assert view.agency is not None
    assert view.agency.name == "City Works"
    assert view.earlier is not None


async def test_an_answer_lands_in_the_same_conversation_once_and_opens_work(
    runtime: Runtime, session: AsyncSession, settings: Settings
) -> None:
    async with runtime.db.session() as s:
        await create_agency(s)
        citizen, conversation = await desk_citizen_with_history(s, touchpoints=3)
        await s.commit()
        citizen_id, conversation_id = citizen.id, conversation.id
    client_id = str(uuid.uuid4())
    for _ in range(2):  # a double submit
        async with runtime.db.session() as s:
            result = await residents.answer(
                s,
                pipeline=runtime.pipeline,
                citizen_id=citizen_id,
                conversation_id=conversation_id,
                text="  Any news on this?  ",
                client_id=client_id,
            )
        assert result.conversation_id == str(conversation_id)
    assert result.duplicate is True
    mine = (await session.execute(select(Interaction).where(Interaction.body == "Any news on this?"))).scalars().all()
    assert len(mine) == 1
    assert mine[0].conversation_id == conversation_id
    assert mine[0].channel is Channel.web
    assert mine[0].direction is Direction.inbound
    assert await count(session, WorkItem, WorkItem.conversation_id == conversation_id) == 1
    item = (await session.execute(select(WorkItem).where(WorkItem.conversation_id == conversation_id))).scalar_one()
    assert item.citizen_id == citizen_id
    assert item.channel == "web"

    async with runtime.db.session() as s:
        with pytest.raises(Problem) as empty:
            await residents.answer(
                s,
                pipeline=runtime.pipeline,
                citizen_id=citizen_id,
                conversation_id=conversation_id,
                text="   ",
                client_id=str(uuid.uuid4()),
            )
    assert empty.value.status == 422


async def test_the_pipeline_refuses_a_named_conversation_that_is_someone_elses(
    runtime: Runtime, session: AsyncSession, settings: Settings
) -> None:
    async with runtime.db.session() as s:
        await create_agency(s)
        _maria, conversation = await desk_citizen_with_history(s, touchpoints=1)
        sam = await create_citizen(s, name="Sam Stranger", email="sam@example.org")
        await s.commit()
        conversation_id, sam_id = conversation.id, sam.id
    before = await count(session, Interaction)
    async with runtime.db.session() as s:
        with pytest.raises(Problem) as refused:
            await runtime.pipeline.ingest(
                s,
                InboundMessage(
                    channel=Channel.web, text="let me in", citizen_id=sam_id, conversation_id=conversation_id
                ),
            )
    assert refused.value.status == 404
    await session.rollback()
    assert await count(session, Interaction) == before
    async with runtime.db.session() as s:
        with pytest.raises(Problem):
            await runtime.pipeline.ingest(
                s, InboundMessage(channel=Channel.web, text="hello", citizen_id=sam_id, conversation_id=uuid.uuid4())
            )


async def test_a_staff_reply_on_any_channel_shows_in_the_residents_conversation(
    runtime: Runtime, session: AsyncSession, settings: Settings
) -> None:
    async with runtime.db.session() as s:
        works = await create_agency(s)
        wren = await create_staff(s, email="wren@city.example", agencies=[works])
        citizen, conversation = await desk_citizen_with_history(s, touchpoints=2)
        await replies.reply(
            s,
            conversation_id=conversation.id,
            content=Content(text="We fixed it today."),
            channel=Channel.sms,
            staff_id=wren.id,
        )
        await s.commit()
        citizen_id, conversation_id, wren_id = citizen.id, conversation.id, wren.id
    view = await residents.conversation_of(session, citizen_id=citizen_id, conversation_id=conversation_id)
    assert view is not None
    last = view.messages[-1]
    assert last.direction is Direction.outbound
    assert last.channel is Channel.sms
    assert "We fixed it today." in residents.full_text(last)
    assert view.staff == {wren_id: "Wren"}
