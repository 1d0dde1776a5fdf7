"""Putting a contact in front of a person: the work item it opens or joins, with what is already established.

The queue's side of `decide`. An open work item of the same conversation is reused and keeps its place and
SLA clock; a new one belongs to the case's agency, else the service's, else the agency whose address was
written to, else the default agency. Never commits.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import service as agencies
from townsquare.agencies.models import Service
from townsquare.cases.models import Case
from townsquare.citizens.models import Citizen, Identity
from townsquare.engagement.messages import InboundMessage
from townsquare.events import CaseOpened, publish_after_commit
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel, Conversation, Direction, Interaction, InteractionKind
from townsquare.routing import events as routing_events
from townsquare.routing import service as routing
from townsquare.routing.models import WorkItem
from townsquare.settings import Settings

PRIORITY_BY_CASE = routing.PRIORITY_BY_CASE


async def to_person(
    session: AsyncSession,
    settings: Settings,
    message: InboundMessage,
    conversation: Conversation,
    case: Case | None,
    service: Service | None,
    identity: Identity | None,
    interaction: Interaction,
    *,
    same_channel: bool = False,
    conversation_started: bool = False,
) -> WorkItem:
    """The work item for this contact: the conversation's open one (touched), or a new one in the queue
    (`conversation_started`: the contact started the conversation in this transaction, so none is read).

    A visit to a counter is a piece of work of its own, like a live call: the person is standing in an office, so it
    never joins the conversation's text thread's item (`same_channel`), and its SLA is the counter's (a service's own
    target hours are for its case, not for a line at a desk)."""
    visit = message.channel is Channel.counter and message.kind is InteractionKind.visit
    existing = await routing.open_item_for_conversation(
        session,
        conversation_id=conversation.id,
        channel=message.channel.value if same_channel or visit else None,
        started_here=conversation_started,
    )
    if existing is not None:
        return await routing.touch(
            session, item=existing, received_at=message.received_at, case_id=case.id if case else None
        )
    agency_id = await owning_agency(session, settings, message, case, service)
    # Already in the session from the identify step (or the hand-off's conversation): no extra query.
    citizen = await session.get_one(Citizen, conversation.citizen_id)
    return await routing.create(
        session,
        channel=message.channel.value,
        kind=message.kind.value,
        agency_id=agency_id,
        received_at=message.received_at,
        conversation_id=conversation.id,
        citizen_id=conversation.citizen_id,
        case_id=case.id if case else None,
        service_id=service.id if service else None,
        service_code=service.code if service else None,
        sla_target_hours=service.sla_target_hours if service and not visit else None,
        priority=PRIORITY_BY_CASE.get(case.priority.value, 50) if case else 50,
        language=citizen.language,
        context=context(message, identity, case, service, interaction),
    )


async def owning_agency(
    session: AsyncSession, settings: Settings, message: InboundMessage, case: Case | None, service: Service | None
) -> uuid.UUID:
    if case is not None:
        return case.agency_id
    if service is not None:
        return service.agency_id
    agency_id = await agencies.agency_id_for_address(session, channel=message.channel.value, address=message.recipient)
    if agency_id is None:
        agency_id = await agencies.default_agency_id(session, slug=settings.default_agency)
    return agency_id


def context(
    message: InboundMessage,
    identity: Identity | None,
    case: Case | None,
    service: Service | None,
    interaction: Interaction,
) -> dict[str, object]:
    """What is already established, so the person who picks the work up does not ask again."""
    identified: dict[str, object] = {"how": "anonymous"}
    if identity is not None:
        identified = {
            "how": identity.kind.value,
            "verified": identity.verified,
            "verification_method": identity.verification_method.value if identity.verification_method else None,
        }
    return {
        "first_interaction_id": str(interaction.id),
        "channel": message.channel.value,
        "identified_by": identified,
        "case_reference": case.reference if case else None,
        "service_code": service.code if service else None,
        **({"menu_path": message.metadata["menu_path"]} if "menu_path" in message.metadata else {}),
    }


async def case_opened(
    session: AsyncSession,
    *,
    case: Case,
    conversation: Conversation | None,
    channel: Channel,
    by: str,
    language: str,
    service: Service | None = None,
    staff_id: uuid.UUID | None = None,
    context: dict[str, str] | None = None,
) -> WorkItem:
    """A case someone just opened by hand (staff on the desk, a resident's question): on the person's timeline in
    its conversation, in its agency's queue, and announced once committed. `by` says who opened it."""
    if conversation is not None and case.citizen_id is not None:
        await interactions.record(
            session,
            conversation=conversation,
            channel=channel,
            direction=Direction.internal,
            kind=InteractionKind.status_change,
            body=f"Case {case.reference} opened: {case.title}",
            payload={"status": case.status.value, "by": by},
            staff_id=staff_id,
        )
    item = await routing.create(
        session,
        channel=channel.value,
        kind="case",
        agency_id=case.agency_id,
        received_at=case.created_at,
        conversation_id=conversation.id if conversation is not None else None,
        citizen_id=case.citizen_id,
        case_id=case.id,
        service_id=service.id if service is not None else None,
        service_code=service.code if service is not None else None,
        sla_target_hours=service.sla_target_hours if service is not None else None,
        priority=PRIORITY_BY_CASE[case.priority.value],
        language=language,
        context={"case_reference": case.reference, "opened_by": by, **(context or {})},
    )
    routing_events.item_changed(session, item)
    publish_after_commit(session, CaseOpened(case_id=case.id, reference=case.reference))
    return item
