"""The push provider, real (pywebpush, VAPID, aes128gcm) against the recording push service on loopback: what it
sends decrypts with the browser's keys, and each answer of the push service means what the outbox needs."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_citizen
from tests.notify.push.factories import queued_push
from tests.notify.push.push_service import BrowserKeys, RecordingPushService
from townsquare.app import Runtime
from townsquare.interactions.kinds import DeliveryStatus
from townsquare.interactions.models import Interaction
from townsquare.notify.providers import Envelope, PermanentFailure, Providers, TemporaryFailure
from townsquare.notify.push import service, vapid
from townsquare.notify.push.models import PushSubscription
from townsquare.notify.push.provider import PushProvider, topic_for
from townsquare.notify.worker import OutboxWorker, WorkerConfig
from townsquare.settings import Settings


@dataclass
class Setup:
    provider: PushProvider
    keys: BrowserKeys
    envelope: Envelope
    subscription_id: uuid.UUID
    interaction_id: uuid.UUID


@pytest.fixture
async def setup(
    runtime: Runtime, session: AsyncSession, settings: Settings, push_service: RecordingPushService
) -> Setup:
    keys = vapid.load(settings)
    assert keys is not None  # tests keep a generated key under their DATA_DIR
    citizen = await create_citizen(session)
    browser = BrowserKeys()
    sub_id = await service.subscribe(
        session,
        citizen_id=citizen.id,
        subscription_json=browser.subscription(push_service.endpoint()),
        device="",
        settings=settings,
    )
    envelope = await queued_push(session, citizen_id=citizen.id, subscription_id=sub_id)
    await session.commit()
    provider = PushProvider(runtime.db, keys, settings)
    return Setup(provider, browser, envelope, sub_id, uuid.UUID(envelope.payload["interaction_id"]))


async def test_an_accepted_push_is_encrypted_for_the_device_signed_with_vapid_and_gives_the_location(
    setup: Setup, push_service: RecordingPushService, settings: Settings, runtime: Runtime
) -> None:
    provider_id = await setup.provider.send(setup.envelope)
    [message] = push_service.received
    assert provider_id.startswith(push_service.base + "/messages/")
    assert message.headers["content-encoding"] == "aes128gcm"
    assert message.headers["ttl"] == str(settings.push_ttl_seconds)
    assert message.headers["urgency"] == "normal"
    assert message.headers["topic"] == topic_for(setup.envelope.idempotency_key)
    assert len(message.headers["topic"]) <= 32
    data = setup.keys.decrypt(message.body)
    assert data == {
        "title": "Your case TS-2026-000123 was updated",
        "body": "The pothole on King Street is fixed.",
        "url": "/account/cases/TS-2026-000123",
        "tag": setup.envelope.payload["notification_id"],
        "lang": "en",
        "ack": data["ack"],
    }
    async with runtime.db.session() as s:  # the ack token in the message is the one acknowledge() takes
        assert await service.acknowledge(s, token=data["ack"], secret=settings.secret_key) == setup.interaction_id
    scheme, _, params = message.headers["authorization"].partition(" ")
    fields = dict(p.strip().split("=", 1) for p in params.split(","))
    assert scheme == "vapid"
    keys = vapid.load(settings)
    assert keys is not None
    assert fields["k"] == keys.public_key
    public = keys.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    claims = jwt.decode(fields["t"], public, algorithms=["ES256"], audience=push_service.base)
    assert claims["sub"] == keys.subject
    async with runtime.db.session() as s:
        row = await s.get(PushSubscription, setup.subscription_id)
        assert row is not None
        assert row.last_sent_at is not None


@pytest.mark.parametrize("status", [404, 410])
async def test_a_subscription_the_push_service_says_is_gone_is_removed(
    setup: Setup, push_service: RecordingPushService, runtime: Runtime, status: int
) -> None:
    push_service.answer_next(status)
    with pytest.raises(PermanentFailure):
        await setup.provider.send(setup.envelope)
    async with runtime.db.session() as s:
        assert await s.get(PushSubscription, setup.subscription_id) is None
    with pytest.raises(PermanentFailure):  # a retry finds no device to send to
        await setup.provider.send(setup.envelope)
    assert len(push_service.received) == 1


@pytest.mark.parametrize(
    ("status", "failure"),
    [
        (429, TemporaryFailure),
        (500, TemporaryFailure),
        (503, TemporaryFailure),
        (400, PermanentFailure),
        (413, PermanentFailure),
    ],
)
async def test_busy_or_failing_push_services_are_retried_and_refusals_are_not(
    setup: Setup, push_service: RecordingPushService, runtime: Runtime, status: int, failure: type[Exception]
) -> None:
    push_service.answer_next(status)
    with pytest.raises(failure):
        await setup.provider.send(setup.envelope)
    async with runtime.db.session() as s:
        assert await s.get(PushSubscription, setup.subscription_id) is not None


async def test_a_push_service_that_cannot_be_reached_is_a_temporary_failure(
    setup: Setup, push_service: RecordingPushService
) -> None:
    await push_service.stop()  # nothing listens on its port any more
    with pytest.raises(TemporaryFailure):
        await setup.provider.send(setup.envelope)


async def test_an_envelope_without_a_subscription_or_interaction_is_refused(setup: Setup) -> None:
    for envelope in (
        Envelope("push", "not-a-uuid", setup.envelope.payload, "k1"),
        Envelope("push", str(uuid.uuid4()), setup.envelope.payload, "k2"),
        Envelope("push", setup.envelope.recipient, {"title": "no interaction"}, "k3"),
    ):
        with pytest.raises(PermanentFailure):
            await setup.provider.send(envelope)


async def test_only_a_path_of_the_portal_is_opened_on_click(setup: Setup, push_service: RecordingPushService) -> None:
    for url in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        payload = {**setup.envelope.payload, "url": url}
        await setup.provider.send(Envelope("push", setup.envelope.recipient, payload, f"k-{url}"))
        assert setup.keys.decrypt(push_service.received[-1].body)["url"] == "/account"


async def test_through_the_outbox_a_dead_subscription_fails_the_interaction(
    setup: Setup, push_service: RecordingPushService, runtime: Runtime
) -> None:
    push_service.answer_next(410)
    worker = OutboxWorker(runtime.db, Providers(runtime.recording, {"push": setup.provider}), WorkerConfig())
    assert await worker.drain() == 1
    async with runtime.db.session() as s:
        interaction = await s.get(Interaction, setup.interaction_id)
        assert interaction is not None
        assert interaction.delivery_status == DeliveryStatus.failed
        assert await service.live_for(s, citizen_id=interaction.citizen_id) == []


async def test_a_push_goes_to_every_device_and_one_gone_device_does_not_fail_it(
    setup: Setup, push_service: RecordingPushService, runtime: Runtime, settings: Settings
) -> None:
    tablet = BrowserKeys()
    async with runtime.db.session() as s:
        owner = (await s.get_one(PushSubscription, setup.subscription_id)).citizen_id
        tablet_id = await service.subscribe(
            s,
            citizen_id=owner,
            subscription_json=tablet.subscription(push_service.endpoint("tablet")),
            device="",
            settings=settings,
        )
        await s.commit()
    push_service.answer_for("tablet", 410)
    both = dataclasses.replace(setup.envelope, recipient=f"{tablet_id},{setup.subscription_id}")
    provider_id = await setup.provider.send(both)
    assert provider_id.startswith(push_service.base + "/messages/")  # the phone's push service took it
    assert sorted(r.path for r in push_service.received) == ["/push/device", "/push/tablet"]
    async with runtime.db.session() as s:
        assert await s.get(PushSubscription, tablet_id) is None  # the gone device is forgotten
    push_service.answer_for("device", 503)
    with pytest.raises(TemporaryFailure):  # no device took it, and one may later
        await setup.provider.send(both)
