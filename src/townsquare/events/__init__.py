"""Events: the catalogue of what happens (`catalogue`) and the bus that delivers it after commit (`bus`)."""

from townsquare.events.bus import EventBus, publish_after_commit, queued_events
from townsquare.events.catalogue import (
    CATALOGUE,
    AgentChanged,
    CaseOpened,
    CaseStatusChanged,
    ChatTyping,
    CitizensMerged,
    CitizensUnmerged,
    ContactClaimed,
    DeliveryChanged,
    Event,
    InteractionRecorded,
    NotificationChanged,
    OutboxEnqueued,
    ReplyQueued,
    WebhookQueued,
    WorkItemChanged,
)

__all__ = [
    "CATALOGUE",
    "AgentChanged",
    "CaseOpened",
    "CaseStatusChanged",
    "ChatTyping",
    "CitizensMerged",
    "CitizensUnmerged",
    "ContactClaimed",
    "DeliveryChanged",
    "Event",
    "EventBus",
    "InteractionRecorded",
    "NotificationChanged",
    "OutboxEnqueued",
    "ReplyQueued",
    "WebhookQueued",
    "WorkItemChanged",
    "publish_after_commit",
    "queued_events",
]
