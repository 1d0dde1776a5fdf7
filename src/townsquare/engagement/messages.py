"""The canonical messages channel adapters translate to and from.

They live here rather than in `channels/` because the pipeline below the channels must read them and
imports only flow downwards.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from townsquare.citizens.models import IdentityKind
from townsquare.clock import utcnow
from townsquare.interactions.models import Channel, InteractionKind

if TYPE_CHECKING:
    from townsquare.engagement.placing import Placed


@dataclass(frozen=True)
class Sender:
    """Who a message says it is from, as the channel gave it (normalised by the pipeline)."""

    kind: IdentityKind
    value: str
    namespace: str = ""
    display_name: str | None = None


@dataclass(frozen=True)
class InboundAttachment:
    """A file that came with a message: its bytes, or where the provider keeps them."""

    filename: str
    content_type: str
    data: bytes | None = None
    url: str | None = None
    size_bytes: int | None = None
    # Set only by a channel adapter for a file its provider keeps behind the account's credentials (MMS media):
    # the flow asks for it to be copied into storage. A URL from anywhere else is kept as a link, never fetched.
    from_provider: bool = False

    @property
    def size(self) -> int:
        return len(self.data) if self.data is not None else (self.size_bytes or 0)


@dataclass(frozen=True)
class InboundMessage:
    """One contact arriving on any channel."""

    channel: Channel
    text: str = ""
    sender: Sender | None = None
    external_id: str | None = None
    recipient: str | None = None
    subject: str | None = None
    kind: InteractionKind = InteractionKind.message
    attachments: tuple[InboundAttachment, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)
    received_at: datetime = field(default_factory=utcnow)
    case_reference: str | None = None
    thread_refs: tuple[str, ...] = ()
    service_code: str | None = None
    duration_seconds: int | None = None
    # False when the channel answered it itself (an IVR step, SMS STOP/HELP, an auto-reply): recorded on the
    # timeline, but no work item is opened or touched for it.
    needs_person: bool = True
    # Set when the channel already knows who this is because the person is signed in (the portal): the
    # pipeline takes that citizen instead of resolving a handle.
    citizen_id: uuid.UUID | None = None
    # Set with `citizen_id` when the person answers in one of their own conversations (the portal): the contact
    # joins that conversation; the pipeline refuses one that is not theirs.
    conversation_id: uuid.UUID | None = None
    # Set by channels with a self-service assistant (chat, SMS, speech on a call): when no person has the
    # conversation (no open work item), the pipeline opens none and leaves the contact to the assistant, which
    # answers it or hands it off (`Pipeline.hand_off`). A conversation a person has keeps going to them.
    assistant: bool = False
    # Set by doors that answer in the provider's own response (TwiML, a chat frame, speech on a call): what the
    # channel's policy says back (a keyword's answer, an acknowledgement) is recorded and returned to be said.
    # Other doors (the REST API, the portal) have no one to say it to, so nothing is recorded as said.
    answers_in_band: bool = False
    # Set by a door acting for some agencies only (an API key or a staff member scoped to them): another
    # agency's case reference is unknown, and the contact never joins another agency's case conversation.
    agency_scope: frozenset[uuid.UUID] | None = None


@dataclass(frozen=True)
class OutboundMessage:
    """Something the platform says back on the contact's own channel, already recorded on the timeline."""

    channel: Channel
    text: str
    interaction_id: str
    quick_replies: tuple[str, ...] = ()  # suggested answers to it (["Yes", "No"] after a knowledge answer)


@dataclass(frozen=True)
class Outcome:
    """What one contact did: where it landed, and what to say back (the same again for a redelivery)."""

    interaction_id: str
    citizen_id: str
    conversation_id: str
    case_id: str | None
    case_reference: str | None
    work_item_id: str | None
    duplicate: bool = False
    citizen_created: bool = False
    conversation_created: bool = False
    identity_id: str | None = None
    # The assistant answered it (see `InboundMessage.assistant`): no work item was touched unless it handed off.
    assistant: bool = False
    replies: tuple[OutboundMessage, ...] = ()
    handed_off: bool = False  # the assistant (or the channel) put the contact in front of a person just now
    intent: str | None = None  # what the assistant understood, when it answered
    knowledge_answer: bool = False  # the assistant answered from a published article
    awaiting: str | None = None  # what the last reply asks for ("feedback", "verify", "callback_number", ...)
    opted_out: bool = False  # the person asked this channel to send nothing (nothing may be said back)
    # The records the flow established (a new contact only): for use cases in the same transaction that go on
    # from here (a call's menu), so nothing is looked up twice.
    placed: Placed | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class ReplyResult:
    """A reply recorded on the timeline and waiting in the outbox."""

    interaction_id: str
    outbox_id: str
    channel: Channel
    rendered: dict[str, Any]
