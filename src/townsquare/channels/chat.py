"""Live chat: the websocket the widget speaks, and the hub that pushes replies to every open device.

The protocol is in docs/channels/chat.md. A device is known only by the SHA-256 of its token; the raw token is
never stored or logged, and neither is what people write. The hub holds this process's sockets and pushes to
them at once; `chat_fanout` brings what happened in other processes. A message nobody is handling is answered by
the assistant first; its replies are pushed as message frames.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import secrets
import uuid
from collections.abc import MutableMapping
from typing import Any

from fastapi import APIRouter, Depends, Request, Response, WebSocket
from starlette.websockets import WebSocketDisconnect

from townsquare.channels.chat_frames import Connection, FrameError, device_hash, frames, message_frame
from townsquare.citizens import sessions as citizen_sessions
from townsquare.citizens import verification
from townsquare.citizens.kinds import IdentityKind
from townsquare.db import Database, Session
from townsquare.db.deps import SessionDep
from townsquare.engagement import chat, resident_limits
from townsquare.engagement.access import VisibleConversation
from townsquare.engagement.messages import InboundMessage, Sender
from townsquare.engagement.pipeline import Pipeline
from townsquare.errors import Problem
from townsquare.events import ChatAgentTyping, ChatDelivered, ChatTyping, EventBus
from townsquare.hygiene import JsonRefused, find_unreadable, load_json
from townsquare.interactions.kinds import Channel
from townsquare.notify.providers import Envelope
from townsquare.ratelimit import RateLimiter
from townsquare.settings import Settings
from townsquare.sockets import parse_uuid, socket_same_origin
from townsquare.staff.auth import public

log = logging.getLogger(__name__)
router = APIRouter(prefix="/channels/chat", tags=["channels"], dependencies=[Depends(public)])

NAMESPACE = "chat"
HISTORY = 50
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32,128}$")
MAX_STRIKES = 50  # refused frames in a row before the socket is closed as abusive
POLICY_VIOLATION = 1008


class ChatHub:
    """The process's open chat sockets; the outbound provider for the chat channel."""

    def __init__(self, settings: Settings, db: Database, pipeline: Pipeline, bus: EventBus) -> None:
        self.settings = settings
        self.db = db
        self.pipeline = pipeline
        self.bus = bus
        self.by_citizen: dict[uuid.UUID, set[Connection]] = {}
        self.by_device: dict[str, set[Connection]] = {}  # tabs of one device share its token
        self.max_frame = settings.chat_max_message_chars * 4 + 1024

    # Outbound provider -------------------------------------------------------------------------------------

    async def send(self, envelope: Envelope) -> str:
        """Push an agent's reply to every open socket of the citizen; offline devices get it on their next hello."""
        key = envelope.idempotency_key
        interaction_id = parse_uuid(key.removeprefix("interaction:")) if key.startswith("interaction:") else None
        text = envelope.payload.get("text")
        async with self.db.session(deferred=True) as session:
            found = await chat.staff_reply(
                session,
                recipient=envelope.recipient,
                interaction_id=interaction_id,
                text=str(text) if text is not None else None,
            )
        if found is not None:
            await self.push(found[0], message_frame(found[1], quick=True))  # a survey's buttons
            if interaction_id is not None:  # and on the person's devices held by other processes
                self.bus.dispatch_soon([ChatDelivered(citizen_id=found[0], interaction_id=interaction_id)])
        return f"chat-{interaction_id or hashlib.sha256(key.encode()).hexdigest()[:32]}"

    async def close(self) -> None:
        """Close every socket past its hello, whether its device has written yet or not (shutdown)."""
        for tabs in list(self.by_device.values()):
            for conn in list(tabs):
                with contextlib.suppress(RuntimeError, OSError):
                    await conn.socket.close(code=1001)
        self.by_citizen.clear()
        self.by_device.clear()

    async def agent_typing(self, citizen_id: uuid.UUID) -> int:
        """Show the agent's typing indicator on the citizen's devices (other processes' too); returns how many
        sockets of this process got it."""
        self.bus.dispatch_soon([ChatAgentTyping(citizen_id=citizen_id)])
        return await self.push(citizen_id, {"type": "typing", "from": "agent"})

    # The socket --------------------------------------------------------------------------------------------

    async def serve(self, socket: WebSocket) -> None:
        """Run one socket from handshake to close."""
        if not socket_same_origin(socket, self.settings.public_url):
            log.warning("chat socket refused: origin not allowed")
            await socket.close(code=POLICY_VIOLATION)
            return
        await socket.accept()
        conn = Connection(socket)
        strikes = 0
        try:
            while True:
                raw = await socket.receive()
                if raw["type"] == "websocket.disconnect":
                    break
                try:
                    if not conn.bucket.take():
                        raise FrameError("rate_limited", "You are sending too fast; wait a moment and try again.")
                    await self._handle(conn, self._parse(raw))
                    strikes = 0
                except FrameError as exc:
                    strikes += 1
                    await conn.push(exc.frame())
                    if strikes >= MAX_STRIKES:
                        await socket.close(code=POLICY_VIOLATION)
                        break
                except JsonRefused as exc:  # too big (1009) or unreadable (1007): the frame cannot be answered
                    log.info("chat socket closed: %s frame", exc.reason)
                    await socket.close(code=exc.close_code, reason=exc.detail[:120])
                    break
        except WebSocketDisconnect:
            pass
        finally:
            self._forget(conn)
            if conn.device is not None:
                tabs = self.by_device.get(conn.device, set())
                tabs.discard(conn)
                if not tabs:
                    self.by_device.pop(conn.device, None)

    def _parse(self, raw: MutableMapping[str, Any]) -> dict[str, Any]:
        """The frame as an object; FrameError for one to answer, JsonRefused for one that closes the socket."""
        data = raw.get("text")
        if data is None and raw.get("bytes") is not None:
            try:
                data = bytes(raw["bytes"]).decode("utf-8")
            except UnicodeDecodeError:
                raise JsonRefused("malformed", "Frames must be UTF-8 JSON text.") from None
        if not isinstance(data, str):
            raise FrameError("bad_frame", "Frames must be JSON text.")
        try:
            frame = load_json(data, max_bytes=self.max_frame)
        except JsonRefused as exc:
            if exc.reason != "malformed":
                raise
            raise FrameError("bad_json", "That frame is not valid JSON.") from None
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            raise FrameError("bad_frame", 'A frame must be a JSON object with a "type".')
        problems = find_unreadable(frame)
        if problems:
            first = problems[0]
            raise FrameError("unreadable_text", f"{first.path} {first.message}.", field=first.path)
        return frame

    async def _handle(self, conn: Connection, frame: dict[str, Any]) -> None:
        kind = frame["type"]
        if kind == "ping":
            await conn.push({"type": "pong"})
            return
        if kind == "hello":
            await self._hello(conn, frame)
            return
        handlers = {
            "message": self._message,
            "typing": self._typing,
            "verify_start": self._verify_start,
            "verify_check": self._verify_check,
        }
        handler = handlers.get(kind)
        if handler is None:
            raise FrameError("unknown_type", f"Unknown frame type {kind[:40]!r}.")
        if conn.device is None:
            raise FrameError("hello_first", 'Send a "hello" frame first.')
        await handler(conn, frame)

    async def _hello(self, conn: Connection, frame: dict[str, Any]) -> None:
        if conn.device is not None:
            raise FrameError("already_hello", "This socket has already said hello.")
        token = frame.get("token")
        if token is not None and (not isinstance(token, str) or not TOKEN_RE.match(token)):
            raise FrameError("bad_token", "That device token is not one this service issues; send hello without it.")
        token = token or secrets.token_urlsafe(32)
        conn.device = device_hash(token)
        self.by_device.setdefault(conn.device, set()).add(conn)
        last_seen = parse_uuid(frame.get("last_seen"))
        await self._join_signed_in(conn)
        async with self.db.session(deferred=True) as session:
            citizen_id = await chat.device_citizen(session, device=conn.device)
            welcome: dict[str, Any] = {"type": "welcome", "token": token, "display_name": None}
            if citizen_id is not None:
                self._register(conn, citizen_id)
                welcome["display_name"] = await chat.verified_name(session, citizen_id=citizen_id)
            shown = await chat.history(session, self.settings, citizen_id=conn.citizen_id, last_seen=last_seen)
        welcome.update({"conversation_id": shown.conversation_id, "messages": frames(shown.lines)})
        await conn.push(welcome)

    async def _message(self, conn: Connection, frame: dict[str, Any]) -> None:
        client_id = parse_uuid(frame.get("client_id"))
        text = frame.get("text")
        if client_id is None:
            raise FrameError("bad_client_id", "A message needs a client_id (a UUID the widget makes up).")
        if not isinstance(text, str) or not text.strip():
            raise FrameError("empty", "Write something before sending.")
        limit = self.settings.chat_max_message_chars
        if len(text) > limit:
            raise FrameError("too_long", f"Messages may be at most {limit} characters; this one is {len(text)}.")
        assert conn.device is not None
        assistant = self.settings.assistant_enabled
        message = InboundMessage(
            channel=Channel.chat,
            external_id=f"{conn.device[:16]}:{client_id}",
            sender=Sender(IdentityKind.device, value=conn.device, namespace=NAMESPACE),
            text=text.strip(),
            assistant=assistant,
            answers_in_band=True,
        )
        try:
            async with self.db.session() as session:
                result = await self.pipeline.handle(session, message)
                await session.commit()
                took = await chat.landed(session, result)
        except Problem as exc:
            raise FrameError("refused", exc.detail) from None
        self._register(conn, took.citizen_id)
        await conn.push(
            {
                "type": "ack",
                "client_id": str(client_id),
                "id": result.interaction_id,
                "conversation_id": took.conversation_id,
                "duplicate": result.duplicate,
            }
        )
        if not result.duplicate:
            await self.push(took.citizen_id, message_frame(took.line), skip=conn)
        for frame in frames(took.answers):
            if result.duplicate:
                await conn.push(frame)  # the other tabs had them the first time
            else:
                await self.push(took.citizen_id, frame)

    async def _typing(self, conn: Connection, frame: dict[str, Any]) -> None:
        if conn.citizen_id is None:
            return  # nobody else can be watching a chat that has no message yet
        await self.push(conn.citizen_id, {"type": "typing", "from": "self"}, skip=conn)
        self.bus.dispatch_soon([ChatTyping(citizen_id=conn.citizen_id)])  # the devices other processes hold

    async def _verify_start(self, conn: Connection, frame: dict[str, Any]) -> None:
        kind = {"phone": IdentityKind.phone, "email": IdentityKind.email}.get(str(frame.get("kind")))
        value = frame.get("value")
        if kind is None or not isinstance(value, str) or not value.strip() or len(value) > 320:
            raise FrameError("bad_contact", 'Give "kind" ("phone" or "email") and the number or address.')
        try:
            async with self.db.session() as session:
                assert conn.device is not None
                owner = await chat.device_identity(session, device=conn.device)
                await self._within_sending_limits(session, conn, kind, value, owner.citizen_id)
                citizen_id, normalised = await chat.start_code(
                    session, self.settings, device=conn.device, kind=kind, raw_value=value
                )
                await session.commit()
        except Problem as exc:
            raise FrameError("refused", exc.detail) from None
        self._register(conn, citizen_id)
        await conn.push(
            {
                "type": "verify_sent",
                "kind": kind.value,
                "to": chat.masked(kind, normalised),
                "expires_in_minutes": self.settings.verification_code_minutes,
            }
        )

    async def _within_sending_limits(
        self, session: Session, conn: Connection, kind: IdentityKind, value: str, citizen_id: uuid.UUID
    ) -> None:
        """The portal's limits on codes per address and per client: a new device must not mean more codes."""
        limiter: RateLimiter = conn.socket.app.state.limiter
        client = conn.socket.client.host if conn.socket.client else "unknown"
        decision = await resident_limits.allow_send(
            session,
            limiter,
            self.settings,
            purpose="chat_code",
            kind=kind,
            raw_value=value,
            client=client,
            citizen_id=citizen_id,
        )
        if not decision.allowed:
            await session.commit()  # the refusal stays in the audit log
            minutes = -(-decision.retry_after // 60)
            raise FrameError("too_many_codes", f"Too many codes were asked for; try again in {minutes} minutes.")

    async def _verify_check(self, conn: Connection, frame: dict[str, Any]) -> None:
        code = frame.get("code")
        if not isinstance(code, str) or not code.strip() or len(code) > 20:
            raise FrameError("bad_code", "Type the 6-digit code you were sent.")
        assert conn.device is not None
        async with self.db.session() as session:
            checked = await chat.check_code(session, self.settings, device=conn.device, code=code)
            await session.commit()
        result = checked.claim
        if result is None:
            raise FrameError(f"code_{checked.outcome.value}", _check_detail(checked))
        if result.merged_from is not None:
            self.refile(result.merged_from, result.citizen_id)
        self._register(conn, result.citizen_id)
        async with self.db.session(deferred=True) as session:
            name = await chat.verified_name(session, citizen_id=result.citizen_id)
            shown = await chat.history(session, self.settings, citizen_id=result.citizen_id, last_seen=None)
        frame_out: dict[str, Any] = {"type": "verified", "display_name": name, "conversation_id": shown.conversation_id}
        frame_out["messages"] = frames(shown.lines)
        await conn.push(frame_out)

    async def _join_signed_in(self, conn: Connection) -> None:
        """One sign-in for the portal and the chat: a resident signed in on this browser owns this device."""
        token = conn.socket.cookies.get(citizen_sessions.CITIZEN_COOKIE)
        if not token:
            return
        assert conn.device is not None
        async with self.db.session() as session:
            result = await chat.join_signed_in(session, device=conn.device, portal_token=token)
            await session.commit()
        if result is not None and result.merged_from is not None:
            self.refile(result.merged_from, result.citizen_id)

    # Fan-out -----------------------------------------------------------------------------------------------

    def _register(self, conn: Connection, citizen_id: uuid.UUID) -> None:
        """File the socket, and every other tab of its device, under the device's citizen."""
        tabs = self.by_device.get(conn.device, set()) if conn.device is not None else set()
        for each in {conn, *tabs}:
            if each.citizen_id != citizen_id:
                self._forget(each)
                each.citizen_id = citizen_id
                self.by_citizen.setdefault(citizen_id, set()).add(each)

    def _forget(self, conn: Connection) -> None:
        if conn.citizen_id is None:
            return
        conns = self.by_citizen.get(conn.citizen_id)
        if conns is not None:
            conns.discard(conn)
            if not conns:
                del self.by_citizen[conn.citizen_id]

    def refile(self, merged: uuid.UUID, survivor: uuid.UUID) -> None:
        """Two records of a person became one: the merged one's sockets are the survivor's now."""
        for other in list(self.by_citizen.get(merged, ())):
            self._register(other, survivor)

    def file_device(self, device: str, citizen_id: uuid.UUID) -> None:
        """The device wrote (on another process): its tabs here are its citizen's, as if it had written here."""
        tabs = self.by_device.get(device)
        if tabs:
            self._register(next(iter(tabs)), citizen_id)

    def unfiled(self) -> bool:
        """Whether a socket here belongs to a device that has not written yet (nobody's, so far)."""
        return any(conn.citizen_id is None for tabs in self.by_device.values() for conn in tabs)

    async def push(self, citizen_id: uuid.UUID, frame: dict[str, Any], skip: Connection | None = None) -> int:
        """Send `frame` to every socket of the citizen held here (but `skip`); how many got it."""
        delivered = 0
        for conn in list(self.by_citizen.get(citizen_id, ())):
            if conn is skip:
                continue
            if await conn.push(frame):
                delivered += 1
            else:
                self._forget(conn)
        return delivered


def _check_detail(checked: chat.CodeChecked) -> str:
    outcome = checked.outcome
    if outcome is verification.Outcome.wrong:
        return f"That code is not right; {checked.attempts_left} tries left."
    if outcome is verification.Outcome.expired:
        return "That code has expired; ask for a new one."
    if outcome is verification.Outcome.exhausted:
        return "Too many wrong codes; ask for a new one."
    return "Ask for a code first."


@router.websocket("/ws")
async def chat_socket(websocket: WebSocket) -> None:
    """The widget's websocket (protocol: docs/channels/chat.md)."""
    hub: ChatHub = websocket.app.state.runtime.chat
    await hub.serve(websocket)


@router.post("/conversations/{conversation_id}/typing", status_code=204)
async def agent_typing(conversation: VisibleConversation, request: Request, session: SessionDep) -> Response:
    """Show the citizen that an agent is typing a reply in this conversation (one the caller may see)."""
    hub: ChatHub = request.app.state.runtime.chat
    await hub.agent_typing(await chat.owner_of(session, citizen_id=conversation.citizen_id))
    return Response(status_code=204)
