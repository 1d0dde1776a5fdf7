"""The guided report: a resident tells the assistant about a problem at a place (a pothole, a street light out)
by SMS or chat, and it becomes a case without anyone at the desk having to type it in.

Steps, each kept in the conversation's assistant session (`pending = "report"`, `pending_data["report"]`), so a
redelivered message is answered from the record and two processes read the same step:

  choose   → which problem, when the message names several (a number)
  where    → a street address the register places, or a description kept as written
  photo    → a photo on the same conversation, or SKIP (only where the channel carries photos)
  question → each required question of the service's form in turn (lists by number); optional ones are left
             to staff and the portal, so a text report stays short
  confirm  → the summary: YES opens the case through the flow (`Context.open_report`), NO drops it

CANCEL REPORT (« annuler ») leaves at any step, asking for a person hands off with what was gathered, and a
report idle longer than the conversation's idle time is forgotten. Never commits; logs nothing people write.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import service as agencies
from townsquare.agencies.models import AttributeDatatype, Service, ServiceAttribute
from townsquare.assistant import report_form
from townsquare.assistant import state as memory
from townsquare.assistant.intents import Intent, fold, is_question
from townsquare.assistant.models import AssistantSession
from townsquare.assistant.report_phrases import QUICK_SKIP, SKIP_WORDS
from townsquare.assistant.turns import Context, Plan, Report
from townsquare.errors import Problem
from townsquare.interactions.models import Attachment, Channel

PENDING = "report"
INTENT = "report"
CHANNELS = frozenset({Channel.sms, Channel.chat})  # text doors; a call is not guided through a form
PHOTO_CHANNELS = frozenset({Channel.sms})  # MMS; chat carries no files yet
MAX_MESSAGES = 40
ECHO = 80  # at most this much of an unplaced description is read back (an SMS segment is 160)


def offered(ctx: Context) -> bool:
    return ctx.open_report is not None and ctx.inbound.channel in CHANNELS


async def start(ctx: Context) -> Plan | None:
    """A report begun by this message ("there's a pothole on my street", "report graffiti"), or None."""
    intent = ctx.detected.intent
    if not offered(ctx) or intent not in (Intent.question, Intent.start_application):
        return None
    if intent is Intent.question and is_question(ctx.text):
        return None  # "how long until potholes are filled?" is answered from the knowledge base
    said = ctx.detected.subject if intent is Intent.start_application else ctx.text
    confidence = ctx.settings.assistant_confidence
    found = await report_form.candidates(
        ctx.session, ctx.index, text=said or ctx.text, language=ctx.language, confidence=confidence
    )
    if found is None:
        return None
    place = await report_form.find_place(ctx.session, ctx.text)
    news = intent is Intent.start_application or report_form.tells_of_a_problem(ctx.text) or place is not None
    if not news and (found.answered or not found.bare):
        return None  # "garbage day", "green bin": a topic an article answers, not news of a problem
    report: dict[str, Any] = {"text": ctx.text[:1000], "messages": [], "answers": {}, "asked": []}
    await _take_message(ctx, report)
    if place is not None:
        report["location"] = {"address_string": place.address, "address_id": place.address_id}
    services = found.services
    if len(services) == 1:
        return await _begin(ctx, report, services[0])
    report.update(step="choose", choices=[s.code for s in services])
    names = [report_form.service_name(s, ctx.language) for s in services]
    reply = ctx.say("report_choose", choices=report_form.numbered(names))
    return _ask(ctx, report, [reply], quick=tuple(str(n) for n in range(1, len(services) + 1)))


async def proceed(ctx: Context) -> Plan | None:
    """The next step of the report under way, or None when there is none (or it was left too long)."""
    report = _current(ctx)
    if report is None:
        return None
    await _take_message(ctx, report)
    intent = ctx.detected.intent
    if intent is Intent.cancel:
        return _end(ctx, "report_cancelled")
    if intent in (Intent.talk_to_person, Intent.callback):
        return Plan(INTENT, [ctx.say("report_handoff")], handoff="asked", details={"report": gathered(report)})
    step = report.get("step")
    if step == "choose":
        return await _chosen(ctx, report)
    try:
        service = await agencies.get_service(ctx.session, code=str(report["service"]))
    except Problem:  # taken out of the catalogue since: a person takes it from here
        return Plan(INTENT, [ctx.say("report_handoff")], handoff="needs_person", details={"report": gathered(report)})
    if step == "where":
        return await _where(ctx, report, service)
    if step == "photo":
        return await _photo(ctx, report, service)
    if step == "question":
        return await _answer(ctx, report, service)
    return await _confirm(ctx, report, service)


async def forget(session: AsyncSession, *, conversation_id: uuid.UUID) -> None:
    """Drop the conversation's report under way, if any (the number opted out of texts: it cannot go on)."""
    state = await session.get(AssistantSession, conversation_id)
    if state is not None and state.pending == PENDING:
        memory.set_pending(state, None)


# Steps --------------------------------------------------------------------------------------------------------


async def _begin(ctx: Context, report: dict[str, Any], service: Service) -> Plan:
    report["service"] = service.code
    full = await agencies.get_service(ctx.session, code=service.code)
    intro = ctx.say("report_start", service=report_form.service_name(full, ctx.language))
    return await _next(ctx, report, full, said=[intro])


async def _chosen(ctx: Context, report: dict[str, Any]) -> Plan:
    choices = [str(c) for c in report.get("choices") or []]
    picked = report_form.numbers_in(ctx.text)
    if len(picked) != 1 or not 1 <= picked[0] <= len(choices):
        reply = ctx.say("report_choose_again", count=len(choices))
        return _ask(ctx, report, [reply], quick=tuple(str(n) for n in range(1, len(choices) + 1)), miss=True)
    return await _begin(ctx, report, await agencies.get_service(ctx.session, code=choices[picked[0] - 1]))


async def _where(ctx: Context, report: dict[str, Any], service: Service) -> Plan:
    text = " ".join(ctx.text.split())[:500]
    if not text:  # a photo alone, before the place
        return _ask(ctx, report, [ctx.say("report_where_again")], miss=not report.get("photo"))
    place = await report_form.find_place(ctx.session, text)
    if place is not None:
        report["location"] = {"address_string": place.address, "address_id": place.address_id}
        said = ctx.say("report_found", address=place.address)
    else:
        report["location"] = {"address_string": text}
        said = ctx.say("report_unplaced", place=text if len(text) <= ECHO else text[: ECHO - 1] + "…")
    return await _next(ctx, report, service, said=[said])


async def _photo(ctx: Context, report: dict[str, Any], service: Service) -> Plan:
    if report.get("photo"):
        return await _next(ctx, report, service, said=[ctx.say("report_photo_kept")])
    if fold(ctx.text).strip(" .!") in SKIP_WORDS:
        report["photo"] = False
        return await _next(ctx, report, service)
    return _ask(ctx, report, [ctx.say("report_photo_again")], quick=QUICK_SKIP[ctx.language], miss=True)


async def _answer(ctx: Context, report: dict[str, Any], service: Service) -> Plan:
    code = str(report.get("asking"))
    asked = report_form.questions(service, report.get("answers") or {})
    attribute = next((a for a in asked if a.code == code), None)
    if attribute is None:  # the form changed since it was asked
        return await _next(ctx, report, service)
    value = report_form.read_answer(service, attribute, ctx.text, ctx.language)
    if value is None:
        again = [ctx.say("report_not_understood"), _question(ctx, attribute)]
        return _ask(ctx, report, [" ".join(again)], miss=True)
    report["answers"] = {**report.get("answers", {}), code: value}
    report["asked"] = [*report.get("asked", []), code]
    return await _next(ctx, report, service)


async def _confirm(ctx: Context, report: dict[str, Any], service: Service) -> Plan:
    if ctx.detected.intent is Intent.no:
        return _end(ctx, "report_dropped")
    if ctx.detected.intent is not Intent.yes:
        return _ask(ctx, report, [ctx.say("report_confirm_again")], quick=_yes_no(ctx), miss=True)
    assert ctx.open_report is not None
    reference = await ctx.open_report(
        Report(
            service_code=service.code,
            description=str(report.get("text") or ""),
            location=dict(report.get("location") or {}),
            attributes=dict(report.get("answers") or {}),
            interaction_ids=tuple(uuid.UUID(str(i)) for i in report.get("messages", [])),
        )
    )
    return _end(ctx, "report_opened", reference=reference, url=ctx.url(f"/reports/{reference}"))


# Asking -------------------------------------------------------------------------------------------------------


async def _next(ctx: Context, report: dict[str, Any], service: Service, *, said: list[str] | None = None) -> Plan:
    """Ask for what is still missing, in order: where, a photo, the form's questions, then the summary."""
    said = list(said or [])
    if not report.get("location"):
        report["step"] = "where"
        return _ask(ctx, report, [*said, ctx.say("report_where")])
    if report.get("photo") is None and ctx.inbound.channel in PHOTO_CHANNELS:
        report["step"] = "photo"
        return _ask(ctx, report, [*said, ctx.say("report_photo")], quick=QUICK_SKIP[ctx.language])
    asked = set(report.get("asked", []))
    for attribute in report_form.questions(service, report.get("answers") or {}):
        if attribute.code not in asked:
            report.update(step="question", asking=attribute.code)
            return _ask(ctx, report, [*said, _question(ctx, attribute)])
    report["step"] = "confirm"
    summary = ctx.say(
        "report_summary",
        service=report_form.service_name(service, ctx.language),
        place=str((report.get("location") or {}).get("address_string") or ""),
        photo=ctx.say("report_with_photo") if report.get("photo") else "",
        answers=report_form.answer_words(service, report.get("answers") or {}, ctx.language),
    )
    return _ask(ctx, report, [*said, summary], quick=_yes_no(ctx))


def _question(ctx: Context, attribute: ServiceAttribute) -> str:
    parts = [report_form.question_text(attribute, ctx.language)]
    if attribute.values:
        many = attribute.datatype is AttributeDatatype.multivaluelist
        parts.append(ctx.say("report_pick_many" if many else "report_pick_one"))
    return " ".join(parts)


def _ask(
    ctx: Context, report: dict[str, Any], said: list[str], *, quick: tuple[str, ...] = (), miss: bool = False
) -> Plan:
    """Keep the report where it now stands and say the next question, as one message."""
    report["at"] = _aware(ctx.inbound.occurred_at).isoformat()
    memory.set_pending(ctx.state, PENDING, report=report)
    details = {"report": gathered(report)}  # in case the misses add up to a hand-off
    return Plan(INTENT, [" ".join(said)], awaiting=f"report:{report['step']}", quick=quick, miss=miss, details=details)


def _end(ctx: Context, key: str, **values: object) -> Plan:
    memory.set_pending(ctx.state, None)
    return Plan(INTENT, [ctx.say(key, **values)])


def _yes_no(ctx: Context) -> tuple[str, ...]:
    return {"fr": ("Oui", "Non")}.get(ctx.language, ("Yes", "No"))


# Memory -------------------------------------------------------------------------------------------------------


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _current(ctx: Context) -> dict[str, Any] | None:
    """The report under way, unless the conversation went quiet for longer than its idle time."""
    report = memory.pending_value(ctx.state, "report") if ctx.state.pending == PENDING else None
    if not isinstance(report, dict):
        return None
    idle = timedelta(hours=ctx.settings.conversation_idle_hours)
    if _aware(ctx.inbound.occurred_at) - datetime.fromisoformat(str(report.get("at"))) > idle:
        memory.set_pending(ctx.state, None)
        return None
    return dict(report)


async def _take_message(ctx: Context, report: dict[str, Any]) -> None:
    """Count this message as part of the report; a picture it carries is the report's photo."""
    report["messages"] = [*report.get("messages", []), str(ctx.inbound.id)][-MAX_MESSAGES:]
    if not report.get("photo"):
        found = await ctx.session.execute(
            select(Attachment.id).where(
                Attachment.interaction_id == ctx.inbound.id, Attachment.content_type.startswith("image/")
            )
        )
        if found.first() is not None:
            report["photo"] = True


def gathered(report: dict[str, Any]) -> dict[str, Any]:
    """What the person told so far, for whoever takes over (the work item's `context["report"]`)."""
    return {
        "service_code": report.get("service"),
        "choices": report.get("choices") or [],
        "description": report.get("text"),
        "location": report.get("location"),
        "photo": bool(report.get("photo")),
        "answers": report.get("answers") or {},
        "step": report.get("step"),
    }
