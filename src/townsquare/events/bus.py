"""The event bus, with publish-after-commit semantics, within a process and (through a relay) across them.

Events queued on a session are dispatched only after that session's transaction commits, and dropped on
rollback, so no listener (websocket push, outbox wake-up, projection) ever sees a change that did not happen.
Subscribers name the event type (a class of `events.catalogue`), never a string, and where they run (`Reach`).
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, TypeVar, cast

from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from townsquare.events.catalogue import Event

log = logging.getLogger(__name__)

E = TypeVar("E", bound=Event)
Handler = Callable[[Event], Awaitable[None]]
_PENDING = "townsquare.pending_events"
_BUS = "townsquare.bus"


class Reach(enum.Enum):
    """Where a handler runs once a deployment has several processes (alone, `here` and `everywhere` are the same
    and `elsewhere` never runs)."""

    here = "here"  # only in the process where the change committed: anything that writes (projections, rows)
    everywhere = "everywhere"  # in every process: pushing to that process's sockets, waking its workers
    elsewhere = "elsewhere"  # in every other process: the committing process did its part inline already


class Relay(Protocol):
    """What carries events to the other processes (`events.remote`); `send` must never block nor raise."""

    def send(self, events: Sequence[Event]) -> None: ...


class EventBus:
    """Subscribers by event type; dispatch runs each handler in its own task."""

    def __init__(self) -> None:
        self._handlers: dict[str, list[tuple[Handler, Reach]]] = defaultdict(list)
        self._tasks: set[asyncio.Task[None]] = set()
        self.relay: Relay | None = None  # set when other processes share the deployment

    def subscribe(self, kind: type[E], handler: Callable[[E], Awaitable[None]], reach: Reach = Reach.here) -> None:
        """Call `handler` with every event of type `kind`, in the processes `reach` names."""
        self._handlers[kind.name].append((cast(Handler, handler), reach))

    def publish_after_commit(self, session: AsyncSession | Session, event: Event) -> None:
        """Queue `event` to be dispatched when the session's transaction commits."""
        sync = session.sync_session if isinstance(session, AsyncSession) else session
        if not sync.in_transaction():
            # Tie the event to a transaction (no I/O yet): a rollback now always ends it and drops the event.
            sync.begin()
        sync.info[_BUS] = self
        sync.info.setdefault(_PENDING, []).append(event)

    def dispatch_soon(self, events: Sequence[Event]) -> None:
        """Schedule this process's handlers for `events` (committed here, or happening outside any transaction)
        on the running loop, and hand them to the relay for the other processes."""
        self._schedule(events, (Reach.here, Reach.everywhere))
        if self.relay is not None and events:
            self.relay.send(events)

    def receive(self, events: Sequence[Event]) -> None:
        """Schedule the handlers that run for `events` committed in another process."""
        self._schedule(events, (Reach.everywhere, Reach.elsewhere))

    def _schedule(self, events: Sequence[Event], reaches: tuple[Reach, ...]) -> None:
        loop = asyncio.get_running_loop()
        for ev in events:
            for handler, reach in self._handlers.get(ev.name, ()):
                if reach in reaches:
                    task = loop.create_task(self._run(handler, ev))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)

    async def _run(self, handler: Handler, ev: Event) -> None:
        try:
            await handler(ev)
        except Exception:
            log.exception("event handler failed for %s", ev.name)

    async def wait_idle(self) -> None:
        """Wait until every dispatched handler has finished (tests and shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


@sa_event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    events: list[Event] = session.info.pop(_PENDING, [])
    bus: EventBus | None = session.info.get(_BUS)
    if events and bus is not None:
        bus.dispatch_soon(events)


@sa_event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: object) -> None:
    if session.in_transaction():
        return
    session.info.pop(_PENDING, None)


def queued_events(session: Session) -> list[Event]:
    """The events waiting for this session's commit (read by `before_commit` listeners that write more rows)."""
    return list(session.info.get(_PENDING, []))


def publish_after_commit(session: AsyncSession | Session, event: Event) -> None:
    """Queue an event on the bus the session was made with (see db.Database); dispatched after commit."""
    sync = session.sync_session if isinstance(session, AsyncSession) else session
    bus = sync.info.get(_BUS)
    if bus is None:
        raise RuntimeError("this session was not made by townsquare.db.Database, so it has no event bus")
    bus.publish_after_commit(session, event)
