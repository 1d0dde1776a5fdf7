"""Writing to a person from the desk, first: on any channel that reaches them (a text or an email to one of their
contacts, their chats, a push to their devices, a social account), about one of their cases or not.

The message goes out exactly as a reply does (`engagement.replies`: rendered for the channel, recorded on the
person's timeline, queued in the transactional outbox in the caller's transaction) in the person's open
conversation — the case's, else the one they were active in lately, else a new one — so whatever they answer comes
back to the same thread. Who may: whoever may correct the record (`casework.record_edit.editable`). Audited as
`conversation.outbound`. `read_outbound` commits its access-log row; `send` never commits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.cases import service as cases
from townsquare.cases.models import Case
from townsquare.casework.record_edit import editable, read_logged, refuse_if, refuse_if_merged
from townsquare.citizens.models import Citizen, Identity, IdentityKind
from townsquare.clock import utcnow
from townsquare.engagement import links, replies
from townsquare.engagement.messages import ReplyResult
from townsquare.errors import FieldError
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel, Conversation
from townsquare.notify.push import service as push
from townsquare.notify.rendering import Content
from townsquare.settings import Settings
from townsquare.staff.auth import Principal

WRITTEN = "conversation.outbound"
TEXT_MAX = 5000
SUBJECT_MAX = 200
CASES_SHOWN = 20
_TO_ADDRESS = {IdentityKind.phone: Channel.sms, IdentityKind.email: Channel.email, IdentityKind.social: Channel.social}


@dataclass(frozen=True)
class Way:
    """One way to write to the person: a channel and, where it delivers to an address, which of theirs.
    `key` is what the form sends: `sms:<identity id>`, `email:<id>`, `social:<id>`, `chat` or `push`."""

    key: str
    channel: Channel
    identity: Identity | None = None
    stopped: bool = False  # the number texted STOP: no text may go to it


@dataclass
class OutboundView:
    """The page to write from: the person, the ways to reach them, and the open cases to write about."""

    citizen: Citizen
    ways: list[Way]
    cases: list[Case]


def ways_to_write(citizen: Citizen, *, push_on: bool) -> list[Way]:
    """Every way to write to the person now: each phone (by text), email address and social account of theirs,
    their chats when they have a chat device, and push when a device of theirs has notifications on."""
    found: list[Way] = []
    for identity in citizen.identities:
        channel = _TO_ADDRESS.get(identity.kind)
        if channel is not None:
            stopped = channel is Channel.sms and identity.opted_out_at is not None
            found.append(Way(f"{channel.value}:{identity.id}", channel, identity, stopped))
    device = next((i for i in citizen.identities if i.kind is IdentityKind.device), None)
    if device is not None:
        found.append(Way(Channel.chat.value, Channel.chat, device))
    if push_on:
        found.append(Way(Channel.push.value, Channel.push))
    return found


async def _view(session: AsyncSession, me: Principal, citizen: Citizen) -> OutboundView:
    pushes = await push.live_for(session, citizen_id=citizen.id)
    open_cases = await cases.open_for_citizen(session, citizen_id=citizen.id, limit=CASES_SHOWN)
    return OutboundView(
        citizen=citizen,
        ways=ways_to_write(citizen, push_on=bool(pushes)),
        cases=[c for c in open_cases if me.may_see(c.agency_id)],
    )


async def read_outbound(session: AsyncSession, *, me: Principal, citizen_id: uuid.UUID, purpose: str) -> OutboundView:
    """The page to write from, its read of the person written to the access log and committed."""
    citizen = await editable(session, me=me, citizen_id=citizen_id)
    view = await _view(session, me, citizen)
    await read_logged(session, me=me, citizen_id=citizen.id, purpose=purpose)
    return view


async def _thread(
    session: AsyncSession, me: Principal, citizen: Citizen, case: Case | None, channel: Channel, idle_hours: int
) -> Conversation:
    """The conversation the message goes in: the case's open one, else the person's conversation active lately
    (when it is about no case, or one of a case this member of staff may see), else a new one."""
    if case is not None:
        found = await interactions.conversation_for_case(session, case_id=case.id, citizen_id=citizen.id)
        if found is not None:
            return found
        return await interactions.start_conversation(session, citizen_id=citizen.id, channel=channel, case_id=case.id)
    since = utcnow() - timedelta(hours=idle_hours)
    recent = await interactions.recent_open_conversation(session, citizen_id=citizen.id, active_since=since)
    if recent is not None:
        about = await cases.get_by_id(session, case_id=recent.case_id) if recent.case_id else None
        if about is None or me.may_see(about.agency_id):
            return recent
    return await interactions.start_conversation(session, citizen_id=citizen.id, channel=channel)


async def _case(session: AsyncSession, me: Principal, citizen: Citizen, reference: str) -> Case | None:
    if not reference.strip():
        return None
    found = await cases.get_by_reference(session, reference=reference.strip()[:40])
    if found is None or found.citizen_id != citizen.id or not me.may_see(found.agency_id):
        return None
    return found


async def send(
    session: AsyncSession,
    *,
    me: Principal,
    settings: Settings,
    citizen_id: uuid.UUID,
    way: str,
    case_reference: str,
    subject: str,
    text: str,
) -> ReplyResult:
    """Write to the person the way chosen (`Way.key`), about the case named (or none), through the outbox."""
    citizen = await editable(session, me=me, citizen_id=citizen_id)
    refuse_if_merged(citizen)
    view = await _view(session, me, citizen)
    errors: list[FieldError] = []
    chosen = next((w for w in view.ways if w.key == way), None)
    if chosen is None:
        errors.append(FieldError("way", "choose"))
    elif chosen.stopped:
        errors.append(FieldError("way", "stopped"))
    case = await _case(session, me, citizen, case_reference)
    if case_reference.strip() and case is None:
        errors.append(FieldError("case", "unknown"))
    if len(subject.strip()) > SUBJECT_MAX:
        errors.append(FieldError("subject", "too_long"))
    if not text.strip():
        errors.append(FieldError("text", "required"))
    elif len(text) > TEXT_MAX:
        errors.append(FieldError("text", "too_long"))
    refuse_if(errors)
    assert chosen is not None
    conversation = await _thread(session, me, citizen, case, chosen.channel, settings.conversation_idle_hours)
    addressed = chosen.identity is not None and chosen.channel in replies.ADDRESS_KIND
    result = await replies.reply(
        session,
        conversation_id=conversation.id,
        content=Content(text.strip(), subject=subject.strip() or None),
        channel=chosen.channel,
        staff_id=me.id,
        options=links.reply_options(settings),
        identity_id=chosen.identity.id if addressed and chosen.identity is not None else None,
    )
    me.audit(
        session,
        action=WRITTEN,
        subject_kind="interaction",
        subject_id=result.interaction_id,
        citizen_id=citizen.id,
        agency_id=case.agency_id if case is not None else None,
        detail={"channel": chosen.channel.value, "conversation_id": str(conversation.id)},
    )
    return result
