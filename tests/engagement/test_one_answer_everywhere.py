"""One answer everywhere: the same question through portal search, chat, SMS and voice gives the same article
version, and after a new version is published all four give the new one at once.

Everything goes through the real doors: the portal's search page, the chat websocket, Twilio's signed SMS and
voice webhooks. Which version each channel used is read from what it showed (the portal marks its results with
the version) and from the answers recorded for the assistant's replies.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.testclient import TestClient

from tests.channels.conftest import TWILIO_ACCOUNT, twilio_signature
from tests.factories import create_agency, create_article, create_service, create_staff
from townsquare.app import Runtime, build_runtime, create_app
from townsquare.interactions.models import Channel
from townsquare.knowledge import service as knowledge
from townsquare.knowledge.models import AnswerRecord
from townsquare.settings import Settings
from townsquare.staff.models import StaffRole

T = TypeVar("T")
CITY = "+16135550100"
QUESTION = "When is my garbage picked up?"
FIRST = "Garbage and recycling are collected every Tuesday. Put bins out by 7 a.m."
SECOND = "From March, garbage and recycling are collected every Wednesday. Put bins out by 7 a.m."


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"twilio_auth_token": "test-twilio-auth-token", "twilio_account_sid": TWILIO_ACCOUNT}
    )


@dataclass
class City:
    client: TestClient
    runtime: Runtime
    article_id: uuid.UUID
    editor_id: uuid.UUID
    publisher_id: uuid.UUID

    def run(self, fn: Callable[[], Awaitable[T]]) -> T:
        assert self.client.portal is not None
        return self.client.portal.call(fn)

    def db(self, fn: Callable[[AsyncSession], Awaitable[T]]) -> T:
        async def go() -> T:
            async with self.runtime.db.session() as session:
                result = await fn(session)
                await session.commit()
                return result

        return self.run(go)

    def twilio(self, path: str, form: dict[str, str]) -> ET.Element:
        signature = twilio_signature("http://testserver" + path, form)
        response = self.client.post(path, data=form, headers={"X-Twilio-Signature": signature})
        assert response.status_code == 200, response.text
        return ET.fromstring(response.text)

    def last_answer(self, channel: Channel) -> uuid.UUID:
        async def newest(session: AsyncSession) -> uuid.UUID:
            row = await session.scalar(
                select(AnswerRecord)
                .where(AnswerRecord.channel == channel.value)
                .order_by(AnswerRecord.created_at.desc(), AnswerRecord.id.desc())
                .limit(1)
            )
            assert row is not None, f"no answer recorded on {channel.value}"
            return row.version_id

        return self.db(newest)


@pytest.fixture
def city(settings: Settings) -> Iterator[City]:
    runtime = build_runtime(settings)
    with TestClient(create_app(settings, runtime), base_url="http://testserver") as client:

        async def setup(session: AsyncSession) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
            agency = await create_agency(session, slug="city-works", contact=("sms", CITY))
            await create_service(session, agency=agency, code="GARBAGE-MISSED", name="Missed garbage collection")
            editor = await create_staff(session, email="editor@city.example", agencies=[agency])
            publisher = await create_staff(
                session, email="lead@city.example", role=StaffRole.supervisor, agencies=[agency]
            )
            live = await create_article(
                session,
                agency=agency,
                slug="garbage-collection-day",
                title="Garbage and recycling collection day",
                summary="Which day your bins are collected and when to put them out.",
                body="Collection is **weekly**.",
                short_answer=FIRST,
                voice_script=FIRST,
                keywords="bins trash pickup schedule",
                service_codes=("GARBAGE-MISSED",),
                author_id=editor.id,
            )
            return live.article_id, editor.id, publisher.id

        env = City(client, runtime, uuid.uuid4(), uuid.uuid4(), uuid.uuid4())
        env.article_id, env.editor_id, env.publisher_id = env.run(lambda: _with_session(runtime, setup))
        yield env


async def _with_session(runtime: Runtime, fn: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async with runtime.db.session() as session:
        result = await fn(session)
        await session.commit()
        return result


def portal_version(city: City) -> tuple[uuid.UUID, str]:
    page = city.client.get("/search", params={"q": QUESTION})
    assert page.status_code == 200, page.text
    found = re.findall(r'data-article-version="([0-9a-f-]{36})"', page.text)
    assert found, "the portal's search shows no article"
    return uuid.UUID(found[0]), page.text


def chat_version(city: City, expected_text: str) -> uuid.UUID:
    with city.client.websocket_connect("/channels/chat/ws", headers={"origin": "http://testserver"}) as ws:
        ws.send_json({"type": "hello", "token": None})
        assert ws.receive_json()["type"] == "welcome"
        ws.send_json({"type": "message", "client_id": str(uuid.uuid4()), "text": QUESTION})
        replies: list[dict[str, Any]] = []
        while not any(expected_text in str(f.get("text")) for f in replies):
            frame = ws.receive_json()
            if frame.get("type") == "message" and frame.get("direction") == "out":
                replies.append(frame)
            assert len(replies) < 5, replies
    return city.last_answer(Channel.chat)


def sms_version(city: City, sender: str, expected_text: str) -> uuid.UUID:
    form = {
        "MessageSid": "SM" + uuid.uuid4().hex,
        "AccountSid": TWILIO_ACCOUNT,
        "From": sender,
        "To": CITY,
        "Body": QUESTION,
        "NumMedia": "0",
    }
    root = city.twilio("/channels/sms/twilio", form)
    texts = " ".join(m.text or "" for m in root.iter("Message"))
    assert expected_text in texts, texts
    return city.last_answer(Channel.sms)


def voice_version(city: City, caller: str, expected_text: str) -> uuid.UUID:
    call = {"CallSid": "CA" + uuid.uuid4().hex, "AccountSid": TWILIO_ACCOUNT, "From": caller, "To": CITY}
    menu = city.twilio("/channels/voice/twilio", {**call, "CallStatus": "ringing"})
    gather = menu.find("Gather")
    assert gather is not None
    action = gather.attrib["action"].removeprefix("http://testserver")
    spoken = city.twilio(action, {**call, "CallStatus": "in-progress", "SpeechResult": QUESTION, "Confidence": "0.93"})
    said = " ".join(el.text or "" for el in spoken.iter("Say"))
    assert expected_text in said, said
    return city.last_answer(Channel.voice)


def publish_new_version(city: City) -> uuid.UUID:
    async def go(session: AsyncSession) -> uuid.UUID:
        fields = knowledge.ArticleFields(
            title="Garbage and recycling collection day",
            summary="Which day your bins are collected and when to put them out.",
            body="Collection is **weekly**, on Wednesdays from March.",
            short_answer=SECOND,
            voice_script=SECOND,
            keywords="bins trash pickup schedule",
            service_codes=("GARBAGE-MISSED",),
        )
        draft = await knowledge.save_draft(
            session, article_id=city.article_id, fields=fields, author_id=city.editor_id, change_note="New day"
        )
        await knowledge.submit(session, version_id=draft.id, staff_id=city.editor_id)
        published = await knowledge.publish(session, version_id=draft.id, staff_id=city.publisher_id)
        return published.id

    return city.db(go)


def test_the_same_question_gets_the_same_version_everywhere_and_the_new_one_once_published(city: City) -> None:
    first, _ = portal_version(city)
    assert chat_version(city, FIRST) == first
    assert sms_version(city, "+16135550161", FIRST) == first
    assert voice_version(city, "+16135550162", FIRST) == first

    second = publish_new_version(city)
    assert second != first

    # Nothing answers from the old version after publication: not the index built for the first round,
    # not a session that answered before.
    assert portal_version(city)[0] == second
    assert chat_version(city, SECOND) == second
    assert sms_version(city, "+16135550163", SECOND) == second
    assert voice_version(city, "+16135550164", SECOND) == second
