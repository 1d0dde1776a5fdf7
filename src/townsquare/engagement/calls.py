"""Phone calls on the timeline: what the menu offers a caller, the path they take, how the call ends.

The voice adapter calls these with its request's session and commits; nothing here commits. The call's
interaction (one per CallSid) carries `menu_path`, `outcome` and the duration that containment analytics read.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import service as agencies
from townsquare.cases import service as cases
from townsquare.cases.models import Case
from townsquare.citizens.models import Citizen, Identity
from townsquare.clock import utcnow
from townsquare.db.engine import Database
from townsquare.engagement import connecting
from townsquare.engagement.messages import Outcome
from townsquare.engagement.pipeline import Pipeline
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel, Conversation, Interaction, InteractionKind
from townsquare.notify.notifications import named
from townsquare.polling import wake_or_poll
from townsquare.routing import engine as routing_engine
from townsquare.routing.models import OPEN_STATUSES, WorkItem, WorkItemStatus

# The call's outcome as containment analytics count it; the last one reached wins, "abandoned" if none.
OUTCOMES = ("self-served", "agent", "callback", "voicemail", "abandoned")
ENDED_STATUSES = ("completed", "busy", "failed", "no-answer", "canceled")
# A call's work item, the kind written as a literal: a bound value would keep PostgreSQL's generic plans from the
# partial index `ix_work_items_calls` (kind = 'call'), and the sweep would read every open item of the city.
WAITING_CALL = text("work_items.kind = 'call'")


@dataclass(frozen=True)
class Offer:
    """Something the menu offers this caller before anything else (their open case; later, a saved draft)."""

    kind: str  # "case"
    case_id: uuid.UUID
    reference: str
    label: str  # the service's name, or the case title for a verified caller; never free text otherwise


@dataclass(frozen=True)
class Caller:
    """Who is on a call, as far as the platform knows it."""

    interaction: Interaction
    citizen: Citizen
    identity: Identity | None
    offers: tuple[Offer, ...]

    @property
    def verified(self) -> bool:
        return self.identity is not None and self.identity.verified

    @property
    def name(self) -> str | None:
        """The name to greet with: only when the phone is verified, so a spoofed caller ID learns nothing."""
        if not self.verified:
            return None
        return self.citizen.given_name or self.citizen.display_name

    @property
    def menu_path(self) -> list[str]:
        return list((self.interaction.payload or {}).get("menu_path", []))


@dataclass(frozen=True)
class CaseStatusReport:
    """What the phone may say about a case: details only to the case's own citizen."""

    reference: str
    status: str
    updated_at: datetime
    own: bool
    label: str | None


async def find_call(session: AsyncSession, *, call_sid: str) -> Interaction | None:
    """The call's interaction, by Twilio's CallSid."""
    return await interactions.find_by_external_id(session, channel=Channel.voice, external_id=call_sid)


async def offers_for(session: AsyncSession, *, citizen: Citizen, identity: Identity | None) -> tuple[Offer, ...]:
    """What to offer this caller first: their open cases now; portal drafts will join here."""
    if identity is None:
        return ()  # a withheld number is nobody in particular
    found = await cases.open_for_citizen(session, citizen_id=citizen.id, limit=1)
    offers = []
    for case in found:
        label = ""
        if case.service_id is not None:  # named as the caller reads it (the menu starts in their language)
            label = named(await agencies.get_service_by_id(session, service_id=case.service_id), citizen.language)
        elif identity.verified:
            label = case.title
        offers.append(Offer("case", case.id, case.reference, label))
    return tuple(offers)


async def caller(session: AsyncSession, *, call_sid: str) -> Caller | None:
    """The call, its citizen and identity, and what to offer them; None for a call never recorded."""
    interaction = await find_call(session, call_sid=call_sid)
    if interaction is None:
        return None
    citizen = await session.get_one(Citizen, interaction.citizen_id)
    identity = await session.get(Identity, interaction.identity_id) if interaction.identity_id else None
    offers = await offers_for(session, citizen=citizen, identity=identity)
    return Caller(interaction, citizen, identity, offers)


async def caller_of(session: AsyncSession, outcome: Outcome, *, call_sid: str) -> Caller | None:
    """The caller of a call the flow has just taken (`outcome` of its first webhook), without looking anyone up."""
    placed = outcome.placed
    if placed is None:  # a redelivery: the call is on record
        return await caller(session, call_sid=call_sid)
    offers = await offers_for(session, citizen=placed.citizen, identity=placed.identity)
    return Caller(placed.interaction, placed.citizen, placed.identity, offers)


async def attach_case(session: AsyncSession, *, interaction: Interaction, case_id: uuid.UUID) -> None:
    """Put the case the caller was offered on the call (and its conversation, if that has none yet).

    A hand-off to a person then carries the case, so the agent sees it without asking.
    """
    if interaction.case_id is None:
        interaction.case_id = case_id
    conversation = await session.get_one(Conversation, interaction.conversation_id)
    if conversation.case_id is None:
        conversation.case_id = case_id
    await session.flush()


def _update(interaction: Interaction, **changes: Any) -> None:
    # A new dict, so the JSON column is seen as changed.
    interaction.payload = {**(interaction.payload or {}), **changes}


async def add_step(session: AsyncSession, *, interaction: Interaction, step: str) -> None:
    """Append one menu step (e.g. "main", "1:case-status", "0:agent") to the call's path."""
    path = list((interaction.payload or {}).get("menu_path", []))
    if step == "main" and path:
        return  # the greeting's menu is entered once, even if Twilio retries the first webhook
    _update(interaction, menu_path=[*path, step])
    await session.flush()


async def set_outcome(session: AsyncSession, *, interaction: Interaction, outcome: str) -> None:
    """Where the call got to; the last outcome reached is the call's."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown call outcome {outcome!r}")
    _update(interaction, outcome=outcome)
    await session.flush()


async def note_queue(session: AsyncSession, *, interaction: Interaction, result: str, seconds: int | None) -> None:
    """How the caller left the queue (Twilio's QueueResult) and how long they waited."""
    changes: dict[str, Any] = {"queue_result": result}
    if seconds is not None:
        changes["queue_seconds"] = seconds
    if result in ("bridged", "bridging-in-process"):
        changes["outcome"] = "agent"
    elif result == "hangup":
        changes["outcome"] = "abandoned"
    _update(interaction, **changes)
    await session.flush()


async def end_call(session: AsyncSession, *, call_sid: str, status: str, duration: int | None) -> bool:
    """Record how a call ended: its status, its duration and (if nothing else was reached) "abandoned".

    Returns False for a call never recorded. Safe to repeat: Twilio retries status callbacks.
    """
    interaction = await find_call(session, call_sid=call_sid)
    if interaction is None:
        return False
    changes: dict[str, Any] = {"call_status": status}
    if status in ENDED_STATUSES and "outcome" not in (interaction.payload or {}):
        changes["outcome"] = "abandoned"
    _update(interaction, **changes)
    if duration is not None:
        interaction.duration_seconds = duration
    await session.flush()
    if status in ENDED_STATUSES:
        await connecting.end_by_call(session, call_sid=call_sid)
        # A caller who hung up while waiting is no longer waiting: take the call out of the queue (and out of
        # the hands of an agent it was being offered to). A requested call-back stays.
        waiting = await session.execute(
            select(WorkItem.id).where(
                WorkItem.conversation_id == interaction.conversation_id,
                WorkItem.kind == "call",
                WorkItem.status.in_((WorkItemStatus.queued, WorkItemStatus.offered)),
            )
        )
        withdrawn = [await routing_engine.withdraw(session, item_id=item_id) for item_id in waiting.scalars().all()]
        if any(withdrawn):  # on the timeline: hung up while waiting for a person
            _update(interaction, call_result="abandoned")
            await session.flush()
    return True


def heard(interaction: Interaction, *, at: datetime | None = None) -> None:
    """Note that the call's provider asked about it now: the caller is still on the line."""
    _update(interaction, last_heard_at=(at or utcnow()).isoformat())


async def withdraw_silent(session: AsyncSession, *, now: datetime, silence_seconds: int) -> int:
    """Take out of the queue the calls nobody has heard of for `silence_seconds`: the caller hung up and the status
    callback never came (Twilio asks the wait URL every few seconds while a caller waits). Each is ended as
    abandoned, as a status callback would have; a call-back stays. The number of calls taken out."""
    cutoff = now - timedelta(seconds=silence_seconds)
    waiting = await session.execute(
        select(WorkItem.id, WorkItem.conversation_id).where(
            WAITING_CALL, WorkItem.status.in_((WorkItemStatus.queued, WorkItemStatus.offered))
        )
    )
    rows = waiting.all()
    # A caller in a conference (connected, or holding there after a transfer) is not waiting in a queue: Twilio
    # reports on them through the conference's callbacks, not the wait URL.
    conferenced = await connecting.active_items(session, item_ids=[item_id for item_id, _ in rows])
    ended = 0
    for item_id, conversation_id in rows:
        if item_id in conferenced:
            continue
        call = await session.scalar(
            select(Interaction)
            .where(Interaction.conversation_id == conversation_id, Interaction.channel == Channel.voice)
            .where(Interaction.kind == InteractionKind.call)
            .order_by(Interaction.occurred_at.desc())
            .limit(1)
        )
        if call is None or _last_heard(call) > cutoff:
            continue
        if "outcome" not in (call.payload or {}) or call.payload.get("outcome") == "agent":
            _update(call, outcome="abandoned")
        _update(call, call_status="silent")
        await routing_engine.withdraw(session, item_id=item_id, now=now)
        ended += 1
    await session.flush()
    return ended


def _last_heard(call: Interaction) -> datetime:
    raw = (call.payload or {}).get("last_heard_at")
    try:
        return datetime.fromisoformat(raw) if isinstance(raw, str) else call.occurred_at
    except ValueError:
        return call.occurred_at


class SilentCalls:
    """Every `poll_seconds`, withdraws the queued calls gone silent (one transaction a pass)."""

    def __init__(self, db: Database, *, silence_seconds: int, poll_seconds: float = 30.0) -> None:
        self.db, self.silence_seconds, self.poll_seconds = db, silence_seconds, poll_seconds
        self._wake = asyncio.Event()  # nothing wakes it: silence is found by looking

    async def run_once(self) -> int:
        async with self.db.session() as session:
            ended = await withdraw_silent(session, now=utcnow(), silence_seconds=self.silence_seconds)
            await session.commit()
        return ended

    async def run_forever(self, stop: asyncio.Event) -> None:
        async def run_pass() -> bool:
            await self.run_once()
            return False

        await wake_or_poll(run_pass, wake=self._wake, stop=stop, poll_seconds=self.poll_seconds, name="silent calls")


async def case_status(
    session: AsyncSession, *, reference: str, citizen_id: uuid.UUID, language: str = "en"
) -> CaseStatusReport | None:
    """A case's status for the phone, its service named in the menu's `language`; the title only when the caller is
    the case's citizen."""
    case = await cases.get_by_reference(session, reference=reference)
    if case is None:
        return None
    own = case.citizen_id is not None and case.citizen_id == citizen_id
    label = await _label(session, case, language)
    return CaseStatusReport(case.reference, case.status.value, case.updated_at, own, label)


async def _label(session: AsyncSession, case: Case, language: str) -> str:
    if case.service_id is not None:
        return named(await agencies.get_service_by_id(session, service_id=case.service_id), language)
    return case.title


async def hand_to_person(
    session: AsyncSession,
    pipeline: Pipeline,
    *,
    interaction: Interaction,
    kind: str,
    details: dict[str, object],
) -> tuple[WorkItem, str]:
    """Put the call in front of a person (kind "call", "callback"); returns the work item and its agency's slug.

    An open work item of the caller's conversation is reused and keeps its place and SLA clock.
    """
    item = await pipeline.hand_off(session, interaction_id=interaction.id, kind=kind, details=details)
    agency = (await agencies.agencies_by_id(session, ids={item.agency_id}))[item.agency_id]
    return item, agency.slug


async def queue_position(session: AsyncSession, *, call_sid: str) -> int | None:
    """The call's place among the calls waiting for its agency (1 = next), or None if it is not waiting."""
    interaction = await find_call(session, call_sid=call_sid)
    if interaction is None:
        return None
    stmt = select(WorkItem).where(
        WorkItem.conversation_id == interaction.conversation_id, WorkItem.status.in_(OPEN_STATUSES)
    )
    item = (await session.execute(stmt.order_by(WorkItem.created_at.desc()).limit(1))).scalar_one_or_none()
    if item is None or item.kind != "call":
        return None
    # Calls ahead in routing order: higher priority, or the same priority and waiting longer.
    ahead = select(func.count()).where(
        WorkItem.agency_id == item.agency_id,
        WorkItem.kind == "call",
        WorkItem.status == WorkItemStatus.queued,
        WorkItem.id != item.id,
        or_(
            WorkItem.priority > item.priority,
            and_(WorkItem.priority == item.priority, WorkItem.created_at < item.created_at),
        ),
    )
    return int((await session.execute(ahead)).scalar_one()) + 1
