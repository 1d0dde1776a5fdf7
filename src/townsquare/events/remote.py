"""The bus between processes: every event a process dispatches is published on one Redis pub/sub channel, and
each process hands what the others published to its own handlers (`EventBus.receive`).

At most once, by design: the database is the record, an event only says "look again". A process that loses
Redis carries on alone (its own handlers still run, nothing it commits is lost), logs once, reconnects with
capped back-off and then catches up (`FanOutResumed`). Events carry ids only: Redis never holds what anyone said.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from townsquare.events.bus import EventBus
from townsquare.events.catalogue import CATALOGUE, Event, FanOutResumed

log = logging.getLogger(__name__)

WIRE_VERSION = 1
HEARTBEAT_SECONDS = 5.0  # a silent subscription is pinged this often; three beats unanswered and it is dropped
Trouble = (RedisError, OSError, TimeoutError)


class RedisUnreachable(RuntimeError):
    """Redis was named (TOWNSQUARE_REDIS_URL) but does not answer at start-up."""


def redacted(url: str) -> str:
    """The URL without its password, fit for a log line or an error."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def encode(origin: uuid.UUID, events: Sequence[Event]) -> str:
    """One message for the channel: who sent it and its events, in the order they were dispatched."""
    body = {"v": WIRE_VERSION, "from": str(origin), "events": [{"name": e.name, "data": e.data} for e in events]}
    return json.dumps(body, separators=(",", ":"))


def decode(raw: bytes | str) -> tuple[uuid.UUID, list[Event]]:
    """The sender and the events of a message (ValueError if it is not one; unknown event names are skipped, as
    a newer process may send them during a rolling upgrade)."""
    body = json.loads(raw)
    if not isinstance(body, dict) or body.get("v") != WIRE_VERSION or not isinstance(body.get("events"), list):
        raise ValueError("not a message of this bus")
    events: list[Event] = []
    for item in body["events"]:
        name = item.get("name") if isinstance(item, dict) else None
        kind = CATALOGUE.get(name) if isinstance(name, str) else None
        if kind is not None and isinstance(item.get("data"), dict):
            events.append(kind.from_data(item["data"]))
    return uuid.UUID(str(body["from"])), events


class RedisRelay:
    """This process's end of the bus between processes: a publisher fed by `send`, and a subscriber."""

    def __init__(
        self,
        url: str,
        *,
        channel: str,
        connect_timeout: float = 2.0,
        backoff: tuple[float, float] = (0.1, 5.0),
        queue_limit: int = 10_000,
    ) -> None:
        self.url = url
        self.channel = channel
        self.process_id = uuid.uuid4()
        self.connect_timeout = connect_timeout
        self.backoff_first, self.backoff_cap = backoff
        self.queue_limit = queue_limit
        self._bus: EventBus | None = None
        self._client: Redis | None = None
        self._queue: asyncio.Queue[list[Event]] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._subscribed = asyncio.Event()
        self._down_since: float | None = None
        self._unheard = False  # the publisher is out of touch: the others will have to catch up
        self.outages = 0  # how many times touch was lost (tests and metrics read it)

    def attach(self, bus: EventBus) -> None:
        """Carry `bus`'s events to the other processes, and theirs to it."""
        self._bus = bus
        bus.relay = self

    # Start and stop ----------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Check that Redis answers (RedisUnreachable if not), subscribe, and start publishing."""
        client = Redis.from_url(
            self.url,
            socket_connect_timeout=self.connect_timeout,
            socket_timeout=max(self.connect_timeout, HEARTBEAT_SECONDS),
            retry=Retry(NoBackoff(), 0),  # the relay retries itself, so it knows when touch was lost
        )
        try:
            await client.ping()
        except Trouble as exc:
            await client.aclose()
            raise RedisUnreachable(
                f"TOWNSQUARE_REDIS_URL is set, but Redis at {redacted(self.url)} does not answer "
                f"({type(exc).__name__}: {exc}). Start Redis, or unset TOWNSQUARE_REDIS_URL to run one process alone."
            ) from None
        self._client = client
        self._queue = asyncio.Queue(self.queue_limit)
        self._subscribed = asyncio.Event()
        self._tasks = [asyncio.create_task(self._listen()), asyncio.create_task(self._publish())]
        try:
            await asyncio.wait_for(self._subscribed.wait(), timeout=self.connect_timeout * 5)
        except TimeoutError:
            await self.close()
            raise RedisUnreachable(f"Redis at {redacted(self.url)} answered, but subscribing failed") from None

    async def close(self) -> None:
        """Stop listening and publishing (what is still queued is dropped: the others poll)."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        self._queue = None
        if self._client is not None:
            with contextlib.suppress(*Trouble):
                await self._client.aclose()
            self._client = None

    # Publishing ----------------------------------------------------------------------------------------------

    def send(self, events: Sequence[Event]) -> None:
        """Queue `events` for the other processes; never blocks. Before start, after close, while the publisher
        is out of touch and when the queue is full, they are dropped: the others catch up once it is back."""
        if self._queue is None or not events:
            return
        if self._unheard:
            return
        try:
            self._queue.put_nowait(list(events))
        except asyncio.QueueFull:
            self._unheard = True

    async def _publish(self) -> None:
        assert self._queue is not None
        assert self._client is not None
        queue, client = self._queue, self._client
        while True:
            events = await queue.get()
            try:
                await client.publish(self.channel, encode(self.process_id, events))
            except Trouble as exc:
                self._unheard = True
                self._lost("publishing", exc)
            if self._unheard:
                while not queue.empty():  # what was queued before the trouble will not be heard either
                    queue.get_nowait()
                await self._publish_again(client)

    async def _publish_again(self, client: Redis) -> None:
        """Wait for Redis (capped back-off), then tell the others to catch up, and take events again."""
        delay = self.backoff_first
        while True:
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.backoff_cap)
            try:
                await client.publish(self.channel, encode(self.process_id, [FanOutResumed(self.process_id)]))
            except Trouble:
                continue
            self._unheard = False
            self._regained()
            return

    # Listening -----------------------------------------------------------------------------------------------

    async def _listen(self) -> None:
        assert self._client is not None
        delay, missed = self.backoff_first, False
        while True:
            pubsub = self._client.pubsub()
            try:
                await pubsub.subscribe(self.channel)
                await self._confirmed(pubsub)
                delay = self.backoff_first
                self._regained()
                if missed:  # the others' events of the outage never came: catch up from the database
                    missed = False
                    self._deliver_here([FanOutResumed(self.process_id)])
                self._subscribed.set()
                await self._hear(pubsub)
            except Trouble as exc:
                missed = True
                self._lost("listening", exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.backoff_cap)
            finally:
                with contextlib.suppress(*Trouble):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def _confirmed(self, pubsub: PubSub) -> None:
        """Wait for Redis to confirm the subscription: from then on nothing published is missed."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.connect_timeout
        while loop.time() < deadline:
            message = await pubsub.get_message(timeout=self.connect_timeout)
            if message is not None and message.get("type") == "subscribe":
                return
        raise TimeoutError("Redis did not confirm the subscription")

    async def _hear(self, pubsub: PubSub) -> None:
        """Hand on what the others publish until the connection fails (a silent one is pinged, then dropped)."""
        loop = asyncio.get_running_loop()
        heard = pinged = loop.time()
        while True:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            now = loop.time()
            if message is not None:
                heard = now
                if message.get("type") == "message":
                    self._take(message.get("data"))
            elif now - heard > 3 * HEARTBEAT_SECONDS:
                raise TimeoutError("Redis stopped answering")
            elif now - max(heard, pinged) > HEARTBEAT_SECONDS:
                pinged = now
                await pubsub.ping()

    def _take(self, raw: Any) -> None:
        try:
            origin, events = decode(raw)
        except (ValueError, KeyError, TypeError):
            log.warning("an unreadable message on the bus between processes was skipped")
            return
        if origin != self.process_id and events:
            self._deliver_here(events)

    def _deliver_here(self, events: list[Event]) -> None:
        if self._bus is not None:
            self._bus.receive(events)

    # Outages -------------------------------------------------------------------------------------------------

    def _lost(self, doing: str, exc: BaseException) -> None:
        """Note an outage; logged once, whoever notices it first."""
        if self._down_since is None:
            self._down_since = asyncio.get_running_loop().time()
            self.outages += 1
            log.warning(
                "lost touch with Redis while %s (%s); live updates reach this process's own pages only until it "
                "is back",
                doing,
                type(exc).__name__,
            )

    def _regained(self) -> None:
        """Note the end of an outage (logged once)."""
        if self._down_since is None:
            return
        took = asyncio.get_running_loop().time() - self._down_since
        self._down_since = None
        log.warning("in touch with Redis again after %.1f s; live pages catch up", took)
