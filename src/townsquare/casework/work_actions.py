"""What the person handling a work item does with it: answer the citizen, write an internal note, complete,
transfer, escalate, schedule a call-back, open a case for it.

Each action first checks that this staff member holds the work (others of its agency may only read it) and
raises a `Problem` a page can show; none commits (the desk's route does, once).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import service as agencies
from townsquare.agencies.models import Service
from townsquare.analytics.surveys import inviting as surveys
from townsquare.casework import cases as casework
from townsquare.casework import desk
from townsquare.casework.work import CaseForm, holds, work_item_in_scope
from townsquare.citizens import service as citizens
from townsquare.citizens.models import IdentityKind
from townsquare.engagement import connecting, replies
from townsquare.engagement.replies import ReplyOptions
from townsquare.errors import FieldError, forbidden, invalid
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel
from townsquare.notify.rendering import Content
from townsquare.places import service as places
from townsquare.routing import engine
from townsquare.routing.models import WorkItem
from townsquare.settings import Settings
from townsquare.staff.auth import Principal


async def held_item(session: AsyncSession, me: Principal, item_id: uuid.UUID) -> WorkItem:
    """The work item if this staff member is handling it; 403 for others of its agency, 404 for anyone else."""
    item = await work_item_in_scope(session, me, item_id)
    if not holds(me, item):
        raise forbidden("Only the person handling this work can act on it; you may read it.")
    return item


async def _reply_channel(session: AsyncSession, conversation_id: uuid.UUID, chosen: str) -> Channel | None:
    """The channel picked in the form, if this citizen can be reached on it; empty means the conversation's."""
    conversation = await interactions.get_conversation(session, conversation_id=conversation_id)
    if not chosen:  # a letter's conversation: `replies` applies the post-out rule (a letter, or what they prefer)
        mail = conversation.channel is Channel.mail
        return conversation.channel if conversation.channel in replies.REPLYABLE and not mail else None
    citizen = await citizens.get(session, citizen_id=conversation.citizen_id)
    allowed = desk.reply_channels(citizen, conversation)
    match = next((c for c in allowed if c.value == chosen), None)
    if match is None:
        raise invalid(
            f"This citizen cannot be reached on '{chosen[:20]}'.", FieldError("channel", "not a channel they have")
        )
    return match


async def reply(
    session: AsyncSession, *, me: Principal, item_id: uuid.UUID, body: str, channel: str, options: ReplyOptions
) -> None:
    """Answer the citizen on the chosen channel (default: the conversation's), through the outbox."""
    item = await held_item(session, me, item_id)
    if item.conversation_id is None:
        raise invalid("This work has no conversation to answer; schedule a call-back instead.")
    target = await _reply_channel(session, item.conversation_id, channel)
    await replies.reply(
        session,
        conversation_id=item.conversation_id,
        content=Content(body),
        channel=target,
        staff_id=me.id,
        options=options,
    )


async def note(session: AsyncSession, *, me: Principal, item_id: uuid.UUID, body: str) -> None:
    """An internal note on the citizen's timeline; nobody outside sees it."""
    item = await held_item(session, me, item_id)
    await desk.add_note(
        session,
        actor=me,
        body=body,
        conversation_id=item.conversation_id,
        citizen_id=item.citizen_id,
        case_id=item.case_id,
        agency_id=item.agency_id,
    )


async def complete(
    session: AsyncSession,
    *,
    me: Principal,
    item_id: uuid.UUID,
    wrap_up_code: str,
    outcome: str,
    settings: Settings,
) -> None:
    """Finish the work with a wrap-up code and an outcome, and ask the person how it went (a text, email or chat)."""
    await held_item(session, me, item_id)
    item = await engine.complete(
        session, item_id=item_id, staff_id=me.id, wrap_up_code=wrap_up_code or None, outcome=outcome or None
    )
    await surveys.after_work_completed(session, settings, item)


def _transfer_target(to: str) -> tuple[uuid.UUID | None, uuid.UUID | None, uuid.UUID | None]:
    """`agent:<id>`, `team:<id>` or `agency:<id>` as (staff, team, agency)."""
    kind, _, raw = to.partition(":")
    try:
        target = uuid.UUID(raw)
    except ValueError:
        target = None
    if target is None or kind not in ("agent", "team", "agency"):
        raise invalid("Choose an agent, a team or an agency to transfer to.", FieldError("to", "choose one"))
    return (
        target if kind == "agent" else None,
        target if kind == "team" else None,
        target if kind == "agency" else None,
    )


async def transfer(session: AsyncSession, *, me: Principal, item_id: uuid.UUID, to: str, note: str) -> None:
    """Hand the work on to an agent, a team or another agency (`agent:<id>` …), with everything gathered."""
    await held_item(session, me, item_id)
    to_staff, to_team, to_agency = _transfer_target(to)
    await engine.transfer(
        session,
        item_id=item_id,
        staff_id=me.id,
        to_staff_id=to_staff,
        to_team_id=to_team,
        to_agency_id=to_agency,
        note=note or None,
    )
    await connecting.released(session, item_id=item_id, staff_id=me.id)  # a caller holds for the next agent


async def escalate(session: AsyncSession, *, me: Principal, item_id: uuid.UUID, reason: str) -> None:
    """Send the work to a supervisor with the reason."""
    await held_item(session, me, item_id)
    await engine.escalate(session, item_id=item_id, staff_id=me.id, reason=reason)
    await connecting.released(session, item_id=item_id, staff_id=me.id)


def _local_time(value: str, tz: str) -> datetime:
    """A datetime-local field (2026-03-01T14:30) read in the agency's timezone, as UTC."""
    try:
        naive = datetime.fromisoformat(value)
    except ValueError:
        raise invalid("Give the call-back's date and time.", FieldError("at", "not a date and time")) from None
    if naive.tzinfo is not None:
        raise invalid("Give the call-back's local date and time.", FieldError("at", "has a timezone"))
    return naive.replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)


async def callback(session: AsyncSession, *, me: Principal, item_id: uuid.UUID, at: str, phone: str, note: str) -> None:
    """Schedule a call-back to one of the citizen's phones at a local time of the agency."""
    item = await held_item(session, me, item_id)
    if item.citizen_id is None:
        raise invalid("This work has no citizen record to call back.")
    citizen = await citizens.get(session, citizen_id=item.citizen_id)
    phones = {i.value for i in citizen.identities if i.kind is IdentityKind.phone}
    if phone not in phones:
        raise invalid("Choose one of the citizen's phone numbers.", FieldError("phone", "not theirs"))
    agency = (await agencies.agencies_by_id(session, ids={item.agency_id}))[item.agency_id]
    when = _local_time(at, agency.timezone)
    await engine.schedule_callback(
        session,
        agency_id=item.agency_id,
        citizen_id=item.citizen_id,
        phone=phone,
        at=when,
        case_id=item.case_id,
        note=note or None,
        staff_id=me.id,
        language=citizen.language,
    )


def _coordinate(value: str, name: str, limit: float) -> float | None:
    if not value.strip():
        return None
    try:
        return places.coordinate(value, limit=limit)
    except ValueError:
        raise invalid(
            f"The {name} is a number from -{limit:g} to {limit:g}, or empty.", FieldError(name, "not a coordinate")
        ) from None


def _location(sent: CaseForm) -> dict[str, Any] | None:
    """Where the case is: a typed address, a point, or both; the address register completes the rest."""
    lat, long = _coordinate(sent.lat, "latitude", 90), _coordinate(sent.long, "longitude", 180)
    if (lat is None) != (long is None):
        raise invalid("Give both the latitude and the longitude, or neither.", FieldError("lat", "half a point"))
    location: dict[str, Any] = {"address_string": sent.address} if sent.address else {}
    if lat is not None and long is not None:
        location.update(lat=lat, long=long)
    return location or None


async def _offered_service(session: AsyncSession, me: Principal, code: str) -> None:
    """Refuse a service the panel does not offer this agent (unknown, inactive or another agency's)."""
    stmt = select(Service.agency_id).where(Service.code == code, Service.active.is_(True))
    agency_id = (await session.execute(stmt)).scalar_one_or_none() if code else None
    if agency_id is None or not me.may_see(agency_id):
        raise invalid("Choose the service the case is for.", FieldError("service_code", "choose one of the list"))


def _item_channel(item: WorkItem) -> Channel:
    try:
        return Channel(item.channel)
    except ValueError:
        return Channel.web


async def open_case(
    session: AsyncSession, *, me: Principal, item_id: uuid.UUID, sent: CaseForm, settings: Settings
) -> None:
    """Open a case for the work: it joins the work's conversation, so what the citizen already sent is part of
    it, and close reports of the same service are linked as likely duplicates."""
    item = await held_item(session, me, item_id)
    if item.case_id is not None or item.context.get("case_reference"):
        raise invalid("This work has a case already.")
    await _offered_service(session, me, sent.service_code)
    case = await casework.open_case(
        session,
        settings=settings,
        actor=me,
        service_code=sent.service_code,
        channel=_item_channel(item),
        title=sent.title or None,
        description=sent.description,
        citizen_id=item.citizen_id,
        location=_location(sent),
        conversation_id=item.conversation_id,
        duplicate_radius_m=settings.duplicate_radius_m,
    )
    item.case_id = case.id
    item.context = {**item.context, "case_reference": case.reference}
    await session.flush()
