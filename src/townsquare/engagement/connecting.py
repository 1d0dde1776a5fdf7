"""Connecting an accepted call to the agent who accepted it: that caller, by their own CallSid, in a conference
named for the work item; the agent brought in by their browser softphone or their phone; hold, transfer and the
end of the call, as Twilio's conference callbacks report it.

What is sent to the provider is an intent in the outbox (`CHANNEL`), written in the caller's transaction, so
nothing is asked of Twilio for a change that rolled back; the voice channel's REST provider renders it in
Twilio's wire format. Never commits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.clock import utcnow
from townsquare.engagement import media
from townsquare.errors import conflict, forbidden, not_found
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Attachment, Channel, Interaction
from townsquare.notify import service as outbox
from townsquare.routing.models import Agent, LiveCall, LiveCallState, WorkItem, WorkItemStatus
from townsquare.staff.models import StaffAccount

CHANNEL = "voice-control"  # the outbox channel of call-control intents
IDENTITY_PREFIX = "staff-"  # a softphone's identity: "staff-<staff id hex>"
ENDED_CALL_STATUSES = ("completed", "busy", "failed", "no-answer", "canceled")
# What the timeline says of a call someone accepted (interaction.payload["call_result"]).
RESULTS = ("answered", "transferred", "completed", "abandoned")


@dataclass(frozen=True)
class AgentJoin:
    """What the agent's leg needs to enter the conference."""

    conference: str
    item_id: uuid.UUID
    label: str


def identity_of(staff_id: uuid.UUID) -> str:
    """The softphone identity of a staff member (a Voice SDK `client:` name)."""
    return f"{IDENTITY_PREFIX}{staff_id.hex}"


def staff_of_identity(raw: str) -> uuid.UUID | None:
    """The staff member a `client:staff-<hex>` caller is, or None for anything else."""
    name = raw.removeprefix("client:")
    if not name.startswith(IDENTITY_PREFIX):
        return None
    try:
        return uuid.UUID(hex=name.removeprefix(IDENTITY_PREFIX))
    except ValueError:
        return None


def conference_name(item_id: uuid.UUID) -> str:
    return f"ts-{item_id.hex}"


async def live_call(session: AsyncSession, *, item_id: uuid.UUID, lock: bool = False) -> LiveCall | None:
    """The live call of a work item, if it was ever connected."""
    stmt = select(LiveCall).where(LiveCall.work_item_id == item_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt.execution_options(populate_existing=True))).scalar_one_or_none()


async def _enqueue(session: AsyncSession, live: LiveCall, action: str, **payload: Any) -> None:
    await outbox.enqueue(
        session,
        channel=CHANNEL,
        recipient=live.call_sid,
        payload={"action": action, "item": str(live.work_item_id), **payload},
        idempotency_key=f"call:{live.id}:{action}:{uuid.uuid4().hex[:12]}",
    )


def _note(call: Interaction, **changes: Any) -> None:
    call.payload = {**(call.payload or {}), **changes}  # a new dict, so the JSON column is seen as changed


async def _staff_name(session: AsyncSession, staff_id: uuid.UUID) -> str:
    staff = await session.get(StaffAccount, staff_id)
    return staff.display_name if staff is not None else ""


async def connect(
    session: AsyncSession, *, item: WorkItem, staff_id: uuid.UUID, record: bool, now: datetime | None = None
) -> LiveCall | None:
    """After `staff_id` accepted `item`: move its caller (by the call's own sid) into the item's conference and
    bring the agent in. None for work that is not a live call (a scheduled call-back). A caller who hung up
    before the answer is a 409."""
    call_sid = str((item.context or {}).get("call_sid") or "")
    if item.channel != Channel.voice.value or item.kind != "call" or not call_sid:
        return None
    now = now or utcnow()
    call = await interactions.find_by_external_id(session, channel=Channel.voice, external_id=call_sid)
    if call is None:
        raise not_found("Call", "This work names a call the platform never recorded.")
    if (call.payload or {}).get("call_status") in ENDED_CALL_STATUSES:
        raise conflict("The caller hung up before the call was accepted; there is nobody to connect.")
    agent = await session.get(Agent, staff_id)
    leg = "phone" if agent is not None and agent.call_phone else "softphone"
    name = await _staff_name(session, staff_id)
    live = await live_call(session, item_id=item.id, lock=True)
    if live is None:
        live = LiveCall(
            work_item_id=item.id,
            interaction_id=call.id,
            call_sid=call_sid,
            conference_name=conference_name(item.id),
            staff_id=staff_id,
            leg=leg,
            recording=record,
            started_at=now,
        )
        session.add(live)
        await session.flush()
        language = item.language if item.language in ("en", "fr") else "en"
        await _enqueue(
            session,
            live,
            "bring_caller",
            call_sid=call_sid,
            conference=live.conference_name,
            lang=language,
            record=record,
            agent=name,
        )
    elif live.state is LiveCallState.ended:
        raise conflict("This call has ended; there is nobody to connect.")
    else:  # after a transfer: the caller holds in the conference for whoever accepts next
        live.staff_id, live.leg, live.agent_call_sid = staff_id, leg, None
        live.state = LiveCallState.connecting
    if leg == "phone" and agent is not None and agent.call_phone:
        called = str((call.payload or {}).get("to") or "")
        await _enqueue(
            session,
            live,
            "dial_agent",
            to=agent.call_phone,
            conference=live.conference_name,
            caller_id=called,
            agent=name,
        )
    await session.flush()
    return live


async def _held_by(session: AsyncSession, item_id: uuid.UUID, staff_id: uuid.UUID) -> tuple[WorkItem, LiveCall]:
    item = await session.get(WorkItem, item_id)
    live = await live_call(session, item_id=item_id, lock=True)
    if item is None or live is None:
        raise conflict("This work has no call connected.")
    if item.assigned_to_id != staff_id or item.status is not WorkItemStatus.assigned or live.staff_id != staff_id:
        raise forbidden("Only the agent on this call can do that.")
    if live.state is LiveCallState.ended:
        raise conflict("This call has ended.")
    return item, live


async def agent_joining(session: AsyncSession, *, item_id: uuid.UUID, identity: str) -> AgentJoin:
    """The conference the agent's softphone (identity `client:staff-<hex>`) may enter: only the agent holding the
    work item, while its call lasts."""
    staff_id = staff_of_identity(identity)
    if staff_id is None:
        raise forbidden("Only a staff member's softphone joins a call.")
    _, live = await _held_by(session, item_id, staff_id)
    return AgentJoin(live.conference_name, item_id, await _staff_name(session, staff_id) or "agent")


async def hold(session: AsyncSession, *, item_id: uuid.UUID, staff_id: uuid.UUID, on: bool) -> LiveCall:
    """Put the caller on hold (hold music) or take them off it."""
    _, live = await _held_by(session, item_id, staff_id)
    if live.state is not LiveCallState.connected or live.conference_sid is None:
        raise conflict("The caller is not in the call with you yet.")
    if live.on_hold != on:
        live.on_hold = on
        await _enqueue(session, live, "hold", conference_sid=live.conference_sid, call_sid=live.call_sid, hold=on)
    await session.flush()
    return live


async def hang_up(session: AsyncSession, *, item_id: uuid.UUID, staff_id: uuid.UUID) -> LiveCall:
    """End the call for everyone in it (the caller may be asked the survey question on their way out)."""
    _, live = await _held_by(session, item_id, staff_id)
    if live.conference_sid is not None:
        await _enqueue(session, live, "end_conference", conference_sid=live.conference_sid)
    else:
        await _enqueue(session, live, "drop", call_sid=live.call_sid)
    await session.flush()
    return live


async def released(session: AsyncSession, *, item_id: uuid.UUID, staff_id: uuid.UUID) -> None:
    """The agent passed the work on (a transfer or an escalation): the caller holds in the conference, with
    music, for whoever accepts next, and the agent's leg leaves. Nothing for work without a live call."""
    live = await live_call(session, item_id=item_id, lock=True)
    if live is None or live.state is LiveCallState.ended or live.staff_id != staff_id:
        return
    live.state, live.staff_id, live.transfers = LiveCallState.transferring, None, live.transfers + 1
    if live.conference_sid is not None and not live.on_hold:
        await _enqueue(session, live, "hold", conference_sid=live.conference_sid, call_sid=live.call_sid, hold=True)
    live.on_hold = True
    if live.agent_call_sid is not None:
        await _enqueue(session, live, "drop", call_sid=live.agent_call_sid)
        live.agent_call_sid = None
    call = await session.get_one(Interaction, live.interaction_id)
    _note(call, call_result="transferred")
    await session.flush()


async def ended(session: AsyncSession, live: LiveCall, *, now: datetime | None = None) -> None:
    """The call is over: how it ended and how long the caller spoke with a person go on its timeline entry."""
    if live.state is LiveCallState.ended:
        return
    now = now or utcnow()
    live.state, live.ended_at, live.on_hold = LiveCallState.ended, now, False
    call = await session.get_one(Interaction, live.interaction_id)
    changes: dict[str, Any] = {"call_result": "completed" if live.answered else "abandoned"}
    if live.connected_at is not None:
        changes["talk_seconds"] = max(0, int((now - live.connected_at).total_seconds()))
    if live.transfers:
        changes["transfers"] = live.transfers
    _note(call, **changes)
    await session.flush()


async def end_by_call(session: AsyncSession, *, call_sid: str) -> None:
    """The caller's call ended (Twilio's status callback): so did their conference."""
    found = await session.execute(select(LiveCall).where(LiveCall.call_sid == call_sid))
    live = found.scalar_one_or_none()
    if live is not None:
        await ended(session, live)


async def active_items(session: AsyncSession, *, item_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these work items have a call in a conference now (its caller is not waiting in a queue)."""
    if not item_ids:
        return set()
    rows = await session.execute(
        select(LiveCall.work_item_id).where(LiveCall.work_item_id.in_(item_ids), LiveCall.state != LiveCallState.ended)
    )
    return set(rows.scalars())


CONFERENCE_EVENTS = (
    "conference-start",
    "conference-end",
    "participant-join",
    "participant-leave",
    "participant-hold",
    "participant-unhold",
)


async def conference_event(
    session: AsyncSession,
    *,
    item_id: uuid.UUID,
    event: str,
    call_sid: str,
    conference_sid: str,
    now: datetime | None = None,
) -> LiveCall:
    """What Twilio's conference callback says happened in the work item's conference.

    The caller and the agent join; the agent's leg joining connects them (a caller held since a transfer or a
    dropped leg is taken off hold); the agent's leg leaving puts the caller on hold until they are back; the
    caller leaving, or the conference ending, ends the call. A callback for a call already over is refused
    (409), except the ends and departures Twilio repeats.
    """
    now = now or utcnow()
    live = await live_call(session, item_id=item_id, lock=True)
    if live is None:
        raise not_found("Call", "No call was connected for that work item.")
    if live.state is LiveCallState.ended:
        if event in ("conference-end", "participant-leave"):
            return live
        raise conflict("That call has ended.")
    if conference_sid and live.conference_sid is None:
        live.conference_sid = conference_sid
    caller = call_sid == live.call_sid
    if event == "participant-join" and not caller and call_sid:
        await _agent_joined(session, live, call_sid, now)
    elif event == "participant-leave" and caller:
        await ended(session, live, now=now)
    elif event == "participant-leave" and call_sid and call_sid == live.agent_call_sid:
        await _agent_left(session, live)
    elif event in ("participant-hold", "participant-unhold") and caller:
        live.on_hold = event == "participant-hold"
    elif event == "conference-end":
        await ended(session, live, now=now)
    await session.flush()
    return live


async def _agent_joined(session: AsyncSession, live: LiveCall, call_sid: str, now: datetime) -> None:
    live.agent_call_sid = call_sid
    live.state = LiveCallState.connected
    live.connected_at = live.connected_at or now
    live.answered = True
    call = await session.get_one(Interaction, live.interaction_id)
    if (call.payload or {}).get("call_result") != "transferred":
        _note(call, call_result="answered")
    if live.on_hold and live.conference_sid is not None:
        live.on_hold = False
        await _enqueue(session, live, "hold", conference_sid=live.conference_sid, call_sid=live.call_sid, hold=False)


async def _agent_left(session: AsyncSession, live: LiveCall) -> None:
    """The agent's leg dropped (their page reloaded, their phone hung up) without ending the call: the caller
    holds, with music, until the agent joins again or hangs up from the desk."""
    live.agent_call_sid = None
    if live.state is LiveCallState.connected:
        live.state = LiveCallState.connecting
        if not live.on_hold and live.conference_sid is not None:
            await _enqueue(session, live, "hold", conference_sid=live.conference_sid, call_sid=live.call_sid, hold=True)
        live.on_hold = True


async def keep_recording(
    session: AsyncSession, *, item_id: uuid.UUID, recording_sid: str, url: str, seconds: int | None
) -> bool:
    """A recording of the work item's conference is ready at the provider: it joins the call on the timeline as
    an attachment, and an outbox job copies the file into attachment storage (retried while the provider is
    unreachable). False when Twilio repeats itself; a 404 for a call never recorded."""
    live = await live_call(session, item_id=item_id)
    if live is None or not live.recording:
        raise not_found("Call", "No recorded call was connected for that work item.")
    filename = f"{recording_sid}.wav"
    known = await session.execute(
        select(Attachment.id).where(Attachment.interaction_id == live.interaction_id, Attachment.filename == filename)
    )
    if known.first() is not None:
        return False
    session.add(
        Attachment(
            interaction_id=live.interaction_id,
            filename=filename,
            content_type="audio/wav",
            size_bytes=0,
            source_url=url + ".wav",
        )
    )
    call = await session.get_one(Interaction, live.interaction_id)
    if seconds is not None:
        _note(call, recorded_seconds=seconds)
    await outbox.enqueue(
        session,
        channel=media.CHANNEL,
        recipient="twilio",
        payload={"interaction_id": str(call.id)},
        idempotency_key=f"media:{call.id}:{recording_sid}",
    )
    return True
