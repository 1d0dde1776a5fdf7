"""The demo city's Open311 side: an integrator key with a known secret, and a dozen recent street reports
placed on the address register — two pairs of them close enough to be flagged as likely duplicates, some
already fixed with a note the public can read. Demo data only: the key is printed and must never be reused.
"""

from __future__ import annotations

import hashlib
import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Service
from townsquare.cases import service as cases_service
from townsquare.cases.models import Case, CaseStatus, Open311Submission
from townsquare.citizens.models import Citizen
from townsquare.db import new_id
from townsquare.interactions.models import Channel, Conversation, ConversationStatus, Direction, Interaction
from townsquare.interactions.models import InteractionKind as Kind
from townsquare.places.models import Place
from townsquare.routing.models import CapacityClass, Queue, WorkItem, WorkItemStatus
from townsquare.routing.service import PRIORITY_BY_CASE
from townsquare.staff import service as staff_service
from townsquare.staff.models import ApiKey, ApiKeyScope

DEMO_OPEN311_KEY = "ts_demo-open311-key-for-the-demo-city-only"
DEMO_APP_NAME = "Demo city app"
DEMO_APP_CONTACT = "apps@city.example"
# Wider than the pairs below are apart, so they are linked whatever TOWNSQUARE_DUPLICATE_RADIUS_M says.
DUPLICATE_RADIUS_M = 50.0


@dataclass(frozen=True)
class DemoReport:
    code: str
    address: str  # a register address; the report is placed there, moved `shift_m` metres north-east
    description: str
    channel: Channel  # api: through the demo city app (Open311); web: the portal
    hours_ago: float
    shift_m: float = 0.0
    steps: tuple[tuple[CaseStatus, str, float], ...] = ()  # (status, note, hours after the report)


REPORTS: tuple[DemoReport, ...] = (
    DemoReport(
        "POTHOLE",
        "130 Queen Street West",
        "Deep pothole in the eastbound lane, cyclists swerving around it.",
        Channel.api,
        70,
    ),
    DemoReport(
        "POTHOLE",
        "130 Queen Street West",
        "Large hole in the road near the crosswalk, about a tyre wide.",
        Channel.web,
        20,
        shift_m=14.0,
    ),
    DemoReport("STREETLIGHT", "216 Bay Street", "Light out by the bank; the corner is dark.", Channel.api, 50),
    DemoReport(
        "STREETLIGHT", "216 Bay Street", "The lamp on this block flickers all night.", Channel.api, 9, shift_m=18.0
    ),
    DemoReport(
        "GRAFFITI",
        "140 Richmond Street West",
        "Tags sprayed on the bus shelter and the utility box beside it.",
        Channel.api,
        140,
        steps=(
            (CaseStatus.in_progress, "A crew is booked to clean it tomorrow morning.", 20),
            (CaseStatus.resolved, "Graffiti removed from the shelter and the utility box.", 44),
        ),
    ),
    DemoReport(
        "TREE",
        "190 University Avenue",
        "A large branch came down in last night's wind and is lying on the sidewalk.",
        Channel.web,
        110,
        steps=((CaseStatus.resolved, "Branch cleared and the tree checked: it is healthy.", 6),),
    ),
    DemoReport(
        "GARBAGE-MISSED",
        "118 Adelaide Street West",
        "Recycling not picked up this week; the whole side of the street was missed.",
        Channel.api,
        30,
    ),
    DemoReport(
        "POTHOLE",
        "108 King Street West",
        "Pothole at the streetcar stop, water pooling in it.",
        Channel.api,
        160,
        steps=(
            (CaseStatus.in_progress, "Inspected: scheduled for repair this week.", 26),
            (CaseStatus.resolved, "Pothole filled and the patch sealed.", 75),
        ),
    ),
    DemoReport("STREETLIGHT", "31 Elm Street", "Light pole leaning after a car hit it.", Channel.web, 5),
    DemoReport("GRAFFITI", "104 York Street", "Graffiti on the railway underpass wall.", Channel.api, 44),
    DemoReport(
        "TREE",
        "21 St. Patrick Street",
        "Dead tree in front of the school, bark falling off.",
        Channel.api,
        90,
        steps=((CaseStatus.in_progress, "A forester will inspect the tree on Friday.", 30),),
    ),
    DemoReport("GARBAGE-MISSED", "140 Dundas Street West", "Green bin not collected on Tuesday.", Channel.web, 3),
)


async def create_demo_key(session: AsyncSession, *, created_by_id: uuid.UUID | None) -> ApiKey:
    """The demo Open311 integrator, whose secret is `DEMO_OPEN311_KEY` (so the printed curl example works)."""
    _, row = await staff_service.create_api_key(
        session,
        name=DEMO_APP_NAME,
        created_by_id=created_by_id,
        scope=ApiKeyScope.open311,
        contact=DEMO_APP_CONTACT,
    )
    row.prefix = DEMO_OPEN311_KEY[:10]
    row.key_hash = hashlib.sha256(DEMO_OPEN311_KEY.encode()).hexdigest()
    await session.flush()
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


def _shifted(place: Place, metres: float) -> tuple[float, float]:
    if not metres:
        return place.lat, place.long
    step = metres / math.sqrt(2)
    per_long = 111_320.0 * math.cos(math.radians(place.lat))
    return round(place.lat + step / 111_132.0, 7), round(place.long + step / per_long, 7)


@dataclass
class ReportContext:
    """What the reports need from the rest of the demo city."""

    prefix: str
    now: datetime
    services: dict[str, Service]
    places: dict[str, Place]  # by address
    citizens: list[Citizen]
    queues: dict[uuid.UUID, Queue]  # each agency's backlog queue
    agent_id: uuid.UUID | None  # who records the status changes
    key: ApiKey


async def seed_reports(session: AsyncSession, ctx: ReportContext) -> list[Case]:
    """Open the demo reports oldest first, link likely duplicates as a new report would, then play the steps."""
    cases: list[Case] = []
    ordered = sorted(enumerate(REPORTS), key=lambda pair: -pair[1].hours_ago)
    for index, report in ordered:
        case = await _open(session, ctx, report, ctx.citizens[(index * 17 + 3) % len(ctx.citizens)], index)
        await cases_service.link_likely_duplicates(session, case=case, radius_m=DUPLICATE_RADIUS_M)
        cases.append(case)
    for (_, report), case in zip(ordered, cases, strict=True):
        opened = case.created_at
        for status, note, after in report.steps:
            await cases_service.change_status(
                session, case=case, status=status, note=note, source="staff", staff_id=ctx.agent_id
            )
            when = opened + timedelta(hours=after)
            case.updated_at = when
            case.closed_at = when if status is CaseStatus.resolved else None
            (await cases_service.updates_for(session, case_id=case.id))[-1].created_at = when
    await session.flush()
    return cases


async def _open(session: AsyncSession, ctx: ReportContext, report: DemoReport, citizen: Citizen, index: int) -> Case:
    service, place = ctx.services[report.code], ctx.places[report.address]
    lat, long = _shifted(place, report.shift_m)
    when = ctx.now - timedelta(hours=report.hours_ago)
    location = {"lat": lat, "long": long, "address_string": place.address, "zipcode": place.zipcode}
    if not report.shift_m:
        location["address_id"] = place.address_id
    case = await cases_service.open_case(
        session,
        prefix=ctx.prefix,
        agency_id=service.agency_id,
        title=service.name,
        channel=report.channel.value,
        description=report.description,
        service_id=service.id,
        sla_target_hours=service.sla_target_hours,
        citizen_id=citizen.id,
        location=location,
    )
    case.created_at = case.updated_at = when
    case.sla_due_at = when + timedelta(hours=service.sla_target_hours or 72)
    if report.channel is Channel.api:
        session.add(
            Open311Submission(
                case_id=case.id, api_key_id=ctx.key.id, device_id=f"demo-device-{index:02d}", submitted_at=when
            )
        )
    closed = any(status is CaseStatus.resolved for status, _, _ in report.steps)
    conversation = Conversation(
        id=new_id(),
        citizen_id=citizen.id,
        channel=report.channel,
        case_id=case.id,
        subject=service.name,
        status=ConversationStatus.closed if closed else ConversationStatus.open,
        last_activity_at=when,
        created_at=when,
        updated_at=when,
    )
    session.add(conversation)
    session.add(
        Interaction(
            conversation_id=conversation.id,
            citizen_id=citizen.id,
            case_id=case.id,
            channel=report.channel,
            direction=Direction.inbound,
            kind=Kind.form_submission,
            body=report.description,
            payload={"location": location},
            external_id=f"demo-report-{index:02d}",
            occurred_at=when,
            created_at=when,
        )
    )
    if not closed:
        session.add(
            WorkItem(
                channel=report.channel.value,
                kind="case",
                status=WorkItemStatus.queued,
                agency_id=case.agency_id,
                service_id=service.id,
                case_id=case.id,
                conversation_id=conversation.id,
                citizen_id=citizen.id,
                priority=PRIORITY_BY_CASE[case.priority.value],
                capacity_class=CapacityClass.async_,
                language=citizen.language,
                queue_id=ctx.queues[case.agency_id].id,
                sla_due_at=case.sla_due_at,
                context={"case_reference": case.reference, "service_code": service.code.lower()},
                last_activity_at=when,
                created_at=when,
                updated_at=when,
            )
        )
    await session.flush()
    return case
