"""Opt-outs per channel and message type: a person who turned a type off on a channel hears about it on their
next channel; what they asked for themselves is never turned off; an email's link names exactly one type."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import func, select

from tests.factories import create_staff
from tests.notify.notify_world import make_world, status_change
from townsquare.cases.models import Case, CaseStatus
from townsquare.casework import cases as casework
from townsquare.errors import Problem
from townsquare.notify import opt_outs
from townsquare.notify.models import MessageType, Notification, NotificationOptOut
from townsquare.notify.notifications import Request
from townsquare.settings import Settings
from townsquare.staff.auth import Principal
from townsquare.staff.models import AuditEntry, StaffRole


async def test_a_type_turned_off_on_push_goes_to_the_next_channel_and_other_types_still_use_push(
    settings: Settings,
) -> None:
    world = await make_world(settings, push=True, phone=True, email=False, postal=False, prefs=["push", "sms"])
    async with world.rt.db.session() as s:
        changed = await opt_outs.stop(
            s,
            citizen_id=world.citizen_id,
            channel="push",
            message_types=[MessageType.status_change],
            source="portal",
        )
        await s.commit()
    assert changed == 1
    await status_change(world)
    async with world.rt.db.session() as s:
        await world.notifier.send(
            s, Request(citizen_id=world.citizen_id, message_type=MessageType.acknowledgement, case_id=world.case_id)
        )
        await s.commit()
    await world.deliver()
    sent = [(e.channel, e.payload.get("type")) for e in world.rt.recording.sent]
    assert sorted(sent) == [("push", "acknowledgement"), ("sms", "status_change")]


async def test_a_type_off_everywhere_is_refused_by_name_and_a_case_change_still_happens(settings: Settings) -> None:
    world = await make_world(settings, push=False, phone=True, email=True, postal=False, prefs=[])
    async with world.rt.db.session() as s:
        for channel in ("sms", "email"):
            await opt_outs.stop(
                s,
                citizen_id=world.citizen_id,
                channel=channel,
                message_types=[MessageType.status_change],
                source="portal",
            )
        await s.commit()
    with pytest.raises(Problem) as refused:
        await status_change(world)
    assert refused.value.status == 422
    assert "status_change" in refused.value.detail

    async with world.rt.db.session() as s:  # through the desk: the case moves, nobody is told, nothing is queued
        case = await s.get_one(Case, world.case_id)
        admin = await create_staff(s, role=StaffRole.admin)
        me = Principal("staff", admin.id, "Admin", StaffRole.admin, None)
        await casework.change_status(
            s, settings=settings, actor=me, case=case, status=CaseStatus.resolved, note="Done."
        )
        await s.commit()
    async with world.rt.db.session() as s:
        assert (await s.get_one(Case, world.case_id)).status is CaseStatus.resolved
        told = (
            select(func.count())
            .select_from(Notification)
            .where(Notification.message_type != MessageType.satisfaction_survey)
        )
        assert await s.scalar(told) == 0  # (the satisfaction survey a resolved case brings is another type)


async def test_what_a_person_asked_for_cannot_be_turned_off(settings: Settings) -> None:
    world = await make_world(settings, push=False, phone=True, email=True, postal=False, prefs=[])
    async with world.rt.db.session() as s:
        changed = await opt_outs.stop(
            s,
            citizen_id=world.citizen_id,
            channel="email",
            message_types=[MessageType.sign_in, MessageType.verification],
            source="portal",
        )
        assert changed == 0
        assert await opt_outs.channels_off(s, world.citizen_id, MessageType.sign_in) == set()
        assert await s.scalar(select(func.count()).select_from(NotificationOptOut)) == 0


async def test_choices_keep_exactly_the_wanted_types_per_channel_and_are_audited(settings: Settings) -> None:
    world = await make_world(settings, push=False, phone=True, email=True, postal=False, prefs=[])
    keep = {MessageType.acknowledgement, MessageType.status_change}
    async with world.rt.db.session() as s:
        await opt_outs.choose(s, citizen_id=world.citizen_id, wanted={"sms": keep}, source="portal")
        await s.commit()
        off = await opt_outs.of(s, world.citizen_id)
        assert {t for c, t in off if c == "sms"} == set(opt_outs.OPTIONAL_TYPES) - keep
        assert not {c for c, _ in off} - {"sms"}  # email untouched
        again = await opt_outs.choose(s, citizen_id=world.citizen_id, wanted={"sms": keep}, source="portal")
        assert again == 0  # nothing changed, nothing audited twice
        await s.commit()
        audits = (
            await s.execute(select(AuditEntry).where(AuditEntry.action == "citizen.notification_choices_changed"))
        ).scalars()
        [entry] = list(audits)
        assert entry.citizen_id == world.citizen_id
        assert "sms:general" in entry.detail["off"]


async def test_an_email_carries_a_link_for_its_own_type_that_only_this_deployment_can_make(
    settings: Settings,
) -> None:
    world = await make_world(settings, push=False, phone=False, email=True, postal=False, prefs=[])
    await status_change(world)
    await world.deliver()
    [email] = world.rt.recording.sent
    link = email.payload["list_unsubscribe"]
    assert link.startswith(settings.public_url.rstrip("/") + "/unsubscribe/")
    token = link.rsplit("/", 1)[1]
    named = opt_outs.read_token(settings.secret_key, token)
    assert named == opt_outs.Unsubscribe(world.citizen_id, "email", MessageType.status_change)
    assert opt_outs.read_token("another-deployment-secret", token) is None
    body, _, mac = token.partition(".")
    assert opt_outs.read_token(settings.secret_key, body[:-2] + "AA." + mac) is None
    other = dataclasses.replace(named, message_type=MessageType.general)
    assert opt_outs.token(settings.secret_key, other) != token


async def test_a_sign_in_email_has_no_unsubscribe_link(settings: Settings) -> None:
    world = await make_world(settings, push=False, phone=False, email=True, postal=False, prefs=[])
    async with world.rt.db.session() as s:
        notification = await s.scalar(select(Notification).limit(1))
    assert notification is None
    fake = Notification(citizen_id=world.citizen_id, message_type=MessageType.sign_in, language="en")
    assert world.notifier.unsubscribe(fake) == {}
    fake.message_type = MessageType.agent_reply
    assert "list_unsubscribe" in world.notifier.unsubscribe(fake)
