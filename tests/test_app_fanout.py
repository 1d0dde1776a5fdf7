"""Two app processes on one database and one Redis (two live servers in this test process, each with its own
runtime, event loop and connections): a chat device, a desk and a display screen held by app A hear what app B
did; a handler that writes runs once across both; Redis restarting breaks no request, and the devices catch up.

Neither app runs an outbox worker of its own accord: the test runs B's (`worker.drain` on B's loop), so a reply
is known to leave through B.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import secrets
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin

from tests.factories import create_agency, create_staff
from tests.support.counters import SomeOffice, make_office, seat, ticket
from tests.support.redis import RedisServer
from tests.support.servers import LiveApp, free_port, serving
from townsquare.app import build_runtime, create_app
from townsquare.citizens.kinds import IdentityKind
from townsquare.counters import calling
from townsquare.engagement.messages import InboundMessage, Sender
from townsquare.engagement.replies import reply
from townsquare.events import CaseOpened, Reach, publish_after_commit
from townsquare.events.remote import RedisUnreachable
from townsquare.interactions.kinds import Channel
from townsquare.interactions.models import Conversation
from townsquare.notify.rendering import Content
from townsquare.settings import Settings
from townsquare.staff import service as staff_service
from townsquare.staff.auth import SESSION_COOKIE
from townsquare.staff.models import AuditEntry

LIMIT = 30  # seconds: an upper bound on a loaded machine; every wait ends as soon as what it waits for arrives


@pytest.fixture
def two(settings: Settings, redis_url: str) -> Iterator[tuple[LiveApp, LiveApp]]:
    """Apps A and B: one SQLite file, one Redis, under a prefix of this test's own."""
    prefix, ports = f"t{uuid.uuid4().hex[:8]}", (free_port(), free_port())
    common = {"redis_url": redis_url, "redis_prefix": prefix, "outbox_worker": False, "routing_worker": False}
    common |= {"assistant_enabled": False, "twilio_account_sid": None, "smtp_relay_host": None}
    each = [settings.model_copy(update={**common, "public_url": f"http://127.0.0.1:{port}"}) for port in ports]
    runtimes = [build_runtime(s) for s in each]
    with (
        serving(create_app(each[0], runtimes[0]), ports[0]) as loop_a,
        serving(create_app(each[1], runtimes[1]), ports[1]) as loop_b,
    ):
        yield (
            LiveApp(f"http://127.0.0.1:{ports[0]}", runtimes[0], loop_a),
            LiveApp(f"http://127.0.0.1:{ports[1]}", runtimes[1], loop_b),
        )


async def _in(live: LiveApp, work: Any) -> Any:
    """Run `work(session)` in a session of `live` (on its loop) and commit."""

    async def go() -> Any:
        async with live.runtime.db.session() as s:
            result = await work(s)
            await s.commit()
            return result

    return await live.call(go)


@asynccontextmanager
async def _socket(live: LiveApp, path: str, cookie: str | None = None) -> AsyncIterator[ClientConnection]:
    url = live.url.replace("http://", "ws://") + path
    headers = {"Cookie": f"{SESSION_COOKIE}={cookie}"} if cookie else None
    async with connect(url, origin=Origin(live.url), additional_headers=headers) as ws:
        yield ws


async def _next(ws: ClientConnection, kind: str) -> dict[str, Any]:
    frame: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), LIMIT))
    assert frame["type"] == kind, frame
    return frame


async def _settle(ws: ClientConnection) -> None:
    """Read what was sent so far: everything before the pong that answers a ping now."""
    await ws.send(json.dumps({"type": "ping"}))
    while json.loads(await asyncio.wait_for(ws.recv(), LIMIT))["type"] != "pong":
        pass


async def _hello(ws: ClientConnection, token: str) -> None:
    await ws.send(json.dumps({"type": "hello", "token": token, "last_seen": None}))
    await _next(ws, "welcome")


async def _say(ws: ClientConnection, text: str) -> dict[str, Any]:
    client_id = str(uuid.uuid4())
    await ws.send(json.dumps({"type": "message", "client_id": client_id, "text": text}))
    ack = await _next(ws, "ack")
    assert ack["client_id"] == client_id
    return ack


async def _answer(b: LiveApp, conversation_id: str, text: str) -> str:
    """An agent's reply, written on B and sent by B's outbox worker."""

    async def write(s: Any) -> str:
        result = await reply(s, conversation_id=uuid.UUID(conversation_id), content=Content(text))
        return result.interaction_id

    reply_id: str = await _in(b, write)
    await b.call(b.runtime.worker.drain)
    return reply_id


async def test_a_chat_device_on_one_process_hears_the_other_process_and_its_own_tabs(
    two: tuple[LiveApp, LiveApp],
) -> None:
    a, b = two
    await _in(a, create_agency)
    token = secrets.token_urlsafe(32)
    async with _socket(a, "/channels/chat/ws") as on_a, _socket(b, "/channels/chat/ws") as on_b:
        await _hello(on_a, token)
        await _hello(on_b, token)  # a second tab of the same device, held by B, before the device ever wrote
        ack = await _say(on_a, "Is the pool open on Sunday?")
        echo = await _next(on_b, "message")
        assert (echo["id"], echo["text"], echo["client_id"]) == (
            ack["id"],
            "Is the pool open on Sunday?",
            ack["client_id"],
        )
        reply_id = await _answer(b, ack["conversation_id"], "Yes, from 9 to 5.")
        for ws in (on_b, on_a):  # B pushed to its own tab; A heard of it over Redis and read the reply itself
            frame = await _next(ws, "message")
            assert (frame["id"], frame["direction"], frame["text"]) == (reply_id, "out", "Yes, from 9 to 5.")
        await on_b.send(json.dumps({"type": "typing"}))
        assert await _next(on_a, "typing") == {"type": "typing", "from": "self"}
        conversation_id = uuid.UUID(ack["conversation_id"])
        citizen_id = await _in(
            b, lambda s: s.scalar(select(Conversation.citizen_id).where(Conversation.id == conversation_id))
        )
        assert await b.call(lambda: b.runtime.chat.agent_typing(citizen_id)) == 1  # its own tab
        assert await _next(on_a, "typing") == {"type": "typing", "from": "agent"}


async def test_a_desk_on_one_process_hears_of_work_committed_on_the_other(two: tuple[LiveApp, LiveApp]) -> None:
    a, b = two

    async def seed(s: Any) -> str:
        agency = await create_agency(s)
        agent = await create_staff(s, email="ana@city.example", agencies=[agency])
        return await staff_service.start_session(s, staff_id=agent.id, hours=8)

    cookie = await _in(a, seed)
    async with _socket(a, "/desk/live", cookie=cookie) as desk:
        await _next(desk, "hello")
        await desk.send(json.dumps({"watch": {}}))
        await _next(desk, "watching")
        message = InboundMessage(
            channel=Channel.sms, text="Pothole on Elm", sender=Sender(IdentityKind.phone, "+16135550142")
        )
        await _in(b, lambda s: b.runtime.pipeline.ingest(s, message))
        assert await _next(desk, "inbox") == {"type": "inbox"}


async def test_a_display_screen_on_one_process_follows_a_ticket_called_on_the_other(
    two: tuple[LiveApp, LiveApp],
) -> None:
    a, b = two
    place: SomeOffice = await _in(a, lambda s: make_office(s, clerks=1))
    async with _socket(a, "/display/service-centre/live") as screen:
        await _next(screen, "hello")
        await _in(b, lambda s: ticket(s, place))
        assert await _next(screen, "board") == {"type": "board"}

        async def call(s: Any) -> None:
            await seat(s, place)
            await calling.call_next(s, counter=place.counters[0], staff_id=place.clerks[0].id)

        await _in(b, call)
        assert await _next(screen, "board") == {"type": "board"}
    async with httpx.AsyncClient(base_url=a.url) as client:
        board = await client.get("/display/service-centre/_board")
    assert "P-001" in board.text
    assert "Counter 1" in board.text


async def test_a_handler_that_writes_runs_once_where_the_change_committed(two: tuple[LiveApp, LiveApp]) -> None:
    a, b = two
    heard_on_a: concurrent.futures.Future[uuid.UUID] = concurrent.futures.Future()
    for live in (a, b):

        async def project(event: CaseOpened, live: LiveApp = live) -> None:
            async with live.runtime.db.session() as s:
                staff_service.audit(
                    s, actor_kind="system", actor_id=None, action="test.projected", subject_kind="case",
                    subject_id=str(event.case_id),
                )  # fmt: skip
                await s.commit()

        live.runtime.bus.subscribe(CaseOpened, project, Reach.here)

    async def probe(event: CaseOpened) -> None:
        heard_on_a.set_result(event.case_id)

    a.runtime.bus.subscribe(CaseOpened, probe, Reach.everywhere)
    case_id = uuid.uuid4()

    async def opened(s: Any) -> None:
        publish_after_commit(s, CaseOpened(case_id=case_id, reference="TS-2026-000001"))

    await _in(b, opened)
    assert await asyncio.wait_for(asyncio.wrap_future(heard_on_a), LIMIT) == case_id
    for live in (a, b):
        await live.call(live.runtime.bus.wait_idle)
    written = await _in(
        a, lambda s: s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "test.projected"))
    )
    assert written == 1


async def test_redis_restarting_breaks_no_request_and_every_live_page_catches_up(
    two: tuple[LiveApp, LiveApp], redis_server: RedisServer
) -> None:
    a, b = two

    async def seed(s: Any) -> tuple[SomeOffice, str]:
        place = await make_office(s, clerks=1)
        return place, await staff_service.start_session(s, staff_id=place.clerks[0].id, hours=8)

    place, cookie = await _in(a, seed)
    async with (
        _socket(a, "/channels/chat/ws") as on_a,
        _socket(a, "/desk/live", cookie=cookie) as desk,
        _socket(a, "/display/service-centre/live") as screen,
    ):
        await _hello(on_a, secrets.token_urlsafe(32))
        first = await _say(on_a, "Hello?")
        await _next(desk, "hello")
        await _next(screen, "hello")
        redis_server.stop()
        await _say(on_a, "Anyone there?")  # A takes and commits it alone
        await a.call(a.runtime.bus.wait_idle)
        await _settle(desk)  # its own notices of A's work, heard at once
        async with httpx.AsyncClient(base_url=b.url) as client:  # B's rate limits count in B meanwhile
            assert (await client.get("/open311/v2/services.json")).status_code == 200
        missed = await _answer(b, first["conversation_id"], "Yes, sorry for the wait.")  # A never hears of it
        await _in(b, lambda s: ticket(s, place))  # nor of this
        redis_server.start()
        frame = await _next(on_a, "message")  # back in touch, A catches its pages up from the record
        assert (frame["id"], frame["text"]) == (missed, "Yes, sorry for the wait.")
        assert await _next(desk, "inbox") == {"type": "inbox"}
        assert await _next(screen, "board") == {"type": "board"}
        later = await _answer(b, first["conversation_id"], "How can I help?")
        frame = await _next(on_a, "message")
        assert (frame["id"], frame["text"]) == (later, "How can I help?")


def test_an_app_whose_redis_does_not_answer_refuses_to_start_and_says_why(settings: Settings) -> None:
    away = settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"})
    with (
        pytest.raises(RedisUnreachable, match=r"TOWNSQUARE_REDIS_URL is set, but Redis at redis://127\.0\.0\.1:"),
        TestClient(create_app(away)),
    ):
        pass  # the lifespan refuses before the app serves anything
