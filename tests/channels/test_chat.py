"""Live chat over the websocket: the protocol, exactly-once messages, verification, the claim, fan-out, origin.

Starlette's TestClient runs the app (and its database work) on its own event loop; the test reaches the
database and the outbox worker on that same loop through the client's portal.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient, WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from tests.factories import api_key_headers, count, counts, create_agency, create_citizen
from tests.support.messages import code_in, texts_delivered
from townsquare.app import Runtime, build_runtime, create_app
from townsquare.channels.chat_frames import TokenBucket, device_hash
from townsquare.citizens.models import Citizen, CitizenStatus, Identity, IdentityKind, VerificationChallenge
from townsquare.engagement.replies import reply
from townsquare.interactions.models import Conversation, Interaction
from townsquare.notify.rendering import Content
from townsquare.routing.models import WorkItem
from townsquare.settings import Settings

T = TypeVar("T")
WS = "/channels/chat/ws"
ORIGIN = {"origin": "http://testserver"}
PHONE = "+16135550142"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Codes must reach the recording provider, not a configured carrier. These tests are about the transport,
    # so the assistant stays out of the frame sequence; test_chat_assistant.py has it answering.
    return settings.model_copy(update={"twilio_account_sid": None, "smtp_relay_host": None, "assistant_enabled": False})


@dataclass
class Chat:
    client: TestClient
    runtime: Runtime

    def run(self, fn: Callable[[], Awaitable[T]]) -> T:
        """Run `fn` on the app's own event loop (where its database connections live)."""
        assert self.client.portal is not None
        return self.client.portal.call(fn)

    def socket(self) -> Any:
        return self.client.websocket_connect(WS, headers=dict(ORIGIN))

    def db(self, fn: Callable[[Any], Awaitable[T]]) -> T:
        async def go() -> T:
            async with self.runtime.db.session() as s:
                result = await fn(s)
                await s.commit()
                return result

        return self.run(go)

    def drain(self) -> None:
        async def go() -> None:
            await self.runtime.worker.drain()
            await self.runtime.bus.wait_idle()

        self.run(go)

    def code_sent_to(self, recipient: str) -> str:
        self.drain()
        texts = texts_delivered(self.runtime.recording, recipient)
        assert texts, "no code was sent"
        return code_in(texts[-1])


@pytest.fixture
def chat(settings: Settings) -> Iterator[Chat]:
    runtime = build_runtime(settings)
    with TestClient(create_app(settings, runtime), base_url="http://testserver") as client:
        env = Chat(client, runtime)
        env.db(lambda s: create_agency(s))  # contact needs an agency to land with
        yield env


def hello(ws: WebSocketTestSession, token: str | None = None, last_seen: str | None = None) -> dict[str, Any]:
    ws.send_json({"type": "hello", "token": token, "last_seen": last_seen})
    frame: dict[str, Any] = ws.receive_json()
    assert frame["type"] == "welcome", frame
    return frame


def say(ws: WebSocketTestSession, text: str, client_id: str | None = None) -> dict[str, Any]:
    cid = client_id or str(uuid.uuid4())
    ws.send_json({"type": "message", "client_id": cid, "text": text})
    frame: dict[str, Any] = ws.receive_json()
    assert (frame["type"], frame.get("client_id")) == ("ack", cid), frame
    return frame


def expect(ws: WebSocketTestSession, kind: str) -> dict[str, Any]:
    frame: dict[str, Any] = ws.receive_json()
    assert frame["type"] == kind, frame
    return frame


def verify(chat: Chat, ws: WebSocketTestSession, phone: str = PHONE) -> dict[str, Any]:
    ws.send_json({"type": "verify_start", "kind": "phone", "value": phone})
    sent = expect(ws, "verify_sent")
    assert sent["to"].endswith(phone[-4:])
    assert phone not in sent["to"]
    ws.send_json({"type": "verify_check", "code": chat.code_sent_to(phone)})
    return expect(ws, "verified")


def test_hello_mints_a_device_token_and_stores_nothing_until_the_person_writes(chat: Chat) -> None:
    with chat.socket() as ws:
        welcome = hello(ws)
        assert len(welcome["token"]) >= 32
        assert welcome["conversation_id"] is None
        assert welcome["messages"] == []
        ws.send_json({"type": "ping"})
        assert expect(ws, "pong") == {"type": "pong"}
    assert chat.db(lambda s: count(s, Identity)) == 0
    with chat.socket() as ws:
        assert hello(ws)["token"] != welcome["token"]


def test_a_message_is_acked_stored_once_when_resent_and_shown_on_the_next_hello(chat: Chat) -> None:
    client_id = str(uuid.uuid4())
    with chat.socket() as ws:
        token = hello(ws)["token"]
        first = say(ws, "  Is the pool open on Sunday?  ", client_id)
        assert first["duplicate"] is False
    with chat.socket() as ws:  # reconnected: the widget resends what was not acknowledged
        welcome = hello(ws, token)
        assert [m["text"] for m in welcome["messages"]] == ["Is the pool open on Sunday?"]
        assert welcome["messages"][0]["client_id"] == client_id
        assert welcome["conversation_id"] == first["conversation_id"]
        again = say(ws, "Is the pool open on Sunday?", client_id)
        assert again["id"] == first["id"]
        assert again["duplicate"] is True
    with chat.socket() as ws:
        assert hello(ws, token, last_seen=first["id"])["messages"] == []
    assert chat.db(lambda s: count(s, Interaction)) == 1
    identity = chat.db(lambda s: s.scalar(select(Identity)))
    assert identity.kind is IdentityKind.device
    assert identity.namespace == "chat"
    assert identity.value == device_hash(token)
    assert token not in identity.value


def test_bad_frames_get_a_readable_error_the_socket_stays_open_and_nothing_is_stored(chat: Chat) -> None:
    limit = chat.runtime.settings.chat_max_message_chars
    with chat.socket() as ws:
        ws.send_json({"type": "message", "client_id": str(uuid.uuid4()), "text": "before hello"})
        assert expect(ws, "error")["code"] == "hello_first"
        hello(ws)
        say(ws, "a first message")
        before = chat.db(counts)
        bad: list[tuple[Any, str]] = [
            ("{not json", "bad_json"),
            ('["a list"]', "bad_frame"),
            ({"type": "shout"}, "unknown_type"),
            ({"type": "message", "client_id": str(uuid.uuid4()), "text": "   "}, "empty"),
            ({"type": "message", "client_id": str(uuid.uuid4()), "text": "x" * (limit + 1)}, "too_long"),
            ({"type": "message", "client_id": "not-a-uuid", "text": "hi"}, "bad_client_id"),
            ({"type": "verify_start", "kind": "fax", "value": "123"}, "bad_contact"),
            ({"type": "verify_start", "kind": "phone", "value": "12"}, "refused"),
            ({"type": "verify_check", "code": "123456"}, "code_missing"),
        ]
        for frame, code in bad:
            if isinstance(frame, str):
                ws.send_text(frame)
            else:
                ws.send_json(frame)
            error = expect(ws, "error")
            assert error["code"] == code, error
            assert error["detail"]
        ws.send_json({"type": "ping"})
        expect(ws, "pong")
    assert chat.db(counts) == before


def test_a_socket_that_floods_is_slowed_down() -> None:
    now = [0.0]
    bucket = TokenBucket(size=3, rate=1, clock=lambda: now[0], stamp=0.0, tokens=3)
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    now[0] = 1.0
    assert bucket.take() is True
    assert bucket.take() is False


def test_verifying_a_phone_marks_it_verified_and_keeps_only_a_hash_of_the_code(chat: Chat) -> None:
    with chat.socket() as ws:
        hello(ws)
        say(ws, "hello")
        ws.send_json({"type": "verify_start", "kind": "phone", "value": "(613) 555-0142"})
        expect(ws, "verify_sent")
        code = chat.code_sent_to(PHONE)
        wrong = "000000" if code != "000000" else "111111"
        ws.send_json({"type": "verify_check", "code": wrong})
        error = expect(ws, "error")
        assert error["code"] == "code_wrong"
        assert "4 tries left" in error["detail"]
        ws.send_json({"type": "verify_check", "code": f"{code[:3]} {code[3:]}"})
        verified = expect(ws, "verified")
    assert verified["conversation_id"] is not None
    assert [m["text"] for m in verified["messages"]] == ["hello"]
    phone = chat.db(lambda s: s.scalar(select(Identity).where(Identity.kind == IdentityKind.phone)))
    assert phone.value == PHONE
    assert phone.verified
    assert phone.verification_method.value == "sms_code"
    challenge = chat.db(lambda s: s.scalar(select(VerificationChallenge)))
    assert challenge.verified_at is not None
    assert challenge.attempts == 2
    assert code not in challenge.code_hash
    assert [e.idempotency_key for e in chat.runtime.recording.sent] == [f"verification:{challenge.id}"]


def test_five_wrong_codes_end_the_challenge_even_for_the_right_code(chat: Chat) -> None:
    with chat.socket() as ws:
        hello(ws)
        ws.send_json({"type": "verify_start", "kind": "email", "value": "Maria@Example.org"})
        assert expect(ws, "verify_sent")["to"] == "m•••@example.org"
        code = chat.code_sent_to("maria@example.org")
        wrong = "000000" if code != "000000" else "111111"
        codes = []
        for _ in range(5):
            ws.send_json({"type": "verify_check", "code": wrong})
            codes.append(expect(ws, "error")["code"])
        assert codes == ["code_wrong"] * 4 + ["code_exhausted"]
        ws.send_json({"type": "verify_check", "code": code})
        assert expect(ws, "error")["code"] == "code_exhausted"
    assert chat.db(lambda s: count(s, Identity, Identity.verified.is_(True))) == 0


def test_verifying_a_known_phone_moves_the_anonymous_chat_to_that_citizen_and_joins_devices(chat: Chat) -> None:
    maria = chat.db(lambda s: create_citizen(s, name="Maria Lopez", phone=PHONE))
    a, b = chat.socket(), chat.socket()
    with a as ws_a, b as ws_b:
        hello(ws_a)
        first = say(ws_a, "My bin was not collected")
        anonymous = chat.db(lambda s: s.scalar(select(Interaction.citizen_id)))
        assert anonymous != maria.id
        verified = verify(chat, ws_a)
        assert verified["display_name"] == "Maria Lopez"
        assert verified["conversation_id"] == first["conversation_id"]

        welcome_b = hello(ws_b)
        assert welcome_b["messages"] == []  # a new device knows nothing until it verifies too
        verified_b = verify(chat, ws_b)
        assert verified_b["conversation_id"] == first["conversation_id"]
        assert [m["id"] for m in verified_b["messages"]] == [first["id"]]

        sent = say(ws_b, "It is the green bin")
        pushed = expect(ws_a, "message")
        assert pushed["id"] == sent["id"]
        assert pushed["direction"] == "in"
        assert pushed["text"] == "It is the green bin"

    old = chat.db(lambda s: s.get(Citizen, anonymous))
    assert old.status is CitizenStatus.merged
    assert old.merged_into_id == maria.id
    assert chat.db(lambda s: count(s, Interaction, Interaction.citizen_id != maria.id)) == 0
    assert chat.db(lambda s: count(s, Conversation, Conversation.citizen_id != maria.id)) == 0
    assert chat.db(lambda s: count(s, WorkItem, WorkItem.citizen_id != maria.id)) == 0
    assert chat.db(lambda s: count(s, Identity, Identity.citizen_id == maria.id)) == 3  # phone + two devices


def test_an_agent_reply_reaches_every_open_socket_and_an_offline_device_on_its_next_hello(chat: Chat) -> None:
    with chat.socket() as one, chat.socket() as two:
        token = hello(one)["token"]
        hello(two, token)
        asked = say(one, "When is the tax due?")
        assert expect(two, "message")["id"] == asked["id"]

        async def answer(s: Any) -> str:
            result = await reply(s, conversation_id=uuid.UUID(asked["conversation_id"]), content=Content("By 30 June."))
            return result.interaction_id

        reply_id = chat.db(answer)
        chat.drain()
        for ws in (one, two):
            frame = expect(ws, "message")
            assert (frame["id"], frame["direction"], frame["text"]) == (reply_id, "out", "By 30 June.")
    with chat.socket() as later:
        assert [m["id"] for m in hello(later, token, last_seen=asked["id"])["messages"]] == [reply_id]


def test_typing_is_relayed_to_other_devices_and_agents_must_sign_in_to_type(chat: Chat) -> None:
    headers = chat.db(lambda s: api_key_headers(s))
    with chat.socket() as one, chat.socket() as two:
        token = hello(one)["token"]
        hello(two, token)
        asked = say(one, "hello")
        expect(two, "message")
        one.send_json({"type": "typing"})
        assert expect(two, "typing") == {"type": "typing", "from": "self"}
        path = f"/channels/chat/conversations/{asked['conversation_id']}/typing"
        assert chat.client.post(path).status_code == 401
        assert chat.client.post(path, headers=headers).status_code == 204
        for ws in (one, two):
            assert expect(ws, "typing") == {"type": "typing", "from": "agent"}
        unknown = f"/channels/chat/conversations/{uuid.uuid4()}/typing"
        assert chat.client.post(unknown, headers=headers).status_code == 404


def test_a_socket_from_another_site_is_refused(chat: Chat) -> None:
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        chat.client.websocket_connect(WS, headers={"origin": "https://evil.example"}) as ws,
    ):
        ws.receive_json()
    assert refused.value.code == 1008
    with chat.client.websocket_connect(WS, headers={"origin": "http://testserver"}) as ws:
        hello(ws)


def test_the_simulator_offers_the_chat_and_a_fresh_second_device_each_time(settings: Settings) -> None:
    demo = settings.model_copy(update={"simulator": True})
    with TestClient(create_app(demo, build_runtime(demo)), base_url="http://testserver") as client:
        page = client.get("/simulator")
        assert 'href="/simulator?chat=open"' in page.text
        assert "/static/chat/widget.js" in page.text
        first = client.get("/simulator/chat/second-device", follow_redirects=False)
        second = client.get("/simulator/chat/second-device", follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"].startswith("/simulator?chat=open&chat_device=device-")
    assert first.headers["location"] != second.headers["location"]


def test_a_resident_signed_in_to_the_portal_chats_as_themselves(chat: Chat) -> None:
    maria = chat.db(lambda s: create_citizen(s, name="Maria Lopez", email="maria@example.org", phone=PHONE))
    with chat.socket() as ws:  # before signing in: an anonymous device that writes
        token = hello(ws)["token"]
        say(ws, "Is the pool open on Sunday?")
    chat.client.post("/account/sign-in", data={"email": "maria@example.org"})
    chat.drain()
    link = next(str(e.payload["text"]) for e in chat.runtime.recording.sent if e.recipient == "maria@example.org")
    path = link[link.index("/account/sign-in/") :].split()[0]
    assert chat.client.post(path, follow_redirects=False).status_code == 303  # the session cookie is now set
    with chat.socket() as ws:
        welcome = hello(ws, token=token)
    assert welcome["display_name"] == "Maria Lopez"
    assert [m["text"] for m in welcome["messages"]] == ["Is the pool open on Sunday?"]  # the anonymous chat came along
    owner = chat.db(lambda s: s.scalar(select(Interaction.citizen_id)))
    assert owner == maria.id
