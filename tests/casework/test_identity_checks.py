"""An identity check on the desk is noted on the timeline once, and counts as asking again only when the person
was already verified on that contact."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_citizen, create_staff, desk_work_item
from tests.support.staff import sign_in_staff
from townsquare.analytics import touches
from townsquare.analytics.models import Touch
from townsquare.clock import utcnow
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel, Direction, Interaction, InteractionKind


async def _call(session: AsyncSession, *, verified: bool) -> tuple[str, str]:
    works = await create_agency(session)
    ida = await create_staff(session, email="ida@city.example", agencies=[works])
    citizen = await create_citizen(session, phone="+14165550101", phone_verified=verified)
    conversation = await interactions.start_conversation(session, citizen_id=citizen.id, channel=Channel.voice)
    call = await interactions.record(
        session, conversation=conversation, channel=Channel.voice, direction=Direction.inbound,
        kind=InteractionKind.call, body="",
    )  # fmt: skip
    touches.contact(session, citizen_id=citizen.id, channel="voice", kind="call", occurred_at=utcnow(),
                    interaction_id=call.id, conversation_id=conversation.id)  # fmt: skip
    identified = {"how": "phone", "verified": verified, "verification_method": "sms_code" if verified else None}
    item = await desk_work_item(
        session, agency=works, citizen=citizen, conversation_id=conversation.id, holder=ida, channel="voice",
        context={"identified_by": identified, "first_interaction_id": str(call.id)},
    )  # fmt: skip
    await session.commit()
    return str(item.id), ida.email


async def test_checking_a_verified_caller_again_is_counted_once(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    item_id, email = await _call(session, verified=True)
    await sign_in_staff(client, email)
    page = await client.get(f"/desk/work/{item_id}")
    assert "no need to ask who they are" in page.text
    assert "I checked their identity" in page.text
    for _ in range(2):
        answer = await client.post(f"/desk/work/{item_id}/identity-checked")
        assert answer.status_code == 303
    session.expire_all()
    assert (await session.execute(select(Touch.asked_again))).scalar_one() == 1
    notes = (await session.execute(select(Interaction.body).where(Interaction.kind == InteractionKind.note))).all()
    assert [n for (n,) in notes] == ["Identity checked with the person (they were already verified)"]
    page = await client.get(f"/desk/work/{item_id}")
    assert "counts as asking again" in page.text
    assert "I checked their identity" not in page.text


async def test_checking_a_caller_nobody_verified_is_not_asking_again(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    item_id, email = await _call(session, verified=False)
    await sign_in_staff(client, email)
    assert (await client.post(f"/desk/work/{item_id}/identity-checked")).status_code == 303
    session.expire_all()
    assert (await session.execute(select(Touch.asked_again))).scalar_one() == 0
    page = await client.get(f"/desk/work/{item_id}")
    assert 'id="identity-checked"' in page.text
    assert "counts as asking again" not in page.text
