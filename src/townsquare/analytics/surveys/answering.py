"""Answers, whichever way they come back: a texted or chatted "4 thanks", a key pressed on a call, the survey page
behind a sealed link.

The first score is the one kept; a later answer may only add a comment. An expired survey takes no answer (a text
then is an ordinary contact). Nothing here commits, and nothing logs what a person wrote.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Agency, Service
from townsquare.analytics.surveys import asking, scores
from townsquare.analytics.surveys.models import Survey
from townsquare.cases.models import Case
from townsquare.clock import utcnow
from townsquare.notify.notifications import named


@dataclass(frozen=True)
class Recorded:
    """What an answer did: the score kept (the first one given) and whether this answer gave it."""

    survey_id: uuid.UUID
    score: int
    first: bool
    language: str

    @property
    def thanks(self) -> str:
        return scores.words(scores.THANKS, self.language)


async def pending(session: AsyncSession, *, citizen_id: uuid.UUID, channel: str) -> Survey | None:
    """The newest survey put to the person on `channel` that is still waiting for its answer."""
    found = await session.execute(
        select(Survey)
        .where(
            Survey.citizen_id == citizen_id,
            Survey.channel == channel,
            Survey.answered_at.is_(None),
            Survey.expires_at > utcnow(),
        )
        .order_by(Survey.sent_at.desc())
        .limit(1)
    )
    return found.scalar_one_or_none()


async def record(
    session: AsyncSession,
    survey: Survey,
    *,
    score: int | None,
    comment: str | None,
    channel: str,
    interaction_id: uuid.UUID | None = None,
) -> Recorded | None:
    """Keep an answer (the first score; a comment added to any earlier one); None when the survey has expired
    or nothing was given."""
    now = utcnow()
    if survey.expires_at <= now or (score is None and survey.score is None):
        return None
    if score is not None and score not in scores.SCORES:
        raise ValueError("a score is 1 to 5")
    first = survey.score is None
    if first:
        survey.score = score
        survey.answered_at = now
        survey.answered_on = channel
        survey.answer_interaction_id = interaction_id
    words = scores.clean_comment(comment or "")
    if words and words != survey.comment:
        joined = f"{survey.comment}\n{words}" if survey.comment else words
        survey.comment = joined[: scores.MAX_COMMENT]
        survey.commented_at = now
    await session.flush()
    assert survey.score is not None
    return Recorded(survey.id, survey.score, first, survey.language)


async def answer_text(
    session: AsyncSession, *, citizen_id: uuid.UUID, channel: str, text: str, interaction_id: uuid.UUID
) -> Recorded | None:
    """A texted or chatted answer to the person's pending survey on that channel; None when the text is not an
    answer or nothing waits for one (the contact then goes on as any other)."""
    parsed = scores.parse(text)
    if parsed is None:
        return None
    survey = await pending(session, citizen_id=citizen_id, channel=channel)
    if survey is None:
        return None
    return await record(
        session, survey, score=parsed.score, comment=parsed.comment, channel=channel, interaction_id=interaction_id
    )


async def answer_key(session: AsyncSession, *, survey_id: uuid.UUID, digits: str) -> Recorded | None:
    """A key pressed on a call; None for a key that is not 1 to 5 (or a survey no longer open)."""
    survey = await session.get(Survey, survey_id)
    if survey is None or digits not in scores.BUTTONS:
        return None
    return await record(session, survey, score=int(digits), comment=None, channel="voice")


@dataclass(frozen=True)
class SurveyPage:
    """What the survey page shows: what it is about, in the person's words, and where the answer stands."""

    token: str
    language: str
    about: str  # case | contact | assistant
    reference: str | None
    topic: str | None  # the service, else the case's title
    agency: str | None
    score: int | None
    comment: str | None
    expired: bool
    sent_at: datetime


async def page(session: AsyncSession, *, secret: str, token: str) -> SurveyPage | None:
    """The survey a sealed link names; None for a link we did not make."""
    survey_id = asking.read_token(secret, token)
    survey = await session.get(Survey, survey_id) if survey_id else None
    if survey is None:
        return None
    return await _page(session, survey, token)


async def answer_link(
    session: AsyncSession, *, secret: str, token: str, score: int | None, comment: str
) -> SurveyPage | None:
    """The survey page's answer (its score, or a comment added later); None for a link we did not make."""
    survey_id = asking.read_token(secret, token)
    survey = await session.get(Survey, survey_id) if survey_id else None
    if survey is None:
        return None
    channel = survey.channel if survey.channel in ("email", "push") else "web"
    await record(session, survey, score=score, comment=comment, channel=channel)
    return await _page(session, survey, token)


async def _page(session: AsyncSession, survey: Survey, token: str) -> SurveyPage:
    case = await session.get(Case, survey.case_id) if survey.case_id else None
    service = await session.get(Service, survey.service_id) if survey.service_id else None
    agency = await session.get(Agency, survey.agency_id) if survey.agency_id else None
    lang = survey.language
    topic = named(service, lang) if service is not None else (case.title if case is not None else None)
    return SurveyPage(
        token=token,
        language=lang,
        about=survey.about,
        reference=case.reference if case is not None else None,
        topic=topic,
        agency=named(agency, lang) if agency is not None else None,
        score=survey.score,
        comment=survey.comment,
        expired=survey.score is None and survey.expires_at <= utcnow(),
        sent_at=survey.sent_at,
    )
