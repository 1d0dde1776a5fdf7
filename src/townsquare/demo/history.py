"""The demo city's residents and a year of their contact, written through the same service functions as live
contact (citizens, cases, interactions, routing, analytics touches), each step at the moment it happened
(`clock.replaying`). The year's shape is `demo.year`'s; each need's contacts are `demo.journeys`'.

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
from townsquare.citizens import service as citizens
from townsquare.citizens.models import Citizen, CitizenStatus, IdentityKind, VerificationMethod
from townsquare.clock import replaying
from townsquare.demo.addresses import AddressPoint
from townsquare.demo.contacts import Contacts, Resident, knowledge
from townsquare.demo.journeys import Journeys
from townsquare.demo.year import Start, plan
from townsquare.interactions.models import Channel

REGION = "CA"
NEEDS_PER_RESIDENT = 4.0  # needs a resident brings the city in a year, on average (a few bring many)


@dataclass
class History:
    """Writes the residents and their year of contact; counts what it wrote."""

    session: AsyncSession
    rng: random.Random
    faker: Faker
    prefix: str
    now: datetime
    services: list[Service]
    staff_by_agency: dict[uuid.UUID, list[uuid.UUID]]
    places: list[AddressPoint]
    residents: list[Resident] = field(default_factory=list)
    activity: list[float] = field(default_factory=list)  # how often each resident gets in touch, relatively
    _journeys: Journeys | None = None

    @property
    def case_count(self) -> int:
        return self._journeys.case_count if self._journeys else 0

    @property
    def touches(self) -> int:
        return self._journeys.contacts.touches if self._journeys else 0

    @property
    def handled(self) -> int:
        return self._journeys.contacts.handled if self._journeys else 0

    async def people(self, count: int, advance: Callable[[int], None] = lambda _: None) -> None:
        for i in range(count):
            french = self.rng.random() < 0.25
            first, last = self.faker["fr_CA" if french else "en_CA"].first_name(), self.faker.last_name()
            created = self.now - timedelta(days=self.rng.uniform(370, 800))  # before the year of history
            confirmed = self.rng.random() < 0.7
            channels = self.rng.sample(["sms", "email", "voice", "web"], k=self.rng.randint(0, 2))
            phone = f"+1613555{1000 + i:04d}" if self.rng.random() < 0.9 else None
            email = (
                f"{first}.{last}.{i}".lower().replace(" ", "") + "@example.org" if self.rng.random() < 0.75 else None
            )
            email = email.encode("ascii", "ignore").decode() if email else None
            phone_verified = False
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
                    phone_verified = verified is not None
                    await self._identity(citizen, IdentityKind.phone, phone, verified)
                if email:
                    verified = VerificationMethod.email_link if self.rng.random() < 0.5 else None
                    await self._identity(citizen, IdentityKind.email, email, verified)
                if self.rng.random() < 0.3:
                    sub = f"demo-sub-{i:05d}"
                    await self._identity(
                        citizen, IdentityKind.sso, sub, VerificationMethod.oidc, namespace="https://id.city.example"
                    )
            self.residents.append(Resident(citizen, phone, email, phone_verified))
            self.activity.append(self.rng.paretovariate(2.0))  # most a few times a year, some far more
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

    def plan(self) -> list[tuple[Start, Resident]]:
        """The year's needs in time order (so case references run as live), each with the resident who has it:
        someone who has the handle the channel needs (a phone to call or text, an email address to write)."""
        codes = sorted(s.code for s in self.services)
        starts = plan(self.rng, self.now, codes, round(len(self.residents) * NEEDS_PER_RESIDENT))
        pools: dict[str, tuple[list[Resident], list[float]]] = {}
        for need in ("phone", "email", "any"):
            chosen = [
                (r, w)
                for r, w in zip(self.residents, self.activity, strict=True)
                if need == "any" or (r.phone if need == "phone" else r.email)
            ]
            pools[need] = ([r for r, _ in chosen], [w for _, w in chosen])
        planned = []
        for start in starts:
            need = (
                "phone"
                if start.channel in (Channel.voice, Channel.sms)
                else "email"
                if start.channel is Channel.email
                else "any"
            )
            people, weights = pools[need]
            planned.append((start, self.rng.choices(people, weights=weights)[0]))
        return planned

    async def contacts(self) -> Journeys:
        """What writes the journeys, once the knowledge base is imported (the assistant answers from it)."""
        if self._journeys is None:
            contacts = Contacts(self.session, self.rng, self.now, self.staff_by_agency, await knowledge(self.session))
            self._journeys = Journeys(contacts, prefix=self.prefix, services=self.services, places=self.places)
        return self._journeys

    async def journey(self, start: Start, resident: Resident) -> None:
        """One need of one resident, from the first contact on."""
        await (await self.contacts()).run(start, resident)
