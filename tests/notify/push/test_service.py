"""Push subscriptions: what a browser may subscribe with, re-subscribing, unsubscribing, who push can reach, and
the device's acknowledgement (valid, forged, twice)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_citizen
from tests.notify.push.factories import push_interaction
from tests.notify.push.push_service import BrowserKeys
from townsquare import sealing
from townsquare.app import Runtime
from townsquare.errors import Problem
from townsquare.events import DeliveryChanged, Event
from townsquare.interactions.kinds import DeliveryStatus
from townsquare.interactions.models import Interaction
from townsquare.notify.push import service
from townsquare.notify.push.models import PushSubscription
from townsquare.settings import Settings
from townsquare.staff.models import AuditEntry

ENDPOINT = "https://fcm.googleapis.com/fcm/send/abc123"


async def test_a_browser_subscription_is_kept_for_the_citizen_and_audited(
    session: AsyncSession, settings: Settings
) -> None:
    citizen = await create_citizen(session)
    keys = BrowserKeys()
    sub_id = await service.subscribe(
        session,
        citizen_id=citizen.id,
        subscription_json=keys.subscription(ENDPOINT),
        device="Chrome, Android",
        settings=settings,
    )
    row = await session.get(PushSubscription, sub_id)
    assert row is not None
    assert (row.endpoint, row.p256dh, row.device) == (ENDPOINT, keys.p256dh, "Chrome, Android")
    assert await service.live_for(session, citizen_id=citizen.id) == [sub_id]
    audit = (await session.execute(select(AuditEntry.action).where(AuditEntry.citizen_id == citizen.id))).scalars()
    assert "citizen.push_subscribed" in list(audit)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"endpoint": "http://push.example.org/x"}, "endpoint"),
        ({"endpoint": "ftp://push.example.org/x"}, "endpoint"),
        ({"endpoint": "https://user:pw@push.example.org/x"}, "endpoint"),
        ({"endpoint": "https://push.example.org/" + "x" * 1100}, "endpoint"),
        ({"endpoint": None}, "endpoint"),
        ({"keys": {"p256dh": "AAAA", "auth": "AAAAAAAAAAAAAAAAAAAAAA"}}, "keys.p256dh"),
        ({"keys": {"p256dh": "not base64!", "auth": "AAAAAAAAAAAAAAAAAAAAAA"}}, "keys.p256dh"),
        ({"keys": {"p256dh": "BA" + "A" * 85, "auth": "AAAA"}}, "keys.auth"),
        ({"keys": None}, "keys.p256dh"),
    ],
)
async def test_what_is_not_a_subscription_is_refused_naming_the_field(
    session: AsyncSession, settings: Settings, change: dict[str, object], field: str
) -> None:
    citizen = await create_citizen(session)
    data = {**BrowserKeys().subscription(ENDPOINT), **change}
    with pytest.raises(Problem) as refused:
        await service.subscribe(session, citizen_id=citizen.id, subscription_json=data, device="", settings=settings)
    assert refused.value.status == 422
    assert field in [e.field for e in refused.value.errors]
    assert await service.live_for(session, citizen_id=citizen.id) == []


async def test_plain_http_is_only_for_a_push_service_on_this_machine_outside_production(
    session: AsyncSession, settings: Settings
) -> None:
    local = BrowserKeys().subscription("http://127.0.0.1:9/push/device")
    assert service.parse_subscription(local, env="test").endpoint.startswith("http://127.0.0.1")
    assert service.parse_subscription(local, env="development")
    with pytest.raises(Problem):
        service.parse_subscription(local, env="production")
    with pytest.raises(Problem):
        service.parse_subscription(BrowserKeys().subscription("http://push.example.org/x"), env="development")


async def test_subscribing_again_with_the_same_endpoint_moves_it_to_whoever_subscribed_last(
    session: AsyncSession, settings: Settings
) -> None:
    maria = await create_citizen(session, name="Maria")
    omar = await create_citizen(session, name="Omar")
    first = await service.subscribe(
        session,
        citizen_id=maria.id,
        subscription_json=BrowserKeys().subscription(ENDPOINT),
        device="A",
        settings=settings,
    )
    new_keys = BrowserKeys()
    second = await service.subscribe(
        session, citizen_id=omar.id, subscription_json=new_keys.subscription(ENDPOINT), device="B", settings=settings
    )
    assert first == second
    assert await service.live_for(session, citizen_id=maria.id) == []
    assert await service.live_for(session, citizen_id=omar.id) == [first]
    row = await session.get(PushSubscription, first)
    assert row is not None
    assert row.p256dh == new_keys.p256dh


async def test_unsubscribing_forgets_only_the_citizens_own_subscription(
    session: AsyncSession, settings: Settings
) -> None:
    maria = await create_citizen(session, name="Maria")
    omar = await create_citizen(session, name="Omar")
    phone = await service.subscribe(
        session,
        citizen_id=maria.id,
        subscription_json=BrowserKeys().subscription(ENDPOINT),
        device="phone",
        settings=settings,
    )
    laptop = await service.subscribe(
        session,
        citizen_id=maria.id,
        subscription_json=BrowserKeys().subscription(ENDPOINT + "2"),
        device="laptop",
        settings=settings,
    )
    assert set(await service.live_for(session, citizen_id=maria.id)) == {phone, laptop}
    assert not await service.unsubscribe(session, citizen_id=omar.id, endpoint=ENDPOINT)
    assert await service.unsubscribe(session, citizen_id=maria.id, endpoint=ENDPOINT)
    assert await service.live_for(session, citizen_id=maria.id) == [laptop]
    assert await service.unsubscribe(session, citizen_id=maria.id, subscription_id=laptop)
    assert await service.live_for(session, citizen_id=maria.id) == []
    assert not await service.unsubscribe(session, citizen_id=maria.id)


async def _subscribed(session: AsyncSession, settings: Settings) -> tuple[Interaction, str]:
    citizen = await create_citizen(session)
    sub_id = await service.subscribe(
        session,
        citizen_id=citizen.id,
        subscription_json=BrowserKeys().subscription(ENDPOINT),
        device="",
        settings=settings,
    )
    interaction = await push_interaction(session, citizen_id=citizen.id)
    token = service.ack_token(settings.secret_key, interaction_id=interaction.id, subscription_id=sub_id)
    await session.commit()
    return interaction, token


async def test_an_acknowledgement_marks_the_push_delivered_once_and_says_so_after_commit(
    runtime: Runtime, session: AsyncSession, settings: Settings
) -> None:
    seen: list[Event] = []

    async def record(event: Event) -> None:
        seen.append(event)

    runtime.bus.subscribe(DeliveryChanged, record)
    interaction, token = await _subscribed(session, settings)
    for _ in range(2):  # the push event and the click both acknowledge
        async with runtime.db.session() as s:
            assert await service.acknowledge(s, token=token, secret=settings.secret_key) == interaction.id
            await s.commit()
    await runtime.bus.wait_idle()
    async with runtime.db.session() as s:
        stored = await s.get(Interaction, interaction.id)
        assert stored is not None
        assert stored.delivery_status == DeliveryStatus.delivered
    assert seen == [DeliveryChanged(interaction_id=interaction.id, status="delivered")]


async def test_a_forged_or_foreign_token_is_refused_and_changes_nothing(
    runtime: Runtime, session: AsyncSession, settings: Settings
) -> None:
    interaction, token = await _subscribed(session, settings)
    body, _, mac = token.partition(".")
    forged = [
        "",
        "nonsense",
        body + "." + mac[::-1],
        service.ack_token("another-deployments-secret", interaction_id=interaction.id, subscription_id=interaction.id),
        sealing.seal_json(settings.secret_key, "message-link", {"i": str(interaction.id), "s": str(interaction.id)}),
        sealing.seal_json(settings.secret_key, service.ACK_PURPOSE, {"i": "not-a-uuid"}),
    ]
    for value in forged:
        async with runtime.db.session() as s:
            with pytest.raises(Problem) as refused:
                await service.acknowledge(s, token=value, secret=settings.secret_key)
            assert refused.value.status == 422
    async with runtime.db.session() as s:
        stored = await s.get(Interaction, interaction.id)
        assert stored is not None
        assert stored.delivery_status == DeliveryStatus.queued


async def test_the_worker_recording_sent_after_the_acknowledgement_does_not_undo_delivered(
    runtime: Runtime, session: AsyncSession, settings: Settings
) -> None:
    from townsquare.interactions import service as interactions

    interaction, token = await _subscribed(session, settings)
    async with runtime.db.session() as s:
        await service.acknowledge(s, token=token, secret=settings.secret_key)
        await s.commit()
    async with runtime.db.session() as s:  # what the outbox worker writes once the push service's 201 is back
        await interactions.set_delivery(s, interaction_id=interaction.id, status=DeliveryStatus.sent, external_id="x")
        await s.commit()
    async with runtime.db.session() as s:
        stored = await s.get(Interaction, interaction.id)
        assert stored is not None
        assert (stored.delivery_status, stored.external_id) == (DeliveryStatus.delivered, "x")
