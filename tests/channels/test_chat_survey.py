"""CSAT in live chat, over the real websocket: buttons 1 to 5 after the assistant closed a chat on its own (the
person said its answer helped), and after an agent completed the chat; pressing one is the answer, thanked for,
never queued as work."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.testclient import TestClient

from tests.channels.test_chat import Chat, expect, hello, say
from tests.factories import create_agency, create_agent, create_article
from townsquare.analytics.surveys.models import Survey
from townsquare.app import build_runtime, create_app
from townsquare.casework import work_actions
from townsquare.knowledge.models import Article
from townsquare.routing.models import WorkItem, WorkItemStatus
from townsquare.settings import Settings
from townsquare.staff.auth import Principal
from townsquare.staff.models import StaffAccount, StaffRole

BUTTONS = ["1", "2", "3", "4", "5"]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"twilio_account_sid": None, "smtp_relay_host": None})


@pytest.fixture
def chat(settings: Settings) -> Iterator[Chat]:
    runtime = build_runtime(settings)
    with TestClient(create_app(settings, runtime), base_url="http://testserver") as client:
        env = Chat(client, runtime)

        async def seed(s: Any) -> None:
            agency = await create_agency(s)
            await create_article(
                s,
                slug="outdoor-pool-hours",
                title="Outdoor pool opening hours",
                agency=agency,
                short_answer="The outdoor pool is open every day from 9 am to 8 pm in summer.",
                keywords="pool swimming swim hours open",
            )
            await create_agent(s, email="ana@city.example", agencies=[agency])

        env.db(seed)
        yield env


def one_survey(chat: Chat) -> Survey:
    found: Survey = chat.db(lambda s: s.scalar(select(Survey)))
    return found


def test_after_a_helpful_answer_the_assistant_asks_with_five_buttons_and_4_is_kept(chat: Chat) -> None:
    with chat.socket() as ws:
        hello(ws)
        say(ws, "When is the pool open?")
        expect(ws, "message")
        expect(ws, "message")  # "Did that answer your question?"
        say(ws, "Yes")
        thanks, question = expect(ws, "message"), expect(ws, "message")
        assert thanks["text"] == "Thanks, glad that helped."
        assert question["quick_replies"] == BUTTONS
        assert "how satisfied are you with this answer" in question["text"]
        say(ws, "4")  # the button sends its label
        [answered] = [expect(ws, "message")]
        assert answered["text"].startswith("Thank you for your answer")
        assert "quick_replies" not in answered

    survey = one_survey(chat)
    article_id = chat.db(lambda s: s.scalar(select(Article.id)))
    assert (survey.about, survey.channel, survey.score, survey.article_id) == ("assistant", "chat", 4, article_id)
    assert chat.db(lambda s: s.scalar(select(WorkItem.id))) is None  # nobody was given anything to do


def test_when_an_agent_completes_the_chat_the_buttons_arrive_and_5_is_the_answer(
    chat: Chat, settings: Settings
) -> None:
    with chat.socket() as ws:
        hello(ws)
        say(ws, "I want to talk to a person")
        expect(ws, "message")  # the hand-off's words

        async def complete(s: AsyncSession) -> uuid.UUID:
            item = (await s.execute(select(WorkItem))).scalar_one()
            agent = (await s.execute(select(StaffAccount))).scalar_one()
            item.status, item.assigned_to_id = WorkItemStatus.assigned, agent.id
            await s.flush()
            me = Principal("staff", agent.id, "Ana", StaffRole.agent, frozenset({item.agency_id}))
            await work_actions.complete(
                s, me=me, item_id=item.id, wrap_up_code="", outcome="Answered", settings=settings
            )
            return agent.id

        agent_id = chat.db(complete)
        chat.drain()  # the outbox hands the question to the chat hub
        question = expect(ws, "message")
        assert question["quick_replies"] == BUTTONS
        assert question["from"] == "assistant"
        say(ws, "5")
        answered = expect(ws, "message")
        assert answered["text"].startswith("Thank you for your answer")

    survey = one_survey(chat)
    assert (survey.about, survey.channel, survey.score, survey.staff_id) == ("contact", "chat", 5, agent_id)
    open_items = chat.db(lambda s: s.scalar(select(WorkItem.id).where(WorkItem.status != WorkItemStatus.done).limit(1)))
    assert open_items is None
