"""What the chat hub hears from the event bus: a person's chat lines, typing and replies that another process
handled (or another channel recorded), pushed to the sockets this process holds; merges; and the catch-up after
the bus between processes was down.

Events carry ids only, so each line is read from the record here, exactly as a device's next `hello` would read it.
"""

from __future__ import annotations

import asyncio
import uuid

from townsquare.channels.chat import ChatHub
from townsquare.channels.chat_frames import Connection, frames, message_frame
from townsquare.engagement import chat
from townsquare.events import (
    ChatAgentTyping,
    ChatDelivered,
    ChatTyping,
    CitizensMerged,
    ContactClaimed,
    EventBus,
    FanOutResumed,
    InteractionRecorded,
    Reach,
)
from townsquare.interactions.kinds import Channel


class ChatFanOut:
    """The chat hub's subscriptions. Lines are pushed one event at a time, in the order they arrive."""

    def __init__(self, hub: ChatHub, bus: EventBus) -> None:
        self.hub = hub
        self.db = hub.db
        self._in_order = asyncio.Lock()  # handlers start in arrival order; FIFO waiters keep it
        bus.subscribe(InteractionRecorded, self._elsewhere_channel, Reach.everywhere)
        bus.subscribe(InteractionRecorded, self._chat_line, Reach.elsewhere)
        bus.subscribe(ChatDelivered, self._delivered, Reach.elsewhere)
        bus.subscribe(ChatTyping, self._resident_typing, Reach.elsewhere)
        bus.subscribe(ChatAgentTyping, self._agent_typing, Reach.elsewhere)
        bus.subscribe(ContactClaimed, self._claimed, Reach.everywhere)
        bus.subscribe(CitizensMerged, self._merged, Reach.everywhere)
        bus.subscribe(FanOutResumed, self._catch_up, Reach.everywhere)

    async def _elsewhere_channel(self, event: InteractionRecorded) -> None:
        """A citizen with chat open wrote on another channel: show it in their chat too (one conversation)."""
        if event.channel == Channel.chat.value or event.citizen_id not in self.hub.by_citizen:
            return
        async with self._in_order:
            async with self.db.session(deferred=True) as session:
                line = await chat.message_elsewhere(session, interaction_id=event.interaction_id)
            if line is not None:
                await self.hub.push(event.citizen_id, message_frame(line))

    async def _chat_line(self, event: InteractionRecorded) -> None:
        """A device's message taken by another process, or the answers it got: its other devices here show them
        (the process that took it pushed to its own)."""
        if event.channel != Channel.chat.value:
            return
        async with self._in_order:
            if event.citizen_id not in self.hub.by_citizen and not self.hub.unfiled():
                return
            async with self.db.session(deferred=True) as session:
                shown = await chat.shown_line(session, interaction_id=event.interaction_id)
            if shown is None:
                return
            if shown.device is not None:
                self.hub.file_device(shown.device, shown.citizen_id)
            await self.hub.push(shown.citizen_id, message_frame(shown.line, quick=True))

    async def _delivered(self, event: ChatDelivered) -> None:
        """An agent's reply the outbox handed to another process's hub."""
        async with self._in_order:
            if event.citizen_id not in self.hub.by_citizen:
                return
            async with self.db.session(deferred=True) as session:
                found = await chat.staff_reply(
                    session, recipient=str(event.citizen_id), interaction_id=event.interaction_id, text=None
                )
            if found is not None:
                await self.hub.push(found[0], message_frame(found[1], quick=True))

    async def _resident_typing(self, event: ChatTyping) -> None:
        await self.hub.push(event.citizen_id, {"type": "typing", "from": "self"})

    async def _agent_typing(self, event: ChatAgentTyping) -> None:
        await self.hub.push(event.citizen_id, {"type": "typing", "from": "agent"})

    async def _claimed(self, event: ContactClaimed) -> None:
        self.hub.refile(event.merged_citizen_id, event.citizen_id)

    async def _merged(self, event: CitizensMerged) -> None:
        self.hub.refile(event.merged_citizen_id, event.citizen_id)

    async def _catch_up(self, event: FanOutResumed) -> None:
        """Lines may have been missed while the processes were out of touch: each socket gets what came after the
        last line it was sent, read from the record (the widget shows each line once, by its id)."""
        async with self._in_order:
            groups: dict[tuple[uuid.UUID, uuid.UUID | None], list[Connection]] = {}
            for citizen_id, conns in list(self.hub.by_citizen.items()):
                for conn in conns:
                    groups.setdefault((citizen_id, conn.last_line), []).append(conn)
            for (citizen_id, last_line), group in groups.items():
                async with self.db.session(deferred=True) as session:
                    shown = await chat.history(session, self.hub.settings, citizen_id=citizen_id, last_seen=last_line)
                for frame in frames(shown.lines):
                    for conn in group:
                        await conn.push(frame)
