"""Booking an appointment on the phone menu, on Twilio's wire format: press 5, hear the next three free times, press
1, 2 or 3 to book one (0 for a person; anything else back to the menu).

The times read out travel in the next step's signed action URL, so what the caller chose is exactly what they
heard. A time taken meanwhile is said, and the next free times read out again. Every route is signed
(`TwilioForm`); each step commits once, and a failure is still answered in TwiML (`voice.answer_step`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from babel.dates import format_date, format_time
from fastapi import APIRouter, Depends, Query, Request, Response
from twilio.twiml.voice_response import Gather, Redirect, VoiceResponse

from townsquare.channels import voice_prompts as p
from townsquare.channels.twilio import TwilioForm
from townsquare.channels.voice import Lang, Step, answer_step, call_sid_of, keyed, step_of
from townsquare.channels.voice_twiml import action_url, say
from townsquare.clock import utcnow
from townsquare.db.deps import SessionDep
from townsquare.engagement import calls, phone_booking
from townsquare.engagement import phone_menu as menu
from townsquare.errors import Problem
from townsquare.staff.auth import PROVIDER, declared

router = APIRouter(prefix="/channels/voice", tags=["channels"], dependencies=[Depends(declared(PROVIDER))])
Moment = Annotated[str, Query(max_length=40)]

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "intro": "The next free times for {service} at {office} are:",
        "time": "{n}: {day}, at {time}.",
        "choose": "To book one, press its number. To speak to a person, press 0. To go back, press any other key.",
        "none": "Sorry, there are no free times to book at the moment.",
        "taken": "Sorry, that time was just taken.",
        "booked": (
            "Your appointment for {service} is booked for {day}, at {time}, at {office}. "
            "We will send you a confirmation. Goodbye."
        ),
    },
    "fr": {
        "intro": "Les prochaines plages libres pour {service} à {office} sont :",
        "time": "{n} : {day}, à {time}.",
        "choose": (
            "Pour en réserver une, appuyez sur son numéro. Pour parler à une personne, appuyez sur 0. "
            "Pour revenir au menu, appuyez sur une autre touche."
        ),
        "none": "Désolé, il n'y a aucune plage libre à réserver pour le moment.",
        "taken": "Désolé, cette plage vient d'être prise.",
        "booked": (
            "Votre rendez-vous pour {service} est fixé au {day}, à {time}, à {office}. "
            "Nous vous enverrons une confirmation. Au revoir."
        ),
    },
}


def words(lang: str, key: str, **values: object) -> str:
    return WORDS.get(lang, WORDS["en"])[key].format(**values)


def _day(lang: str, local: datetime) -> str:
    return format_date(local.date(), format="full", locale=lang)


def _time(lang: str, local: datetime) -> str:
    return format_time(local, format="short", tzinfo=local.tzinfo, locale=lang)


async def _offer_times(step: Step, lang: str, lead: list[str]) -> VoiceResponse:
    """Read the next free times out and listen for a key; none free: say so, and back to the menu."""
    found = await phone_booking.next_times(step.session, step.settings, now=utcnow(), language=lang)
    response = VoiceResponse()
    for text in lead:
        response.append(say(lang, text))
    if found is None or not found.times:
        response.append(say(lang, words(lang, "none")))
        response.append(Redirect(action_url(step.settings, "main", lang=lang), method="POST"))
        return response
    moments = {f"t{n}": time.starts_at.isoformat() for n, time in enumerate(found.times, start=1)}
    url = action_url(step.settings, "appointment-choice", lang=lang, **moments)
    gather = Gather(input="dtmf speech", num_digits=1, action=url, method="POST", language=p.locale(lang), timeout=6)
    gather.append(say(lang, words(lang, "intro", service=found.service, office=found.office)))
    for n, time in enumerate(found.times, start=1):
        gather.append(say(lang, words(lang, "time", n=n, day=_day(lang, time.local), time=_time(lang, time.local))))
    gather.append(say(lang, words(lang, "choose")))
    response.append(gather)
    response.append(Redirect(action_url(step.settings, "main", lang=lang), method="POST"))
    return response


@router.post("/twilio/appointment")
async def appointment_times(request: Request, form: TwilioForm, session: SessionDep, lang: Lang = "en") -> Response:
    """The next free times, read out."""
    call_sid_of(form)

    async def build() -> VoiceResponse:
        return await _offer_times(await step_of(request, session, form), lang, [])

    return await answer_step(request, session, lang, build)


@router.post("/twilio/appointment-choice")
async def appointment_choice(
    request: Request,
    form: TwilioForm,
    session: SessionDep,
    lang: Lang = "en",
    t1: Moment = "",
    t2: Moment = "",
    t3: Moment = "",
) -> Response:
    """The caller chose a time (book it), a person, or neither (back to the menu)."""
    call_sid_of(form)
    heard = [moment for moment in (t1, t2, t3) if moment]

    async def build() -> VoiceResponse:
        step = await step_of(request, session, form)
        digits, speech = keyed(form)
        chosen = menu.at_times(menu.At(lang), digits=digits, speech=speech, offered=len(heard))
        if not isinstance(chosen, int):
            return await step.carry_out(lang, chosen)
        try:
            starts_at = datetime.fromisoformat(heard[chosen - 1])
            booked = await phone_booking.book(
                session, step.settings, caller=step.caller, starts_at=starts_at, now=utcnow(), language=lang
            )
        except (Problem, ValueError):
            return await _offer_times(step, lang, [words(lang, "taken")])
        await calls.add_step(session, interaction=step.caller.interaction, step="appointment:booked")
        await calls.set_outcome(session, interaction=step.caller.interaction, outcome="self-served")
        day, time = _day(lang, booked.local), _time(lang, booked.local)
        said = words(lang, "booked", service=booked.service, day=day, time=time, office=booked.office)
        response = VoiceResponse()
        response.append(say(lang, said))
        response.hangup()
        return response

    return await answer_step(request, session, lang, build)
