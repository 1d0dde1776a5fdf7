"""Notifications: a message to a person, tried channel by channel in their order, each attempt on their timeline.

The providers here are the recording one (what a real provider would be given); the test plays the outside
world: a push acknowledged or not, an SMS provider failing, time passing.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import time

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tests.factories import create_staff
from tests.notify.notify_world import PUSH_DEVICE, START, World, make_world, settle, status_change
from townsquare.agencies.models import Agency, ContactPoint
from townsquare.cases import service as cases
from townsquare.cases.models import Case, CaseStatus
from townsquare.casework import cases as casework
from townsquare.citizens import service as citizens
from townsquare.citizens.models import IdentityKind
from townsquare.clock import utcnow
from townsquare.errors import Problem
from townsquare.interactions import service as interactions
from townsquare.interactions.models import DeliveryStatus
from townsquare.notify.letters.batches import build_batch
from townsquare.notify.letters.models import Letter
from townsquare.notify.letters.returns import mark_returned
from townsquare.notify.models import (
    MessageType,
    Notification,
    NotificationStatus,
)
from townsquare.notify.notifications import Request
from townsquare.notify.providers import Envelope, PermanentFailure
from townsquare.settings import Settings
from townsquare.staff.auth import Principal
from townsquare.staff.models import StaffRole


async def test_a_status_change_reaches_a_resident_by_push_first_and_stops_when_acknowledged(settings: Settings) -> None:
    world = await make_world(settings, push=True, phone=True, email=True, postal=False, prefs=["push", "sms", "email"])
    await status_change(world)
    await world.deliver()
    push = world.rt.recording.sent[-1]
    assert (push.channel, push.recipient) == ("push", str(PUSH_DEVICE))
    assert push.payload["title"].startswith("Your request TS-")
    assert "A crew will fix it on Friday." in push.payload["body"]
    assert (await world.notification()).status is NotificationStatus.sending

    await settle(world, DeliveryStatus.delivered)
    await world.deliver()
    assert await world.attempts() == [("push", "delivered", DeliveryStatus.delivered)]
    assert (await world.notification()).status is NotificationStatus.delivered
    world.later(3600)
    await world.deliver()
    assert [e.channel for e in world.rt.recording.sent] == ["push"]


async def test_an_unacknowledged_push_falls_back_to_sms_after_the_wait_then_a_failing_sms_to_email(
    settings: Settings,
) -> None:
    world = await make_world(settings, push=True, phone=True, email=True, postal=False, prefs=["push", "sms", "email"])
    await status_change(world)
    await world.deliver()
    world.later(settings.notify_push_ack_seconds - 1)
    await world.deliver()
    assert [e.channel for e in world.rt.recording.sent] == ["push"]  # still within the wait

    world.rt.recording.fail_next(PermanentFailure("21610: unsubscribed recipient"))
    world.later(2)
    await world.deliver()  # the wait is over: SMS is tried, and the provider refuses it
    await world.deliver()  # the failure moves it on to email
    sent = world.rt.recording.sent
    assert [e.channel for e in sent] == ["push", "email"]
    assert sent[-1].recipient == "maria@example.org"
    assert "A crew will fix it on Friday." in sent[-1].payload["text"]
    assert "/unsubscribe/" in sent[-1].payload["list_unsubscribe"]
    assert await world.attempts() == [
        ("push", "unacknowledged", DeliveryStatus.sent),
        ("sms", "failed", DeliveryStatus.failed),
        ("email", "sent", DeliveryStatus.sent),
    ]
    assert (await world.notification()).status is NotificationStatus.sent


async def test_a_bounce_after_the_email_was_sent_still_moves_on_to_the_letter(settings: Settings) -> None:
    world = await make_world(settings, push=False, phone=False, email=True, postal=True, prefs=["email"])
    await status_change(world)
    await world.deliver()
    await settle(world, DeliveryStatus.failed)  # the DSN came back a day later
    await world.deliver()
    async with world.rt.db.session() as s:
        letter = (await s.execute(select(Letter))).scalar_one()
    assert letter.address_lines == ["Maria Lopez", "1 Main St", "Ottawa ON K1A 0A1"]
    assert letter.reference is not None
    assert letter.reference.startswith("TS-")
    assert [a[:2] for a in await world.attempts()] == [("email", "failed"), ("mail", "trying")]  # until printed


async def test_with_only_a_postal_address_a_letter_pdf_lands_in_the_print_batch(settings: Settings) -> None:
    world = await make_world(settings, push=False, phone=False, email=False, postal=True, prefs=[])
    await status_change(world)
    await world.deliver()
    assert world.rt.recording.sent == []  # no other channel was tried
    assert [a[:2] for a in await world.attempts()] == [("mail", "trying")]  # accepted, waiting for the print batch
    assert (await world.notification()).status is NotificationStatus.sending
    async with world.rt.db.session() as s:
        batch = await build_batch(s, world.rt.pipeline.store, utcnow().date())
        await s.commit()
    await world.deliver()
    assert batch is not None
    archive = zipfile.ZipFile(io.BytesIO(world.rt.pipeline.store.read(batch.zip_sha256)))
    [pdf] = [name for name in archive.namelist() if name.endswith(".pdf")]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(archive.read(pdf))).pages)
    assert "A crew will fix it on Friday." in text
    assert "Ottawa ON K1A 0A1" in text
    assert "Maria Lopez" in archive.read("manifest.csv").decode()
    assert [a[:2] for a in await world.attempts()] == [("mail", "sent")]
    assert (await world.notification()).status is NotificationStatus.sent


async def test_a_letter_that_comes_back_is_a_permanent_failure_when_nothing_is_left(settings: Settings) -> None:
    world = await make_world(settings, push=False, phone=False, email=False, postal=True, prefs=[])
    await status_change(world)
    await world.deliver()
    async with world.rt.db.session() as s:
        await build_batch(s, world.rt.pipeline.store, utcnow().date())
        await s.commit()
    await world.deliver()
    async with world.rt.db.session() as s:
        letter = (await s.execute(select(Letter))).scalar_one()
        clerk = Principal("staff", uuid.uuid4(), "Clerk", StaffRole.admin, None)
        await mark_returned(s, code=f"L-{letter.id}", reason="Moved away", me=clerk)
        await s.commit()
    await world.deliver()
    assert [a[:2] for a in await world.attempts()] == [("mail", "failed")]
    assert (await world.notification()).status is NotificationStatus.permanent_failure


async def test_every_attempt_is_on_the_residents_timeline_with_its_status(settings: Settings) -> None:
    world = await make_world(settings, push=True, phone=True, email=False, postal=False, prefs=[])
    await status_change(world)
    await world.deliver()
    world.later(settings.notify_push_ack_seconds + 1)
    await world.deliver()
    async with world.rt.db.session() as s:
        page = await interactions.timeline(s, citizen_id=world.citizen_id, limit=10)
    outbound = [(i.channel.value, i.delivery_status) for i in page if i.direction.value == "outbound"]
    assert outbound == [("sms", DeliveryStatus.sent), ("push", DeliveryStatus.sent)]
    assert all(i.case_id == world.case_id for i in page if i.direction.value == "outbound")


async def test_a_person_nobody_can_reach_is_a_clear_refusal_and_nothing_is_queued(settings: Settings) -> None:
    world = await make_world(settings, push=False, phone=False, email=False, postal=False, prefs=[])
    with pytest.raises(Problem) as refused:
        await status_change(world)
    assert refused.value.status == 422
    assert "no channel" in refused.value.detail
    async with world.rt.db.session() as s:
        assert (await s.execute(select(Notification))).first() is None


async def test_missing_personalisation_is_refused_naming_the_placeholder(settings: Settings) -> None:
    world = await make_world(settings, push=False, phone=True, email=False, postal=False, prefs=[])
    async with world.rt.db.session() as s:
        with pytest.raises(Problem) as refused:
            await world.notifier.send(
                s, Request(citizen_id=world.citizen_id, message_type=MessageType.status_change, case_id=world.case_id)
            )
    assert refused.value.status == 422
    assert "note" in refused.value.detail


async def test_quiet_hours_hold_a_message_until_they_end_unless_it_is_urgent(settings: Settings) -> None:
    world = await make_world(settings, push=False, phone=True, email=False, postal=False, prefs=["sms"])
    async with world.rt.db.session() as s:
        citizen = await citizens.get(s, citizen_id=world.citizen_id)
        citizen.quiet_hours_start, citizen.quiet_hours_end = time(9, 0), time(17, 0)  # Ottawa: 14:00-22:00 UTC
        await s.commit()
    await status_change(world)
    await world.deliver()
    assert world.rt.recording.sent == []
    world.later(7 * 3600 - 1)  # 16:59:59 in Ottawa
    await world.deliver()
    assert world.rt.recording.sent == []
    world.later(1)
    await world.deliver()
    assert [e.channel for e in world.rt.recording.sent] == ["sms"]

    async with world.rt.db.session() as s:
        await world.notifier.send(
            s,
            Request(
                citizen_id=world.citizen_id,
                message_type=MessageType.status_change,
                case_id=world.case_id,
                personalisation={"note": "Water main break: avoid Bank St."},
                urgent=True,
            ),
        )
        await s.commit()
    world.now[0] = START  # in the quiet hours again
    await world.deliver()
    assert len(world.rt.recording.sent) == 2


async def test_an_sms_opt_out_is_respected_and_the_next_channel_used(settings: Settings) -> None:
    world = await make_world(settings, push=False, phone=True, email=True, postal=False, prefs=["sms", "email"])
    async with world.rt.db.session() as s:
        phone = await citizens.contact_for(s, citizen_id=world.citizen_id, kind=IdentityKind.phone)
        assert phone is not None
        phone.opted_out_at = START
        await s.commit()
    await status_change(world)
    await world.deliver()
    assert [e.channel for e in world.rt.recording.sent] == ["email"]


async def test_the_same_idempotency_key_is_one_notification(settings: Settings) -> None:
    world = await make_world(settings, push=False, phone=True, email=False, postal=False, prefs=[])
    request = Request(
        citizen_id=world.citizen_id,
        message_type=MessageType.status_change,
        case_id=world.case_id,
        personalisation={"note": ""},
        idempotency_key="permits:4711:approved",
    )
    async with world.rt.db.session() as s:
        first = await world.notifier.send(s, request)
        await s.commit()
    async with world.rt.db.session() as s:
        again = await world.notifier.send(s, request)
    assert again.id == first.id
    await world.deliver()
    assert len(world.rt.recording.sent) == 1


async def test_a_desk_status_change_tells_the_resident_with_the_public_note_in_their_language(
    settings: Settings,
) -> None:
    world = await make_world(settings, push=False, phone=True, email=False, postal=False, prefs=[])
    async with world.rt.db.session() as s:
        citizen = await citizens.get(s, citizen_id=world.citizen_id)
        citizen.language = "fr"
        case = await s.get_one(Case, world.case_id)
        wren = await create_staff(s, agencies=[await s.get_one(Agency, case.agency_id)])
        me = Principal("staff", wren.id, "Wren", StaffRole.agent, frozenset({case.agency_id}))
        await cases.change_status(s, case=case, status=CaseStatus.in_progress)
        await casework.change_status(
            s,
            settings=settings,
            actor=me,
            case=case,
            status=CaseStatus.waiting_on_citizen,
            note="Envoyez-nous une photo du nid-de-poule.",
        )
        await s.commit()
    await world.rt.worker.drain()
    sms = world.rt.recording.sent[-1]
    assert sms.channel == "sms"
    assert "Envoyez-nous une photo du nid-de-poule." in sms.payload["body"]
    assert "Répondez à ce message" in sms.payload["body"]


async def test_an_email_about_a_case_leaves_from_its_agency_s_own_mailbox(settings: Settings) -> None:
    world = await make_world(settings, push=False, phone=True, email=True, postal=False, prefs=["email", "sms"])
    async with world.rt.db.session() as s:
        case = await s.get_one(Case, world.case_id)
        s.add(ContactPoint(agency_id=case.agency_id, channel="email", address="roads@city.example"))
        await s.commit()
    await status_change(world)
    await world.deliver()
    [email] = world.rt.recording.sent
    assert email.payload["from"] == "roads@city.example"  # a reply goes back to the agency that wrote
    assert "from" not in (await _general_message(world)).payload  # about no case


async def _general_message(world: World) -> Envelope:
    """A message about no case: it speaks for the city, from the platform's own sender."""
    async with world.rt.db.session() as s:
        await world.notifier.send(
            s,
            Request(
                citizen_id=world.citizen_id,
                message_type=MessageType.general,
                personalisation={"subject": "Snow", "message": "Move your car."},
            ),
        )
        await s.commit()
    await world.deliver()
    return world.rt.recording.sent[-1]


async def test_a_date_reads_as_the_person_writes_dates(settings: Settings) -> None:
    world = await make_world(settings, push=False, phone=True, email=False, postal=False, prefs=[])
    async with world.rt.db.session() as s:
        citizen = await citizens.get(s, citizen_id=world.citizen_id)
        citizen.language = "fr"
        await world.notifier.send(
            s,
            Request(
                citizen_id=world.citizen_id,
                message_type=MessageType.renewal_reminder,
                personalisation={"service": "Permis de stationnement", "date": "2099-03-01"},
            ),
        )
        await s.commit()
    await world.deliver()
    [sms] = world.rt.recording.sent
    assert "expire le 1 mars 2099" in sms.payload["body"]


async def test_the_agency_and_the_service_are_named_in_the_person_s_language(settings: Settings) -> None:
    world = await make_world(settings, push=False, phone=True, email=False, postal=False, prefs=[])
    async with world.rt.db.session() as s:
        citizen = await citizens.get(s, citizen_id=world.citizen_id)
        citizen.language = "fr"
        case = await s.get_one(Case, world.case_id)
        agency = await s.get_one(Agency, case.agency_id)
        agency.translations = {"fr": {"name": "Travaux publics"}}
        await s.commit()
    async with world.rt.db.session() as s:
        await world.notifier.send(
            s, Request(citizen_id=world.citizen_id, message_type=MessageType.acknowledgement, case_id=world.case_id)
        )
        await s.commit()
    await world.deliver()
    [sms] = world.rt.recording.sent
    assert sms.payload["body"].startswith("Travaux publics :")
