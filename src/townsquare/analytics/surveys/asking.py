"""Putting the question: through a notification (SMS, email, push: the outbox, in the caller's transaction), as a
chat line with five buttons, or as an answer given in band. The survey row is written with the question, in a
savepoint, so a question that cannot be put leaves no row and the caller's change goes on. Never commits.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare import sealing
from townsquare.analytics.surveys import scores
from townsquare.analytics.surveys.models import Survey
from townsquare.clock import utcnow
from townsquare.db import new_id
from townsquare.errors import Problem
from townsquare.interactions import replies as answers
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel, DeliveryStatus, Direction, Interaction, InteractionKind
from townsquare.notify import service as outbox
from townsquare.notify.kinds import MessageType
from townsquare.notify.notifications import Notifier, Request
from townsquare.settings import Settings

log = logging.getLogger(__name__)
TOKEN_PURPOSE = "analytics.survey"  # noqa: S105 - a sealing purpose, not a secret
TOKEN_MAC_BYTES = 16
NOTIFIED = frozenset({"sms", "email", "push"})


@dataclass(frozen=True)
class About:
    """What a survey asks about: filled by the trigger, written on the row as it is."""

    subject_key: str
    about: str  # case | contact | assistant
    citizen_id: uuid.UUID
    contact_channel: str
    language: str
    agency_id: uuid.UUID | None = None
    service_id: uuid.UUID | None = None
    case_id: uuid.UUID | None = None
    conversation_id: uuid.UUID | None = None
    interaction_id: uuid.UUID | None = None
    work_item_id: uuid.UUID | None = None
    staff_id: uuid.UUID | None = None
    article_id: uuid.UUID | None = None


def token(secret: str, survey_id: uuid.UUID) -> str:
    """The sealed part of a survey's link (/survey/<token>); it names the survey and nothing else."""
    return sealing.seal(secret, TOKEN_PURPOSE, survey_id.bytes, mac_bytes=TOKEN_MAC_BYTES)


def read_token(secret: str, value: str) -> uuid.UUID | None:
    """The survey a link names, or None for a link we did not make (or one that was altered)."""
    raw = sealing.unseal(secret, TOKEN_PURPOSE, value, mac_bytes=TOKEN_MAC_BYTES)
    return uuid.UUID(bytes=raw) if raw is not None and len(raw) == 16 else None


def link(settings: Settings, survey_id: uuid.UUID) -> str:
    return f"{settings.public_url.rstrip('/')}/survey/{token(settings.secret_key, survey_id)}"


async def asked(session: AsyncSession, subject_key: str) -> bool:
    """Whether this closed thing already has its survey."""
    found = await session.execute(select(Survey.id).where(Survey.subject_key == subject_key).limit(1))
    return found.first() is not None


def _row(settings: Settings, about: About, channel: str) -> Survey:
    now = utcnow()
    return Survey(
        id=new_id(),
        subject_key=about.subject_key,
        about=about.about,
        citizen_id=about.citizen_id,
        channel=channel,
        contact_channel=about.contact_channel,
        language=about.language,
        agency_id=about.agency_id,
        service_id=about.service_id,
        case_id=about.case_id,
        conversation_id=about.conversation_id,
        interaction_id=about.interaction_id,
        work_item_id=about.work_item_id,
        staff_id=about.staff_id,
        article_id=about.article_id,
        sent_at=now,
        expires_at=now + timedelta(days=settings.csat_expiry_days),
    )


async def by_notification(
    session: AsyncSession, settings: Settings, about: About, *, channels: tuple[str, ...]
) -> Survey | None:
    """Ask through a notification on the first of `channels` that reaches the person (their opt-outs, an SMS
    STOP and quiet hours apply as to every notification); None when none can, or no template is set up."""
    survey = _row(settings, about, channels[0])
    request = Request(
        citizen_id=about.citizen_id,
        message_type=MessageType.satisfaction_survey,
        case_id=about.case_id,
        personalisation={"url": link(settings, survey.id), "days": settings.csat_expiry_days},
        idempotency_key=f"survey:{about.subject_key}",
        channels=channels,
    )
    try:
        async with session.begin_nested():
            notification = await Notifier(settings).send(session, request)
            survey.channel = str(notification.plan[0][0])
            survey.notification_id = notification.id
            if survey.conversation_id is None:
                survey.conversation_id = notification.conversation_id
            session.add(survey)
            await session.flush()
    except Problem as refused:
        if refused.status not in (404, 422):
            raise
        log.info("no satisfaction survey sent (%s)", refused.title)
        return None
    return survey


async def by_chat(session: AsyncSession, settings: Settings, about: About) -> Survey | None:
    """Ask in the person's chat, through the outbox (their open chats get it now, the others on their next hello)."""
    if about.conversation_id is None:
        return None
    survey = _row(settings, about, Channel.chat.value)
    text = scores.words(scores.QUESTION, about.language)
    async with session.begin_nested():
        conversation = await interactions.get_conversation(session, conversation_id=about.conversation_id)
        question = await interactions.record(
            session,
            conversation=conversation,
            channel=Channel.chat,
            direction=Direction.outbound,
            kind=InteractionKind.message,
            body=text,
            case_id=about.case_id,
            delivery_status=DeliveryStatus.queued,
            payload=_question_payload(survey.id),
        )
        survey.question_id = question.id
        session.add(survey)
        await session.flush()
        await outbox.enqueue(
            session,
            channel=Channel.chat.value,
            recipient=str(about.citizen_id),
            payload={"text": text},
            idempotency_key=f"interaction:{question.id}",
            interaction_id=question.id,
        )
    return survey


async def in_band(
    session: AsyncSession, settings: Settings, about: About, *, inbound: Interaction, replies: list[Interaction]
) -> Survey:
    """Ask as one more answer to `inbound` on its own channel (a chat the assistant just closed), appended to
    `replies` so a redelivery is answered with it too."""
    survey = _row(settings, about, inbound.channel.value)
    conversation = await interactions.get_conversation(session, conversation_id=inbound.conversation_id)
    after = max([inbound.occurred_at, *(r.occurred_at for r in replies)]) + timedelta(milliseconds=1)
    question = await interactions.record(
        session,
        conversation=conversation,
        channel=inbound.channel,
        direction=Direction.outbound,
        kind=InteractionKind.message,
        body=scores.words(scores.ASSISTANT_QUESTION, about.language),
        occurred_at=max(utcnow(), after),
        external_id=answers.reply_id(inbound.id, len(replies)),
        payload={"in_reply_to": str(inbound.id), **_question_payload(survey.id)},
        delivery_status=DeliveryStatus.sent,
        identity_id=inbound.identity_id,
    )
    survey.question_id = question.id
    session.add(survey)
    await session.flush()
    replies.append(question)
    return survey


async def said(session: AsyncSession, settings: Settings, about: About, *, channel: str) -> Survey:
    """A survey put live, in the contact's own response (a call's TwiML): only the row to write."""
    survey = _row(settings, about, channel)
    session.add(survey)
    await session.flush()
    return survey


def _question_payload(survey_id: uuid.UUID) -> dict[str, object]:
    # Shown as the platform's own line, with the scores as buttons (the chat widget's quick replies).
    return {"via": "assistant", "quick_replies": list(scores.BUTTONS), "survey_id": str(survey_id)}
