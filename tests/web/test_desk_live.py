"""The desk websocket: only signed-in staff from our own pages; notices reach the right desks; the wallboard's
notices are throttled.

Starlette's TestClient runs the app on its own event loop; the test reaches the database and the bus through
the client's portal. After the bus is idle, a ping's pong is the next frame: any notice sent before it is seen.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.factories import PASSWORD, create_agency, create_citizen, create_service, create_staff
from townsquare.agencies.models import Agency
from townsquare.app import Runtime, build_runtime, create_app
from townsquare.citizens.models import IdentityKind
from townsquare.drafts import service as drafts
from townsquare.engagement.messages import InboundMessage, Sender
from townsquare.interactions.models import Channel
from townsquare.routing import agents
from townsquare.routing.models import Presence
from townsquare.settings import Settings
from townsquare.staff.models import StaffRole
from townsquare.web.desk.live import DeskHub

T = TypeVar("T")
WS = "/desk/live"
ORIGIN = {"origin": "http://testserver"}
PHONE = "+16135550142"


@dataclass
class Env:
    runtime: Runtime
    app: Any
    ids: dict[str, uuid.UUID]

    def client(self) -> TestClient:
        return TestClient(self.app, base_url="http://testserver")

    def run(self, client: TestClient, fn: Callable[[], Awaitable[T]]) -> T:
        assert client.portal is not None
        return client.portal.call(fn)

    def idle(self, client: TestClient) -> None:
        self.run(client, self.runtime.bus.wait_idle)

    def sign_in(self, client: TestClient, email: str) -> None:
        response = client.post("/desk/sign-in", data={"email": email, "password": PASSWORD}, follow_redirects=False)
        assert response.status_code == 303


@pytest.fixture
def env(settings: Settings) -> Iterator[Env]:
    quiet = settings.model_copy(update={"routing_worker": False})
    # Each TestClient runs its own event loop; pooled PostgreSQL connections belong to the loop that opened them.
    runtime = build_runtime(quiet, pool=False)
    app = create_app(quiet, runtime)
    ids: dict[str, uuid.UUID] = {}
    with TestClient(app, base_url="http://testserver") as setup:

        async def seed() -> None:
            async with runtime.db.session() as s:
                works = await create_agency(s)
                revenue = await create_agency(s, slug="revenue", name="Revenue")
                ids["works"], ids["revenue"] = works.id, revenue.id
                ids["ana"] = (await create_staff(s, email="ana@city.example", agencies=[works])).id
                ids["ben"] = (await create_staff(s, email="ben@city.example", agencies=[revenue])).id
                sue = await create_staff(s, email="sue@city.example", role=StaffRole.supervisor, agencies=[works])
                ids["sue"] = sue.id
                ids["maria"] = (await create_citizen(s, name="Maria Lopez", phone=PHONE)).id
                await s.commit()

        assert setup.portal is not None
        setup.portal.call(seed)
        yield Env(runtime, app, ids)


def _next(ws: Any) -> dict[str, Any]:
    frame: dict[str, Any] = ws.receive_json()
    return frame


def _open(ws: Any, watch: dict[str, Any] | None = None) -> None:
    assert _next(ws) == {"type": "hello"}
    ws.send_json({"watch": watch or {}})
    assert _next(ws)["type"] == "watching"


def _settle(env: Env, client: TestClient, ws: Any) -> list[dict[str, Any]]:
    """Every notice sent to this socket so far (the bus is drained; the pong closes the list)."""
    env.idle(client)
    ws.send_json({"type": "ping"})
    seen = []
    while (frame := _next(ws)) != {"type": "pong"}:
        seen.append(frame)
    return seen


def _text_in(env: Env, client: TestClient) -> None:
    async def go() -> None:
        async with env.runtime.db.session() as s:
            message = InboundMessage(
                channel=Channel.sms, text="Pothole on Elm", sender=Sender(IdentityKind.phone, PHONE)
            )
            await env.runtime.pipeline.ingest(s, message)

    env.run(client, go)


def test_sockets_from_other_sites_or_without_a_session_are_refused(env: Env) -> None:
    with env.client() as client:
        with pytest.raises(WebSocketDisconnect) as signed_out, client.websocket_connect(WS, headers=ORIGIN) as ws:
            ws.receive_json()
        assert signed_out.value.code == 4401
        env.sign_in(client, "ana@city.example")
        evil = {"origin": "https://evil.example"}
        with pytest.raises(WebSocketDisconnect) as refused, client.websocket_connect(WS, headers=evil) as ws:
            ws.receive_json()
        assert refused.value.code == 1008
        with client.websocket_connect(WS, headers=ORIGIN) as ws:
            _open(ws)
            ws.send_text("not json")
            assert _next(ws)["type"] == "error"
            ws.send_json({"watch": "everything"})
            assert _next(ws)["type"] == "error"


def test_new_work_reaches_the_agencys_desks_and_a_desk_watching_the_citizen(env: Env) -> None:
    with env.client() as ana_client, env.client() as ben_client:
        env.sign_in(ana_client, "ana@city.example")
        env.sign_in(ben_client, "ben@city.example")
        with (
            ana_client.websocket_connect(WS, headers=ORIGIN) as ana,
            ben_client.websocket_connect(WS, headers=ORIGIN) as ben,
        ):
            _open(ana, {"citizen_id": str(env.ids["maria"])})
            _open(ben)
            _text_in(env, ana_client)
            seen = _settle(env, ana_client, ana)
            assert {"type": "inbox"} in seen
            assert {"type": "citizen", "citizen_id": str(env.ids["maria"])} in seen
            assert all(frame.get("type") != "wallboard" for frame in seen)  # ana is not watching a wallboard
            assert _settle(env, ben_client, ben) == []  # another agency's work, another citizen


def test_a_change_to_her_draft_reaches_the_desks_watching_her_and_no_other(env: Env) -> None:
    with env.client() as ana_client, env.client() as ben_client:
        env.sign_in(ana_client, "ana@city.example")
        env.sign_in(ben_client, "ben@city.example")
        with (
            ana_client.websocket_connect(WS, headers=ORIGIN) as ana,
            ben_client.websocket_connect(WS, headers=ORIGIN) as ben,
        ):
            _open(ana, {"citizen_id": str(env.ids["maria"])})
            _open(ben)

            async def she_saves() -> None:
                async with env.runtime.db.session() as s:
                    service = await create_service(s, agency=await s.get_one(Agency, env.ids["works"]), code="BIN")
                    draft = await drafts.start_or_resume(s, citizen_id=env.ids["maria"], service_id=service.id)
                    await drafts.save(s, draft_id=draft.id, citizen_id=draft.citizen_id, base_version=0,
                                      changes={"size": "large answer she typed"})  # fmt: skip
                    await s.commit()

            env.run(ana_client, she_saves)
            seen = _settle(env, ana_client, ana)
            assert seen == [{"type": "draft", "citizen_id": str(env.ids["maria"])}]  # ids only, never her answer
            assert _settle(env, ben_client, ben) == []


def test_presence_changes_refresh_the_agents_inbox_and_their_supervisors_wallboard(env: Env) -> None:
    with env.client() as ana_client, env.client() as sue_client, env.client() as ben_client:
        env.sign_in(ana_client, "ana@city.example")
        env.sign_in(sue_client, "sue@city.example")
        env.sign_in(ben_client, "ben@city.example")
        with (
            ana_client.websocket_connect(WS, headers=ORIGIN) as ana,
            sue_client.websocket_connect(WS, headers=ORIGIN) as sue,
            ben_client.websocket_connect(WS, headers=ORIGIN) as ben,
        ):
            _open(ana, {"wallboard": True})  # agents may not watch the wallboard
            _open(sue, {"wallboard": True})
            _open(ben)

            async def available() -> None:
                async with env.runtime.db.session() as s:
                    await agents.set_presence(s, staff_id=env.ids["ana"], presence=Presence.available)
                    await s.commit()

            env.run(ana_client, available)
            env.idle(ana_client)
            hub: DeskHub = env.runtime.desk
            task = hub._board_task
            if task is not None:
                env.run(ana_client, lambda: task)
            assert _settle(env, ana_client, ana) == [{"type": "inbox"}]
            assert _settle(env, sue_client, sue) == [{"type": "wallboard"}]
            assert _settle(env, ben_client, ben) == []


def test_a_burst_of_changes_sends_the_wallboard_one_notice_per_interval(env: Env) -> None:
    with env.client() as client:
        env.sign_in(client, "sue@city.example")
        hub: DeskHub = env.runtime.desk
        hub.wallboard_interval = 0.2
        with client.websocket_connect(WS, headers=ORIGIN) as sue:
            _open(sue, {"wallboard": True})

            async def burst() -> None:
                before = hub.boards.generation
                for _ in range(20):
                    hub.wallboard_changed({env.ids["works"]})
                first = hub._board_task
                assert first is not None
                await first
                assert hub.boards.generation == before + 1  # the board its watchers fetch is counted again, once
                for _ in range(20):
                    hub.wallboard_changed({env.ids["works"], env.ids["revenue"]})
                second = hub._board_task
                assert second is not None
                assert second is not first
                await second
                hub.wallboard_changed({env.ids["revenue"]})  # not sue's agency
                third = hub._board_task
                assert third is not None
                await third

            env.run(client, burst)
            assert _settle(env, client, sue) == [{"type": "wallboard"}, {"type": "wallboard"}]
