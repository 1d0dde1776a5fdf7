"""ingest(): dedupe → identify → thread → record → decide → publish, in one transaction.

Every channel's adapter hands its contact here. Bad input is refused before anything is written; a
retried webhook returns the first delivery's result; events leave only after the commit.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import service as agencies
from townsquare.agencies.models import Service
from townsquare.cases import service as cases
from townsquare.cases.models import Case
from townsquare.citizens import service as citizens
from townsquare.citizens.models import Citizen, Identity
from townsquare.engagement import locations
from townsquare.engagement.messages import InboundMessage, IngestResult
from townsquare.errors import FieldError, Problem, invalid, not_found, too_large
from townsquare.events import InteractionRecorded, publish_after_commit
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Attachment, Conversation, Direction, Interaction, InteractionKind
from townsquare.interactions.storage import AttachmentStore
from townsquare.routing import events as routing_events
from townsquare.routing import service as routing
from townsquare.routing.models import WorkItem
from townsquare.settings import Settings

log = logging.getLogger(__name__)
BeforeCommit = Callable[[AsyncSession, IngestResult], Awaitable[None]]
PRIORITY_BY_CASE = routing.PRIORITY_BY_CASE


@dataclass
class Pipeline:
    """The engagement pipeline, configured once per process."""

    settings: Settings
    store: AttachmentStore

    async def ingest(
        self, session: AsyncSession, message: InboundMessage, *, before_commit: BeforeCommit | None = None
    ) -> IngestResult:
        """Record one inbound contact and put it in front of the right people; commits.

        `before_commit` runs in the same transaction once the contact is placed (a channel's own record of it,
        such as an Open311 token), so the contact and that record are kept or lost together.
        """
        self._check_limits(message)
        if message.external_id:
            existing = await interactions.find_by_external_id(
                session, channel=message.channel, external_id=message.external_id
            )
            if existing is not None:
                return await self._duplicate(session, existing)
        try:
            result = await self._ingest_new(session, message)
            if before_commit is not None:
                await before_commit(session, result)
            await session.commit()
        except IntegrityError:
            # Two deliveries of one webhook raced; the other one won. Answer as it did.
            await session.rollback()
            if message.external_id:
                existing = await interactions.find_by_external_id(
                    session, channel=message.channel, external_id=message.external_id
                )
                if existing is not None:
                    return await self._duplicate(session, existing)
            raise
        log.info("ingested %s interaction %s", message.channel.value, result.interaction_id)
        return result

    def _check_limits(self, message: InboundMessage) -> None:
        s = self.settings
        if len(message.text) > s.max_body_chars:
            raise too_large(f"The message is {len(message.text)} characters; the limit is {s.max_body_chars}.")
        if len(message.attachments) > s.max_attachments:
            raise too_large(f"{len(message.attachments)} attachments were sent; the limit is {s.max_attachments}.")
        for att in message.attachments:
            if att.size > s.max_attachment_bytes:
                raise too_large(
                    f"The attachment '{att.filename}' is {att.size} bytes; the limit is {s.max_attachment_bytes}."
                )
            if att.content_type.split(";")[0].strip().lower() not in s.allowed_attachment_types:
                raise Problem(
                    415,
                    "Unsupported attachment type",
                    f"Attachments of type '{att.content_type}' are not accepted.",
                    "unsupported-media-type",
                )

    async def _ingest_new(self, session: AsyncSession, message: InboundMessage) -> IngestResult:
        # identify
        citizen, identity, created = await self._identify(session, message)
        # thread
        case = await self._explicit_case(session, message)
        conversation, case, new_conversation = await self._thread(session, message, citizen, case)
        # record
        interaction = await self._record(session, message, conversation, case, identity)
        # decide
        service = await self._service(session, message, case)
        if case is None and message.kind is InteractionKind.form_submission and service is not None:
            case = await self._open_case_for_form(session, message, citizen, service, conversation, interaction)
        item: WorkItem | None = None
        for_assistant = False
        if message.needs_person:
            if (
                message.assistant
                and await routing.open_item_for_conversation(session, conversation_id=conversation.id) is None
            ):
                for_assistant = True  # nobody has this conversation: the assistant answers or hands it off
            else:
                item = await self._decide(session, message, conversation, case, service, identity, interaction)
        # publish (after commit)
        ids = {
            "interaction_id": str(interaction.id),
            "citizen_id": str(citizen.id),
            "conversation_id": str(conversation.id),
            "channel": message.channel.value,
        }
        publish_after_commit(session, InteractionRecorded.from_data(ids))
        if item is not None:
            routing_events.item_changed(session, item, interaction_id=ids["interaction_id"])
        return IngestResult(
            interaction_id=str(interaction.id),
            citizen_id=str(citizen.id),
            conversation_id=str(conversation.id),
            case_id=str(case.id) if case else None,
            case_reference=case.reference if case else None,
            work_item_id=str(item.id) if item else None,
            citizen_created=created,
            conversation_created=new_conversation,
            identity_id=str(identity.id) if identity else None,
            assistant=for_assistant,
        )

    async def hand_off(
        self,
        session: AsyncSession,
        *,
        interaction_id: uuid.UUID,
        kind: str,
        details: dict[str, object] | None = None,
    ) -> WorkItem:
        """Put a contact the channel was handling itself (an IVR call, a chatbot) in front of a person.

        The work item carries everything established so far: who, verified how, which case and service, the
        menu path; `details` adds what the channel knows (a call-back number, a voicemail). An open item for
        the conversation is reused and keeps its place in the queue. Does not commit.
        """
        interaction = await interactions.get_interaction(session, interaction_id=interaction_id)
        conversation = await interactions.get_conversation(session, conversation_id=interaction.conversation_id)
        case = await session.get(Case, interaction.case_id) if interaction.case_id else None
        identity = await session.get(Identity, interaction.identity_id) if interaction.identity_id else None
        service = (
            await agencies.get_service_by_id(session, service_id=case.service_id) if case and case.service_id else None
        )
        message = InboundMessage(
            channel=interaction.channel,
            kind=interaction.kind,
            recipient=(interaction.payload or {}).get("to"),
            metadata=dict(interaction.payload or {}),
            received_at=interaction.occurred_at,
        )
        # A live call is its own piece of work, apart from the same conversation's text thread: it is answered
        # now, by someone free for calls. Handing the same call off again (a call-back) reuses its item.
        item = await self._decide(
            session, message, conversation, case, service, identity, interaction, same_channel=True
        )
        item.kind = kind
        item.context = {**item.context, **_context(message, identity, case, service, interaction), **(details or {})}
        await session.flush()
        routing_events.item_changed(session, item, interaction_id=str(interaction.id))
        return item

    async def _duplicate(self, session: AsyncSession, existing: Interaction) -> IngestResult:
        case = await session.get(Case, existing.case_id) if existing.case_id else None
        item = await routing.open_item_for_conversation(session, conversation_id=existing.conversation_id)
        return IngestResult(
            interaction_id=str(existing.id),
            citizen_id=str(existing.citizen_id),
            conversation_id=str(existing.conversation_id),
            case_id=str(case.id) if case else None,
            case_reference=case.reference if case else None,
            work_item_id=str(item.id) if item else None,
            duplicate=True,
        )

    async def _identify(self, session: AsyncSession, message: InboundMessage) -> tuple[Citizen, Identity | None, bool]:
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
        value = citizens.normalise(sender.kind, sender.value, region=self.settings.default_region)
        citizen, identity, created = await citizens.resolve(
            session,
            kind=sender.kind,
            value=value,
            namespace=sender.namespace,
            display_name=sender.display_name,
            seen_at=message.received_at,
        )
        return citizen, identity, created

    async def _explicit_case(self, session: AsyncSession, message: InboundMessage) -> Case | None:
        prefix = self.settings.case_reference_prefix
        if message.case_reference:
            case = await cases.get_by_reference(session, reference=message.case_reference)
            if case is None or not _in_scope(message, case.agency_id):
                raise invalid(
                    "No case has that reference; check it and send again, or leave it out.",
                    FieldError("case_reference", "unknown case reference"),
                )
            return case
        quoted = cases.find_reference(f"{message.subject or ''} {message.text}", prefix=prefix)
        case = await cases.get_by_reference(session, reference=quoted) if quoted else None
        return case if case is not None and _in_scope(message, case.agency_id) else None

    async def _thread(
        self, session: AsyncSession, message: InboundMessage, citizen: Citizen, case: Case | None
    ) -> tuple[Conversation, Case | None, bool]:
        if message.conversation_id is not None:
            return await self._named_conversation(session, message.conversation_id, citizen)
        conversation: Conversation | None = None
        started = False
        if case is not None:
            conversation = await interactions.conversation_for_case(session, case_id=case.id, citizen_id=citizen.id)
        if conversation is None and message.thread_refs:
            found = await interactions.conversation_by_external_refs(
                session, channel=message.channel, refs=message.thread_refs
            )
            if (
                found is not None
                and found.citizen_id == citizen.id
                and (case is None or found.case_id in (None, case.id))
                and await self._conversation_in_scope(session, message, found)
            ):
                conversation = found
        if conversation is None and case is None:
            since = message.received_at - timedelta(hours=self.settings.conversation_idle_hours)
            conversation = await interactions.recent_open_conversation(
                session, citizen_id=citizen.id, active_since=since
            )
            if (
                conversation is not None
                and conversation.case_id is not None
                and message.kind is InteractionKind.form_submission
            ):
                conversation = None  # a new application is new work, never an addition to an earlier case
            if conversation is not None and not await self._conversation_in_scope(session, message, conversation):
                conversation = None  # a door acting for one agency never writes into another agency's case
        if conversation is None:
            conversation = await interactions.start_conversation(
                session,
                citizen_id=citizen.id,
                channel=message.channel,
                case_id=case.id if case else None,
                subject=(message.subject or None) and message.subject[:300],
                started_at=message.received_at,
            )
            started = True
        if case is None and conversation.case_id is not None:
            case = await session.get(Case, conversation.case_id)
        return conversation, case, started

    async def _conversation_in_scope(
        self, session: AsyncSession, message: InboundMessage, conversation: Conversation
    ) -> bool:
        if message.agency_scope is None or conversation.case_id is None:
            return True
        case = await session.get(Case, conversation.case_id)
        return case is not None and _in_scope(message, case.agency_id)

    async def _named_conversation(
        self, session: AsyncSession, conversation_id: uuid.UUID, citizen: Citizen
    ) -> tuple[Conversation, Case | None, bool]:
        """The conversation the contact names (a signed-in resident answering), only if it is that person's."""
        conversation = await session.get(Conversation, conversation_id)
        if conversation is None or conversation.citizen_id != citizen.id:
            raise not_found("Conversation")
        case = await session.get(Case, conversation.case_id) if conversation.case_id else None
        return conversation, case, False

    async def _record(
        self,
        session: AsyncSession,
        message: InboundMessage,
        conversation: Conversation,
        case: Case | None,
        identity: Identity | None,
    ) -> Interaction:
        files = [
            Attachment(
                filename=att.filename[:255] or "attachment",
                content_type=att.content_type,
                size_bytes=att.size,
                sha256=self.store.save(att.data) if att.data is not None else None,
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

    async def _service(self, session: AsyncSession, message: InboundMessage, case: Case | None) -> Service | None:
        if case is not None and case.service_id is not None:
            return await agencies.get_service_by_id(session, service_id=case.service_id)
        if message.service_code:
            return await agencies.get_service(session, code=message.service_code)
        return None

    async def _open_case_for_form(
        self,
        session: AsyncSession,
        message: InboundMessage,
        citizen: Citizen,
        service: Service,
        conversation: Conversation,
        interaction: Interaction,
    ) -> Case:
        location = await locations.resolve_dict(session, message.metadata.get("location"))
        media_url = message.metadata.get("media_url")
        case = await cases.open_case(
            session,
            prefix=self.settings.case_reference_prefix,
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
        await cases.link_likely_duplicates(session, case=case, radius_m=self.settings.duplicate_radius_m)
        await session.flush()
        return case

    async def _decide(
        self,
        session: AsyncSession,
        message: InboundMessage,
        conversation: Conversation,
        case: Case | None,
        service: Service | None,
        identity: Identity | None,
        interaction: Interaction,
        *,
        same_channel: bool = False,
    ) -> WorkItem:
        existing = await routing.open_item_for_conversation(
            session, conversation_id=conversation.id, channel=message.channel.value if same_channel else None
        )
        if existing is not None:
            return await routing.touch(
                session, item=existing, received_at=message.received_at, case_id=case.id if case else None
            )
        agency_id = await self._owning_agency(session, message, case, service)
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
            sla_target_hours=service.sla_target_hours if service else None,
            priority=PRIORITY_BY_CASE.get(case.priority.value, 50) if case else 50,
            language=citizen.language,
            context=_context(message, identity, case, service, interaction),
        )

    async def _owning_agency(
        self, session: AsyncSession, message: InboundMessage, case: Case | None, service: Service | None
    ) -> uuid.UUID:
        if case is not None:
            return case.agency_id
        if service is not None:
            return service.agency_id
        agency = await agencies.agency_for_address(session, channel=message.channel.value, address=message.recipient)
        if agency is None:
            agency = await agencies.default_agency(session, slug=self.settings.default_agency)
        return agency.id


def _context(
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


def _in_scope(message: InboundMessage, agency_id: uuid.UUID) -> bool:
    """Whether the door that sent the message acts for this agency."""
    return message.agency_scope is None or agency_id in message.agency_scope
