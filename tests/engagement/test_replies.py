"""Replies: from the address the person wrote to, to the identity they wrote from, threaded, within budget."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import count, create_agency, create_citizen, create_service
from townsquare.app import Runtime
from townsquare.cases.models import Case
from townsquare.citizens import service as citizens
from townsquare.citizens.models import IdentityKind
from townsquare.clock import utcnow
from townsquare.engagement import links
from townsquare.engagement.messages import InboundMessage, Sender
from townsquare.engagement.replies import reply
from townsquare.errors import Problem
from townsquare.interactions.models import Channel, Interaction, InteractionKind
from townsquare.notify.push.models import PushSubscription
from townsquare.notify.rendering import Content, sms_encoding
from townsquare.routing.models import WorkItem
from townsquare.settings import Settings


async def _ingest(runtime: Runtime, message: InboundMessage) -> uuid.UUID:
    async with runtime.db.session() as s:
        return uuid.UUID((await runtime.pipeline.ingest(s, message)).conversation_id)


async def test_an_sms_reply_leaves_from_the_number_written_to_for_the_phone_written_from(
    runtime: Runtime, session: AsyncSession
) -> None:
    await create_agency(session, contact=("sms", "+16135550100"))
    citizen = await create_citizen(session, phone="+16135550142")
    await citizens.add_identity(
        session, citizen_id=citizen.id, kind=IdentityKind.phone, value="+16135550199", region="CA"
    )
    await session.commit()
    conversation_id = await _ingest(
        runtime,
        InboundMessage(
            channel=Channel.sms,
            text="Is the pool open?",
            sender=Sender(IdentityKind.phone, "613-555-0199"),
            recipient="+16135550100",
            external_id="SM-from-second-phone",
        ),
    )
    async with runtime.db.session() as s:
        result = await reply(s, conversation_id=conversation_id, content=Content("Yes, until 9 pm."))
        await s.commit()
    assert result.rendered["from"] == "+16135550100"
    await runtime.worker.drain()
    assert [e.recipient for e in runtime.recording.sent] == ["+16135550199"]


async def test_no_sms_reaches_a_number_that_texted_stop_and_nothing_is_written(
    runtime: Runtime, session: AsyncSession
) -> None:
    await create_agency(session)
    citizen = await create_citizen(session, phone="+16135550142", email="maria@example.org")
    identity = await citizens.contact_for(session, citizen_id=citizen.id, kind=IdentityKind.phone)
    assert identity is not None
    identity.opted_out_at = utcnow()
    await session.commit()
    conversation_id = await _ingest(
        runtime,
        InboundMessage(channel=Channel.sms, text="STOP", sender=Sender(IdentityKind.phone, "+16135550142")),
    )
    async with runtime.db.session() as s:
        before = await count(s, Interaction)
        with pytest.raises(Problem, match="texted STOP"):
            await reply(s, conversation_id=conversation_id, content=Content("Your crew is booked"), channel=Channel.sms)
        await s.rollback()
        assert await count(s, Interaction) == before
        # Another channel the person has is still open to the agent.
        result = await reply(s, conversation_id=conversation_id, content=Content("Booked"), channel=Channel.email)
        await s.commit()
    assert result.channel is Channel.email


async def test_an_email_reply_carries_the_threading_headers_and_the_case_reference(
    runtime: Runtime, session: AsyncSession
) -> None:
    agency = await create_agency(session, contact=("email", "roads@city.example"))
    await create_service(session, agency=agency, code="pothole")
    await session.commit()
    conversation_id = await _ingest(
        runtime,
        InboundMessage(
            channel=Channel.email,
            kind=InteractionKind.form_submission,
            service_code="pothole",
            text="A deep one outside number 12.",
            subject="Pothole on Elm Street",
            sender=Sender(IdentityKind.email, "maria@example.org"),
            recipient="roads@city.example",
            external_id="<first@mail.example.org>",
            thread_refs=("<root@mail.example.org>",),
            metadata={"references": ["<root@mail.example.org>"]},
        ),
    )
    async with runtime.db.session() as s:
        case = (await s.execute(select(Case))).scalar_one()
        result = await reply(s, conversation_id=conversation_id, content=Content("A crew is on the way."))
        await s.commit()
    payload = result.rendered
    assert payload["subject"] == f"Re: Pothole on Elm Street [{case.reference}]"
    assert payload["from"] == "roads@city.example"
    assert payload["in_reply_to"] == "<first@mail.example.org>"
    assert payload["references"] == ["<root@mail.example.org>", "<first@mail.example.org>"]


async def test_a_long_sms_is_shortened_with_a_signed_link_to_the_full_text(
    runtime: Runtime, session: AsyncSession, settings: Settings
) -> None:
    await create_agency(session)
    await create_citizen(session, phone="+16135550142")
    await session.commit()
    conversation_id = await _ingest(
        runtime,
        InboundMessage(channel=Channel.sms, text="When is tax due?", sender=Sender(IdentityKind.phone, "+16135550142")),
    )
    answer = "Property tax is due in two instalments, on the last business day of February and of June. " * 8
    async with runtime.db.session() as s:
        result = await reply(
            s, conversation_id=conversation_id, content=Content(answer), options=links.reply_options(settings)
        )
        await s.commit()
    body = result.rendered["body"]
    assert sms_encoding(answer).segments > settings.sms_max_segments
    assert result.rendered["segments"] <= settings.sms_max_segments
    assert result.rendered["encoding"] == "GSM-7"
    link = body.rsplit("\n", 1)[1]
    assert link.startswith(f"{settings.public_url}/m/")
    assert links.message_from_token(settings, link.rsplit("/", 1)[1]) == uuid.UUID(result.interaction_id)
    assert body.startswith("Property tax is due in two instalments")
    async with runtime.db.session() as s:
        stored = await s.get(Interaction, uuid.UUID(result.interaction_id))
        assert stored is not None
        assert stored.payload["full_text"] == answer  # what the link shows


def test_a_message_link_cannot_be_forged_or_altered(settings: Settings) -> None:
    interaction_id = uuid.uuid4()
    token = links.sign_id(settings.secret_key, "message", interaction_id)
    assert links.message_from_token(settings, token) == interaction_id
    other = links.sign_id(settings.secret_key, "message", uuid.uuid4())
    assert links.message_from_token(settings, token.split(".")[0] + "." + other.split(".")[1]) is None
    assert links.message_from_token(settings, links.sign_id("another-secret", "message", interaction_id)) is None
    assert links.message_from_token(settings, "not-a-token") is None
    assert links.read_id(settings.secret_key, "other-purpose", token) is None


async def test_a_contact_the_channel_answers_itself_opens_no_work_until_handed_to_a_person(
    runtime: Runtime, session: AsyncSession
) -> None:
    await create_agency(session, contact=("voice", "+16135550100"))
    await create_citizen(session, phone="+16135550142", phone_verified=True)
    await session.commit()
    call = InboundMessage(
        channel=Channel.voice,
        kind=InteractionKind.call,
        sender=Sender(IdentityKind.phone, "+16135550142"),
        recipient="+16135550100",
        external_id="CA-handoff",
        needs_person=False,
        metadata={"menu_path": ["main", "0:agent"]},
    )
    async with runtime.db.session() as s:
        result = await runtime.pipeline.ingest(s, call)
        assert result.work_item_id is None
        assert await count(s, WorkItem) == 0
        item = await runtime.pipeline.hand_off(
            s, interaction_id=uuid.UUID(result.interaction_id), kind="call", details={"callback_number": "+1613"}
        )
        await s.commit()
        first_id, received = item.id, item.created_at
        again = await runtime.pipeline.hand_off(s, interaction_id=uuid.UUID(result.interaction_id), kind="callback")
        await s.commit()
        assert again.id == first_id
        assert again.created_at == received
        assert again.kind == "callback"
        assert await count(s, WorkItem) == 1
    context = again.context
    assert context["identified_by"] == {"how": "phone", "verified": True, "verification_method": "sms_code"}
    assert context["menu_path"] == ["main", "0:agent"]
    assert context["callback_number"] == "+1613"
    assert again.channel == "voice"


async def test_the_first_staff_reply_answers_the_work_item_for_its_sla(runtime: Runtime, session: AsyncSession) -> None:
    from tests.factories import create_staff

    await create_agency(session, contact=("email", "works@city.example"))
    agent = await create_staff(session)
    await session.commit()
    conversation_id = await _ingest(
        runtime,
        InboundMessage(
            channel=Channel.email,
            text="The bin was not collected.",
            sender=Sender(IdentityKind.email, "pat@example.org"),
            recipient="works@city.example",
            subject="Missed bin",
            external_id="<bin@example.org>",
        ),
    )
    async with runtime.db.session() as s:
        await reply(s, conversation_id=conversation_id, content=Content("Automatic: we got it."))
        await s.commit()
        item = (await s.execute(select(WorkItem).where(WorkItem.conversation_id == conversation_id))).scalar_one()
        assert item.first_answered_at is None  # not a person's answer
        result = await reply(
            s, conversation_id=conversation_id, content=Content("A crew comes Monday."), staff_id=agent.id
        )
        await s.commit()
        await s.refresh(item)
        answered = await s.get(Interaction, uuid.UUID(result.interaction_id))
        assert answered is not None
        assert item.first_answered_at == answered.occurred_at


async def test_a_reply_goes_to_the_contact_chosen_and_never_to_someone_elses(
    runtime: Runtime, session: AsyncSession
) -> None:
    await create_agency(session)
    citizen = await create_citizen(session, phone="+16135550142")
    second = await citizens.add_identity(
        session, citizen_id=citizen.id, kind=IdentityKind.phone, value="+16135550199", region="CA"
    )
    other = await create_citizen(session, name="Ben", phone="+16135550111")
    theirs = await citizens.contact_for(session, citizen_id=other.id, kind=IdentityKind.phone)
    assert theirs is not None
    ids = (second.id, theirs.id)
    await session.commit()
    conversation_id = await _ingest(
        runtime,
        InboundMessage(channel=Channel.sms, text="Hello", sender=Sender(IdentityKind.phone, "+16135550142")),
    )
    async with runtime.db.session() as s:
        with pytest.raises(Problem, match="not one of this person's contacts"):
            await reply(
                s, conversation_id=conversation_id, content=Content("Hi"), channel=Channel.sms, identity_id=ids[1]
            )
        await s.rollback()
        await reply(s, conversation_id=conversation_id, content=Content("Hi"), channel=Channel.sms, identity_id=ids[0])
        await s.commit()
    await runtime.worker.drain()
    assert [e.recipient for e in runtime.recording.sent] == ["+16135550199"]


async def test_a_push_reply_goes_to_every_device_with_notifications_on_and_opens_the_conversation(
    runtime: Runtime, session: AsyncSession
) -> None:
    await create_agency(session)
    citizen = await create_citizen(session, phone="+16135550142")
    citizen.language = "fr"
    await session.commit()
    conversation_id = await _ingest(
        runtime,
        InboundMessage(channel=Channel.sms, text="Bonjour", sender=Sender(IdentityKind.phone, "+16135550142")),
    )
    async with runtime.db.session() as s:
        with pytest.raises(Problem, match="no device with notifications on"):
            await reply(s, conversation_id=conversation_id, content=Content("Salut"), channel=Channel.push)
        await s.rollback()
        devices = [
            PushSubscription(
                citizen_id=citizen.id, endpoint=f"https://push.example/{n}", p256dh="k" * 20, auth="a" * 16
            )
            for n in range(2)
        ]
        s.add_all(devices)
        await s.flush()
        result = await reply(s, conversation_id=conversation_id, content=Content("Salut"), channel=Channel.push)
        await s.commit()
    assert result.rendered["title"] == "Un nouveau message de notre part"
    assert result.rendered["url"] == f"/account/messages/{conversation_id}"
    await runtime.worker.drain()
    (sent,) = runtime.recording.sent
    assert sorted(sent.recipient.split(",")) == sorted(str(d.id) for d in devices)
