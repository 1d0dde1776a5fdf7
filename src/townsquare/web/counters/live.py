"""The display screens' websocket: each screen of an office hears "board" when one of the office's tickets moves
(`CounterTicketChanged`), then fetches the server-rendered board. Notices carry nothing else.

Public like the screen itself (no personal data passes), from our own Origin only. The hub holds this process's
sockets; the bus brings it the tickets every process moves, and after the processes were out of touch every screen
fetches its board again. Screens also poll, as a fallback.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from starlette.websockets import WebSocket, WebSocketDisconnect

from townsquare.events import CounterTicketChanged, EventBus, FanOutResumed, Reach
from townsquare.settings import Settings
from townsquare.sockets import send_json, socket_same_origin

log = logging.getLogger(__name__)
POLICY_VIOLATION = 1008
MAX_FRAME = 256


@dataclass(eq=False)
class Screen:
    socket: WebSocket
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class DisplayHub:
    """The process's open display screens by office, fed by the event bus."""

    def __init__(self, settings: Settings, bus: EventBus) -> None:
        self.settings = settings
        self.screens: dict[uuid.UUID, set[Screen]] = defaultdict(set)
        bus.subscribe(CounterTicketChanged, self._changed, Reach.everywhere)
        bus.subscribe(FanOutResumed, self._catch_up, Reach.everywhere)

    async def serve(self, socket: WebSocket, office_id: uuid.UUID) -> None:
        """Run one screen's socket from handshake to close."""
        if not socket_same_origin(socket, self.settings.public_url):
            log.warning("display socket refused: origin not allowed")
            await socket.close(code=POLICY_VIOLATION)
            return
        await socket.accept()
        screen = Screen(socket)
        self.screens[office_id].add(screen)
        try:
            await send_json(socket, screen.lock, {"type": "hello"})
            while True:
                raw = await socket.receive()
                if raw["type"] == "websocket.disconnect":
                    break
                text = raw.get("text")
                if isinstance(text, str) and len(text) <= MAX_FRAME and '"ping"' in text:
                    await send_json(socket, screen.lock, {"type": "pong"})
        except WebSocketDisconnect:
            pass
        finally:
            self.screens[office_id].discard(screen)

    async def _changed(self, event: CounterTicketChanged) -> None:
        await self._tell(event.office_id)

    async def _catch_up(self, event: FanOutResumed) -> None:
        for office_id in list(self.screens):
            await self._tell(office_id)

    async def _tell(self, office_id: uuid.UUID) -> None:
        for screen in list(self.screens.get(office_id, ())):
            if not await send_json(screen.socket, screen.lock, {"type": "board"}):
                self.screens[office_id].discard(screen)

    async def close(self) -> None:
        """Close every socket (shutdown)."""
        for screens in self.screens.values():
            for screen in list(screens):
                with contextlib.suppress(RuntimeError, OSError):
                    await screen.socket.close(code=1001)
        self.screens.clear()
