"""A signed-in resident's look at a service's page or a help page is a web visit for analytics (once per half
hour), a "no, it did not help" a failed one; a call about the same service afterwards is an avoidable contact.
Signed-out readers leave nothing."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_article, create_citizen, create_service
from townsquare.analytics.models import Journey, Touch
from townsquare.analytics.worker import AnalyticsWorker
from townsquare.app import Runtime
from townsquare.citizens import sessions
from townsquare.citizens.models import IdentityKind
from townsquare.citizens.sessions import CITIZEN_COOKIE
from townsquare.clock import utcnow
from townsquare.engagement.messages import InboundMessage, Sender
from townsquare.interactions.models import Channel, InteractionKind

ORIGIN = {"Origin": "http://testserver"}


async def test_looking_online_then_calling_is_an_avoidable_contact(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    works = await create_agency(session)
    await create_service(session, agency=works, code="BINS", name="Missed bin collection")
    await create_article(session, slug="missed-bins", title="Missed bins", agency=works, service_codes=("BINS",))
    resident = await create_citizen(session, name="Ines", phone="+14165550123", phone_verified=True)
    token = await sessions.start(session, citizen_id=resident.id, method="email_link", hours=1, device="test")
    await session.commit()

    assert (await client.get("/services/BINS")).status_code == 200  # signed out: nothing
    assert (await client.get("/help/missed-bins")).status_code == 200
    client.cookies.set(CITIZEN_COOKIE, token)
    for _ in range(2):
        assert (await client.get("/services/BINS")).status_code == 200
    page = await client.get("/help/missed-bins")
    version = page.text.split('name="version" value="')[1].split('"')[0]
    said = await client.post("/help/missed-bins/feedback", data={"helpful": "no", "version": version}, headers=ORIGIN)
    assert said.status_code == 303

    seen = list((await session.execute(select(Touch).order_by(Touch.recorded_at))).scalars())
    assert [(t.kind, t.channel, t.self_service) for t in seen] == [("web_visit", "web", None),
                                                                  ("web_visit", "web", "failed")]  # fmt: skip
    assert {t.citizen_id for t in seen} == {resident.id}
    async with runtime.db.session() as s:
        call = InboundMessage(
            channel=Channel.voice, kind=InteractionKind.call, sender=Sender(IdentityKind.phone, "+14165550123"),
            service_code="BINS", text="", external_id="CA1", received_at=utcnow() + timedelta(hours=1),
        )  # fmt: skip
        await runtime.pipeline.ingest(s, call)
    report = await AnalyticsWorker(runtime.db).run_once(now=utcnow() + timedelta(days=10))
    assert report.touches == 3, report
    await session.commit()  # a fresh snapshot
    session.expire_all()
    journey = (await session.execute(select(Journey))).scalar_one()
    assert (journey.contacts, journey.avoidable, journey.switches, journey.fcr) == (2, 1, 1, False)
    assert journey.channels == ["web", "voice"]
