"""The assistant in live chat, over the real websocket: answers pushed as message frames with yes/no quick replies,
feedback, a resent frame answered once, a hand-off, and every device of the person seeing the same replies."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from tests.channels.test_chat import Chat, expect, hello, say
from tests.factories import count, create_agency, create_article
from townsquare.app import build_runtime, create_app
from townsquare.assistant.models import AssistantSession
from townsquare.interactions.models import Direction, Interaction
from townsquare.knowledge.models import AnswerRecord
from townsquare.routing.models import WorkItem
from townsquare.settings import Settings

ANSWER = "The outdoor pool is open every day from 9 am to 8 pm in summer."


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
                short_answer=ANSWER,
                keywords="pool swimming swim hours open",
            )

        env.db(seed)
        yield env


def reply_frames(ws: Any, n: int) -> list[dict[str, Any]]:
    return [expect(ws, "message") for _ in range(n)]


def test_a_question_is_answered_in_frames_with_quick_replies_and_the_feedback_is_recorded(chat: Chat) -> None:
    with chat.socket() as one, chat.socket() as two:
        token = hello(one)["token"]
        hello(two, token)
        asked = say(one, "When is the pool open?")
        assert expect(two, "message")["id"] == asked["id"]
        answer, question = reply_frames(one, 2)
        assert answer["text"] == f"{ANSWER}\nRead more: http://testserver/help/outdoor-pool-hours"
        assert (answer["direction"], answer["from"], answer["channel"]) == ("out", "assistant", "chat")
        assert "quick_replies" not in answer
        assert question["text"] == "Did that answer your question? Reply YES or NO."
        assert question["quick_replies"] == ["Yes", "No"]
        assert [f["id"] for f in reply_frames(two, 2)] == [answer["id"], question["id"]]  # every device

        say(one, "Yes")  # the quick reply button sends its label as a message
        [thanks] = reply_frames(one, 1)
        assert thanks["text"] == "Thanks, glad that helped."
        assert "quick_replies" not in thanks
    record = chat.db(lambda s: s.scalar(select(AnswerRecord)))
    assert record.helpful is True
    assert record.channel == "chat"
    with chat.socket() as later:  # the history shows who said what
        history = hello(later, token)["messages"]
    # ... and, the chat over, the satisfaction question (tests/channels/test_chat_survey.py)
    assert [m.get("from") for m in history] == [None, "assistant", "assistant", None, "assistant", "assistant"]


def test_a_resent_message_gets_the_first_replies_and_no_second_turn(chat: Chat) -> None:
    client_id = str(uuid.uuid4())
    with chat.socket() as ws:
        token = hello(ws)["token"]
        say(ws, "pool hours?", client_id)
        first = reply_frames(ws, 2)
    with chat.socket() as ws:  # reconnected; the widget resends what it thinks was not acknowledged
        hello(ws, token, last_seen=first[-1]["id"])
        again = say(ws, "pool hours?", client_id)
        assert again["duplicate"] is True
        assert [f["id"] for f in reply_frames(ws, 2)] == [f["id"] for f in first]
    assert chat.db(lambda s: count(s, AnswerRecord)) == 1
    assert chat.db(lambda s: count(s, Interaction, Interaction.direction == Direction.outbound)) == 2
    assert chat.db(lambda s: s.scalar(select(AssistantSession.turns))) == 1


def test_talk_to_a_person_hands_the_chat_off_and_later_messages_go_to_that_person(chat: Chat) -> None:
    with chat.socket() as ws:
        hello(ws)
        say(ws, "When is the pool open?")
        reply_frames(ws, 2)
        say(ws, "I'd like to speak to a human")
        [handed] = reply_frames(ws, 1)
        assert handed["text"] == "A member of staff will answer here."
        say(ws, "Thanks, I will wait")
        ws.send_json({"type": "ping"})
        assert expect(ws, "pong") == {"type": "pong"}  # no reply from the assistant came before it
    item = chat.db(lambda s: s.scalar(select(WorkItem)))
    assert item.kind == "chat"
    assert item.channel == "chat"
    assert item.interaction_count >= 1
    story = item.context["assistant"]
    assert story["intent"] == "talk_to_person"
    assert story["reason"] == "asked"
    assert story["question"] == "When is the pool open?"
    assert story["articles"] == [{"slug": "outdoor-pool-hours", "title": "Outdoor pool opening hours", "version": 1}]
    assert [t["from"] for t in story["transcript"]] == ["citizen", "assistant", "assistant", "citizen", "assistant"]
