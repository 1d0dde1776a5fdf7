"""Where a contact lands: identify the person, find its thread (case, conversation), record it.

The steps of the flow before anything is decided. Each writes in the caller's transaction and never commits;
a door acting for some agencies only (`InboundMessage.agency_scope`) never lands in another agency's case.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import service as agencies
from townsquare.agencies.models import Service
from townsquare.cases import service as cases
from townsquare.cases.models import Case
from townsquare.citizens import service as citizens
from townsquare.citizens.models import Citizen, Identity
from townsquare.engagement import locations, record_intake
from townsquare.engagement.messages import InboundMessage
from townsquare.errors import FieldError, invalid, not_found
from townsquare.events import CaseOpened, publish_after_commit
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Attachment, Conversation, Direction, Interaction, InteractionKind
from townsquare.interactions.storage import AttachmentStore
from townsquare.notify import case_events
from townsquare.settings import Settings

NEW_WORK = frozenset({InteractionKind.form_submission, InteractionKind.visit})  # never joins an earlier case


@dataclass
class Placed:
    """A recorded contact and everything the flow established about it."""

    message: InboundMessage
    citizen: Citizen
    identity: Identity | None
    citizen_created: bool
    conversation: Conversation
    conversation_created: bool
    case: Case | None
    service: Service | None
    interaction: Interaction


async def place(session: AsyncSession, settings: Settings, store: AttachmentStore, message: InboundMessage) -> Placed:
    """Identify → thread → record; opens the case a form submission asks for. Does not commit."""
    citizen, identity, created = await identify(session, settings, message)
    case = await explicit_case(session, settings, message, citizen)
    conversation, case, started = await thread(session, settings, message, citizen, case, new_citizen=created)
    interaction = await record(session, store, message, conversation, case, identity)
    service = await service_of(session, message, case)
    if case is None and message.kind is InteractionKind.form_submission and service is not None:
        case = await open_case_for_form(session, settings, message, citizen, service, conversation, interaction)
    return Placed(message, citizen, identity, created, conversation, started, case, service, interaction)


async def identify(
    session: AsyncSession, settings: Settings, message: InboundMessage
) -> tuple[Citizen, Identity | None, bool]:
    """The citizen the contact is from (created for a new handle), the identity it came through, and whether new."""
    if message.citizen_id is not None:
        return await citizens.get(session, citizen_id=message.citizen_id), None, False
    sender = message.sender
    if sender is None:
        # No handle (a withheld number): a contact that names its thread (a voicemail left during a call)
        # belongs to whoever that thread is with; otherwise it is a new anonymous person.
        if message.thread_refs:
            found = await interactions.conversation_by_external_refs(
                session, channel=message.channel, refs=message.thread_refs
            )
            if found is not None:
                return await citizens.get(session, citizen_id=found.citizen_id), None, False
        return await citizens.anonymous(session), None, True
    value = citizens.normalise(sender.kind, sender.value, region=settings.default_region)
    citizen, identity, created = await citizens.resolve(
        session,
        kind=sender.kind,
        value=value,
        namespace=sender.namespace,
        display_name=sender.display_name,
        seen_at=message.received_at,
    )
    if created and identity.kind in record_intake.HANDLES:
        # A handle never seen: the records may already say whose it is (one person, one record).
        known = await record_intake.first_contact(
            session, settings, citizen=citizen, identity=identity, display_name=sender.display_name
        )
        return known, identity, known.id == citizen.id
    return citizen, identity, created


def in_scope(message: InboundMessage, agency_id: uuid.UUID) -> bool:
    """Whether the door that sent the message acts for this agency."""
    return message.agency_scope is None or agency_id in message.agency_scope


async def explicit_case(
    session: AsyncSession, settings: Settings, message: InboundMessage, citizen: Citizen
) -> Case | None:
    """The case the contact names: the door's own field (a staff or integrator call, checked against its scope),
    or a reference quoted in a message's subject or text, which counts only for the sender's own case or a case
    nobody is on yet (a report made without contact details) — a stranger quoting a reference never lands in, or
    hears from, someone else's case — and never for a form or a visit (a new application is new work, whatever
    its text says)."""
    if message.case_reference:
        case = await cases.get_by_reference(session, reference=message.case_reference)
        if case is None or not in_scope(message, case.agency_id):
            raise invalid(
                "No case has that reference; check it and send again, or leave it out.",
                FieldError("case_reference", "unknown case reference"),
            )
        return case
    if message.kind in NEW_WORK:
        return None
    quoted = cases.find_reference(f"{message.subject or ''} {message.text}", prefix=settings.case_reference_prefix)
    case = await cases.get_by_reference(session, reference=quoted) if quoted else None
    if case is None or case.citizen_id not in (None, citizen.id) or not in_scope(message, case.agency_id):
        return None
    return case


async def thread(
    session: AsyncSession,
    settings: Settings,
    message: InboundMessage,
    citizen: Citizen,
    case: Case | None,
    *,
    new_citizen: bool = False,
) -> tuple[Conversation, Case | None, bool]:
    """The conversation the contact continues (or a new one), its case, and whether it was started now.
    `new_citizen`: the citizen was made in this transaction, so has no conversation to continue: none is read."""
    if message.conversation_id is not None:
        return await _named_conversation(session, message.conversation_id, citizen)
    conversation = None if new_citizen else await _continued(session, settings, message, citizen, case)
    started = conversation is None
    if conversation is None:
        conversation = await interactions.start_conversation(
            session,
            citizen_id=citizen.id,
            channel=message.channel,
            case_id=case.id if case else None,
            subject=(message.subject or None) and message.subject[:300],
            started_at=message.received_at,
        )
    if case is None and conversation.case_id is not None:
        case = await session.get(Case, conversation.case_id)
    return conversation, case, started


async def _continued(
    session: AsyncSession, settings: Settings, message: InboundMessage, citizen: Citizen, case: Case | None
) -> Conversation | None:
    """The citizen's conversation the contact continues: the case's, else the one its thread references name (the
    same citizen's, and the case's if any), else with no case the one they were active in lately."""
    if case is not None:
        conversation = await interactions.conversation_for_case(session, case_id=case.id, citizen_id=citizen.id)
        if conversation is not None:
            return conversation
    if message.thread_refs:
        found = await interactions.conversation_by_external_refs(
            session, channel=message.channel, refs=message.thread_refs
        )
        if (
            found is not None
            and found.citizen_id == citizen.id
            and (case is None or found.case_id in (None, case.id))
            and await _conversation_in_scope(session, message, found)
        ):
            return found
    if case is None:
        return await _recent_conversation(session, settings, message, citizen)
    return None


async def _recent_conversation(
    session: AsyncSession, settings: Settings, message: InboundMessage, citizen: Citizen
) -> Conversation | None:
    since = message.received_at - timedelta(hours=settings.conversation_idle_hours)
    conversation = await interactions.recent_open_conversation(session, citizen_id=citizen.id, active_since=since)
    if conversation is None:
        return None
    if conversation.case_id is None:
        return conversation
    if message.kind in NEW_WORK:
        return None  # a new application (or starting one) is new work, never an addition to an earlier case
    if not await _conversation_in_scope(session, message, conversation):
        return None  # a door acting for one agency never writes into another agency's case
    if message.service_code and not await _same_service(session, message.service_code, conversation.case_id):
        return None  # a contact about another service is not this case's
    return conversation


async def _same_service(session: AsyncSession, code: str, case_id: uuid.UUID) -> bool:
    case = await session.get(Case, case_id)
    if case is None or case.service_id is None:
        return False
    service = await agencies.get_service_by_id(session, service_id=case.service_id)
    return service.code == code


async def _conversation_in_scope(session: AsyncSession, message: InboundMessage, conversation: Conversation) -> bool:
    if message.agency_scope is None or conversation.case_id is None:
        return True
    case = await session.get(Case, conversation.case_id)
    return case is not None and in_scope(message, case.agency_id)


async def _named_conversation(
    session: AsyncSession, conversation_id: uuid.UUID, citizen: Citizen
) -> tuple[Conversation, Case | None, bool]:
    """The conversation the contact names (a signed-in resident answering), only if it is that person's."""
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None or conversation.citizen_id != citizen.id:
        raise not_found("Conversation")
    case = await session.get(Case, conversation.case_id) if conversation.case_id else None
    return conversation, case, False


async def record(
    session: AsyncSession,
    store: AttachmentStore,
    message: InboundMessage,
    conversation: Conversation,
    case: Case | None,
    identity: Identity | None,
) -> Interaction:
    """The contact on the person's timeline, with its files (kept, or linked where the provider keeps them)."""
    files = [
        Attachment(
            filename=att.filename[:255] or "attachment",
            content_type=att.content_type,
            size_bytes=att.size,
            sha256=store.save(att.data) if att.data is not None else None,
            source_url=att.url,
        )
        for att in message.attachments
    ]
    payload = dict(message.metadata)
    if message.subject:
        payload.setdefault("subject", message.subject)
    if message.recipient:
        payload.setdefault("to", message.recipient)  # replies leave from the address the person wrote to
    return await interactions.record(
        session,
        conversation=conversation,
        channel=message.channel,
        direction=Direction.inbound,
        kind=message.kind,
        body=message.text,
        occurred_at=message.received_at,
        case_id=case.id if case else None,
        external_id=message.external_id,
        payload=payload,
        duration_seconds=message.duration_seconds,
        attachments=files,
        identity_id=identity.id if identity else None,
    )


async def service_of(session: AsyncSession, message: InboundMessage, case: Case | None) -> Service | None:
    """The service the contact is about: its case's, or the one it names."""
    if case is not None and case.service_id is not None:
        return await agencies.get_service_by_id(session, service_id=case.service_id)
    if message.service_code:
        return await agencies.get_service(session, code=message.service_code)
    return None


async def open_case_for_form(
    session: AsyncSession,
    settings: Settings,
    message: InboundMessage,
    citizen: Citizen,
    service: Service,
    conversation: Conversation,
    interaction: Interaction,
    *,
    acknowledge: bool = True,
) -> Case:
    """The case a form submission for a service opens, linked to likely duplicates nearby; the resident is
    acknowledged unless the door tells them the reference itself (`acknowledge=False`)."""
    location = await locations.resolve_dict(session, message.metadata.get("location"))
    media_url = message.metadata.get("media_url")
    case = await cases.open_case(
        session,
        prefix=settings.case_reference_prefix,
        agency_id=service.agency_id,
        title=(message.subject or service.name)[:200],
        description=message.text,
        channel=message.channel.value,
        service_id=service.id,
        sla_target_hours=service.sla_target_hours,
        citizen_id=citizen.id,
        attributes=dict(message.metadata.get("attributes", {})),
        location=location.as_dict(),
        media_url=str(media_url)[:1000] if media_url else None,
    )
    conversation.case_id = case.id
    interaction.case_id = case.id
    await cases.link_likely_duplicates(session, case=case, radius_m=settings.duplicate_radius_m)
    await session.flush()
    publish_after_commit(session, CaseOpened(case_id=case.id, reference=case.reference))  # integrators hear it
    await case_events.case_opened(session, settings, case, acknowledge=acknowledge)
    return case
