"""The self-service assistant: one engine answering chat, SMS and speech before (or instead of) a person.

`respond()` takes a recorded contact the engagement flow gives it and answers it from the knowledge base, a
case's status, a link to an application, guides a report about a place (`reporting`), or asks for a hand-off to
the queue with everything it learnt (the flow carries the hand-off out, and opens a confirmed report's case).
Every reply is recorded as an answer to the contact (`interactions.replies`, payload `via="assistant"`), so a
redelivery is answered from the record. Never commits, never logs what people write.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import service as agencies
from townsquare.agencies.models import Service
from townsquare.assistant import checks, handoff, intents, phrases, report_form, reporting
from townsquare.assistant import state as memory
from townsquare.assistant.intents import Intent
from townsquare.assistant.turns import Context, Plan, ReportOpener
from townsquare.cases import service as cases
from townsquare.cases.models import Case
from townsquare.citizens import service as citizens
from townsquare.citizens.models import Citizen, CitizenStatus, Identity, IdentityKind
from townsquare.clock import utcnow
from townsquare.drafts import service as drafts
from townsquare.interactions import replies as answers
from townsquare.interactions.models import Channel, Interaction
from townsquare.knowledge import rendering, translations
from townsquare.knowledge import service as knowledge
from townsquare.knowledge.search import KnowledgeIndex
from townsquare.knowledge.service import LiveArticle
from townsquare.settings import Settings

log = logging.getLogger(__name__)
MISSES_BEFORE_HANDOFF = 2
LONG_CASE_MESSAGE_WORDS = 12  # a reference in a longer message that does not ask for status: a person reads it


@dataclass(frozen=True)
class Handoff:
    """The assistant's request to put the contact in front of a person, with what it learnt."""

    kind: str  # the work item's kind ("chat", "sms", "callback", ...)
    details: dict[str, Any]


@dataclass(frozen=True)
class Turn:
    """What the assistant said in answer to one contact, and what it asks the flow to do."""

    replies: tuple[Interaction, ...]  # recorded answers, rendered for the channel, in the person's language
    intent: str  # question | case_status | start_application | continue_application | callback |
    # talk_to_person | feedback | greeting | report | unknown
    handoff: Handoff | None = None
    article: LiveArticle | None = None
    answer_id: uuid.UUID | None = None  # the AnswerRecord of a knowledge answer
    awaiting: str | None = None  # "feedback" | "verify" | "callback_number" | "reference" | "report:<step>" | None
    quick_replies: tuple[str, ...] = ()  # suggested answers to the last reply (["Yes", "No"] for feedback)


async def respond(
    session: AsyncSession,
    *,
    index: KnowledgeIndex,
    settings: Settings,
    inbound: Interaction,
    conversation_started: bool,
    handoff_reply: str | None = None,
    open_report: ReportOpener | None = None,
) -> Turn:
    """Answer one recorded contact nobody is handling; records the answers, does not commit.

    When the conversation starts with a hand-off, `handoff_reply` (the channel's usual acknowledgement) is
    said instead of the assistant's own words. With `open_report`, a resident may report a problem at a place
    (`reporting`): the flow opens the case when they confirm.
    """
    ctx = await _context(session, settings, index, inbound, inbound.channel, inbound.body)
    ctx.open_report = open_report
    plan = await _plan(ctx)
    if plan.handoff is not None and handoff_reply and conversation_started and plan.kind != "callback":
        plan.replies = [handoff_reply]
    return await _carry_out(ctx, plan)


# Context ------------------------------------------------------------------------------------------------------


async def _context(
    session: AsyncSession, settings: Settings, index: KnowledgeIndex, inbound: Interaction, channel: Channel, text: str
) -> Context:
    state = await memory.load(session, conversation_id=inbound.conversation_id)
    citizen = await session.get_one(Citizen, inbound.citizen_id)
    identity = await session.get(Identity, inbound.identity_id) if inbound.identity_id else None
    detected = intents.detect(
        text, reference_pattern=cases.reference_pattern(settings.case_reference_prefix), awaiting=state.pending
    )
    language = detected.language or memory.kept(state, "language")
    if language is None:
        language = citizen.language if citizen.status is CitizenStatus.confirmed else "en"
    language = phrases.language(language)
    memory.remember(state, language=language)
    spoken = channel is Channel.voice
    render_channel = channel.value if channel.value in ("sms", "chat", "voice") else "chat"
    return Context(
        session, settings, index, inbound, citizen, identity, state, language, spoken, render_channel, text, detected
    )


def _identified(ctx: Context) -> bool:
    """The contact came from someone the platform knows is this citizen: a verified contact or their device."""
    return ctx.identity is not None and (ctx.identity.verified or ctx.identity.kind is IdentityKind.device)


# Deciding -----------------------------------------------------------------------------------------------------


async def _plan(ctx: Context) -> Plan:
    intent = ctx.detected.intent
    if ctx.state.pending == reporting.PENDING and (guided := await reporting.proceed(ctx)) is not None:
        return guided
    pending = ctx.state.pending
    if pending == "feedback" and intent in (Intent.yes, Intent.no):
        return await _feedback(ctx, helpful=intent is Intent.yes)
    strong = (Intent.talk_to_person, Intent.callback)
    if pending == "verify" and intent not in strong and not (intent is Intent.case_status and ctx.detected.reference):
        return await _verification_answer(ctx)
    gave_number = checks.normalised_contact(ctx.text, region=ctx.settings.default_region) is not None
    if pending == "callback_number" and (gave_number or intent in (Intent.unknown, Intent.question)):
        return _callback_with_number(ctx)
    if (reported := await reporting.start(ctx)) is not None:
        return reported
    handlers = {
        Intent.talk_to_person: _talk_to_person,
        Intent.callback: _callback,
        Intent.case_status: _case_status,
        Intent.continue_application: _continue_application,
        Intent.start_application: _start_application,
        Intent.appointment: _appointment,
        Intent.greeting: _small_talk,
        Intent.thanks: _small_talk,
        Intent.unknown: _unknown,
    }
    handler = handlers.get(intent, _question)
    return await handler(ctx)


async def _talk_to_person(ctx: Context) -> Plan:
    return Plan("talk_to_person", [ctx.say("handoff")], handoff="asked")


async def _appointment(ctx: Context) -> Plan:
    """Booking, moving or cancelling an appointment: where to do it (the confirmation's link moves or cancels one)."""
    url = ctx.settings.public_url.rstrip("/") + "/appointments"
    return Plan("appointment", [ctx.say("appointment", url=url)])


async def _unknown(ctx: Context) -> Plan:
    return Plan("unknown", [ctx.say("unknown")], miss=True)


async def _small_talk(ctx: Context) -> Plan:
    key = "greeting" if ctx.detected.intent is Intent.greeting else "thanks"
    return Plan("greeting", [ctx.say(key)])


async def _question(ctx: Context) -> Plan:
    memory.remember(ctx.state, question=ctx.text[:500])
    hits = await ctx.index.search(ctx.session, ctx.text, language=ctx.language, limit=3)
    top = hits[0] if hits else None
    if top is None or top.confidence < ctx.settings.assistant_confidence:
        return Plan("question", [ctx.say("handoff_low_confidence")], handoff="low_confidence")
    live = await knowledge.live(ctx.session, article_id=top.article_id)
    if live is None:
        return Plan("question", [ctx.say("handoff_low_confidence")], handoff="low_confidence")
    if memory.kept(ctx.state, "last_article_id") == str(live.article_id):
        # Asked again after that very answer: it did not help.
        return Plan("question", [ctx.say("handoff_not_helpful")], handoff="not_helpful")
    url = rendering.article_url(ctx.settings.public_url.rstrip("/"), live.slug)
    shown = rendering.render(live, ctx.render_channel, url=url, language=ctx.language)
    said = [shown.text]
    behind = (await translations.outdated(ctx.session, article_ids=[live.article_id])).get(live.article_id)
    if behind is not None:  # the other language's version changed since: say so rather than answer as if current
        said.append(ctx.say("older_translation", language=phrases.language_name(ctx.language, behind.newer_language)))
    return Plan(
        "question",
        [*said, ctx.say("ask_feedback")],
        article=live,
        confidence=top.confidence,
        awaiting="feedback",
    )


async def _feedback(ctx: Context, *, helpful: bool) -> Plan:
    answer_id = memory.pending_value(ctx.state, "answer_id")
    if answer_id:
        await knowledge.record_feedback(ctx.session, answer_id=uuid.UUID(str(answer_id)), helpful=helpful)
    if helpful:
        return Plan("feedback", [ctx.say("thanks_feedback")])
    return Plan("feedback", [ctx.say("handoff_not_helpful")], handoff="not_helpful")


# Cases --------------------------------------------------------------------------------------------------------


def _example(ctx: Context) -> str:
    return f"{ctx.settings.case_reference_prefix}-{utcnow().year}-000123"


async def _case_status(ctx: Context) -> Plan:
    reference = ctx.detected.reference
    if reference is None:
        return await _own_cases(ctx)
    case = await cases.get_by_reference(ctx.session, reference=reference)
    if case is None:
        return Plan("case_status", [ctx.say("no_case", reference=reference)], miss=True)
    words = len(re.findall(r"\w+", ctx.text.replace(reference, " ", 1)))
    if not ctx.detected.asks_status and words > LONG_CASE_MESSAGE_WORDS:
        return Plan("case_status", [ctx.say("handoff")], handoff="needs_person")  # news about the case
    owner = case.citizen_id is not None and case.citizen_id == ctx.citizen.id and _identified(ctx)
    if owner:
        ctx.state.verified = {"case_reference": case.reference, "method": "owner"}
        return Plan("case_status", [await _status(ctx, case)])
    if (ctx.state.verified or {}).get("case_reference") == case.reference:
        return Plan("case_status", [await _status(ctx, case)])
    on_file = await checks.contacts_on_file(ctx.session, citizen_id=case.citizen_id) if case.citizen_id else []
    if not on_file:
        return Plan("case_status", [ctx.say("handoff")], handoff="needs_person")
    memory.set_pending(ctx.state, "verify", reference=case.reference, tries=0)
    return Plan("case_status", [ctx.say("ask_verify")], awaiting="verify")


async def _own_cases(ctx: Context) -> Plan:
    if not _identified(ctx):
        memory.set_pending(ctx.state, "reference")
        return Plan("case_status", [ctx.say("ask_reference", example=_example(ctx))], awaiting="reference")
    found = await cases.open_for_citizen(ctx.session, citizen_id=ctx.citizen.id, limit=5)
    if not found:
        return Plan("case_status", [ctx.say("no_open_case", example=_example(ctx))])
    replies = [await _status(ctx, found[0])]
    if len(found) > 1:
        replies.append(ctx.say("status_other_cases", count=len(found) - 1))
    ctx.state.verified = {"case_reference": found[0].reference, "method": "owner"}
    return Plan("case_status", replies)


async def _verification_answer(ctx: Context) -> Plan:
    reference = str(memory.pending_value(ctx.state, "reference") or "")
    tries = int(memory.pending_value(ctx.state, "tries") or 0) + 1
    case = await cases.get_by_reference(ctx.session, reference=reference) if reference else None
    if case is None or case.citizen_id is None:
        memory.set_pending(ctx.state, None)
        return Plan("case_status", [ctx.say("handoff")], handoff="needs_person")
    method = await checks.check_contact(
        ctx.session, citizen_id=case.citizen_id, text=ctx.text, region=ctx.settings.default_region
    )
    if method is not None:
        memory.set_pending(ctx.state, None)
        ctx.state.verified = {"case_reference": case.reference, "method": method}
        return Plan("case_status", [await _status(ctx, case)])
    if tries >= checks.MAX_TRIES:
        memory.set_pending(ctx.state, None)
        return Plan("case_status", [ctx.say("verify_failed")], handoff="needs_person")
    memory.set_pending(ctx.state, "verify", reference=reference, tries=tries)
    return Plan("case_status", [ctx.say("verify_wrong", left=checks.MAX_TRIES - tries)], awaiting="verify")


async def _status(ctx: Context, case: Case) -> str:
    label = ""
    if case.service_id is not None:
        service = await agencies.get_service_by_id(ctx.session, service_id=case.service_id)
        label = f" ({report_form.service_name(service, ctx.language)})"
    elif case.title:
        label = f" ({case.title})"
    return ctx.say(
        "status",
        reference=case.reference,
        label=label,
        status=phrases.status_words(ctx.language, case.status.value),
        date=phrases.date_words(ctx.language, case.updated_at),
    )


# Applications and call-backs ----------------------------------------------------------------------------------


async def _find_service(ctx: Context, subject: str) -> Service | None:
    words = subject.split()[:8]
    for end in range(len(words), 0, -1):
        found = await agencies.search_services(ctx.session, query=" ".join(words[:end]), language=ctx.language)
        if found:
            return found[0]
    return None


async def _start_application(ctx: Context) -> Plan:
    # The published answer comes first ("how do I renew my licence?" has an article that says what to bring and
    # links the form); a bare link to the form is for when no article answers with confidence.
    answered = await _question(ctx)
    if answered.article is not None:
        answered.intent = "start_application"
        return answered
    service = await _find_service(ctx, ctx.detected.subject or "")
    if service is None:
        return answered
    name = report_form.service_name(service, ctx.language)
    reply = ctx.say("start", service=name, url=ctx.url(f"/services/{service.code}"))
    return Plan("start_application", [reply])


async def _continue_application(ctx: Context) -> Plan:
    found = await drafts.recent(ctx.session, citizen_id=ctx.citizen.id, limit=1)
    if not found:
        return Plan("continue_application", [ctx.say("no_draft", url=ctx.url("/account"))])
    service = await agencies.get_service_by_id(ctx.session, service_id=found[0].service_id)
    url = ctx.url(f"/services/{service.code}/apply")
    if _identified(ctx):
        reply = ctx.say("continue_named", service=report_form.service_name(service, ctx.language), url=url)
    else:
        reply = ctx.say("continue", url=url)
    return Plan("continue_application", [reply])


async def _callback(ctx: Context) -> Plan:
    number: str | None = None
    if ctx.identity is not None and ctx.identity.kind is IdentityKind.phone:
        number = ctx.identity.value
    else:
        phone = await citizens.contact_for(ctx.session, citizen_id=ctx.citizen.id, kind=IdentityKind.phone)
        number = phone.value if phone is not None and phone.verified else None
    if number is None:
        memory.set_pending(ctx.state, "callback_number")
        return Plan("callback", [ctx.say("ask_callback_number")], awaiting="callback_number")
    return _callback_plan(ctx, number)


def _callback_with_number(ctx: Context) -> Plan:
    given = checks.normalised_contact(ctx.text, region=ctx.settings.default_region)
    if given is None or given[0] is not IdentityKind.phone:
        memory.set_pending(ctx.state, "callback_number")
        return Plan("callback", [ctx.say("bad_callback_number")], awaiting="callback_number", miss=True)
    memory.set_pending(ctx.state, None)
    return _callback_plan(ctx, given[1])


def _callback_plan(ctx: Context, number: str) -> Plan:
    reply = ctx.say("handoff_callback", number=number)
    return Plan("callback", [reply], handoff="asked", kind="callback", details={"callback_number": number})


# Doing --------------------------------------------------------------------------------------------------------


def _handoff_kind(channel: Channel) -> str:
    return {Channel.voice: "call", Channel.chat: "chat"}.get(channel, "message")


async def _carry_out(ctx: Context, plan: Plan) -> Turn:
    state = ctx.state
    state.misses = state.misses + 1 if plan.miss else 0
    if plan.handoff is None and state.misses >= MISSES_BEFORE_HANDOFF:
        plan.replies = [ctx.say("handoff")]
        plan.handoff, plan.awaiting = "repeated_misses", None
    state.turns += 1
    state.intent = plan.intent
    if plan.awaiting is None:
        memory.set_pending(state, None)  # handlers that ask something set what they wait for themselves
    quick = plan.quick or (phrases.QUICK_REPLIES[ctx.language] if plan.awaiting == "feedback" else ())
    replies = await _record(ctx, plan, quick)
    turn_answer: uuid.UUID | None = None
    if plan.article is not None:
        record = await knowledge.record_answer(
            ctx.session,
            live=plan.article,
            channel=ctx.inbound.channel.value,
            confidence=plan.confidence,
            conversation_id=ctx.inbound.conversation_id,
            interaction_id=replies[0].id,
        )
        turn_answer = record.id
        replies[0].payload = {
            **replies[0].payload,
            "article_version_id": str(plan.article.version_id),
            "article_slug": plan.article.slug,
            "answer_id": str(record.id),
        }
        memory.set_pending(state, "feedback", answer_id=str(record.id))
        memory.remember(state, last_article_id=str(plan.article.article_id))
    handoff_request = await _handoff(ctx, plan) if plan.handoff is not None else None
    await ctx.session.flush()
    log.info("assistant turn: intent %s, handed off %s", plan.intent, plan.handoff or "no")
    return Turn(
        replies=tuple(replies),
        intent=plan.intent,
        handoff=handoff_request,
        article=plan.article,
        answer_id=turn_answer,
        awaiting=plan.awaiting,
        quick_replies=quick,
    )


async def _record(ctx: Context, plan: Plan, quick: tuple[str, ...]) -> list[Interaction]:
    payloads: list[dict[str, Any]] = []
    for i in range(len(plan.replies)):
        payload: dict[str, Any] = {"via": handoff.VIA, "intent": plan.intent}
        if i == len(plan.replies) - 1:
            payload["language"] = ctx.language
            if plan.awaiting:
                payload["awaiting"] = plan.awaiting
            if quick:
                payload["quick_replies"] = list(quick)
        payloads.append(payload)
    return await answers.record_answers(ctx.session, inbound=ctx.inbound, texts=plan.replies, payloads=payloads)


async def _handoff(ctx: Context, plan: Plan) -> Handoff:
    assert plan.handoff is not None
    state = ctx.state
    question = memory.kept(state, "question")
    entry = await handoff.context(
        ctx.session,
        conversation_id=ctx.inbound.conversation_id,
        intent=plan.intent,
        reason=plan.handoff,
        question=str(question) if question else ctx.text[:500],
        verified=state.verified or {},
    )
    memory.set_pending(state, None)
    state.handed_off_at = utcnow()
    state.misses = 0
    return Handoff(plan.kind or _handoff_kind(ctx.inbound.channel), {"assistant": entry, **plan.details})
