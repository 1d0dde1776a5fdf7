"""A notifications world for tests: the app's runtime with a clock the test moves, and one resident with a case
whose reachable channels the test chooses; the outside world is played by the test (acknowledgements, receipts).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_citizen
from townsquare.app import Runtime, build_runtime
from townsquare.cases import service as cases
from townsquare.cases.models import Case, CaseStatus
from townsquare.citizens import service as citizens
from townsquare.citizens.models import IdentityKind
from townsquare.content.notification_templates import import_notification_templates
from townsquare.demo.city import NOTIFICATIONS_DIR
from townsquare.interactions import service as interactions
from townsquare.interactions.models import DeliveryStatus, Interaction
from townsquare.notify.models import MessageType, Notification, NotificationAttempt
from townsquare.notify.notifications import Notifier, Request
from townsquare.notify.progress import NotificationWorker
from townsquare.settings import Settings

PUSH_DEVICE = uuid.UUID("0193a000-0000-7000-8000-000000000001")
START = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)  # 10:00 in Ottawa


@dataclass
class World:
    """The app's runtime with a clock the test moves, and one resident with a case."""

    rt: Runtime
    notifier: Notifier
    worker: NotificationWorker
    now: list[datetime]
    citizen_id: uuid.UUID
    case_id: uuid.UUID

    def later(self, seconds: float) -> None:
        self.now[0] += timedelta(seconds=seconds)

    async def deliver(self) -> None:
        """The outbox worker sends what is due and the notifications worker takes the steps that follow, until
        neither has anything to do at this moment."""
        while True:
            sent = await self.rt.worker.drain()
            await self.rt.bus.wait_idle()
            if not (await self.worker.drain() or sent):
                return

    async def attempts(self) -> list[tuple[str, str, DeliveryStatus | None]]:
        async with self.rt.db.session() as s:
            rows = await s.execute(
                select(NotificationAttempt.channel, NotificationAttempt.outcome, Interaction.delivery_status)
                .join(Interaction, Interaction.id == NotificationAttempt.interaction_id)
                .order_by(NotificationAttempt.created_at, NotificationAttempt.number)
            )
            return [(c, o.value, d) for c, o, d in rows.all()]

    async def notification(self) -> Notification:
        async with self.rt.db.session() as s:
            return (await s.execute(select(Notification))).scalar_one()


async def make_world(
    settings: Settings, *, push: bool, phone: bool, email: bool, postal: bool, prefs: list[str]
) -> World:
    rt = build_runtime(settings)
    now = [START]

    async def devices(session: AsyncSession, citizen_id: uuid.UUID) -> list[uuid.UUID]:
        return [PUSH_DEVICE] if push else []

    notifier = Notifier(settings, push_targets=devices, clock=lambda: now[0])
    async with rt.db.session() as s:
        await import_notification_templates(s, NOTIFICATIONS_DIR)
        agency = await create_agency(s)
        citizen = await create_citizen(
            s, phone="+16135550142" if phone else None, email="maria@example.org" if email else None
        )
        if postal:
            await citizens.add_identity(
                s,
                citizen_id=citizen.id,
                kind=IdentityKind.postal,
                value="Maria Lopez\n1 Main St\nOttawa ON K1A 0A1",
                region="CA",
            )
        citizen.preferred_channels = prefs
        case = await cases.open_case(
            s, prefix="TS", agency_id=agency.id, title="Pothole on Bank St", channel="web", citizen_id=citizen.id
        )
        await s.commit()
        ids = (citizen.id, case.id)
    worker = NotificationWorker(rt.db, notifier)
    return World(rt, notifier, worker, now, ids[0], ids[1])


async def status_change(world: World, note: str = "A crew will fix it on Friday.") -> Notification | None:
    async with world.rt.db.session() as s:
        case = await s.get_one(Case, world.case_id)
        await cases.change_status(s, case=case, status=CaseStatus.in_progress, note=note)
        sent = await world.notifier.send(
            s,
            Request(
                citizen_id=world.citizen_id,
                message_type=MessageType.status_change,
                case_id=case.id,
                personalisation={"note": note},
            ),
        )
        await s.commit()
        return sent


async def settle(world: World, status: DeliveryStatus) -> None:
    """The outside world answers for the newest attempt: a push acknowledged, an SMS receipt, a bounce."""
    async with world.rt.db.session() as s:
        newest = (
            await s.execute(select(NotificationAttempt).order_by(NotificationAttempt.number.desc()).limit(1))
        ).scalar_one()
        await interactions.set_delivery(s, interaction_id=newest.interaction_id, status=status)
        await s.commit()
