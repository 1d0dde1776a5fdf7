"""What arrives while two people are merged goes, on undo, with the person whose handle it came from; a claimed
device's provisional record is the same kind of merge, and can be undone too."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_citizen, create_service
from tests.support.people import Shared, person, shared, snapshot
from townsquare.app import Runtime
from townsquare.cases import service as cases
from townsquare.citizens.models import Citizen, CitizenStatus, Identity, IdentityKind
from townsquare.engagement import claims, merges, record_intake
from townsquare.engagement.messages import InboundMessage, Sender
from townsquare.interactions.models import Channel, Conversation, ConversationStatus, Interaction
from townsquare.matching.models import SourceRecord
from townsquare.routing.models import WorkItem

SURVIVOR_PHONE, MERGED_PHONE = "+16135550111", "+16135550122"


@pytest.fixture
async def where(session: AsyncSession) -> Shared:
    agency = await create_agency(session, slug="city-works", contact=("sms", "+16135550100"))
    service = await create_service(session, agency=agency)
    return await shared(session, agency=agency, service=service)


async def text_in(runtime: Runtime, session: AsyncSession, phone: str, text: str) -> Interaction:
    """An SMS through the real pipeline; returns the interaction it recorded."""
    message = InboundMessage(
        channel=Channel.sms,
        text=text,
        sender=Sender(IdentityKind.phone, phone),
        external_id=f"SM{uuid.uuid4().hex}",
        recipient="+16135550100",
    )
    outcome = await runtime.pipeline.handle(session, message)
    return await session.get_one(Interaction, uuid.UUID(str(outcome.interaction_id)))


async def owner(session: AsyncSession, model: Any, row_id: uuid.UUID) -> uuid.UUID:
    return (await session.execute(select(model.citizen_id).where(model.id == row_id))).scalar_one()  # type: ignore[no-any-return]


async def test_work_between_merge_and_undo_goes_with_the_handle_it_came_from(
    runtime: Runtime, session: AsyncSession, where: Shared
) -> None:
    survivor, _ = await person(
        session, where, name="Maria Lopez", phone=SURVIVOR_PHONE, email="maria@example.org", tag="s", number=100001
    )
    merged, _ = await person(
        session, where, name="M. Lopez", phone=MERGED_PHONE, email="ml@example.org", tag="m", number=100002
    )
    survivor_id, merged_id = survivor.id, merged.id
    before = await snapshot(session, survivor_id, merged_id)
    record = await merges.merge(
        session,
        survivor_id=survivor_id,
        merged_id=merged_id,
        actor_kind="staff",
        actor_id="agent-1",
        reason="Same person",
        source="staff",
    )

    from_merged = await text_in(runtime, session, MERGED_PHONE, "The bin was not collected")
    alone = from_merged.conversation_id
    assert await owner(session, Conversation, alone) == survivor_id  # while merged, it is the survivor's
    session.add(
        Interaction(
            conversation_id=alone,
            citizen_id=survivor_id,
            channel=Channel.sms,
            direction="outbound",
            kind="message",
            body="We will send someone",
        )
    )
    conversation = await session.get_one(Conversation, alone)
    conversation.status = ConversationStatus.closed  # the agent closed it
    await session.flush()
    from_survivor = await text_in(runtime, session, SURVIVOR_PHONE, "Streetlight out on Bank St")
    shared_thread = from_survivor.conversation_id
    assert shared_thread != alone
    into_theirs = await text_in(runtime, session, MERGED_PHONE, "Also the one on Elgin")
    assert into_theirs.conversation_id == shared_thread  # the survivor's open conversation, on any channel
    staff_case = await cases.open_case(
        session, prefix="CW", agency_id=where.agency.id, title="Walk-in", channel="counter", citizen_id=survivor_id
    )
    # The register sends a new version of the merged person's record, and another system a record of the survivor.
    update = await record_intake.take_in(
        session,
        runtime.settings,
        source="register",
        source_key="reg-m",
        raw={"given_name": "M.", "family_name": "Lopez"},
    )
    assert update.citizen_id == survivor_id  # while merged, the survivor's
    other = await record_intake.take_in(
        session, runtime.settings, source="library", source_key="L-1", raw={"given_name": "Zed"}, citizen_id=survivor_id
    )
    items = {
        w.conversation_id: w.id
        for w in (await session.execute(select(WorkItem).where(WorkItem.conversation_id.in_([alone, shared_thread]))))
        .scalars()
        .all()
    }

    undone = await merges.unmerge(session, merge_id=record.id, actor_kind="staff", actor_id="agent-1", reason="Two")

    assert await owner(session, Interaction, from_merged.id) == merged_id
    assert await owner(session, Conversation, alone) == merged_id
    replies = select(Interaction.citizen_id).where(Interaction.conversation_id == alone)
    assert set((await session.execute(replies)).scalars()) == {merged_id}  # the reply follows its conversation
    assert await owner(session, WorkItem, items[alone]) == merged_id
    assert await owner(session, Interaction, from_survivor.id) == survivor_id
    assert await owner(session, Conversation, shared_thread) == survivor_id  # inbound from both: no single handle
    assert await owner(session, WorkItem, items[shared_thread]) == survivor_id
    assert await owner(session, Interaction, into_theirs.id) == merged_id  # by its handle, whatever the thread
    assert await owner(session, type(staff_case), staff_case.id) == survivor_id  # no handle: stays
    assert await owner(session, SourceRecord, update.record.id) == merged_id  # a later version of their record
    assert await owner(session, SourceRecord, other.record.id) == survivor_id
    assert {g["table"] for g in undone.detail["undo"]["attributed"]} >= {"interactions", "conversations", "work_items"}

    after = await snapshot(session, survivor_id, merged_id)
    phones = {
        i.id
        for i in (await session.execute(select(Identity).where(Identity.kind == IdentityKind.phone))).scalars().all()
    }
    for key, row in before.items():
        now = after[key]
        if key[0] == "identities" and key[1][0] in phones:  # a text just came from it
            now, row = _without(now, "last_seen_at", "updated_at"), _without(row, "last_seen_at", "updated_at")
        assert now == row, key


def _without(row: dict[str, Any], *columns: str) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in columns}


async def test_a_claimed_devices_record_is_folded_by_a_merge_that_can_be_undone(
    runtime: Runtime, session: AsyncSession
) -> None:
    await create_agency(session, slug="city-works", contact=("sms", "+16135550100"))
    holder = await create_citizen(session, name="Maria Lopez", phone=SURVIVOR_PHONE, phone_verified=True)
    chat = InboundMessage(channel=Channel.chat, text="hi", sender=Sender(IdentityKind.device, "dev-1"))
    outcome = await runtime.pipeline.handle(session, chat)
    device = (await session.execute(select(Identity).where(Identity.value == "dev-1"))).scalar_one()
    own = await session.get_one(Citizen, device.citizen_id)
    own_id, holder_id = own.id, holder.id
    assert own.status is CitizenStatus.provisional
    before = await snapshot(session, own_id, holder_id)

    result = await claims.claim(session, device=device, kind=IdentityKind.phone, value=SURVIVOR_PHONE)

    assert result.citizen_id == holder_id
    assert result.merged_from == own_id
    assert result.moved_conversations == [uuid.UUID(str(outcome.conversation_id))]
    assert device.citizen_id == holder_id  # the loaded identity knows where it went
    [record] = await merges.history(session, citizen_id=own_id)
    assert (record.source, record.actor_kind, record.actor_id) == ("verification", "citizen", str(holder_id))
    await merges.unmerge(session, merge_id=record.id, actor_kind="staff", actor_id="agent-1", reason="Wrong phone")
    after = await snapshot(session, own_id, holder_id)
    assert {k: v for k, v in after.items() if k[0] != "citizen_merges"} == before
    assert (await session.get_one(Citizen, own_id)).status is CitizenStatus.provisional
