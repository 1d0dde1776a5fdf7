"""The display screen: the tickets called and their counters, each service's line and estimated wait, and never
who holds a ticket; live over its socket, which tells the office's screens (only them) when a ticket moves and
refuses another site's pages.

Starlette's TestClient runs the app on its own loop; the test reaches the database and the bus through its portal.
After the bus is idle, a ping's pong is the next frame, so any notice sent before it has been seen.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.factories import create_agency
from tests.support.counters import SomeOffice, make_office, seat, ticket
from townsquare.app import build_runtime, create_app
from townsquare.counters import calling
from townsquare.counters.kinds import CheckIn
from townsquare.engagement import counter
from townsquare.engagement.counter import Visit
from townsquare.settings import Settings

T = TypeVar("T")
ORIGIN = {"origin": "http://testserver"}
PHONE = "+16135550142"


class Env:
    def __init__(self, settings: Settings) -> None:
        quiet = settings.model_copy(update={"routing_worker": False})
        self.runtime = build_runtime(quiet, pool=False)  # TestClient runs its own loop: no pooled connections
        self.app = create_app(quiet, self.runtime)

    def run(self, client: TestClient, fn: Callable[[], Awaitable[T]]) -> T:
        assert client.portal is not None
        return client.portal.call(fn)

    def settle(self, client: TestClient, ws: Any) -> list[dict[str, Any]]:
        """Every notice sent to this socket so far."""
        self.run(client, self.runtime.bus.wait_idle)
        ws.send_json({"type": "ping"})
        seen = []
        while (frame := ws.receive_json()) != {"type": "pong"}:
            seen.append(frame)
        return seen


@pytest.fixture
def env(settings: Settings) -> Env:
    return Env(settings)


def _office(env: Env, client: TestClient, slug: str = "service-centre") -> SomeOffice:
    async def go() -> SomeOffice:
        async with env.runtime.db.session() as s:
            agency = await create_agency(s, slug=f"agency-{slug}", name=f"Agency {slug}")
            place = await make_office(s, slug=slug, agency=agency, clerks=1)
            await s.commit()
            return place

    return env.run(client, go)


def test_the_screen_shows_calls_and_waits_and_no_one_s_details(env: Env) -> None:
    with TestClient(env.app, base_url="http://testserver") as client:
        place = _office(env, client)

        async def go() -> None:
            async with env.runtime.db.session() as s:
                visit = Visit(place.office, place.permit.code, "en", CheckIn.kiosk, phone=PHONE)
                await counter.check_in(s, env.runtime.pipeline, visit)
                await ticket(s, place)
                await seat(s, place)
                await calling.call_next(s, counter=place.counters[0], staff_id=place.clerks[0].id)
                await s.commit()

        env.run(client, go)
        page = client.get("/display/service-centre")
        assert page.status_code == 200
        assert "P-001" in page.text
        assert "Counter 1" in page.text
        assert "Parking permit" in page.text
        assert "613" not in page.text  # the phone given at the kiosk is nowhere on the screen
        assert 'http-equiv="refresh"' in page.text  # without JavaScript, the screen reloads itself
        french = client.get("/display/service-centre/_board?lang=fr")
        assert "Guichet 1" in french.text
        assert client.get("/display/nowhere").status_code == 404


def test_the_socket_tells_an_office_s_screens_when_one_of_its_tickets_moves(env: Env) -> None:
    with TestClient(env.app, base_url="http://testserver") as client:
        place = _office(env, client)
        elsewhere = _office(env, client, slug="north")

        def take(where: SomeOffice) -> None:
            async def go() -> None:
                async with env.runtime.db.session() as s:
                    await ticket(s, where)
                    await s.commit()

            env.run(client, go)

        with client.websocket_connect("/display/service-centre/live", headers=ORIGIN) as ws:
            assert ws.receive_json() == {"type": "hello"}
            take(elsewhere)
            assert env.settle(client, ws) == []
            take(place)
            assert env.settle(client, ws) == [{"type": "board"}]
        evil = {"origin": "https://evil.example"}
        with (
            pytest.raises(WebSocketDisconnect) as refused,
            client.websocket_connect("/display/service-centre/live", headers=evil) as ws,
        ):
            ws.receive_json()
        assert refused.value.code == 1008
        with (
            pytest.raises(WebSocketDisconnect) as unknown,
            client.websocket_connect("/display/nowhere/live", headers=ORIGIN) as ws,
        ):
            ws.receive_json()
        assert unknown.value.code == 1008
