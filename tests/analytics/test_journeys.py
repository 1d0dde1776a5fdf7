"""A seeded history where every figure is known by construction, written through the real doors and folded by
the real worker: the journey measures come out exactly, on SQLite and on PostgreSQL.

- Ana starts an online application for a permit (a web visit), gives up and calls about it two hours later from
  her verified number; the agent who takes the call checks her identity again (on the desk). One journey: two
  contacts, one switch, one repeat, one avoidable contact, asked again once, not resolved at first contact.
- Ben texts about a pothole and texts again three days later: one journey, one repeat, no switch.
- Chloé emails about the permit twice, twelve days apart: two journeys (the window is seven days), each resolved
  at its first contact once its window has passed.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from tests.factories import create_agency, create_citizen, create_service, create_staff
from townsquare.agencies.models import Agency
from townsquare.analytics.models import ContactDay, Journey, JourneyDay, Touch
from townsquare.analytics.worker import AnalyticsWorker, start_over
from townsquare.app import Runtime
from townsquare.casework import identity_checks
from townsquare.citizens.models import IdentityKind
from townsquare.engagement.messages import InboundMessage, Sender
from townsquare.interactions.models import Channel, InteractionKind
from townsquare.routing.models import WorkItem, WorkItemStatus
from townsquare.staff.auth import Principal
from townsquare.staff.models import StaffRole

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 10:00 in Toronto, a Monday


async def seed(runtime: Runtime) -> dict[str, uuid.UUID]:
    async with runtime.db.session() as s:
        works = await create_agency(s)
        permits = await create_agency(s, slug="permits", name="Permits")
        await create_service(s, agency=works, code="POTHOLE", name="Report a pothole")
        await create_service(s, agency=permits, code="PERMIT", name="Parking permit")
        ana = await create_citizen(s, name="Ana", phone="+14165550101", phone_verified=True)
        await s.commit()
        ids = {"ana": ana.id, "works": works.id, "permits": permits.id}

    async def contact(**fields: object) -> str:
        async with runtime.db.session() as s:
            outcome = await runtime.pipeline.ingest(s, InboundMessage(**fields))  # type: ignore[arg-type]
            return outcome.interaction_id

    await contact(
        channel=Channel.web, kind=InteractionKind.visit, citizen_id=ana.id, service_code="PERMIT",
        text="Started an application", needs_person=False, external_id="draft:1:started", received_at=T0,
    )  # fmt: skip
    call = await contact(
        channel=Channel.voice, kind=InteractionKind.call, sender=Sender(IdentityKind.phone, "+14165550101"),
        service_code="PERMIT", text="", external_id="CA1", received_at=T0 + timedelta(hours=2),
    )  # fmt: skip
    async with runtime.db.session() as s:  # the agent who takes the call checks who she is, though she was verified
        agent = await create_staff(s, email="ida@city.example", agencies=[await s.get_one(Agency, permits.id)])
        item = (await s.execute(select(WorkItem).where(WorkItem.channel == "voice"))).scalar_one()
        assert item.context["first_interaction_id"] == call
        item.status, item.assigned_to_id = WorkItemStatus.assigned, agent.id
        me = Principal("staff", agent.id, "Agent", StaffRole.agent, frozenset({permits.id}))
        assert await identity_checks.identity_checked(s, me=me, item_id=item.id)
        assert await identity_checks.identity_checked(s, me=me, item_id=item.id)  # twice: counted once
        await s.commit()
    for n, days in enumerate((0, 3)):
        await contact(
            channel=Channel.sms, sender=Sender(IdentityKind.phone, "+14165550202"), service_code="POTHOLE",
            text="pothole on Elm", external_id=f"SM{n}", received_at=T0 + timedelta(days=days, hours=1),
        )  # fmt: skip
    for n, days in enumerate((0, 12)):
        await contact(
            channel=Channel.email, sender=Sender(IdentityKind.email, "chloe@example.org"), service_code="PERMIT",
            text="permit question", external_id=f"<m{n}@example.org>", received_at=T0 + timedelta(days=days),
        )  # fmt: skip
    return ids


async def test_every_measure_of_a_known_history(runtime: Runtime) -> None:
    ids = await seed(runtime)
    worker = AnalyticsWorker(runtime.db)
    report = await worker.run_once(now=T0 + timedelta(days=30))
    assert report.touches == 6
    assert report.journeys == 4

    async with runtime.db.session() as s:
        journeys = list((await s.execute(select(Journey).order_by(Journey.first_contact_at, Journey.id))).scalars())
        by_channel = {(j.first_channel, j.day): j for j in journeys}
        ana = by_channel[("web", date(2026, 3, 2))]
        assert ana.citizen_id == ids["ana"]
        assert (ana.contacts, ana.switches, ana.repeats, ana.avoidable, ana.asked_again) == (2, 1, 1, 1, 1)
        assert ana.channels == ["web", "voice"]
        assert ana.fcr is False
        ben = by_channel[("sms", date(2026, 3, 2))]
        assert (ben.contacts, ben.switches, ben.repeats, ben.avoidable, ben.fcr) == (2, 0, 1, 0, False)
        first, second = by_channel[("email", date(2026, 3, 2))], by_channel[("email", date(2026, 3, 14))]
        assert first.citizen_id == second.citizen_id
        assert (first.contacts, first.repeats, first.fcr) == (1, 0, True)
        assert (second.contacts, second.repeats, second.fcr) == (1, 0, True)

        days = list((await s.execute(select(JourneyDay))).scalars())
        assert sum(d.journeys for d in days) == 4
        assert sum(d.contacts for d in days) == 6
        assert sum(d.switches for d in days) == 1
        assert sum(d.repeats for d in days) == 2
        assert sum(d.avoidable for d in days) == 1
        assert sum(d.asked_again for d in days) == 1
        assert (sum(d.fcr_decided for d in days), sum(d.fcr_resolved for d in days)) == (4, 2)
        contacts = {(c.day, c.channel): c for c in (await s.execute(select(ContactDay))).scalars()}
        assert contacts[(date(2026, 3, 2), "voice")].avoidable == 1
        assert contacts[(date(2026, 3, 2), "voice")].asked_again == 1
        assert contacts[(date(2026, 3, 5), "sms")].repeats == 1
        assert sum(c.contacts for c in contacts.values()) == 6


async def test_folding_again_gives_the_same_rollups(runtime: Runtime) -> None:
    await seed(runtime)
    worker = AnalyticsWorker(runtime.db)
    await worker.run_once(now=T0 + timedelta(days=30))
    async with runtime.db.session() as s:
        before = sorted(
            (d.day, d.first_channel, d.journeys, d.contacts, d.repeats, d.fcr_resolved)
            for d in (await s.execute(select(JourneyDay))).scalars()
        )
        await start_over(s)
        await s.commit()
        assert (await s.execute(select(Touch).where(Touch.journey_id.is_not(None)))).first() is None
    await worker.run_once(now=T0 + timedelta(days=30))
    async with runtime.db.session() as s:
        after = sorted(
            (d.day, d.first_channel, d.journeys, d.contacts, d.repeats, d.fcr_resolved)
            for d in (await s.execute(select(JourneyDay))).scalars()
        )
    assert after == before


async def test_a_backlog_folded_a_little_per_pass_decides_nothing_early(runtime: Runtime) -> None:
    """A refold works through a whole history in many passes: a journey whose second contact is still waiting
    to be folded is not yet resolved at first contact, however long ago its first contact was."""
    await seed(runtime)
    worker = AnalyticsWorker(runtime.db, batch=1)
    for _ in range(20):
        report = await worker.run_once(now=T0 + timedelta(days=30), max_batches=1)
        if not report.touches:
            break
    async with runtime.db.session() as s:
        journeys = list((await s.execute(select(Journey))).scalars())
        assert sorted((j.first_channel, j.fcr) for j in journeys) == [
            ("email", True),
            ("email", True),
            ("sms", False),
            ("web", False),
        ]
        days = list((await s.execute(select(JourneyDay))).scalars())
        assert (sum(d.fcr_decided for d in days), sum(d.fcr_resolved for d in days)) == (4, 2)
