"""The demo city's residents and six months of their contact, written through the same service functions as live
contact (citizens, cases, interactions, routing), each step at the moment it happened (`clock.replaying`).

Deterministic for a given random generator; never commits (the caller owns the transaction).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from faker import Faker
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Service
from townsquare.cases import service as cases
from townsquare.cases.models import Case, CaseStatus, Priority
from townsquare.citizens import service as citizens
from townsquare.citizens.models import Citizen, CitizenStatus, IdentityKind, VerificationMethod
from townsquare.clock import replaying
from townsquare.demo.addresses import AddressPoint
from townsquare.demo.phrases import inbound_text, reply_text
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel, Conversation, DeliveryStatus, Direction, InteractionKind
from townsquare.routing import service as routing

REGION = "CA"
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
FINAL = (CaseStatus.resolved, CaseStatus.closed, CaseStatus.cancelled)
# The workflow steps that bring a new case to each status.
PATHS: dict[CaseStatus, tuple[CaseStatus, ...]] = {
    CaseStatus.new: (),
    CaseStatus.open: (CaseStatus.open,),
    CaseStatus.in_progress: (CaseStatus.in_progress,),
    CaseStatus.waiting_on_citizen: (CaseStatus.in_progress, CaseStatus.waiting_on_citizen),
    CaseStatus.resolved: (CaseStatus.in_progress, CaseStatus.resolved),
    CaseStatus.closed: (CaseStatus.in_progress, CaseStatus.resolved, CaseStatus.closed),
    CaseStatus.cancelled: (CaseStatus.cancelled,),
}


@dataclass(frozen=True)
class Resident:
    citizen: Citizen
    phone: str | None
    email: str | None


@dataclass
class History:
    """Writes the residents and their journeys; counts what it wrote."""

    session: AsyncSession
    rng: random.Random
    faker: Faker
    prefix: str
    now: datetime
    services: list[Service]
    staff_by_agency: dict[uuid.UUID, list[uuid.UUID]]
    places: list[AddressPoint]
    residents: list[Resident] = field(default_factory=list)
    case_count: int = 0

    async def people(self, count: int, advance: Callable[[int], None] = lambda _: None) -> None:
        for i in range(count):
            french = self.rng.random() < 0.25
            first, last = self.faker["fr_CA" if french else "en_CA"].first_name(), self.faker.last_name()
            created = self.now - timedelta(days=self.rng.uniform(120, 400))
            confirmed = self.rng.random() < 0.7
            channels = self.rng.sample(["sms", "email", "voice", "web"], k=self.rng.randint(0, 2))
            phone = f"+1613555{1000 + i:04d}" if self.rng.random() < 0.9 else None
            email = (
                f"{first}.{last}.{i}".lower().replace(" ", "") + "@example.org" if self.rng.random() < 0.75 else None
            )
            email = email.encode("ascii", "ignore").decode() if email else None
            with replaying(created):
                citizen = await citizens.create(
                    self.session,
                    display_name=f"{first} {last}",
                    given_name=first,
                    family_name=last,
                    language="fr" if french else "en",
                    status=CitizenStatus.confirmed if confirmed else CitizenStatus.provisional,
                )
                await citizens.update_preferences(self.session, citizen=citizen, preferred_channels=channels)
                if phone:
                    verified = VerificationMethod.sms_code if self.rng.random() < 0.4 else None
                    await self._identity(citizen, IdentityKind.phone, phone, verified)
                if email:
                    verified = VerificationMethod.email_link if self.rng.random() < 0.5 else None
                    await self._identity(citizen, IdentityKind.email, email, verified)
                if self.rng.random() < 0.3:
                    sub = f"demo-sub-{i:05d}"
                    await self._identity(
                        citizen, IdentityKind.sso, sub, VerificationMethod.oidc, namespace="https://id.city.example"
                    )
            self.residents.append(Resident(citizen, phone, email))
            advance(1)

    async def _identity(
        self,
        citizen: Citizen,
        kind: IdentityKind,
        value: str,
        method: VerificationMethod | None,
        namespace: str = "",
    ) -> None:
        await citizens.add_identity(
            self.session,
            citizen_id=citizen.id,
            kind=kind,
            value=value,
            region=REGION,
            namespace=namespace,
            verification_method=method,
        )

    def journeys(self) -> list[tuple[datetime, Resident]]:
        """Each resident's one to four contacts about something, in time order (so references run as live)."""
        journeys = []
        for resident in self.residents:
            for _ in range(self.rng.choices([1, 2, 3, 4], weights=[50, 30, 15, 5])[0]):
                start = self.now - timedelta(days=self.rng.uniform(0, 180), minutes=self.rng.uniform(0, 600))
                journeys.append((start, resident))
        return sorted(journeys, key=lambda j: j[0])

    def _channel_for(self, resident: Resident) -> Channel:
        channels = [c for c in CHANNEL_WEIGHTS if not (c in (Channel.sms, Channel.voice) and not resident.phone)]
        channels = [c for c in channels if not (c is Channel.email and not resident.email)]
        return self.rng.choices(channels, weights=[CHANNEL_WEIGHTS[c] for c in channels])[0]

    async def journey(self, resident: Resident, start: datetime) -> None:
        """One person's contact about one service: a case, a few touchpoints across channels, replies, its steps."""
        service = self.rng.choice(self.services)
        status = self._status_for_age((self.now - start).days)
        priority = self.rng.choices(list(Priority), weights=[15, 65, 15, 5])[0]
        first_channel = self._channel_for(resident)
        location = None
        if service.open311:  # street reports: at an address of the register
            place = self.rng.choice(self.places)
            location = {
                "address_string": place.address,
                "address_id": place.address_id,
                "zipcode": place.zipcode,
                "lat": place.lat,
                "long": place.long,
            }
        with replaying(start):
            case = await cases.open_case(
                self.session,
                prefix=self.prefix,
                agency_id=service.agency_id,
                title=service.name,
                channel=first_channel.value,
                service_id=service.id,
                sla_target_hours=service.sla_target_hours,
                citizen_id=resident.citizen.id,
                priority=priority,
                location=location,
            )
            conversation = await interactions.start_conversation(
                self.session,
                citizen_id=resident.citizen.id,
                channel=first_channel,
                case_id=case.id,
                subject=service.name,
                started_at=start,
            )
        self.case_count += 1
        last = await self._touchpoints(resident, service, case, conversation, first_channel, start)
        end = min(start + timedelta(days=self.rng.uniform(1, 10)), self.now) if status in FINAL else last
        await self._steps(case, PATHS[status], start, max(end, start + timedelta(minutes=5)))
        if status not in FINAL and (self.now - last) < timedelta(days=21):
            await self._work(resident, service, case, conversation, start, last)

    async def _touchpoints(
        self,
        resident: Resident,
        service: Service,
        case: Case,
        conversation: Conversation,
        first_channel: Channel,
        start: datetime,
    ) -> datetime:
        when, last = start, start
        agents: list[uuid.UUID | None] = [*self.staff_by_agency.get(service.agency_id, [])] or [None]
        language = resident.citizen.language
        last_inbound = first_channel
        for step in range(self.rng.randint(2, 9)):
            inbound = step == 0 or self.rng.random() < 0.55
            if inbound:
                channel = first_channel if step == 0 else self._channel_for(resident)
                last_inbound = channel
                body = inbound_text(self.rng, service.code, language, case.reference, first=step == 0)
            else:
                channel = self._reply_channel(last_inbound, resident)
                body = reply_text(self.rng, language, case.reference)
            agent = self.rng.choice(agents)
            kind = InteractionKind.message
            if inbound and (channel is not Channel.web or step == 0):  # on the web only the first is a form
                kind = KIND_BY_CHANNEL.get(channel, InteractionKind.message)
            with replaying(when):
                await interactions.record(
                    self.session,
                    conversation=conversation,
                    channel=channel,
                    direction=Direction.inbound if inbound else Direction.outbound,
                    kind=kind,
                    body=body,
                    occurred_at=when,
                    case_id=case.id,
                    external_id=f"demo-{uuid.UUID(int=self.rng.getrandbits(128)).hex}",
                    payload={"subject": case.title} if channel is Channel.email else {},
                    staff_id=None if inbound else agent,
                    delivery_status=None if inbound else DeliveryStatus.delivered,
                    duration_seconds=self.rng.randint(40, 900) if channel is Channel.voice else None,
                )
            last = when
            when = when + timedelta(hours=self.rng.uniform(0.2, 60))
            if when > self.now:
                break
        return last

    async def _steps(self, case: Case, path: tuple[CaseStatus, ...], start: datetime, end: datetime) -> None:
        """The case's status changes, spread between its opening and `end`."""
        span = (end - start) / (len(path) or 1)
        staff = self.staff_by_agency.get(case.agency_id, [None])
        for number, status in enumerate(path, start=1):
            with replaying(min(start + span * number, self.now)):
                await cases.change_status(
                    self.session, case=case, status=status, source="staff", staff_id=self.rng.choice(staff)
                )

    async def _work(
        self,
        resident: Resident,
        service: Service,
        case: Case,
        conversation: Conversation,
        start: datetime,
        last: datetime,
    ) -> None:
        """The case's follow-up in the agency's queue: written work, whatever channel the case began on."""
        channel = Channel.email if resident.email else Channel.sms if resident.phone else Channel.mail
        with replaying(start):
            item = await routing.create(
                self.session,
                channel=channel.value,
                kind="case",
                agency_id=case.agency_id,
                received_at=start,
                conversation_id=conversation.id,
                citizen_id=resident.citizen.id,
                case_id=case.id,
                service_id=service.id,
                service_code=service.code,
                sla_target_hours=service.sla_target_hours,
                priority=routing.PRIORITY_BY_CASE[case.priority.value],
                language=resident.citizen.language,
                context={"case_reference": case.reference},
            )
        if last > start:
            with replaying(last):
                await routing.touch(self.session, item=item, received_at=last)

    @staticmethod
    def _reply_channel(last_inbound: Channel, resident: Resident) -> Channel:
        """Staff answer where the person last wrote from; a visit or a letter is answered by email, SMS or post."""
        if last_inbound not in (Channel.counter, Channel.mail):
            return last_inbound
        return Channel.email if resident.email else Channel.sms if resident.phone else Channel.mail

    def _status_for_age(self, age_days: int) -> CaseStatus:
        if age_days > 30:
            return self.rng.choices(list(CaseStatus), weights=[1, 2, 3, 2, 20, 60, 3])[0]
        return self.rng.choices(list(CaseStatus), weights=[25, 25, 25, 10, 8, 5, 2])[0]
