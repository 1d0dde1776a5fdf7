"""The desk's websocket: small notices ("your inbox changed", "this citizen has news", "her draft changed", "the
wallboard moved") pushed to signed-in staff, who then fetch the server-rendered fragment.

Notices carry ids only, never what anybody said. The hub holds this process's sockets; the bus brings it the
changes every process commits (`Reach.everywhere`), and after the processes were out of touch every desk here is
told to fetch everything again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Depends, WebSocket
from starlette.websockets import WebSocketDisconnect

from townsquare.casework.types import SUPERVISING, StaffRole
from townsquare.db import Database
from townsquare.events import (
    AgentChanged,
    DraftChanged,
    EventBus,
    FanOutResumed,
    InteractionRecorded,
    Reach,
    ReplyQueued,
    WorkItemChanged,
)
from townsquare.hygiene import JsonRefused, find_unreadable, load_json
from townsquare.routing.board_kept import KeptBoards
from townsquare.settings import Settings
from townsquare.sockets import parse_uuid, send_json, socket_same_origin
from townsquare.staff import service as staff
from townsquare.staff.auth import SESSION_COOKIE, STAFF, declared

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

POLICY_VIOLATION = 1008
SIGNED_OUT = 4401  # the page then falls back to plain reloads, which lead to the sign-in form
MAX_FRAME = 4096
WALLBOARD_INTERVAL = 0.5  # seconds: at most two wallboard notices a second, however busy the queue


@dataclass(eq=False)
class Desk:
    """One open desk page: whose it is, which agencies they see, and what the page shows."""

    socket: WebSocket
    staff_id: uuid.UUID
    agency_ids: frozenset[uuid.UUID] | None  # None: every agency (admins)
    role: StaffRole
    citizen_id: uuid.UUID | None = None
    wallboard: bool = False
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def sees(self, agency_ids: set[uuid.UUID] | None) -> bool:
        """Whether this desk may hear about work of these agencies (None: of unknown agency; nobody but admins)."""
        if self.agency_ids is None:
            return True
        return bool(agency_ids) and not self.agency_ids.isdisjoint(agency_ids or ())

    async def push(self, notice: dict[str, Any]) -> bool:
        """Send a notice; False if the socket is gone."""
        return await send_json(self.socket, self.lock, notice)


class DeskHub:
    """The process's open desks, fed by the event bus."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        bus: EventBus,
        *,
        wallboard_interval: float = WALLBOARD_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.db = db
        self.desks: set[Desk] = set()
        self.wallboard_interval = wallboard_interval
        self.clock = clock
        self._board_agencies: set[uuid.UUID] = set()
        self._board_task: asyncio.Task[None] | None = None
        self._board_last = float("-inf")
        # The wallboard each scope's watchers fetch when told it moved: counted once for them all (routing.board_kept).
        self.boards = KeptBoards(settings.wallboard_max_age_seconds)
        bus.subscribe(WorkItemChanged, self._work_item_changed, Reach.everywhere)
        bus.subscribe(AgentChanged, self._agent_changed, Reach.everywhere)
        bus.subscribe(InteractionRecorded, self._interaction, Reach.everywhere)
        bus.subscribe(ReplyQueued, self._interaction, Reach.everywhere)
        bus.subscribe(DraftChanged, self._draft, Reach.everywhere)
        bus.subscribe(FanOutResumed, self._catch_up, Reach.everywhere)

    async def close(self) -> None:
        """Close every socket (shutdown)."""
        if self._board_task is not None:
            self._board_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._board_task
        for desk in list(self.desks):
            with contextlib.suppress(RuntimeError, OSError):
                await desk.socket.close(code=1001)
        self.desks.clear()

    # The socket --------------------------------------------------------------------------------------------

    async def serve(self, socket: WebSocket) -> None:
        """Run one desk socket from handshake to close."""
        if not socket_same_origin(socket, self.settings.public_url):
            log.warning("desk socket refused: origin not allowed")
            await socket.close(code=POLICY_VIOLATION)
            return
        desk = await self._authenticate(socket)
        if desk is None:
            await socket.close(code=SIGNED_OUT)
            return
        await socket.accept()
        self.desks.add(desk)
        try:
            await desk.push({"type": "hello"})
            while True:
                raw = await socket.receive()
                if raw["type"] == "websocket.disconnect":
                    break
                await self._handle(desk, raw)
        except WebSocketDisconnect:
            pass
        except JsonRefused as exc:  # 1009 too big, 1007 nested too deep
            log.info("desk socket closed: %s frame", exc.reason)
            await socket.close(code=exc.close_code, reason=exc.detail[:120])
        finally:
            self.desks.discard(desk)

    async def _authenticate(self, socket: WebSocket) -> Desk | None:
        token = socket.cookies.get(SESSION_COOKIE)
        if not token:
            return None
        idle = getattr(getattr(socket.app.state, "settings", None), "staff_idle_minutes", None)
        async with self.db.session(deferred=True) as session:
            account = await staff.staff_for_session(session, token=token, idle_minutes=idle)
            if account is None:
                return None
        scope = None if account.role is StaffRole.admin else account.agency_ids
        return Desk(socket, account.id, scope, account.role)

    async def _handle(self, desk: Desk, raw: MutableMapping[str, Any]) -> None:
        """Answer one frame; JsonRefused (the socket is then closed) for one too big or nested too deep."""
        data = raw.get("text")
        if not isinstance(data, str):
            await desk.push({"type": "error", "detail": "Send JSON text of at most 4 KB."})
            return
        try:
            frame = load_json(data, max_bytes=MAX_FRAME)
        except JsonRefused as exc:
            if exc.reason != "malformed":
                raise
            frame = None
        if not isinstance(frame, dict):
            await desk.push({"type": "error", "detail": "That frame is not a JSON object."})
            return
        problems = find_unreadable(frame)
        if problems:
            detail = f"{problems[0].path} {problems[0].message}."
            await desk.push({"type": "error", "detail": detail, "field": problems[0].path})
            return
        if frame.get("type") == "ping":
            await desk.push({"type": "pong"})
            return
        watch = frame.get("watch")
        if not isinstance(watch, dict):
            await desk.push({"type": "error", "detail": 'Send {"watch": {...}} or {"type": "ping"}.'})
            return
        desk.citizen_id = parse_uuid(watch.get("citizen_id"))
        desk.wallboard = bool(watch.get("wallboard")) and desk.role in SUPERVISING
        await desk.push({"type": "watching", "citizen_id": str(desk.citizen_id) if desk.citizen_id else None})

    # Fan-out -----------------------------------------------------------------------------------------------

    async def _send(self, notice: dict[str, Any], wanted: Callable[[Desk], bool]) -> int:
        delivered = 0
        for desk in list(self.desks):
            if not wanted(desk):
                continue
            if await desk.push(notice):
                delivered += 1
            else:
                self.desks.discard(desk)
        return delivered

    async def _work_item_changed(self, event: WorkItemChanged) -> None:
        holder, citizen_id, agencies = event.staff_id, event.citizen_id, {event.agency_id}
        await self._send({"type": "inbox"}, lambda d: d.staff_id == holder or d.sees(agencies))
        if citizen_id is not None:
            await self._send({"type": "citizen", "citizen_id": str(citizen_id)}, lambda d: d.citizen_id == citizen_id)
        self.wallboard_changed(agencies)

    async def _agent_changed(self, event: AgentChanged) -> None:
        if not self.desks:
            self.boards.moved()  # no desk here to tell (every process hears every change), but no stale board kept
            return
        staff_id = event.staff_id
        await self._send({"type": "inbox"}, lambda d: d.staff_id == staff_id)
        async with self.db.session(deferred=True) as session:
            agencies = await staff.agency_ids_for(session, staff_id=staff_id)
        self.wallboard_changed(agencies)

    async def _interaction(self, event: InteractionRecorded | ReplyQueued) -> None:
        citizen_id = event.citizen_id
        await self._send({"type": "citizen", "citizen_id": str(citizen_id)}, lambda d: d.citizen_id == citizen_id)

    async def _draft(self, event: DraftChanged) -> None:
        """A draft of the citizen changed (her answers, or the link to fill it in together): the work page's
        "Fill in a form together" panel fetches itself again."""
        citizen_id = event.citizen_id
        await self._send({"type": "draft", "citizen_id": str(citizen_id)}, lambda d: d.citizen_id == citizen_id)

    async def _catch_up(self, event: FanOutResumed) -> None:
        """Notices may have been missed while the processes were out of touch: every desk fetches what it shows."""
        for desk in list(self.desks):
            notices: list[dict[str, Any]] = [{"type": "inbox"}]
            if desk.citizen_id is not None:
                notices += [{"type": kind, "citizen_id": str(desk.citizen_id)} for kind in ("citizen", "draft")]
            if desk.wallboard:
                notices.append({"type": "wallboard"})
            for notice in notices:
                if not await desk.push(notice):
                    self.desks.discard(desk)
                    break

    # The wallboard's throttle ------------------------------------------------------------------------------

    def wallboard_changed(self, agency_ids: set[uuid.UUID]) -> None:
        """Note that these agencies' boards moved; watchers get one notice per interval, however many changes."""
        self._board_agencies |= agency_ids
        if self._board_task is None or self._board_task.done():
            self._board_task = asyncio.get_running_loop().create_task(self._flush_board())

    async def _flush_board(self) -> None:
        wait = self._board_last + self.wallboard_interval - self.clock()
        if wait > 0:
            await asyncio.sleep(wait)
        agencies, self._board_agencies = self._board_agencies, set()
        self._board_last = self.clock()
        self.boards.moved()  # what the watchers fetch on this notice is counted again, once, for them all
        self._board_task = None  # changes from here on schedule the next notice
        await self._send({"type": "wallboard"}, lambda d: d.wallboard and d.sees(agencies))


# The socket reads the staff session cookie itself (and the Origin) before it accepts.
@router.websocket("/desk/live", dependencies=[Depends(declared(STAFF))])
async def desk_socket(websocket: WebSocket) -> None:
    """The desk pages' websocket: notices only; the page fetches fragments."""
    hub: DeskHub = websocket.app.state.runtime.desk
    await hub.serve(websocket)


__all__ = ["DeskHub", "router"]
