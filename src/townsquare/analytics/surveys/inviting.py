"""When a survey is asked: a case resolved or closed, a contact an agent completed (SMS, email, chat), a call an
agent took (asked live by the voice door), a chat the assistant closed on its own.

Everyone is asked at most once per closed thing (the row's `subject_key`) and at most once in
`CSAT_THROTTLE_DAYS`, on any channel; nobody is asked who turned surveys off, whose record was merged away, or
whose case waits on them. Called in the caller's transaction by the use case that closed the thing; a survey
that cannot be put is skipped, never an error for the caller. Never commits.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.analytics.surveys import asking
from townsquare.analytics.surveys.asking import About
from townsquare.analytics.surveys.models import Survey
from townsquare.assistant.engine import Turn
from townsquare.cases.models import Case, CaseStatus
from townsquare.citizens.models import Citizen
from townsquare.clock import utcnow
from townsquare.interactions.models import Channel, Direction, Interaction
from townsquare.knowledge.models import AnswerRecord, Article
from townsquare.notify import opt_outs
from townsquare.notify.kinds import MessageType
from townsquare.routing.models import WorkItem, WorkItemStatus
from townsquare.settings import Settings

CLOSED = frozenset({CaseStatus.resolved, CaseStatus.closed})
# Where to ask, by the channel the person came in on: their own channel when it can carry a question later,
# else the channels that can (a call is over: a text, else an email).
DELIVERY: dict[str, tuple[str, ...]] = {
    "sms": ("sms",),
    "email": ("email",),
    "chat": ("chat",),
    "voice": ("sms", "email"),
}
ELSEWHERE = ("email", "push")  # web, mobile, Open311, the API, a letter: a link to the survey page
ASKED_AFTER_WORK = frozenset({"sms", "email", "chat"})  # a call is asked live, when the agent hangs up


async def may_ask(session: AsyncSession, settings: Settings, citizen_id: uuid.UUID) -> Citizen | None:
    """The person, if a survey may be put to them now: surveys on, their record live, none asked lately."""
    if not settings.csat_enabled:
        return None
    citizen = await session.get(Citizen, citizen_id)
    if citizen is None or citizen.merged_into_id is not None:
        return None
    if settings.csat_throttle_days > 0:
        since = utcnow() - timedelta(days=settings.csat_throttle_days)
        recent = await session.execute(
            select(Survey.id).where(Survey.citizen_id == citizen_id, Survey.sent_at > since).limit(1)
        )
        if recent.first() is not None:
            return None
    return citizen


async def _turned_off(session: AsyncSession, citizen_id: uuid.UUID) -> bool:
    """Whether the person turned surveys off on any channel: then nobody asks them in a call or a chat either."""
    return bool(await opt_outs.channels_off(session, citizen_id, MessageType.satisfaction_survey))


async def after_case_closed(session: AsyncSession, settings: Settings, case: Case) -> Survey | None:
    """Ask the case's resident, on the channel they last wrote about it from (else the one it was opened on)."""
    if case.status not in CLOSED or case.citizen_id is None:
        return None
    key = f"case:{case.id}"
    if await asking.asked(session, key):
        return None
    citizen = await may_ask(session, settings, case.citizen_id)
    if citizen is None:
        return None
    last = await session.execute(
        select(Interaction.channel, Interaction.conversation_id)
        .where(
            Interaction.case_id == case.id,
            Interaction.citizen_id == citizen.id,
            Interaction.direction == Direction.inbound,
        )
        .order_by(Interaction.occurred_at.desc())
        .limit(1)
    )
    row = last.first()
    contact_channel = row[0].value if row is not None else case.opened_channel
    about = About(
        subject_key=key,
        about="case",
        citizen_id=citizen.id,
        contact_channel=contact_channel,
        language=citizen.language,
        agency_id=case.agency_id,
        service_id=case.service_id,
        case_id=case.id,
        conversation_id=row[1] if row is not None else None,
        staff_id=case.assigned_to_id,
    )
    channels = DELIVERY.get(contact_channel, ELSEWHERE)
    if channels == ("chat",):
        return None if await _turned_off(session, citizen.id) else await asking.by_chat(session, settings, about)
    return await asking.by_notification(session, settings, about, channels=channels)


async def after_work_completed(session: AsyncSession, settings: Settings, item: WorkItem) -> Survey | None:
    """Ask about a text, email or chat contact an agent has just completed, on its own channel."""
    if item.status is not WorkItemStatus.done or item.channel not in ASKED_AFTER_WORK or item.citizen_id is None:
        return None
    key = f"work:{item.id}"
    if item.assigned_to_id is None or await asking.asked(session, key):
        return None
    case = await session.get(Case, item.case_id) if item.case_id else None
    if case is not None and case.status is CaseStatus.waiting_on_citizen:
        return None  # we are waiting on them: the contact is not over for them
    citizen = await may_ask(session, settings, item.citizen_id)
    if citizen is None:
        return None
    about = About(
        subject_key=key,
        about="contact",
        citizen_id=citizen.id,
        contact_channel=item.channel,
        language=citizen.language,
        agency_id=item.agency_id,
        service_id=item.service_id or (case.service_id if case else None),
        case_id=item.case_id,
        conversation_id=item.conversation_id,
        work_item_id=item.id,
        staff_id=item.assigned_to_id,
    )
    if item.channel == Channel.chat.value:
        return None if await _turned_off(session, citizen.id) else await asking.by_chat(session, settings, about)
    return await asking.by_notification(session, settings, about, channels=(item.channel,))


async def for_call(session: AsyncSession, settings: Settings, *, call: Interaction) -> Survey | None:
    """A survey to put to a caller an agent has just finished with, live on the call; None when none may be."""
    key = f"call:{call.id}"
    if await asking.asked(session, key):
        return None
    citizen = await may_ask(session, settings, call.citizen_id)
    if citizen is None or await _turned_off(session, citizen.id):
        return None
    found = await session.execute(
        select(WorkItem)
        .where(WorkItem.conversation_id == call.conversation_id, WorkItem.kind == "call")
        .order_by(WorkItem.created_at.desc())
        .limit(1)
    )
    item = found.scalar_one_or_none()
    case = await session.get(Case, call.case_id) if call.case_id else None
    if case is not None and case.status is CaseStatus.waiting_on_citizen:
        return None
    about = About(
        subject_key=key,
        about="contact",
        citizen_id=citizen.id,
        contact_channel=Channel.voice.value,
        language=citizen.language,
        agency_id=item.agency_id if item else (case.agency_id if case else None),
        service_id=(item.service_id if item else None) or (case.service_id if case else None),
        case_id=call.case_id,
        conversation_id=call.conversation_id,
        interaction_id=call.id,
        work_item_id=item.id if item else None,
        staff_id=item.assigned_to_id if item else None,
    )
    return await asking.said(session, settings, about, channel=Channel.voice.value)


async def call_survey(session: AsyncSession, settings: Settings, *, call: Interaction) -> uuid.UUID | None:
    """`for_call`, as the id the voice door carries in its signed action URL."""
    survey = await for_call(session, settings, call=call)
    return survey.id if survey is not None else None


async def after_assistant(
    session: AsyncSession,
    settings: Settings,
    *,
    inbound: Interaction,
    turn: Turn | None,
    replies: list[Interaction],
) -> None:
    """A chat the assistant closed on its own (the person said its answer helped): ask about that answer, as one
    more line with five buttons, appended to `replies`."""
    if turn is None or turn.intent != "feedback" or turn.handoff is not None or inbound.channel is not Channel.chat:
        return
    found = await session.execute(
        select(AnswerRecord.id, AnswerRecord.article_id, Article.agency_id)
        .join(Article, Article.id == AnswerRecord.article_id)
        .where(AnswerRecord.conversation_id == inbound.conversation_id, AnswerRecord.helpful.is_(True))
        .order_by(AnswerRecord.feedback_at.desc())
        .limit(1)
    )
    answered = found.first()
    if answered is None:
        return
    key = f"answer:{answered[0]}"
    if await asking.asked(session, key):
        return
    citizen = await may_ask(session, settings, inbound.citizen_id)
    if citizen is None or await _turned_off(session, citizen.id):
        return
    about = About(
        subject_key=key,
        about="assistant",
        citizen_id=citizen.id,
        contact_channel=inbound.channel.value,
        language=citizen.language,
        agency_id=answered[2],
        conversation_id=inbound.conversation_id,
        interaction_id=inbound.id,
        article_id=answered[1],
    )
    await asking.in_band(session, settings, about, inbound=inbound, replies=replies)
