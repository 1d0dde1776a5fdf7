"""Voice (IVR) on Twilio's wire format: each webhook read, handed on, committed once and answered in TwiML.

Every route is signed (`TwilioForm`, whose text is normalised: NUL and control characters dropped, lone
surrogates replaced). A call's first webhook goes through the engagement flow like any contact; what the caller
keys or says at each step goes to the phone menu's state machine (`engagement.phone_menu`), whose actions are
carried out here through `engagement.calls` and rendered by `voice_twiml`; the caller's own words are a contact
of their own, handed to the flow for the assistant. Once a request is Twilio's, a failure is still answered with
spoken TwiML, never a JSON error, logged without personal data, and nothing of the step is kept.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from twilio.twiml.voice_response import Leave, VoiceResponse

from townsquare.channels import voice_prompts as p
from townsquare.channels import voice_survey
from townsquare.channels import voice_twiml as t
from townsquare.channels.twilio import TwilioForm, twiml
from townsquare.citizens import service as citizens
from townsquare.citizens.kinds import IdentityKind
from townsquare.clock import utcnow
from townsquare.db import Session
from townsquare.db.deps import SessionDep
from townsquare.engagement import calls
from townsquare.engagement import phone_menu as menu
from townsquare.engagement.messages import InboundAttachment, InboundMessage, Sender
from townsquare.engagement.pipeline import Pipeline
from townsquare.errors import FieldError, Problem, invalid
from townsquare.interactions.kinds import Channel, InteractionKind
from townsquare.settings import Settings
from townsquare.staff.auth import PROVIDER, declared

log = logging.getLogger(__name__)
# The provider's signature (or the email door's token) is checked by each route before anything is read.
router = APIRouter(prefix="/channels/voice", tags=["channels"], dependencies=[Depends(declared(PROVIDER))])
# What Twilio puts in From when the caller withheld their number ("anonymous", and keypad spellings of
# ANONYMOUS, RESTRICTED, BLOCKED, UNKNOWN, UNAVAILABLE).
WITHHELD = {"", "anonymous", "restricted", "blocked", "unknown", "unavailable", "private"}
WITHHELD_NUMBERS = {"+266696687", "+7378742833", "+2562533", "+8656696", "+86282452253"}
Lang = Annotated[str, Query(pattern="^(en|fr)$")]
Tries = Annotated[int, Query(ge=0, le=menu.MAX_TRIES)]
HOLD_TRIES = 5  # a call's first webhook asked again after an outage, 2 s apart, before the caller hears sorry
Held = Annotated[int, Query(ge=0, le=HOLD_TRIES)]
Build = Callable[[], Awaitable[VoiceResponse]]
Again = Callable[[], VoiceResponse]


def call_sid_of(form: dict[str, str]) -> str:
    """Twilio's id of the call; a request without one is not a call webhook (422)."""
    sid = form.get("CallSid", "").strip()
    if not sid or len(sid) > 64:
        raise invalid("The webhook has no CallSid.", FieldError("CallSid", "required"))
    return sid


def caller_sender(raw: str, *, region: str) -> Sender | None:
    """The caller as an identity to resolve, or None when the number is withheld or unusable."""
    value = raw.strip()
    if value.lower() in WITHHELD or value in WITHHELD_NUMBERS:
        return None
    try:
        citizens.normalise_phone(value, region=region)
    except Problem:
        return None
    return Sender(IdentityKind.phone, value)


class Step:
    """One webhook of a call: its request, session and caller, and how to carry out the menu's actions."""

    def __init__(self, request: Request, session: Session, form: dict[str, str], caller: calls.Caller) -> None:
        self.request = request
        self.session = session
        self.form = form
        self.caller = caller
        self.settings: Settings = request.app.state.settings
        self.pipeline: Pipeline = request.app.state.pipeline

    @property
    def facts(self) -> menu.CallFacts:
        return menu.CallFacts(
            has_offer=bool(self.caller.offers),
            can_call_back=self.caller.identity is not None,
            assistant=self.settings.assistant_enabled,
            can_book=self.settings.ivr_appointments is not None and self.caller.identity is not None,
        )

    def prompt_menu(self, at: menu.At, lead: list[str]) -> VoiceResponse:
        c = self.caller
        can, book = c.identity is not None, self.facts.can_book
        return t.menu(
            self.settings, c.offers, can_call_back=can, lang=at.lang, tries=at.tries, lead=lead, can_book=book
        )

    async def carry_out(self, lang: str, actions: tuple[menu.Action, ...]) -> VoiceResponse:
        """Note the steps, then do and render the last action (each step ends in exactly one prompt)."""
        *notes, last = actions
        for note in notes:
            assert isinstance(note, menu.Note)
            await calls.add_step(self.session, interaction=self.caller.interaction, step=note.step)
        return await self._do(lang, last)

    async def _do(self, lang: str, action: menu.Action) -> VoiceResponse:
        match action:
            case menu.OfferStatus():
                return await self._status(lang, self.caller.offers[0].reference)
            case menu.CaseStatus(reference=reference):
                return await self._status(lang, reference)
            case menu.CallBack(leave_queue=leave):
                return await self._call_back(lang, leave_queue=leave)
            case menu.ToPerson(step=step, lead=lead):
                return await self._to_person(lang, step, self._words(lang, lead))
            case menu.Converse(text=text):
                return await self._converse(lang, text)
            case _:
                return self._prompt(lang, action)

    def _prompt(self, lang: str, action: menu.Action) -> VoiceResponse:
        """The actions that only say something and wait: nothing to record or look up."""
        words = self._words
        match action:
            case menu.Menu(at=at, lead=lead):
                return self.prompt_menu(at, words(at.lang, lead))
            case menu.AskReference(at=at, lead=lead):
                return t.ask_reference(self.settings, lang, at.tries, words(lang, lead))
            case menu.TakeVoicemail(lead=lead):
                return t.record(self.settings, lang, words(lang, lead))
            case menu.OfferTimes():  # the booking's own steps (channels.voice_booking)
                response = VoiceResponse()
                response.redirect(t.action_url(self.settings, "appointment", lang=lang), method="POST")
                return response
            case menu.KeepHolding():
                response = VoiceResponse()
                response.append(t.say(lang, p.say(lang, "keep_holding")))
                return response
            case menu.HangUp(silently=silently):
                response = VoiceResponse()
                if not silently:
                    response.hangup()
                return response
        raise RuntimeError(f"a step must end in a prompt, not {type(action).__name__}")

    @staticmethod
    def _words(lang: str, keys: tuple[str, ...]) -> list[str]:
        return [p.say(lang, key) for key in keys]

    async def _status(self, lang: str, reference: str) -> VoiceResponse:
        report = await calls.case_status(
            self.session, reference=reference, citizen_id=self.caller.citizen.id, language=lang
        )
        if report is None:
            raise RuntimeError("a case offered or found has no status")
        await calls.set_outcome(self.session, interaction=self.caller.interaction, outcome="self-served")
        values = {
            "reference": p.spoken_reference(report.reference),
            "status": p.status_words(lang, report.status),
            "date": p.spoken_date(lang, report.updated_at),
        }
        if report.own:
            text = p.say(lang, "status_own", label=report.label or p.say(lang, "your_request"), **values)
        else:
            text = p.say(lang, "status_other", **values)
        return self.prompt_menu(menu.At(lang), [text, p.say(lang, "back_to_menu")])

    async def _call_back(self, lang: str, *, leave_queue: bool) -> VoiceResponse:
        caller = self.caller
        number = caller.identity.value if caller.identity is not None else ""
        details: dict[str, object] = {"callback_number": number, "call_sid": caller.interaction.external_id}
        await calls.hand_to_person(
            self.session, self.pipeline, interaction=caller.interaction, kind="callback", details=details
        )
        await calls.set_outcome(self.session, interaction=caller.interaction, outcome="callback")
        if not leave_queue:
            return t.goodbye(lang, "callback_done", last4=" ".join(number[-4:]))
        response = VoiceResponse()
        response.append(t.say(lang, p.say(lang, "callback_done", last4=" ".join(number[-4:]))))
        response.append(Leave())
        return response

    async def _to_person(self, lang: str, step: str, lead: list[str]) -> VoiceResponse:
        """Hand the call to a person: a work item with everything known, then the agency's queue (or a transfer)."""
        caller = self.caller
        await calls.add_step(self.session, interaction=caller.interaction, step=step)
        details: dict[str, object] = {"call_sid": caller.interaction.external_id}
        if caller.identity is not None:
            details["callback_number"] = caller.identity.value
        _, agency_slug = await calls.hand_to_person(
            self.session, self.pipeline, interaction=caller.interaction, kind="call", details=details
        )
        await calls.set_outcome(self.session, interaction=caller.interaction, outcome="agent")
        return t.to_person(self.settings, lang, lead, agency_slug=agency_slug)

    async def _converse(self, lang: str, text: str) -> VoiceResponse:
        """What the caller said, a contact of its own through the flow (the same assistant as chat and SMS).

        The words join the call's conversation (a retried webhook finds the same ones), so a hand-off gives the
        person who answers the whole exchange. A conversation someone already has goes to them.
        """
        settings, caller = self.settings, self.caller
        call_sid = call_sid_of(self.form)
        await calls.add_step(self.session, interaction=caller.interaction, step="assistant")
        heard = hashlib.sha256(f"{call_sid}\n{len(caller.menu_path)}\n{text}".encode()).hexdigest()[:24]
        message = InboundMessage(
            channel=Channel.voice,
            kind=InteractionKind.message,
            external_id=f"{call_sid}:said:{heard}",
            sender=caller_sender(self.form.get("From", ""), region=settings.default_region),
            recipient=self.form.get("To") or None,
            text=text[: settings.max_body_chars],
            thread_refs=(call_sid,),
            metadata={"call_sid": call_sid, "speech": True},
            assistant=True,
            answers_in_band=True,
        )
        outcome = await self.pipeline.handle(self.session, message)
        if not outcome.assistant:
            return await self._to_person(lang, "assistant:person", [])
        said = [reply.text for reply in outcome.replies]
        if outcome.handed_off:
            return await self._to_person(lang, f"assistant:{outcome.intent}", said)
        if outcome.knowledge_answer:
            await calls.set_outcome(self.session, interaction=caller.interaction, outcome="self-served")
        if outcome.awaiting is None:
            said.append(p.say(lang, "anything_else"))
        return t.assistant_gather(settings, lang, said, awaiting=outcome.awaiting)


async def answer_step(
    request: Request, session: Session, lang: str, build: Build, *, again: Again | None = None
) -> Response:
    """Run one step and commit it once; any failure still answers Twilio with a spoken apology (logged without
    content), and nothing of the step is kept. With `again`, an outage (any failure but a refusal) answers with
    what it gives instead: the caller waits a moment and the step is asked again."""
    try:
        response = await build()
        await session.commit()
        return twiml(response)
    except Exception as exc:
        await session.rollback()
        kind = exc.type_slug if isinstance(exc, Problem) else type(exc).__name__
        log.warning("voice step %s failed: %s", request.url.path, kind, exc_info=not isinstance(exc, Problem))
        if again is not None and not isinstance(exc, Problem):
            return twiml(again())
        return twiml(t.goodbye(lang, "apology"))


async def step_of(request: Request, session: Session, form: dict[str, str]) -> Step:
    """The step's caller; a call's first webhook is handed to the flow first (a retry finds the same call)."""
    settings: Settings = request.app.state.settings
    call_sid = call_sid_of(form)
    caller = await calls.caller(session, call_sid=call_sid)
    if caller is None:
        message = InboundMessage(
            channel=Channel.voice,
            kind=InteractionKind.call,
            external_id=call_sid,
            sender=caller_sender(form.get("From", ""), region=settings.default_region),
            recipient=form.get("To") or None,
            needs_person=False,
            metadata={"menu_path": [], "call_status": form.get("CallStatus", "")},
        )
        pipeline: Pipeline = request.app.state.pipeline
        outcome = await pipeline.handle(session, message)
        caller = await calls.caller_of(session, outcome, call_sid=call_sid)
        if caller is None:
            raise RuntimeError("the call was not recorded")
    for offer in caller.offers[:1]:
        await calls.attach_case(session, interaction=caller.interaction, case_id=offer.case_id)
    calls.heard(caller.interaction)  # the caller is still on the line (Twilio asks the wait URL while they wait)
    return Step(request, session, form, caller)


def keyed(form: dict[str, str]) -> tuple[str, str]:
    return (form.get("Digits") or "").strip()[:1], form.get("SpeechResult", "").strip()


@router.post("/twilio")
async def incoming_call(request: Request, form: TwilioForm, session: SessionDep, held: Held = 0) -> Response:
    """A call arrives: record it once, greet the caller (by name only if verified) and offer the menu. If it cannot
    be recorded now (the database away a moment), the caller holds and Twilio asks again, a few times."""
    call_sid_of(form)
    settings: Settings = request.app.state.settings

    async def build() -> VoiceResponse:
        step = await step_of(request, session, form)
        lang = p.language_of(step.caller.citizen.language)
        name = step.caller.name
        await calls.add_step(session, interaction=step.caller.interaction, step="main")
        return step.prompt_menu(menu.At(lang), [p.say(lang, "hello_name", name=name) if name else p.say(lang, "hello")])

    again = (lambda: t.one_moment(settings, "en", held=held + 1)) if held < HOLD_TRIES else None
    return await answer_step(request, session, "en", build, again=again)


@router.post("/twilio/main")
async def main_menu(request: Request, form: TwilioForm, session: SessionDep, lang: Lang = "en") -> Response:
    """The main menu again (after an answer was given)."""
    call_sid_of(form)

    async def build() -> VoiceResponse:
        return (await step_of(request, session, form)).prompt_menu(menu.At(lang), [])

    return await answer_step(request, session, lang, build)


@router.post("/twilio/choice")
async def choice(
    request: Request, form: TwilioForm, session: SessionDep, lang: Lang = "en", tries: Tries = 0
) -> Response:
    """The caller's answer to the main menu, keyed or spoken."""
    call_sid_of(form)

    async def build() -> VoiceResponse:
        step = await step_of(request, session, form)
        digits, speech = keyed(form)
        return await step.carry_out(lang, menu.at_menu(menu.At(lang, tries), step.facts, digits=digits, speech=speech))

    return await answer_step(request, session, lang, build)


@router.post("/twilio/reference")
async def reference(
    request: Request, form: TwilioForm, session: SessionDep, lang: Lang = "en", tries: Tries = 0
) -> Response:
    """A reference keyed or spoken: say that case's status (details only to its own citizen)."""
    call_sid_of(form)

    async def build() -> VoiceResponse:
        step = await step_of(request, session, form)
        raw = form.get("Digits") or form.get("SpeechResult") or ""
        prefix = step.settings.case_reference_prefix
        ref = menu.parse_reference(raw, prefix=prefix, year=utcnow().year)
        report = (
            await calls.case_status(session, reference=ref, citizen_id=step.caller.citizen.id, language=lang)
            if ref
            else None
        )
        known = report.reference if report is not None else None
        return await step.carry_out(lang, menu.at_reference(menu.At(lang, tries), known=known))

    return await answer_step(request, session, lang, build)


@router.post("/twilio/voicemail")
async def voicemail(request: Request, form: TwilioForm, session: SessionDep, lang: Lang = "en") -> Response:
    """A recorded message: a contact of its own through the flow, on the caller's open case if they have one."""
    call_sid = call_sid_of(form)

    async def build() -> VoiceResponse:
        step = await step_of(request, session, form)
        settings, caller = step.settings, step.caller
        recording_sid, url = form.get("RecordingSid", "").strip(), form.get("RecordingUrl", "").strip()
        if not recording_sid or not url.startswith(("https://", "http://")):
            raise invalid("The recording webhook has no RecordingSid or RecordingUrl.")
        seconds = form.get("RecordingDuration", "")
        message = InboundMessage(
            channel=Channel.voice,
            kind=InteractionKind.voicemail,
            external_id=recording_sid,
            sender=caller_sender(form.get("From", ""), region=settings.default_region),
            recipient=form.get("To") or None,
            attachments=(InboundAttachment(f"{recording_sid}.wav", "audio/wav", url=url + ".wav"),),
            duration_seconds=int(seconds) if seconds.isdigit() else None,
            case_reference=caller.offers[0].reference if caller.offers else None,
            thread_refs=(call_sid,),
            metadata={"call_sid": call_sid, "recording_sid": recording_sid},
        )
        await step.pipeline.handle(session, message)
        await calls.set_outcome(session, interaction=caller.interaction, outcome="voicemail")
        return t.goodbye(lang, "voicemail_thanks")

    return await answer_step(request, session, lang, build)


@router.post("/twilio/wait")
async def wait(request: Request, form: TwilioForm, session: SessionDep, lang: Lang = "en") -> Response:
    """Played to a caller waiting in the queue: their place, and a call-back that keeps it."""
    call_sid_of(form)

    async def build() -> VoiceResponse:
        step = await step_of(request, session, form)
        position = form.get("QueuePosition", "")
        at = int(position) if position.isdigit() else None
        return t.waiting(step.settings, lang, position=at, can_call_back=step.facts.can_call_back)

    return await answer_step(request, session, lang, build)


@router.post("/twilio/wait-choice")
async def wait_choice(request: Request, form: TwilioForm, session: SessionDep, lang: Lang = "en") -> Response:
    """1 while waiting: become a call-back, keeping the work item's place, and leave the queue."""
    call_sid_of(form)

    async def build() -> VoiceResponse:
        step = await step_of(request, session, form)
        digits, _ = keyed(form)
        return await step.carry_out(lang, menu.while_waiting(digits=digits, facts=step.facts))

    return await answer_step(request, session, lang, build)


@router.post("/twilio/queue-result")
async def queue_result(request: Request, form: TwilioForm, session: SessionDep, lang: Lang = "en") -> Response:
    """The caller left the queue: answered, hung up, chose a call-back, or the queue could not take them."""
    call_sid_of(form)

    async def build() -> VoiceResponse:
        step = await step_of(request, session, form)
        result = form.get("QueueResult", "").strip()[:32]
        waited = form.get("QueueTime", "")
        seconds = int(waited) if waited.isdigit() else None
        await calls.note_queue(session, interaction=step.caller.interaction, result=result, seconds=seconds)
        if result == "bridged":  # the agent hung up and the caller is still on the line: how did we do?
            asked = await voice_survey.after_agent(session, step.settings, call_sid=call_sid_of(form), lang=lang)
            if asked is not None:
                return asked
        return await step.carry_out(lang, menu.left_queue(result=result))

    return await answer_step(request, session, lang, build)


@router.post("/twilio/status")
async def call_status(request: Request, form: TwilioForm, session: SessionDep) -> Response:
    """Twilio's status callback: how the call ended and how long it lasted."""
    call_sid = call_sid_of(form)

    async def build() -> VoiceResponse:
        duration = form.get("CallDuration", "")
        status = form.get("CallStatus", "").strip()[:32]
        seconds = int(duration) if duration.isdigit() else None
        if not await calls.end_call(session, call_sid=call_sid, status=status, duration=seconds):
            log.info("voice status callback for a call never recorded")
        return VoiceResponse()

    return await answer_step(request, session, "en", build)


@router.post("/twilio/assistant")
async def assistant_answer(request: Request, form: TwilioForm, session: SessionDep, lang: Lang = "en") -> Response:
    """The caller answers the assistant (yes or no, a verification answer, a new question), spoken or keyed."""
    call_sid_of(form)

    async def build() -> VoiceResponse:
        step = await step_of(request, session, form)
        digits, speech = keyed(form)
        return await step.carry_out(lang, menu.at_assistant(menu.At(lang), step.facts, digits=digits, speech=speech))

    return await answer_step(request, session, lang, build)
