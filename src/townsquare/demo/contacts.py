"""How the demo's history writes one contact, the way the live flow leaves it: the touchpoint on the person's
timeline (interactions), the touch analytics folds (`analytics.touches`, with the fields
`engagement.measuring` sets), the assistant's answer, and the staff time a person spent on it (routing's work
item, offered, accepted and let go), each at the moment it happened (`clock.replaying`).

Never commits (the caller owns the transaction).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Service
from townsquare.analytics import touches
from townsquare.cases.models import Case
from townsquare.citizens.models import Citizen
from townsquare.clock import replaying
from townsquare.interactions import replies
from townsquare.interactions import service as interactions
from townsquare.interactions.models import (
    Channel,
    Conversation,
    DeliveryStatus,
    Direction,
    Interaction,
    InteractionKind,
)
from townsquare.knowledge.models import Article, ArticleVersion, VersionStatus
from townsquare.routing import answers
from townsquare.routing import service as routing
from townsquare.routing.models import CapacityClass, OfferOutcome, WorkItemStatus, WorkOffer


@dataclass(frozen=True)
class Resident:
    citizen: Citizen
    phone: str | None
    email: str | None
    phone_verified: bool = False  # a caller the phone line knows by their verified number


@dataclass(frozen=True)
class Answer:
    """A knowledge article the assistant answers with: its group and its short answer in each language."""

    group_id: uuid.UUID
    agency_id: uuid.UUID
    codes: tuple[str, ...]
    text: dict[str, str]


async def knowledge(session: AsyncSession) -> list[Answer]:
    """The published articles the assistant can answer with, by group (read once, after the import)."""
    rows = await session.execute(
        select(Article.group_id, Article.agency_id, Article.language, ArticleVersion.short_answer, ArticleVersion.title)
        .join(ArticleVersion, ArticleVersion.article_id == Article.id)
        .where(ArticleVersion.status == VersionStatus.published, Article.archived.is_(False))
        .order_by(Article.slug, ArticleVersion.number)
    )
    groups: dict[uuid.UUID, tuple[uuid.UUID, set[str], dict[str, str]]] = {}
    for group_id, agency_id, language, short, title in rows:
        text = groups.setdefault(group_id, (agency_id, set(), {}))[2]
        text[language] = short or title
    versions = await session.execute(
        select(Article.group_id, ArticleVersion.service_codes)
        .join(ArticleVersion, ArticleVersion.article_id == Article.id)
        .where(ArticleVersion.status == VersionStatus.published)
    )
    for group_id, service_codes in versions:
        if group_id in groups:
            groups[group_id][1].update(service_codes or [])
    return [Answer(g, a, tuple(sorted(c)), t) for g, (a, c, t) in groups.items()]


@dataclass
class Contacts:
    """Writes contacts and counts what it wrote."""

    session: AsyncSession
    rng: random.Random
    now: datetime
    staff_by_agency: dict[uuid.UUID, list[uuid.UUID]]
    articles: list[Answer]
    wrap_up: dict[uuid.UUID, set[str]] = field(default_factory=dict)
    touches: int = 0
    handled: int = 0

    def _external_id(self) -> str:
        return f"demo-{uuid.UUID(int=self.rng.getrandbits(128)).hex}"

    async def conversation(
        self, resident: Resident, channel: Channel, when: datetime, *, case: Case | None = None, subject: str = ""
    ) -> Conversation:
        with replaying(when):
            return await interactions.start_conversation(
                self.session,
                citizen_id=resident.citizen.id,
                channel=channel,
                case_id=case.id if case is not None else None,
                subject=subject or None,
                started_at=when,
            )

    async def inbound(
        self,
        resident: Resident,
        conversation: Conversation,
        channel: Channel,
        kind: InteractionKind,
        when: datetime,
        body: str,
        *,
        service: Service | None,
        case: Case | None = None,
        self_service: str | None = None,
        subject: str | None = None,
        agency_id: uuid.UUID | None = None,
    ) -> Interaction:
        """One inbound contact on the timeline and its touch, as `engagement.measuring.note` writes it: the case
        and service when known, the agency of the case, else of the service; an answer's article as its subject
        only when no service is known."""
        with replaying(when):
            interaction = await interactions.record(
                self.session,
                conversation=conversation,
                channel=channel,
                direction=Direction.inbound,
                kind=kind,
                body=body,
                occurred_at=when,
                case_id=case.id if case is not None else None,
                external_id=self._external_id(),
                payload={"subject": case.title if case else service.name if service else ""}
                if channel is Channel.email
                else {},
                duration_seconds=self.rng.randint(60, 900) if channel is Channel.voice else None,
            )
            case_id = interaction.case_id
            touches.contact(
                self.session,
                citizen_id=resident.citizen.id,
                channel=channel.value,
                kind=kind.value,
                occurred_at=when,
                interaction_id=interaction.id,
                conversation_id=conversation.id,
                case_id=case_id,
                service_id=service.id if service is not None else None,
                agency_id=case.agency_id
                if case is not None
                else service.agency_id
                if service is not None
                else agency_id,
                subject=subject if service is None else None,
                self_service=self_service,
                language=resident.citizen.language,
            )
        self.touches += 1
        return interaction

    async def reply(
        self, conversation: Conversation, channel: Channel, when: datetime, body: str, staff_id: uuid.UUID | None
    ) -> None:
        """A staff member's answer, on the channel given."""
        if when > self.now:
            return
        with replaying(when):
            await interactions.record(
                self.session,
                conversation=conversation,
                channel=channel,
                direction=Direction.outbound,
                kind=InteractionKind.message,
                body=body,
                occurred_at=when,
                external_id=self._external_id(),
                staff_id=staff_id,
                delivery_status=DeliveryStatus.delivered,
            )

    def article(self, service: Service) -> Answer | None:
        """An article about the service (or at least from its agency) the assistant could answer with."""
        about = [a for a in self.articles if service.code in a.codes]
        about = about or [a for a in self.articles if a.agency_id == service.agency_id]
        return self.rng.choice(about) if about else None

    async def answer(self, inbound: Interaction, text: str, *, intent: str, handed_off: bool = False) -> None:
        """The assistant's answer in band, recorded as `interactions.replies` records it."""
        payload: dict[str, Any] = {"via": "assistant", "intent": intent}
        if handed_off:
            payload["handed_off"] = True
        with replaying(inbound.occurred_at + timedelta(seconds=2)):
            await replies.record_answers(self.session, inbound=inbound, texts=[text], payloads=[payload])

    async def asked_again(self, interaction: Interaction) -> None:
        """Staff checked the identity of a caller already verified by their number."""
        await touches.asked_again(self.session, interaction_id=interaction.id)

    def agent(self, agency_id: uuid.UUID) -> uuid.UUID | None:
        staff = self.staff_by_agency.get(agency_id, [])
        return self.rng.choice(staff) if staff else None

    async def handle(
        self,
        interaction: Interaction,
        resident: Resident,
        service: Service,
        case: Case | None,
        *,
        wait: timedelta,
        minutes: float,
    ) -> uuid.UUID | None:
        """A person handled the contact: its work item (`routing.create`), offered to an agent of the service's
        agency, accepted after `wait` and completed `minutes` later. Work not finished by now is left out.
        Returns the agent.

        The offer and the agent's answers are written as the routing pass and `routing.answers.accept` and
        `complete` leave them (item done with its wrap-up code, offer accepted and released as completed), not
        by calling those two: they lock and read the item and the agent again for each answer, which made up
        nearly half the CPU of writing the year, and the agent's presence they keep means nothing in the past."""
        received = interaction.occurred_at
        answered = received + wait
        released = answered + timedelta(minutes=minutes)
        agent = self.agent(service.agency_id)
        if agent is None or released > self.now:
            return None
        with replaying(received):
            item = await routing.create(
                self.session,
                channel=interaction.channel.value,
                kind=interaction.kind.value,
                agency_id=case.agency_id if case is not None else service.agency_id,
                received_at=received,
                conversation_id=interaction.conversation_id,
                citizen_id=resident.citizen.id,
                case_id=case.id if case is not None else None,
                service_id=service.id,
                service_code=service.code,
                language=resident.citizen.language,
                context={"case_reference": case.reference} if case is not None else {},
            )
        offered = answered - timedelta(seconds=self.rng.uniform(3, 20))
        self.session.add(
            WorkOffer(
                work_item_id=item.id,
                staff_id=agent,
                capacity_class=item.capacity_class,
                offered_at=offered,
                expires_at=offered + timedelta(seconds=60),
                outcome=OfferOutcome.accepted,
                responded_at=answered,
                released_at=released,
                released_how="completed",
            )
        )
        codes = await self._codes(item.agency_id)
        code = "case-opened" if case is not None else "answered"
        item.status = WorkItemStatus.done
        item.assigned_to_id = agent
        item.wrap_up_code = code if code in codes or not codes else sorted(codes)[0]
        item.closed_at = released
        item.first_answered_at = answered if item.capacity_class is not CapacityClass.async_ else released
        item.updated_at = released
        self.handled += 1
        return agent

    async def _codes(self, agency_id: uuid.UUID) -> set[str]:
        if agency_id not in self.wrap_up:
            self.wrap_up[agency_id] = {c.code for c in await answers.wrap_up_codes(self.session, agency_id=agency_id)}
        return self.wrap_up[agency_id]
