"""The one flow: `handle()` takes one contact from any channel and decides everything about it, once.

limits → dedupe → identify → thread → record → decide → measure → publish after commit, in the caller's
transaction: the caller commits once and then renders the `Outcome` in its provider's format. `decide` is where the
channel's policy (`policies`, `sms.Sms`), the assistant and the queue meet. A redelivered contact (the same
external id) changes nothing and is answered from the record, on every channel alike.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import service as agencies
from townsquare.analytics.surveys import inviting as surveys
from townsquare.assistant import engine as assistant
from townsquare.assistant.turns import Report
from townsquare.cases import service as cases
from townsquare.cases.models import Case
from townsquare.citizens.models import Identity
from townsquare.db import races
from townsquare.engagement import measuring, media, placing, queueing, reports
from townsquare.engagement.messages import InboundMessage, OutboundMessage, Outcome
from townsquare.engagement.meta_policy import MetaPolicy
from townsquare.engagement.placing import Placed
from townsquare.engagement.policies import ChannelPolicy, Chat, Email, Open, Screening
from townsquare.engagement.sms import Sms
from townsquare.errors import Problem, too_large
from townsquare.events import InteractionRecorded, publish_after_commit
from townsquare.interactions import replies as answers
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel, Interaction
from townsquare.interactions.storage import AttachmentStore
from townsquare.knowledge.search import KnowledgeIndex
from townsquare.routing import events as routing_events
from townsquare.routing import service as routing
from townsquare.routing.models import WorkItem
from townsquare.settings import Settings

log = logging.getLogger(__name__)
POLICIES: Mapping[Channel, ChannelPolicy] = {Channel.sms: Sms(), Channel.email: Email(), Channel.chat: Chat()}
OPEN = Open()  # every other channel's


@dataclass
class _Decision:
    replies: list[Interaction] = field(default_factory=list)
    item: WorkItem | None = None
    turn: assistant.Turn | None = None
    opted_out: bool = False
    counted: bool = True  # a contact about a need (not a survey's answer, a STOP, or a machine's auto-reply)


@dataclass
class Pipeline:
    """The engagement flow, configured once per process."""

    settings: Settings
    store: AttachmentStore
    index: KnowledgeIndex | None = None  # the assistant answers from it; None: no assistant in this process
    policies: Mapping[Channel, ChannelPolicy] = field(default_factory=lambda: dict(POLICIES))

    def __post_init__(self) -> None:
        # Meta's accounts join their person by a code sealed with the deployment's secret: a policy with settings.
        if Channel.social not in self.policies:
            self.policies = {**self.policies, Channel.social: MetaPolicy(self.settings)}

    async def handle(self, session: AsyncSession, message: InboundMessage) -> Outcome:
        """Record one contact, decide what happens to it and what to say back. Does not commit."""
        self._check_limits(message)
        earlier = await self._earlier(session, message)
        if earlier is not None:
            return await self._redelivered(session, earlier)
        placed = await self._place(session, message)
        if isinstance(placed, Interaction):
            return await self._redelivered(session, placed)
        decision = await self._decide(session, placed)
        await surveys.after_assistant(
            session, self.settings, inbound=placed.interaction, turn=decision.turn, replies=decision.replies
        )
        if any(att.from_provider and att.url and att.data is None for att in message.attachments):
            await media.enqueue_fetch(session, interaction=placed.interaction, provider=message.channel.value)
        if decision.counted:
            measuring.note(session, placed, item=decision.item, turn=decision.turn)
        self._publish(session, placed, decision)
        log.info("handled %s interaction %s", message.channel.value, placed.interaction.id)
        return _outcome(placed, decision)

    async def ingest(self, session: AsyncSession, message: InboundMessage) -> Outcome:
        """`handle()` and commit: for callers with nothing of their own to write (scripts, the demo)."""
        outcome = await self.handle(session, message)
        await session.commit()
        return outcome

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

    async def _place(self, session: AsyncSession, message: InboundMessage) -> Placed | Interaction:
        """Identify, thread and record the contact, in one savepoint on PostgreSQL (`db.races`); the earlier
        interaction instead when another delivery of the same webhook won the race to record it."""
        try:
            return await self._place_once(session, message)
        except races.Lost:
            # Two first messages from one new sender raced for its identity and the other one won: placed again,
            # this one finds that identity and joins them.
            return await self._place_once(session, message)

    async def _place_once(self, session: AsyncSession, message: InboundMessage) -> Placed | Interaction:
        try:
            async with races.guarded(session):
                return await placing.place(session, self.settings, self.store, message)
        except (IntegrityError, races.Lost):
            # Two deliveries of one webhook raced and the other one won: answer as it did.
            earlier = await self._earlier(session, message)
            if earlier is None:
                raise
            return earlier

    async def _earlier(self, session: AsyncSession, message: InboundMessage) -> Interaction | None:
        if not message.external_id:
            return None
        return await interactions.find_by_external_id(session, channel=message.channel, external_id=message.external_id)

    # decide ---------------------------------------------------------------------------------------------------

    async def _decide(self, session: AsyncSession, placed: Placed) -> _Decision:
        message = placed.message
        screening = await self.policies.get(message.channel, OPEN).screen(session, placed)
        in_band = message.answers_in_band and not screening.silent
        if screening.answers:
            said = await self._say(session, placed, screening, screening.answers) if in_band else []
            return _Decision(replies=said, counted=False)
        if not (message.needs_person and screening.needs_person):
            return _Decision(opted_out=screening.silent, counted=screening.counted)
        started = placed.conversation_created  # then nobody has the conversation yet: nothing to read
        if (
            message.assistant
            and screening.assistant
            and self.index is not None
            and await routing.open_item_for_conversation(
                session, conversation_id=placed.conversation.id, started_here=started
            )
            is None
        ):
            return await self._assistant(session, placed, screening)
        item = await queueing.to_person(
            session,
            self.settings,
            message,
            placed.conversation,
            placed.case,
            placed.service,
            placed.identity,
            placed.interaction,
            conversation_started=started,
        )
        replies: list[Interaction] = []
        if placed.conversation_created and screening.acknowledgement and in_band:
            replies = await self._say(session, placed, screening, (screening.acknowledgement,))
        return _Decision(replies=replies, item=item, opted_out=screening.silent)

    async def _say(
        self, session: AsyncSession, placed: Placed, screening: Screening, texts: tuple[str, ...]
    ) -> list[Interaction]:
        payloads = [dict(screening.answer_payload) for _ in texts]
        return await answers.record_answers(session, inbound=placed.interaction, texts=texts, payloads=payloads)

    async def _assistant(self, session: AsyncSession, placed: Placed, screening: Screening) -> _Decision:
        assert self.index is not None
        queued: list[WorkItem] = []

        async def open_report(report: Report) -> str:
            case, work = await reports.open_case(session, self.settings, placed, report)
            queued.append(work)
            return case.reference

        turn = await assistant.respond(
            session,
            index=self.index,
            settings=self.settings,
            inbound=placed.interaction,
            conversation_started=placed.conversation_created,
            handoff_reply=screening.acknowledgement if placed.message.answers_in_band else None,
            open_report=open_report,
        )
        item: WorkItem | None = queued[0] if queued else None
        if turn.handoff is not None:
            item = await self.hand_off(
                session, interaction_id=placed.interaction.id, kind=turn.handoff.kind, details=turn.handoff.details
            )
            if turn.replies:
                last = turn.replies[-1]
                last.payload = {**last.payload, "handed_off": True, "work_item_id": str(item.id)}
        return _Decision(replies=list(turn.replies), item=item, turn=turn)

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
        the conversation on the same channel is reused and keeps its place in the queue. Does not commit.
        """
        interaction = await interactions.get_interaction(session, interaction_id=interaction_id)
        conversation = await interactions.get_conversation(session, conversation_id=interaction.conversation_id)
        case = await session.get(Case, interaction.case_id) if interaction.case_id else None
        if case is None:  # a caller the assistant verified for a case (the contact on file): the case is theirs
            case = await _verified_case(session, details)
            if case is not None and conversation.case_id is None:
                conversation.case_id = case.id
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
        item = await queueing.to_person(
            session, self.settings, message, conversation, case, service, identity, interaction, same_channel=True
        )
        item.kind = kind
        item.context = {
            **item.context,
            **queueing.context(message, identity, case, service, interaction),
            **(details or {}),
        }
        await session.flush()
        routing_events.item_changed(session, item, interaction_id=str(interaction.id))
        return item

    # publish and answer ---------------------------------------------------------------------------------------

    def _publish(self, session: AsyncSession, placed: Placed, decision: _Decision) -> None:
        for recorded in (placed.interaction, *decision.replies):
            publish_after_commit(session, InteractionRecorded.from_data(_recorded(recorded)))
        if decision.item is not None and (decision.turn is None or decision.turn.handoff is None):
            routing_events.item_changed(session, decision.item, interaction_id=str(placed.interaction.id))

    async def _redelivered(self, session: AsyncSession, earlier: Interaction) -> Outcome:
        case = await session.get(Case, earlier.case_id) if earlier.case_id else None
        item = await routing.open_item_for_conversation(session, conversation_id=earlier.conversation_id)
        given = await answers.answers_to(session, inbound=earlier)
        last = (given[-1].payload or {}) if given else {}
        return Outcome(
            interaction_id=str(earlier.id),
            citizen_id=str(earlier.citizen_id),
            conversation_id=str(earlier.conversation_id),
            case_id=str(case.id) if case else None,
            case_reference=case.reference if case else None,
            work_item_id=str(item.id) if item else None,
            duplicate=True,
            identity_id=str(earlier.identity_id) if earlier.identity_id else None,
            assistant=last.get("via") == "assistant",
            replies=tuple(_outbound(r) for r in given),
            handed_off=bool(last.get("handed_off")),
            intent=last.get("intent"),
            knowledge_answer=any("answer_id" in (r.payload or {}) for r in given),
            awaiting=last.get("awaiting"),
        )


async def _verified_case(session: AsyncSession, details: dict[str, object] | None) -> Case | None:
    """The case the assistant verified the person for, if it did."""
    assistant_part = (details or {}).get("assistant")
    verified = assistant_part.get("verified") if isinstance(assistant_part, dict) else None
    reference = verified.get("case_reference") if isinstance(verified, dict) else None
    return await cases.get_by_reference(session, reference=reference) if isinstance(reference, str) else None


def _recorded(interaction: Interaction) -> dict[str, str]:
    return {
        "interaction_id": str(interaction.id),
        "citizen_id": str(interaction.citizen_id),
        "conversation_id": str(interaction.conversation_id),
        "channel": interaction.channel.value,
    }


def _outbound(reply: Interaction) -> OutboundMessage:
    quick = (reply.payload or {}).get("quick_replies")
    return OutboundMessage(
        channel=reply.channel,
        text=reply.body,
        interaction_id=str(reply.id),
        quick_replies=tuple(str(q) for q in quick) if isinstance(quick, list) else (),
    )


def _outcome(placed: Placed, decision: _Decision) -> Outcome:
    turn = decision.turn
    return Outcome(
        interaction_id=str(placed.interaction.id),
        citizen_id=str(placed.citizen.id),
        conversation_id=str(placed.conversation.id),
        case_id=str(placed.case.id) if placed.case else None,
        case_reference=placed.case.reference if placed.case else None,
        work_item_id=str(decision.item.id) if decision.item else None,
        citizen_created=placed.citizen_created,
        conversation_created=placed.conversation_created,
        identity_id=str(placed.identity.id) if placed.identity else None,
        assistant=turn is not None,
        replies=tuple(_outbound(r) for r in decision.replies),
        handed_off=turn is not None and turn.handoff is not None,
        intent=turn.intent if turn else None,
        knowledge_answer=turn is not None and turn.article is not None,
        awaiting=turn.awaiting if turn else None,
        opted_out=decision.opted_out,
        placed=placed,
    )
