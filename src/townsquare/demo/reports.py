"""The demo city's Open311 side: an integrator key with a known secret, and a dozen recent street reports placed
on the address register, sent the way live ones come — through the Open311 intake (the demo city app) or as a
portal form, each through the engagement pipeline at the time it was made. Two pairs are close enough to be
flagged as likely duplicates; some are already fixed, with a note the public can read.

Demo data only (the reports are in demo/content/city.toml): the key is printed and must never be reused.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import service as agencies
from townsquare.cases import service as cases_service
from townsquare.cases.models import Case
from townsquare.citizens.models import Citizen, IdentityKind
from townsquare.clock import replaying
from townsquare.db import Database
from townsquare.demo.addresses import AddressPoint
from townsquare.demo.city import DemoReport, city
from townsquare.engagement.messages import InboundMessage, Sender
from townsquare.engagement.pipeline import Pipeline
from townsquare.interactions.models import Channel, InteractionKind
from townsquare.open311.intake import NewRequest, submit_request
from townsquare.staff import service as staff_service
from townsquare.staff.models import ApiKey, ApiKeyScope

DEMO_OPEN311_KEY = city().open311_key
DEMO_APP_NAME = city().open311_app
DEMO_APP_CONTACT = city().open311_contact
REPORTS: tuple[DemoReport, ...] = city().reports


async def create_demo_key(session: AsyncSession, *, created_by_id: uuid.UUID | None) -> ApiKey:
    """The demo Open311 integrator, whose secret is `DEMO_OPEN311_KEY` (so the printed curl example works)."""
    _, row = await staff_service.create_api_key(
        session,
        name=DEMO_APP_NAME,
        created_by_id=created_by_id,
        scope=ApiKeyScope.open311,
        contact=DEMO_APP_CONTACT,
        key=DEMO_OPEN311_KEY,
    )
    return row


def open311_instructions(where: str) -> list[str]:
    """What `townsquare demo` prints about Open311: the endpoint, the demo key and a request to try."""
    return [
        f"  Open311:     {where}/open311/discovery.json  (GeoReport v2 at {where}/open311/v2/)",
        f"  Demo Open311 key ({DEMO_APP_NAME}): {DEMO_OPEN311_KEY}",
        "  Try:",
        f"    curl {where}/open311/v2/services.json",
        f"    curl -X POST {where}/open311/v2/requests.json -d api_key={DEMO_OPEN311_KEY} \\",
        "      -d service_code=POTHOLE -d 'attribute[size]=medium' -d lat=43.6529 -d long=-79.3849 \\",
        '      -d "description=Pothole by the crosswalk"',
    ]


def _shifted(place: AddressPoint, metres: float) -> tuple[float, float]:
    if not metres:
        return place.lat, place.long
    step = metres / math.sqrt(2)
    per_long = 111_320.0 * math.cos(math.radians(place.lat))
    return round(place.lat + step / 111_132.0, 7), round(place.long + step / per_long, 7)


@dataclass
class ReportContext:
    """What the reports need from the rest of the demo city."""

    now: datetime
    places: dict[str, AddressPoint]  # by address
    reporters: list[tuple[Citizen, str | None, str | None]]  # citizen, phone, email
    agent_id: uuid.UUID | None  # who records the status changes
    key_id: uuid.UUID


async def seed_reports(db: Database, pipeline: Pipeline, ctx: ReportContext) -> list[Case]:
    """Send the demo reports oldest first, each committed as the live door commits it, then play their steps."""
    cases: list[tuple[DemoReport, uuid.UUID]] = []
    ordered = sorted(enumerate(REPORTS), key=lambda pair: -pair[1].hours_ago)
    for index, report in ordered:
        when = ctx.now - timedelta(hours=report.hours_ago)
        reporter = ctx.reporters[(index * 17 + 3) % len(ctx.reporters)]
        async with db.session() as session:
            with replaying(when):
                case_id = await _send(session, pipeline, ctx, report, reporter, index)
        cases.append((report, case_id))
    async with db.session() as session:
        for report, case_id in cases:
            case = await cases_service.get_by_id(session, case_id=case_id)
            for status, note, after in report.steps:
                with replaying(case.created_at + timedelta(hours=after)):
                    await cases_service.change_status(
                        session, case=case, status=status, note=note, source="staff", staff_id=ctx.agent_id
                    )
        await session.commit()
        return [await cases_service.get_by_id(session, case_id=case_id) for _, case_id in cases]


async def _send(
    session: AsyncSession,
    pipeline: Pipeline,
    ctx: ReportContext,
    report: DemoReport,
    reporter: tuple[Citizen, str | None, str | None],
    index: int,
) -> uuid.UUID:
    service = await agencies.get_service(session, code=report.code)
    place = ctx.places[report.address]
    lat, long = _shifted(place, report.shift_m)
    location: dict[str, Any] = {"lat": lat, "long": long, "address_string": place.address, "zipcode": place.zipcode}
    if not report.shift_m:
        location["address_id"] = place.address_id
    citizen, phone, email = reporter
    if report.channel is Channel.api:  # the demo city app, through the Open311 door
        key = await session.get_one(ApiKey, ctx.key_id)
        sender = Sender(IdentityKind.email, email) if email else Sender(IdentityKind.phone, phone) if phone else None
        request = NewRequest(
            service=service,
            description=report.description,
            location=location,
            attributes={},
            sender=sender,
            media_url=None,
            device_id=f"demo-device-{index:02d}",
            account_id=None,
        )
        case, _ = await submit_request(session, pipeline, key=key, request=request)
        await session.commit()  # the door's caller commits, as the Open311 route does
        return case.id
    message = InboundMessage(  # the portal's report page, by a signed-in resident
        channel=Channel.web,
        kind=InteractionKind.form_submission,
        service_code=service.code,
        text=report.description,
        subject=service.name,
        citizen_id=citizen.id,
        external_id=f"demo-report-{index:02d}",
        metadata={"attributes": {}, "location": location},
    )
    result = await pipeline.ingest(session, message)
    assert result.case_id is not None  # a form for a service always opens a case
    return uuid.UUID(result.case_id)
