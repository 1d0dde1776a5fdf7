"""The survey page behind an email's sealed link: opening it changes nothing, the form keeps the first score and
adds comments, an altered link is a 404, an expired survey says so; in the person's language, without JavaScript."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.analytics.surveys.world import MARIA_EMAIL, build_world, close_case, survey_messages, surveys_of
from tests.support.messages import body_of
from townsquare.analytics.surveys.models import Survey
from townsquare.clock import utcnow
from townsquare.interactions.models import Channel
from townsquare.settings import Settings


async def emailed_link(session: AsyncSession, settings: Settings, *, language: str = "en") -> tuple[str, object]:
    world = await build_world(session, language=language)
    await close_case(session, settings, world, channel=Channel.web)  # a web case is asked by email
    [email] = await survey_messages(session, channel="email")
    assert email.recipient == MARIA_EMAIL
    found = re.search(r"http://testserver(/survey/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)", body_of(email))
    assert found is not None
    return found.group(1), world


async def test_the_emailed_link_opens_the_question_and_the_answer_is_kept_once(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    link, world = await emailed_link(session, settings)
    citizen_id = world.citizen_id  # type: ignore[attr-defined]

    page = await client.get(link + "?score=4")
    assert page.status_code == 200
    assert "How satisfied are you with how we handled your request?" in page.text
    assert 'id="score-4" name="score" type="radio" value="4" checked' in page.text
    assert "Pothole repair" in page.text
    [survey] = await surveys_of(session, citizen_id)
    assert survey.score is None  # opening the link (as mail scanners do) answers nothing

    done = await client.post(link, data={"score": "4", "comment": "Fast, but nobody told me it was done."})
    assert done.status_code == 200
    assert "Thank you for your answer" in done.text
    again = await client.post(link, data={"score": "1", "comment": "Also: thanks to the crew."})
    assert again.status_code == 200

    [survey] = await surveys_of(session, citizen_id)
    assert (survey.score, survey.answered_on, survey.channel) == (4, "email", "email")
    assert survey.comment == "Fast, but nobody told me it was done.\nAlso: thanks to the crew."
    later = await client.get(link)
    assert "You already answered: 4 out of 5" in later.text


async def test_no_choice_is_a_422_that_names_the_question(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    link, world = await emailed_link(session, settings)
    refused = await client.post(link, data={"comment": "no score"})
    assert refused.status_code == 422
    assert "Choose how satisfied you are, from 1 to 5" in refused.text
    [survey] = await surveys_of(session, world.citizen_id)  # type: ignore[attr-defined]
    assert survey.comment is None


async def test_an_altered_link_is_a_404_and_an_expired_survey_takes_no_answer(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    link, world = await emailed_link(session, settings)
    altered = link[:-2] + ("AA" if not link.endswith("AA") else "BB")
    assert (await client.get(altered)).status_code == 404
    assert (await client.post(altered, data={"score": "5"})).status_code == 404
    await session.execute(update(Survey).values(expires_at=utcnow() - timedelta(seconds=1)))
    await session.commit()

    page = await client.get(link)
    posted = await client.post(link, data={"score": "5"})

    assert "This survey has closed" in page.text
    assert "This survey has closed" in posted.text
    [survey] = await surveys_of(session, world.citizen_id)  # type: ignore[attr-defined]
    assert survey.score is None


async def test_the_page_speaks_the_persons_language(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    link, _ = await emailed_link(session, settings, language="fr")
    [email] = await survey_messages(session, channel="email")
    assert email.payload["subject"] == "Comment avons-nous fait?"

    page = await client.get(link)

    assert 'lang="fr"' in page.text
    assert "Êtes-vous satisfait de la façon dont nous avons traité votre demande?" in page.text
    assert "Très satisfait" in page.text
