"""Tables of the universal queue: work items, queues, teams, agents and their skills, SLA targets,
business-hours calendars, offers and wrap-up codes.

Every channel's work is one `WorkItem`; synchronous work (voice, chat) and asynchronous work (email, SMS,
forms, Open311, call-backs, tasks) differ only in their SLA target and the capacity class they use up.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text, true
from sqlalchemy.orm import Mapped, mapped_column

from townsquare.clock import utcnow
from townsquare.db import Base, IdMixin, TimestampMixin


class WorkItemStatus(StrEnum):
    queued = "queued"
    offered = "offered"
    assigned = "assigned"
    done = "done"
    cancelled = "cancelled"


BOARD_COLUMNS = (
    "status",
    "agency_id",
    "queue_id",
    "channel",
    "not_before",
    "created_at",
    "sla_due_at",
    "first_answered_at",
    "sla_goal_percent",
)
# What the wallboard reads of an item counted for today's SLA, after the column its branch ranges over.
COUNTED_COLUMNS = ("status", "agency_id", "queue_id", "channel", "sla_goal_percent")
OPEN_STATUSES = (WorkItemStatus.queued, WorkItemStatus.offered, WorkItemStatus.assigned)
HELD_STATUSES = (WorkItemStatus.offered, WorkItemStatus.assigned)


class CapacityClass(StrEnum):
    """What a work item uses up of an agent: a call, a chat, or one of their asynchronous items."""

    voice = "voice"
    chat = "chat"
    async_ = "async"


SYNC_CHANNELS = {"voice": CapacityClass.voice, "chat": CapacityClass.chat}
# Work staff take themselves rather than being offered it: a walk-in waits in its office and is called to a counter
# by a clerk there ("call next", `counters.calling`). It is in the universal queue (its SLA, the wallboard), but a
# routing pass never offers it and a supervisor does not give it away.
PULLED_CHANNELS = ("counter",)


def capacity_class(channel: str) -> CapacityClass:
    """The capacity class of work on `channel`: voice and chat are their own, everything else is async."""
    return SYNC_CHANNELS.get(channel, CapacityClass.async_)


class Presence(StrEnum):
    available = "available"  # ready for offers
    busy = "busy"  # ready, but every capacity class in use (set by routing)
    away = "away"  # signed in, taking no new work (also after a missed offer)
    wrap_up = "wrap_up"  # finishing the last contact's notes; back to available by itself
    offline = "offline"


ROUTABLE_PRESENCE = (Presence.available,)


class OfferOutcome(StrEnum):
    pending = "pending"
    accepted = "accepted"
    declined = "declined"
    timed_out = "timed_out"
    withdrawn = "withdrawn"  # the contact went away (caller hung up) before an answer
    reassigned = "reassigned"  # a supervisor gave the work to someone else before an answer


class Team(IdMixin, Base):
    """A group of agents within an agency; a queue may be served by one team only."""

    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("agency_id", "slug"),)

    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class TeamMember(Base):
    __tablename__ = "team_members"

    team_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    staff_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_accounts.id", ondelete="CASCADE"), primary_key=True)


class BusinessCalendar(IdMixin, Base):
    """Opening hours in a timezone, by weekday ("0" Monday … "6" Sunday → list of ["08:30", "16:30"])."""

    __tablename__ = "business_calendars"

    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="America/Toronto")
    hours: Mapped[dict[str, Any]] = mapped_column(default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class Holiday(IdMixin, Base):
    """A day the calendar is closed."""

    __tablename__ = "holidays"
    __table_args__ = (UniqueConstraint("calendar_id", "day"),)

    calendar_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("business_calendars.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(200))


class Queue(IdMixin, TimestampMixin, Base):
    """Where an agency's work waits. A work item goes to the most specific queue whose filters match it.

    `channels` and `service_codes` empty mean "any"; `required_skills` (skill → minimum level) is asked of
    every agent offered the queue's work; `team_id` limits the queue to one team.
    """

    __tablename__ = "queues"
    __table_args__ = (UniqueConstraint("agency_id", "slug"),)

    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    name_fr: Mapped[str] = mapped_column(String(200), default="", server_default="")  # "": the English name
    team_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    calendar_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("business_calendars.id", ondelete="SET NULL"))
    channels: Mapped[list[str]] = mapped_column(default=list)
    service_codes: Mapped[list[str]] = mapped_column(default=list)
    required_skills: Mapped[dict[str, Any]] = mapped_column(default=dict)
    priority_boost: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class SlaTarget(IdMixin, Base):
    """How soon the first response is due, per agency, optionally per service and/or channel.

    The most specific target wins (service and channel, then service, then channel, then the agency's own).
    `business_hours`: the clock runs only while the queue's calendar is open (email, letters, forms).
    `goal_percent` is the share of contacts that should meet the target (the wallboard's service level).
    """

    __tablename__ = "sla_targets"
    __table_args__ = (UniqueConstraint("agency_id", "service_id", "channel"),)

    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    service_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    channel: Mapped[str | None] = mapped_column(String(16))
    first_response_seconds: Mapped[int] = mapped_column(Integer)
    goal_percent: Mapped[int] = mapped_column(Integer, default=80)
    business_hours: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())  # inactive: never chosen


class Agent(Base):
    """A staff account's routing profile: presence, capacity per class, languages and wrap-up time.

    `capacity` maps a capacity class to how many such items the agent may hold at once, e.g.
    {"voice": 1, "chat": 3, "async": 5}; a call is exclusive (no new offers while on one, no call while
    chatting). `idle_since` orders agents for longest-idle choice.
    """

    __tablename__ = "agents"
    __table_args__ = (Index("ix_agents_presence", "presence", "idle_since"),)

    staff_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_accounts.id", ondelete="CASCADE"), primary_key=True)
    presence: Mapped[Presence] = mapped_column(default=Presence.offline)
    presence_since: Mapped[datetime] = mapped_column(default=utcnow)
    idle_since: Mapped[datetime] = mapped_column(default=utcnow)
    capacity: Mapped[dict[str, Any]] = mapped_column(default=dict)
    languages: Mapped[list[str]] = mapped_column(default=list)
    wrap_up_seconds: Mapped[int] = mapped_column(Integer, default=30)
    # The phone the desk rings to put this agent on a call they accept; None: the browser softphone.
    call_phone: Mapped[str | None] = mapped_column(String(32))


class AgentSkill(Base):
    """A skill (a service code, a topic such as "accessibility") and how well the agent has it, 1 to 5."""

    __tablename__ = "agent_skills"

    staff_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agents.staff_id", ondelete="CASCADE"), primary_key=True)
    skill: Mapped[str] = mapped_column(String(64), primary_key=True)
    level: Mapped[int] = mapped_column(Integer, default=1)


class WrapUpCode(IdMixin, Base):
    """An agency's list of how a contact ended, chosen by the agent on completing a work item."""

    __tablename__ = "wrap_up_codes"
    __table_args__ = (UniqueConstraint("agency_id", "code"),)

    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    label_fr: Mapped[str] = mapped_column(String(200), default="", server_default="")  # "": the English label
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Skill(IdMixin, Base):
    """A skill in the catalogue agents and queues pick from: one agency's own, or every agency's (`agency_id`
    None). Agents' skills and queues' requirements name its `code`; codes typed before the catalogue still work."""

    __tablename__ = "skills"
    __table_args__ = (UniqueConstraint("agency_id", "code"),)

    agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    label_fr: Mapped[str] = mapped_column(String(200), default="", server_default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class WorkItem(IdMixin, TimestampMixin, Base):
    """One unit of staff work in the universal queue, with its SLA clock and the context gathered so far.

    `context` is for display only (what the person who picks the work up should know); nothing routing decides
    reads it back. Routing targets: `target_staff_id` (transferred to one agent), `target_team_id` (to a team),
    `target_role` ("supervisor" after an escalation); `not_before` holds a scheduled call-back back until due.
    """

    __tablename__ = "work_items"
    __table_args__ = (
        Index("ix_work_items_queue", "agency_id", "status", "priority"),
        Index("ix_work_items_conversation", "conversation_id", "status"),
        Index("ix_work_items_routing", "status", "priority", "sla_due_at", "created_at"),
        # What an agent holds, and what they finished lately (a range of closing times, newest first).
        Index("ix_work_items_holder", "assigned_to_id", "status", "closed_at"),
        Index("ix_work_items_citizen", "citizen_id", "agency_id"),  # the agencies a person has dealt with
        # The wallboard's items answered today and items due today, each counted from its index alone.
        Index("ix_work_items_first_answered", "first_answered_at", "sla_due_at", *COUNTED_COLUMNS),
        Index("ix_work_items_sla_due", "sla_due_at", "first_answered_at", *COUNTED_COLUMNS),
        # Everything the wallboard reads of an open item, so PostgreSQL counts a backlog from the index alone.
        Index("ix_work_items_board", *BOARD_COLUMNS),
        # Calls by state: the sweep for callers who hung up unheard reads the waiting ones every 30 s
        # (`engagement.calls.WAITING_CALL` names the kind as a literal, so the planner may use this index).
        Index(
            "ix_work_items_calls",
            "status",
            "conversation_id",
            postgresql_where=text("kind = 'call'"),
            sqlite_where=text("kind = 'call'"),
        ),
    )

    channel: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[WorkItemStatus] = mapped_column(default=WorkItemStatus.queued)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    queue_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("queues.id", ondelete="SET NULL"))
    service_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("services.id"))
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id"))
    conversation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("conversations.id"))
    citizen_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("citizens.id"))
    capacity_class: Mapped[CapacityClass] = mapped_column(default=CapacityClass.async_)
    language: Mapped[str] = mapped_column(String(8), default="en")
    required_skills: Mapped[dict[str, Any]] = mapped_column(default=dict)
    priority: Mapped[int] = mapped_column(Integer, default=50)
    sla_due_at: Mapped[datetime | None]
    sla_goal_percent: Mapped[int] = mapped_column(Integer, default=80)
    context: Mapped[dict[str, Any]] = mapped_column(default=dict)
    interaction_count: Mapped[int] = mapped_column(Integer, default=1)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    not_before: Mapped[datetime | None]
    target_staff_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_accounts.id"))
    target_team_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    target_role: Mapped[str | None] = mapped_column(String(16))
    assigned_to_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_accounts.id"))
    offer_expires_at: Mapped[datetime | None]
    first_answered_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    wrap_up_code: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None]


class WorkOffer(IdMixin, Base):
    """Each time a work item was put in an agent's hands: offered, answered, let go. Never two open at once."""

    __tablename__ = "work_offers"
    __table_args__ = (
        Index("ix_work_offers_item", "work_item_id", "offered_at"),
        Index("ix_work_offers_staff", "staff_id", "offered_at"),
        Index("ix_work_offers_released", "released_at"),  # handle times by day (analytics)
    )

    work_item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("work_items.id", ondelete="CASCADE"))
    staff_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_accounts.id", ondelete="CASCADE"))
    capacity_class: Mapped[CapacityClass]
    offered_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    outcome: Mapped[OfferOutcome] = mapped_column(default=OfferOutcome.pending)
    responded_at: Mapped[datetime | None]
    released_at: Mapped[datetime | None]  # the agent let the item go: completed, transferred, escalated
    released_how: Mapped[str | None] = mapped_column(String(32))


class TransferKind(StrEnum):
    transfer = "transfer"  # to an agent, a team or another agency
    escalation = "escalation"  # to the supervisors, with the reason
    assignment = "assignment"  # a supervisor gave queued work to a person (offered or handed) or a team


class WorkTransfer(IdMixin, Base):
    """An agent passing work on: to one agent, a team or another agency, or up to the supervisors with the reason.

    The item's target columns (`target_staff_id`, `target_team_id`, `target_role`) say where it goes now; these
    rows are how it got there, shown on the work page. Routing state lives here and in `work_offers` (declines
    and missed offers), never in `WorkItem.context`, which is for display.
    """

    __tablename__ = "work_item_transfers"
    __table_args__ = (Index("ix_work_item_transfers_item", "work_item_id", "at"),)

    work_item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("work_items.id", ondelete="CASCADE"))
    kind: Mapped[TransferKind]
    at: Mapped[datetime]
    from_staff_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_accounts.id", ondelete="SET NULL"))
    to_staff_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_accounts.id", ondelete="SET NULL"))
    to_team_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    to_agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id", ondelete="SET NULL"))
    to_role: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")


class LiveCallState(StrEnum):
    """Where a call accepted on the desk stands between its caller, its conference and its agent."""

    connecting = "connecting"  # the caller is being moved into the conference; the agent is being brought in
    connected = "connected"  # the agent's leg joined the conference
    transferring = "transferring"  # the agent left; the caller holds in the conference for the next one
    ended = "ended"


class LiveCall(IdMixin, Base):
    """A caller taken out of the queue by the agent who accepted their work item, in a conference named for it.

    The caller's own CallSid is what the platform moves (never "whoever waited longest"); the conference's sid
    and the agent's leg are learnt from Twilio's conference callbacks. A transfer keeps the row: the caller
    stays in the same conference, on hold, until the next agent joins.
    """

    __tablename__ = "live_calls"

    work_item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("work_items.id", ondelete="CASCADE"), unique=True)
    interaction_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("interactions.id", ondelete="CASCADE"), index=True)
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    conference_name: Mapped[str] = mapped_column(String(64), unique=True)
    conference_sid: Mapped[str | None] = mapped_column(String(64))
    staff_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_accounts.id", ondelete="SET NULL"))
    agent_call_sid: Mapped[str | None] = mapped_column(String(64))
    leg: Mapped[str] = mapped_column(String(16), default="softphone")  # how the agent is brought in: or "phone"
    state: Mapped[LiveCallState] = mapped_column(default=LiveCallState.connecting)
    on_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    recording: Mapped[bool] = mapped_column(Boolean, default=False)  # consent said, conference recorded
    answered: Mapped[bool] = mapped_column(Boolean, default=False)
    transfers: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    connected_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
