"""The assistant on the phone: a caller says what they need at the menu and hears the article's voice script,
answers "did that help?" by voice or keypad, and reaches a person with the whole exchange when it did not."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.channels.conftest import post_twilio
from tests.channels.test_voice import MARIA, World, call, form, gather_action, new_sid, parse, said, world
from tests.factories import create_article
from tests.support.db import fresh
from townsquare.interactions.models import Channel, Direction, Interaction
from townsquare.knowledge.models import AnswerRecord
from townsquare.routing.models import WorkItem

__all__ = ["world"]  # the fixture, shared with the menu's tests

SCRIPT = "Potholes are usually filled within three working days of a report. You can report one online or by phone."
QUESTION = "There is a big pothole in front of my house, how long until it is fixed"


async def ask(client: httpx.AsyncClient, root: ET.Element, sid: str, speech: str) -> ET.Element:
    return parse(await post_twilio(client, gather_action(root), form(sid, SpeechResult=speech, Confidence="0.91")))


async def with_article(session: AsyncSession) -> None:
    await create_article(
        session,
        slug="pothole-repair-times",
        title="How long pothole repairs take",
        summary="When a reported pothole is filled.",
        body="Crews fill potholes within **three working days** of a report.",
        short_answer="Potholes are filled within 3 working days of a report.",
        voice_script=SCRIPT,
        keywords="pothole hole road repair fixed how long",
        service_codes=("POTHOLE",),
    )
    await session.commit()


async def test_a_spoken_question_is_answered_with_the_voice_script_and_yes_is_recorded(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    await with_article(session)
    sid = new_sid()
    menu = await call(client, sid)
    assert "tell me in a few words" in said(menu)
    answer = await ask(client, menu, sid, QUESTION)
    assert SCRIPT in said(answer)
    assert "Did that answer your question" in said(answer)
    assert gather_action(answer).startswith("/channels/voice/twilio/assistant")
    assert answer.find("Enqueue") is None

    after = parse(await post_twilio(client, gather_action(answer), form(sid, Digits="1")))
    assert "anything else" in said(after).lower()
    assert gather_action(after).startswith("/channels/voice/twilio/choice")

    await fresh(session)
    record = (await session.execute(select(AnswerRecord))).scalar_one()
    assert (record.channel, record.helpful) == ("voice", True)
    spoken = (await session.execute(select(Interaction).where(Interaction.channel == Channel.voice))).scalars().all()
    assert any(i.direction is Direction.inbound and i.body == QUESTION for i in spoken)
    assert any(i.direction is Direction.outbound and SCRIPT in i.body for i in spoken)
    call_row = next(i for i in spoken if i.external_id == sid)
    assert call_row.payload["outcome"] == "self-served"
    assert (await session.execute(select(WorkItem))).scalars().all() == []


async def test_no_puts_the_caller_through_with_the_exchange_for_the_agent(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    await with_article(session)
    sid = new_sid()
    answer = await ask(client, await call(client, sid), sid, QUESTION)
    through = parse(await post_twilio(client, gather_action(answer), form(sid, SpeechResult="No", Confidence="0.8")))
    assert through.find("Enqueue") is not None

    await fresh(session)
    item = (await session.execute(select(WorkItem))).scalar_one()
    assert (item.channel, item.kind) == ("voice", "call")
    context = item.context["assistant"]
    assert context["reason"] == "not_helpful"
    assert context["question"] == QUESTION
    assert any(turn["from"] == "citizen" and turn["text"] == QUESTION for turn in context["transcript"])
    assert context["articles"][0]["slug"] == "pothole-repair-times"
    assert item.context["callback_number"] == MARIA
    record = (await session.execute(select(AnswerRecord))).scalar_one()
    assert record.helpful is False


async def test_a_question_nothing_answers_goes_to_a_person_at_once(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    sid = new_sid()
    through = await ask(client, await call(client, sid), sid, "I need to know about the festival fireworks permit")
    assert through.find("Enqueue") is not None
    await fresh(session)
    item = (await session.execute(select(WorkItem))).scalar_one()
    assert item.context["assistant"]["reason"] == "low_confidence"
    assert (await session.execute(select(AnswerRecord))).scalars().all() == []


async def test_a_short_menu_word_still_picks_the_option(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    await with_article(session)
    sid = new_sid()
    root = await ask(client, await call(client, sid), sid, "message")
    assert root.find("Record") is not None


async def test_french_callers_hear_the_french_variant(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    await with_article(session)
    english = (await session.execute(select(AnswerRecord))).scalars().all()
    assert english == []
    from townsquare.knowledge.models import Article

    original = (await session.execute(select(Article))).scalar_one()
    script_fr = "Les nids-de-poule sont habituellement réparés dans les trois jours ouvrables suivant le signalement."
    await create_article(
        session,
        slug="delais-reparation-nids-de-poule",
        title="Délais de réparation des nids-de-poule",
        language="fr",
        summary="Quand un nid-de-poule signalé est réparé.",
        short_answer="Les nids-de-poule sont réparés dans les 3 jours ouvrables.",
        voice_script=script_fr,
        keywords="nid-de-poule trou chaussée réparation délai",
        service_codes=("POTHOLE",),
        variant_of=original.id,
    )
    await session.commit()
    sid = new_sid()
    menu = await call(client, sid)
    french = parse(await post_twilio(client, gather_action(menu), form(sid, Digits="9")))
    answer = await ask(client, french, sid, "Combien de temps pour réparer un nid-de-poule devant chez moi")
    assert script_fr in said(answer)
