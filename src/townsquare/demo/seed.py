"""Fill an empty database with the demo city: the catalogue, staff, an address register, a few hundred citizens,
a few thousand touchpoints across every channel over the last six months, and street reports on the map.

Deterministic for a given seed (Faker and random are seeded); times are relative to now so the demo looks live.
Never touches a database that already has agencies.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from faker import Faker
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import (
    Agency,
    AttributeDatatype,
    CannedResponse,
    ContactPoint,
    Service,
    ServiceAttribute,
    ServiceType,
)
from townsquare.cases import service as cases_service
from townsquare.cases.models import Case, CaseStatus, Priority
from townsquare.citizens.models import Citizen, CitizenStatus, Identity, IdentityKind, VerificationMethod
from townsquare.clock import utcnow
from townsquare.db import Database, new_id
from townsquare.demo.addresses import register_rows
from townsquare.demo.catalogue import (
    AGENCIES,
    CANNED_RESPONSES,
    DEMO_PASSWORD,
    HOLIDAYS,
    OFFICE_HOURS,
    QUEUES,
    SERVICES,
    SLA_TARGETS,
    STAFF,
    WRAP_UP_CODES,
)
from townsquare.demo.knowledge import seed_knowledge
from townsquare.demo.phrases import inbound_text, reply_text
from townsquare.demo.reports import ReportContext, create_demo_key, seed_reports
from townsquare.interactions.models import (
    Channel,
    Conversation,
    ConversationStatus,
    DeliveryStatus,
    Direction,
    Interaction,
    InteractionKind,
)
from townsquare.places import service as places_service
from townsquare.places.models import Place
from townsquare.routing import agents as routing_agents
from townsquare.routing.models import (
    BusinessCalendar,
    CapacityClass,
    Holiday,
    Queue,
    SlaTarget,
    Team,
    TeamMember,
    WorkItem,
    WorkItemStatus,
    WrapUpCode,
)
from townsquare.routing.service import PRIORITY_BY_CASE
from townsquare.staff import service as staff_service
from townsquare.staff.models import StaffRole

CHANNEL_WEIGHTS = {
    Channel.web: 24,
    Channel.voice: 20,
    Channel.sms: 15,
    Channel.email: 15,
    Channel.chat: 12,
    Channel.counter: 5,
    Channel.social: 4,
    Channel.mail: 3,
    Channel.mobile: 2,
}
KIND_BY_CHANNEL = {
    Channel.voice: InteractionKind.call,
    Channel.counter: InteractionKind.visit,
    Channel.mail: InteractionKind.letter,
    Channel.web: InteractionKind.form_submission,
}
FINAL = (CaseStatus.resolved, CaseStatus.closed)


@dataclass(frozen=True)
class DemoSummary:
    seeded: bool
    citizens: int
    cases: int
    interactions: int
    staff: list[tuple[str, str, str]]  # email, role, password


def staff_listing() -> list[tuple[str, str, str]]:
    return [(s["email"], s["role"], DEMO_PASSWORD) for s in STAFF]


async def seed(db: Database, *, prefix: str = "TS", citizens: int = 300, rng_seed: int = 2026) -> DemoSummary:
    """Seed once; a database that already has agencies is left as it is."""
    async with db.session() as session:
        if (await session.execute(select(func.count()).select_from(Agency))).scalar_one():
            return DemoSummary(False, 0, 0, 0, staff_listing())
        builder = _Builder(session, random.Random(rng_seed), Faker(["en_CA", "fr_CA"]), prefix)
        builder.faker.seed_instance(rng_seed)
        await builder.catalogue()
        await builder.register()
        await builder.staff()
        await seed_knowledge(session)
        await builder.contact_centre()
        await builder.people(citizens)
        await builder.history()
        await builder.street_reports()
        await session.commit()
        return DemoSummary(True, citizens, builder.case_count, builder.interaction_count, staff_listing())


class _Builder:
    def __init__(self, session: AsyncSession, rng: random.Random, faker: Faker, prefix: str) -> None:
        self.session, self.rng, self.faker, self.prefix = session, rng, faker, prefix
        self.now = utcnow()
        self.agencies: dict[str, Agency] = {}
        self.services: list[Service] = []
        self.places: list[Place] = []
        self.citizens: list[tuple[Citizen, str | None, str | None]] = []
        self.staff_ids: dict[str, list[uuid.UUID]] = {}
        self.staff_by_email: dict[str, uuid.UUID] = {}
        self.backlog_queue: dict[uuid.UUID, Queue] = {}
        self.case_count = 0
        self.interaction_count = 0

    async def catalogue(self) -> None:
        for spec in AGENCIES:
            agency = Agency(
                slug=spec["slug"],
                name=spec["name"],
                description=spec["description"],
                email=spec["email"],
                phone=spec["phone"],
            )
            self.session.add(agency)
            await self.session.flush()
            self.agencies[agency.slug] = agency
            for channel, address in spec["contact_points"]:
                self.session.add(ContactPoint(agency_id=agency.id, channel=channel, address=address))
        for spec in SERVICES:
            service = Service(
                code=spec["code"],
                name=spec["name"],
                description=spec["description"],
                agency_id=self.agencies[spec["agency"]].id,
                keywords=spec["keywords"],
                group=spec["group"],
                type=ServiceType.realtime,
                sla_target_hours=spec["sla"],
                translations={"fr": spec["fr"]},
                open311=spec.get("open311", False),
                notice=spec.get("notice", ""),
            )
            self.session.add(service)
            await self.session.flush()
            for order, attr in enumerate(spec["attributes"]):
                self.session.add(
                    ServiceAttribute(
                        service_id=service.id,
                        code=attr["code"],
                        order=order,
                        datatype=AttributeDatatype(attr["datatype"]),
                        required=attr["required"],
                        description=attr["description"],
                        datatype_description=attr["datatype_description"],
                        values=attr["values"],
                        page=attr["page"],
                        translations=attr["translations"],
                    )
                )
            self.services.append(service)
        await self.session.flush()

    async def register(self) -> None:
        """The city's address register, so reports given as an address land on the map."""
        await places_service.import_rows(self.session, register_rows())
        self.places = list((await self.session.execute(select(Place).order_by(Place.address_id))).scalars())

    async def street_reports(self) -> None:
        """The demo Open311 integrator and a dozen recent reports, some near each other, some already fixed."""
        admin_id = self.staff_by_email.get("admin@city.example")
        agents: list[uuid.UUID | None] = [*self.staff_ids.get("city-works", [])] or [admin_id]
        context = ReportContext(
            prefix=self.prefix,
            now=self.now,
            services={s.code: s for s in self.services},
            places={p.address: p for p in self.places},
            citizens=[citizen for citizen, _, _ in self.citizens],
            queues=dict(self.backlog_queue),
            agent_id=agents[-1],
            key=await create_demo_key(self.session, created_by_id=admin_id),
        )
        reports = await seed_reports(self.session, context)
        self.case_count += len(reports)
        self.interaction_count += len(reports)  # each came in as one form

    async def staff(self) -> None:
        for spec in STAFF:
            account = await staff_service.create_staff(
                self.session,
                email=spec["email"],
                display_name=spec["name"],
                password=DEMO_PASSWORD,
                role=StaffRole(spec["role"]),
                agency_ids=[self.agencies[a].id for a in spec["agencies"]],
            )
            self.staff_by_email[spec["email"]] = account.id
            for slug in spec["agencies"]:
                self.staff_ids.setdefault(slug, []).append(account.id)

    async def contact_centre(self) -> None:
        """Opening hours, holidays, a front-line team, queues, SLA targets, wrap-up codes and canned replies per
        agency; every staff member an agent in English and French, skilled in their agencies' services."""
        for agency in self.agencies.values():
            calendar = BusinessCalendar(
                agency_id=agency.id, name="Office hours", timezone=agency.timezone, hours=OFFICE_HOURS
            )
            team = Team(agency_id=agency.id, slug="front-line", name="Front line")
            self.session.add_all([calendar, team])
            await self.session.flush()
            for day, name in HOLIDAYS:
                self.session.add(Holiday(calendar_id=calendar.id, day=date.fromisoformat(day), name=name))
            for spec in QUEUES:
                queue = Queue(agency_id=agency.id, calendar_id=calendar.id, **spec)
                self.session.add(queue)
                if not queue.channels:
                    self.backlog_queue[agency.id] = queue
            for channel, seconds, goal, business in SLA_TARGETS:
                self.session.add(
                    SlaTarget(
                        agency_id=agency.id,
                        channel=channel,
                        first_response_seconds=seconds,
                        goal_percent=goal,
                        business_hours=business,
                    )
                )
            for code, label in WRAP_UP_CODES:
                self.session.add(WrapUpCode(agency_id=agency.id, code=code, label=label))
            for canned in CANNED_RESPONSES:
                self.session.add(CannedResponse(agency_id=agency.id, **canned))
            for staff_id in self.staff_ids.get(agency.slug, []):
                self.session.add(TeamMember(team_id=team.id, staff_id=staff_id))
        await self.session.flush()
        for spec in STAFF:
            staff_id = self.staff_by_email[spec["email"]]
            codes = [s.code for s in self.services if any(self.agencies[a].id == s.agency_id for a in spec["agencies"])]
            level = 4 if spec["role"] == "supervisor" else 3
            await routing_agents.ensure_agent(
                self.session,
                staff_id=staff_id,
                languages=["en", "fr"],
                skills={code.lower(): level for code in codes},
                wrap_up_seconds=15,
            )

    async def people(self, count: int) -> None:
        for i in range(count):
            french = self.rng.random() < 0.25
            first, last = self.faker["fr_CA" if french else "en_CA"].first_name(), self.faker.last_name()
            created = self.now - timedelta(days=self.rng.uniform(120, 400))
            citizen = Citizen(
                id=new_id(),
                display_name=f"{first} {last}",
                given_name=first,
                family_name=last,
                status=CitizenStatus.confirmed if self.rng.random() < 0.7 else CitizenStatus.provisional,
                language="fr" if french else "en",
                created_at=created,
                updated_at=created,
                preferred_channels=self.rng.sample(["sms", "email", "voice", "web"], k=self.rng.randint(0, 2)),
            )
            self.session.add(citizen)
            phone = f"+1613555{1000 + i:04d}" if self.rng.random() < 0.9 else None
            email = (
                f"{first}.{last}.{i}".lower().replace(" ", "") + "@example.org" if self.rng.random() < 0.75 else None
            )
            email = email.encode("ascii", "ignore").decode() if email else None
            if phone:
                verified = self.rng.random() < 0.4
                self._identity(citizen, IdentityKind.phone, phone, VerificationMethod.sms_code if verified else None)
            if email:
                verified = self.rng.random() < 0.5
                self._identity(citizen, IdentityKind.email, email, VerificationMethod.email_link if verified else None)
            if self.rng.random() < 0.3:
                self._identity(
                    citizen,
                    IdentityKind.sso,
                    f"demo-sub-{i:05d}",
                    VerificationMethod.oidc,
                    namespace="https://id.city.example",
                )
            self.citizens.append((citizen, phone, email))
        await self.session.flush()

    def _identity(
        self, citizen: Citizen, kind: IdentityKind, value: str, method: VerificationMethod | None, namespace: str = ""
    ) -> None:
        self.session.add(
            Identity(
                citizen_id=citizen.id,
                kind=kind,
                value=value,
                namespace=namespace,
                verified=method is not None,
                verification_method=method,
                verified_at=citizen.created_at if method else None,
                created_at=citizen.created_at,
                updated_at=citizen.created_at,
            )
        )

    def _channel_for(self, phone: str | None, email: str | None) -> Channel:
        channels = [c for c in CHANNEL_WEIGHTS if not (c in (Channel.sms, Channel.voice) and not phone)]
        channels = [c for c in channels if not (c is Channel.email and not email)]
        return self.rng.choices(channels, weights=[CHANNEL_WEIGHTS[c] for c in channels])[0]

    async def history(self) -> None:
        journeys = []
        for citizen, phone, email in self.citizens:
            for _ in range(self.rng.choices([1, 2, 3, 4], weights=[50, 30, 15, 5])[0]):
                start = self.now - timedelta(days=self.rng.uniform(0, 180), minutes=self.rng.uniform(0, 600))
                journeys.append((start, citizen, phone, email))
        # In time order, so case references are handed out as a live system would.
        for start, citizen, phone, email in sorted(journeys, key=lambda j: j[0]):
            await self._journey(citizen, phone, email, start)

    async def _journey(self, citizen: Citizen, phone: str | None, email: str | None, start: datetime) -> None:
        """One person's contact about one service: a case, a few touchpoints across channels, replies."""
        service = self.rng.choice(self.services)
        agency_slug = next(s for s, a in self.agencies.items() if a.id == service.agency_id)
        age_days = (self.now - start).days
        status = self._status_for_age(age_days)
        case = Case(
            reference=await cases_service.next_reference(self.session, prefix=self.prefix, year=start.year),
            title=service.name,
            description="",
            status=status,
            priority=self._priority(),
            agency_id=service.agency_id,
            service_id=service.id,
            citizen_id=citizen.id,
            opened_channel="",
            attributes={},
            sla_due_at=start + timedelta(hours=service.sla_target_hours or 72),
            created_at=start,
            updated_at=start,
            closed_at=start + timedelta(days=self.rng.uniform(1, 10)) if status in FINAL else None,
        )
        if service.open311:  # street reports: at an address of the register
            place = self.rng.choice(self.places)
            case.address_string, case.address_id, case.zipcode = place.address, place.address_id, place.zipcode
            case.lat, case.long = place.lat, place.long
        first_channel = self._channel_for(phone, email)
        case.opened_channel = first_channel.value
        self.session.add(case)
        conversation = Conversation(
            id=new_id(),
            citizen_id=citizen.id,
            channel=first_channel,
            case_id=case.id,
            subject=service.name,
            status=ConversationStatus.open if status not in FINAL else ConversationStatus.closed,
            last_activity_at=start,
            created_at=start,
            updated_at=start,
        )
        self.session.add(conversation)
        self.case_count += 1
        when = start
        agents: list[uuid.UUID | None] = [*self.staff_ids.get(agency_slug, [])] or [None]
        last_inbound = first_channel
        for step in range(self.rng.randint(3, 11)):
            inbound = step == 0 or self.rng.random() < 0.55
            if inbound:
                channel = first_channel if step == 0 else self._channel_for(phone, email)
                last_inbound = channel
                body = inbound_text(self.rng, service.code, citizen.language, case.reference, first=step == 0)
            else:
                channel = self._reply_channel(last_inbound, phone, email)
                body = reply_text(self.rng, citizen.language, case.reference)
            agent = self.rng.choice(agents)
            self._touchpoint(conversation, case, channel, inbound, body, when, agent, first=step == 0)
            when = when + timedelta(hours=self.rng.uniform(0.2, 60))
            if when > self.now:
                break
        conversation.last_activity_at = min(when, self.now)
        if status not in FINAL and (self.now - conversation.last_activity_at) < timedelta(days=21):
            self.session.add(
                WorkItem(
                    channel=first_channel.value,
                    kind="case",
                    status=WorkItemStatus.queued,
                    agency_id=case.agency_id,
                    service_id=service.id,
                    case_id=case.id,
                    conversation_id=conversation.id,
                    citizen_id=citizen.id,
                    priority=PRIORITY_BY_CASE[case.priority.value],
                    # Follow-up casework: written work whatever channel the case began on.
                    capacity_class=CapacityClass.async_,
                    language=citizen.language,
                    queue_id=self.backlog_queue[case.agency_id].id,
                    sla_due_at=start + timedelta(hours=service.sla_target_hours or 72),
                    context={"case_reference": case.reference, "service_code": service.code.lower()},
                    last_activity_at=conversation.last_activity_at,
                    created_at=start,
                    updated_at=start,
                )
            )

    @staticmethod
    def _reply_channel(last_inbound: Channel, phone: str | None, email: str | None) -> Channel:
        """Staff answer where the person last wrote from; a visit or a letter is answered by email, SMS or post."""
        if last_inbound not in (Channel.counter, Channel.mail):
            return last_inbound
        return Channel.email if email else Channel.sms if phone else Channel.mail

    def _touchpoint(
        self,
        conversation: Conversation,
        case: Case,
        channel: Channel,
        inbound: bool,
        body: str,
        when: datetime,
        agent: uuid.UUID | None,
        *,
        first: bool,
    ) -> None:
        kind = InteractionKind.message
        if inbound and (channel is not Channel.web or first):  # on the web only the first contact is a form
            kind = KIND_BY_CHANNEL.get(channel, InteractionKind.message)
        self.session.add(
            Interaction(
                conversation_id=conversation.id,
                citizen_id=conversation.citizen_id,
                case_id=case.id,
                channel=channel,
                direction=Direction.inbound if inbound else Direction.outbound,
                kind=kind,
                body=body,
                payload={"subject": case.title} if channel is Channel.email else {},
                external_id=f"demo-{uuid.UUID(int=self.rng.getrandbits(128)).hex}",
                staff_id=None if inbound else agent,
                delivery_status=None if inbound else DeliveryStatus.delivered,
                duration_seconds=self.rng.randint(40, 900) if channel is Channel.voice else None,
                occurred_at=when,
                created_at=when,
            )
        )
        self.interaction_count += 1

    def _status_for_age(self, age_days: int) -> CaseStatus:
        if age_days > 30:
            return self.rng.choices(list(CaseStatus), weights=[1, 2, 3, 2, 20, 60, 3])[0]
        return self.rng.choices(list(CaseStatus), weights=[25, 25, 25, 10, 8, 5, 2])[0]

    def _priority(self) -> Priority:
        return self.rng.choices(list(Priority), weights=[15, 65, 15, 5])[0]
