"""Every event Townsquare publishes, in one place: its name and its payload, a frozen dataclass of ids and small
values (never what people said, never personal data).

Publishers build these classes and subscribers receive them, so an event's name is written here and nowhere
else. `data` and `from_data` turn a payload into JSON and back (`codec`: ids, times, enums, numbers), the form
the bus between processes (`remote`) carries.
"""

from __future__ import annotations

import types
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from townsquare.events.codec import Codec, Json


@dataclass(frozen=True)
class Event:
    """Something that happened. Subclasses set `name` (`domain.what_happened`) and declare the payload's fields
    as ids, text, numbers, flags, times or enums, or any of them `| None`."""

    name: ClassVar[str]

    @property
    def data(self) -> dict[str, Json]:
        """The payload in its JSON form (ids and times as ISO strings, enums by value)."""
        return Codec.of(type(self)).dump(self)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Self:
        """The event back from `data`: a missing field takes its default (None if optional), a missing required
        one is a KeyError, a value of the wrong type a ValueError."""
        return cls(**Codec.of(cls).load(data))


# Contacts and replies ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InteractionRecorded(Event):
    """A contact (or an answer the platform gave on the spot) is on the citizen's timeline."""

    name: ClassVar[str] = "interaction.recorded"
    interaction_id: uuid.UUID
    citizen_id: uuid.UUID
    conversation_id: uuid.UUID
    channel: str


@dataclass(frozen=True)
class ReplyQueued(Event):
    """A reply is recorded and waits in the outbox."""

    name: ClassVar[str] = "interaction.reply_queued"
    interaction_id: uuid.UUID
    conversation_id: uuid.UUID
    citizen_id: uuid.UUID
    channel: str


@dataclass(frozen=True)
class DeliveryChanged(Event):
    """An outbound interaction's delivery status moved (sent, delivered, failed)."""

    name: ClassVar[str] = "interaction.delivery_changed"
    interaction_id: uuid.UUID
    status: str


@dataclass(frozen=True)
class NotificationChanged(Event):
    """A notification's status moved (sending on a channel, delivered, failed everywhere)."""

    name: ClassVar[str] = "notification.status_changed"
    notification_id: uuid.UUID
    status: str
    channel: str | None = None
    attempt: int = -1


@dataclass(frozen=True)
class OutboxEnqueued(Event):
    """A message waits in the outbox: the worker should wake."""

    name: ClassVar[str] = "outbox.enqueued"
    outbox_id: uuid.UUID
    channel: str


@dataclass(frozen=True)
class WebhookQueued(Event):
    """Webhook deliveries wait to be posted to integrators: the webhook worker should wake."""

    name: ClassVar[str] = "webhook.queued"
    event_id: uuid.UUID
    event_type: str


@dataclass(frozen=True)
class ChatTyping(Event):
    """A resident is typing in a chat (dispatched at once, outside any transaction)."""

    name: ClassVar[str] = "chat.typing"
    citizen_id: uuid.UUID


@dataclass(frozen=True)
class ChatAgentTyping(Event):
    """An agent is typing a reply to a resident's chat: their open devices show it (dispatched at once)."""

    name: ClassVar[str] = "chat.agent_typing"
    citizen_id: uuid.UUID


@dataclass(frozen=True)
class ChatDelivered(Event):
    """The outbox handed a message (an agent's reply) to the chat: every process shows it on the resident's open
    devices (dispatched at once; the message itself is read from the record, never carried)."""

    name: ClassVar[str] = "chat.delivered"
    citizen_id: uuid.UUID
    interaction_id: uuid.UUID


# Records --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseOpened(Event):
    """A case was opened."""

    name: ClassVar[str] = "case.opened"
    case_id: uuid.UUID
    reference: str


@dataclass(frozen=True)
class CaseStatusChanged(Event):
    """A case moved along its workflow."""

    name: ClassVar[str] = "case.status_changed"
    case_id: uuid.UUID
    from_status: str
    to_status: str


@dataclass(frozen=True)
class DraftChanged(Event):
    """An application draft changed: answers saved (`answers`), sent (`submitted`), or the link to fill it in
    together with staff opened, allowed, stopped or ended (`together`)."""

    name: ClassVar[str] = "draft.changed"
    draft_id: uuid.UUID
    citizen_id: uuid.UUID
    reason: str


@dataclass(frozen=True)
class ContactClaimed(Event):
    """A verified contact joined its citizen, bringing another (provisional) record's history with it."""

    name: ClassVar[str] = "citizen.contact_claimed"
    citizen_id: uuid.UUID
    merged_citizen_id: uuid.UUID


@dataclass(frozen=True)
class CitizensMerged(Event):
    """Two records of one person were joined: `merged_citizen_id`'s rows now belong to `citizen_id` (the survivor).
    `source` says what joined them: staff, review, verification."""

    name: ClassVar[str] = "citizen.merged"
    merge_id: uuid.UUID
    citizen_id: uuid.UUID
    merged_citizen_id: uuid.UUID
    source: str


@dataclass(frozen=True)
class CitizensUnmerged(Event):
    """A merge was undone: both people are again as they were, with what came from each one's handles since."""

    name: ClassVar[str] = "citizen.unmerged"
    merge_id: uuid.UUID
    citizen_id: uuid.UUID
    merged_citizen_id: uuid.UUID


# Routing --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkItemChanged(Event):
    """A work item was created or moved. `staff_id` is the agent concerned: the holder, or the agent who just let
    it go; `reason` says how it moved when that is not plain from `status` (declined, offer_timed_out, …)."""

    name: ClassVar[str] = "work_item.changed"
    work_item_id: uuid.UUID
    agency_id: uuid.UUID
    status: str
    channel: str
    staff_id: uuid.UUID | None = None
    citizen_id: uuid.UUID | None = None
    conversation_id: uuid.UUID | None = None
    interaction_id: uuid.UUID | None = None
    reason: str | None = None


@dataclass(frozen=True)
class AgentChanged(Event):
    """An agent's presence changed."""

    name: ClassVar[str] = "agent.changed"
    staff_id: uuid.UUID
    presence: str


# Counters -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CounterTicketChanged(Event):
    """A walk-in ticket was taken or moved (called, recalled, served, held, transferred, ended) at an office: its
    display screen shows it again. Never who holds it."""

    name: ClassVar[str] = "counter.ticket_changed"
    ticket_id: uuid.UUID
    office_id: uuid.UUID
    state: str


# Appointments ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AppointmentChanged(Event):
    """An appointment was booked, held, moved, cancelled, checked in or missed (`event` says which)."""

    name: ClassVar[str] = "appointment.changed"
    appointment_id: uuid.UUID
    office_id: uuid.UUID
    status: str
    event: str


# Between processes ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FanOutResumed(Event):
    """Processes are in touch again after an outage of the bus between them (Redis): what was said meanwhile may
    not have arrived, so live pages catch up from the database and workers look for work. `process_id` is the
    process that was out of touch."""

    name: ClassVar[str] = "fanout.resumed"
    process_id: uuid.UUID


def _catalogue(*kinds: type[Event]) -> Mapping[str, type[Event]]:
    by_name: dict[str, type[Event]] = {}
    for kind in kinds:
        if kind.name in by_name:
            raise RuntimeError(f"two event types are called {kind.name!r}")
        by_name[kind.name] = kind
    return types.MappingProxyType(by_name)


CATALOGUE: Mapping[str, type[Event]] = _catalogue(
    InteractionRecorded,
    ReplyQueued,
    DeliveryChanged,
    NotificationChanged,
    OutboxEnqueued,
    WebhookQueued,
    ChatTyping,
    ChatAgentTyping,
    ChatDelivered,
    CaseOpened,
    CaseStatusChanged,
    DraftChanged,
    ContactClaimed,
    CitizensMerged,
    CitizensUnmerged,
    WorkItemChanged,
    AgentChanged,
    CounterTicketChanged,
    AppointmentChanged,
    FanOutResumed,
)
