"""Channel policies: what a channel's own rules say about a recorded contact, before the assistant or the queue.

`decide` asks the contact's channel policy once. A policy may answer the contact itself (an SMS keyword), say
that nothing may be sent back (a number that opted out), keep the assistant out, keep people out (a machine's
auto-reply), and name the acknowledgement a new conversation gets when it goes to the queue. Policies never
commit and never send: what they say is recorded by the flow as answers, like the assistant's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.analytics.surveys import answering as surveys
from townsquare.engagement.placing import Placed


@dataclass(frozen=True)
class Screening:
    """A channel policy's verdict on one contact."""

    answers: tuple[str, ...] = ()  # the channel answers it itself: recorded, no person, no assistant
    answer_payload: dict[str, Any] = field(default_factory=dict)  # kept with each of those answers
    needs_person: bool = True  # False: recorded on the timeline only
    assistant: bool = True  # whether the assistant may answer it (when the channel offers one)
    silent: bool = False  # nothing may be sent back on this channel (the person opted out)
    acknowledgement: str | None = None  # said when a new conversation goes to a person
    counted: bool = True  # a contact about a need, for analytics (not an answer the channel gave itself, a machine's)


class ChannelPolicy(Protocol):
    async def screen(self, session: AsyncSession, placed: Placed) -> Screening: ...


class Open:
    """Every contact may go to the assistant or a person; nothing is said on the channel's behalf."""

    async def screen(self, session: AsyncSession, placed: Placed) -> Screening:
        return Screening()


async def survey_answer(session: AsyncSession, placed: Placed, *, via: str) -> Screening | None:
    """A text that answers the person's pending satisfaction survey on this channel ("4", "5 great service"): kept as
    the answer and thanked for, never queued; None for any other text, which goes on as an ordinary contact."""
    answered = await surveys.answer_text(
        session,
        citizen_id=placed.citizen.id,
        channel=placed.message.channel.value,
        text=placed.message.text,
        interaction_id=placed.interaction.id,
    )
    if answered is None:
        return None
    payload = {"via": via, "survey_id": str(answered.survey_id)}
    return Screening(answers=(answered.thanks,), answer_payload=payload, needs_person=False, assistant=False)


class Chat:
    """A chat line that answers the survey's buttons is the survey's answer; every other line goes on."""

    async def screen(self, session: AsyncSession, placed: Placed) -> Screening:
        return await survey_answer(session, placed, via="assistant") or Screening()


class Email:
    """A machine's message (an auto-reply, a mailing list, a bounce notice) is kept but never answered or queued."""

    async def screen(self, session: AsyncSession, placed: Placed) -> Screening:
        if placed.message.metadata.get("automatic"):
            return Screening(needs_person=False, assistant=False, silent=True, counted=False)
        return Screening()
