"""One soak, start to end: the cluster up and seeded, devices and agents at work, the burst with the chaos in it,
a bounded wait for the backlog to drain, then the count from the database and the stand-in; always torn down.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import secrets
import signal
import socket
import time
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass
from typing import Any

from . import notes, reading
from .agents import Agent
from .chaos import Event, Watch, unleash, watching
from .cluster import Cluster, Ports
from .counting import Sends, Summary, double_offers, double_sends, failed, percentile, recovered_at, tally
from .devices import Device
from .doors import PHONE_NUMBER_ID, Secrets
from .notes import note
from .seed import AGENCY, SMS_NUMBER, seed
from .standin import StandIn, serving
from .traffic import Attempted, Burst


@dataclass(frozen=True)
class Plan:
    """How much the soak does: contacts on the doors and how fast, chat devices, agents, and its bounds."""

    contacts: int
    rate: float  # contacts a second on the doors
    devices: int
    agents: int
    chat_every: float  # seconds between a device's messages (on average)
    lease_seconds: float  # the outbox's lease: how soon a killed worker's messages come back
    drain_seconds: float  # the bound on waiting for the backlog after the burst

    @property
    def burst_seconds(self) -> float:
        return self.contacts / self.rate


FULL = Plan(contacts=2400, rate=15.0, devices=12, agents=6, chat_every=4.0, lease_seconds=60.0, drain_seconds=180.0)
SHORT = Plan(contacts=300, rate=12.0, devices=6, agents=3, chat_every=3.0, lease_seconds=15.0, drain_seconds=75.0)


def settings(ports: Ports, s: Secrets, plan: Plan) -> dict[str, str]:
    """The app and worker processes' settings: every provider pointed at the stand-in, the assistant off (every
    contact goes to a person), brief drains."""
    standin = f"http://127.0.0.1:{ports.standin}"
    return {
        "TOWNSQUARE_ENV": "development",
        "TOWNSQUARE_SECRET_KEY": secrets.token_urlsafe(32),
        "TOWNSQUARE_LOG_LEVEL": "WARNING",
        "TOWNSQUARE_DEFAULT_AGENCY": AGENCY,
        "TOWNSQUARE_ASSISTANT_ENABLED": "false",
        "TOWNSQUARE_ANALYTICS_WORKER": "false",
        "TOWNSQUARE_TWILIO_ACCOUNT_SID": s.twilio_account_sid,
        "TOWNSQUARE_TWILIO_AUTH_TOKEN": s.twilio_auth_token,
        "TOWNSQUARE_TWILIO_FROM_NUMBER": SMS_NUMBER,
        "TOWNSQUARE_TWILIO_API_BASE_URL": standin,
        "TOWNSQUARE_META_APP_SECRET": s.meta_app_secret,
        "TOWNSQUARE_META_VERIFY_TOKEN": secrets.token_urlsafe(16),
        "TOWNSQUARE_META_ACCESS_TOKEN": "soak-graph-token",
        "TOWNSQUARE_META_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "TOWNSQUARE_META_GRAPH_BASE_URL": standin,
        "TOWNSQUARE_EMAIL_INBOUND_TOKEN": s.email_token,
        "TOWNSQUARE_OUTBOX_LEASE_SECONDS": str(plan.lease_seconds),
        "TOWNSQUARE_HOLDER_RETRY_SECONDS": "2",
        "TOWNSQUARE_SHUTDOWN_DRAIN_SECONDS": "0.5",
        "TOWNSQUARE_SHUTDOWN_GRACE_SECONDS": "5",
        "FORWARDED_ALLOW_IPS": "127.0.0.1",
    }


async def wait_port(port: int, within: float) -> None:
    began = time.monotonic()
    while time.monotonic() - began < within:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        await asyncio.sleep(0.1)
    raise RuntimeError(f"nothing listened on port {port} within {within:.0f} s")


@contextlib.asynccontextmanager
async def running(*coroutines: Coroutine[Any, Any, None]) -> AsyncIterator[None]:
    """The coroutines as tasks for the life of the block; cancelled and awaited at its end."""
    made = [asyncio.create_task(c) for c in coroutines]
    try:
        yield
    finally:
        for task in made:
            task.cancel()
        await asyncio.gather(*made, return_exceptions=True)


async def start(cluster: Cluster, plan: Plan) -> tuple[str, str, tuple[str, ...]]:
    note("starting PostgreSQL (initdb in a temp folder), migrating, seeding")
    await asyncio.to_thread(cluster.start_postgres)
    await asyncio.to_thread(cluster.migrate)
    assert cluster.postgres is not None
    seeded = await seed(cluster.postgres.url, agents=plan.agents)
    cluster.start_redis()
    await wait_port(cluster.ports.redis, 20)
    note("starting three app processes, two workers and HAProxy")
    for i in range(len(cluster.apps)):
        cluster.start_app(i)
    for i in range(len(cluster.workers)):
        cluster.start_worker(i)
    cluster.start_balancer()
    took = await cluster.wait_all_ready()
    note(f"every process ready after {took:.1f} s")
    return seeded.api_key, seeded.open311_key, seeded.agent_tokens


async def soak(plan: Plan) -> Summary:
    """Run the soak; the cluster is torn down whatever happens (its logs kept if it did not pass)."""
    run = secrets.token_hex(3)
    ports = Ports()
    s = Secrets(
        f"http://127.0.0.1:{ports.balancer}",
        "AC" + secrets.token_hex(16),
        secrets.token_hex(16),
        secrets.token_hex(16),
        secrets.token_urlsafe(24),
        "",
        "",
    )
    cluster = Cluster(ports, settings(ports, s, plan))
    standin = StandIn(s.twilio_account_sid, s.twilio_auth_token, "soak-graph-token")
    passed = False
    me = asyncio.current_task()
    assert me is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, me.cancel)  # torn down as after Ctrl-C
    try:
        api_key, open311_key, tokens = await start(cluster, plan)
        s = Secrets(
            s.public_url,
            s.twilio_account_sid,
            s.twilio_auth_token,
            s.meta_app_secret,
            s.email_token,
            api_key,
            open311_key,
        )
        assert cluster.postgres is not None
        db = reading.engine(cluster.postgres.url)
        try:
            async with serving(standin, ports.standin), watching(cluster, db) as watch:
                summary = await _traffic(cluster, plan, s, run, tokens, standin, watch)
        finally:
            await db.dispose()
        passed = not failed(summary)
        return summary
    finally:
        note("tearing down")
        cluster.close(keep_logs=not passed)


async def _traffic(
    cluster: Cluster, plan: Plan, s: Secrets, run: str, tokens: tuple[str, ...], standin: StandIn, watch: Watch
) -> Summary:
    numbers = itertools.count(plan.contacts)  # the chat messages' and replies' markers come after the doors'
    ws_url = f"ws://127.0.0.1:{cluster.ports.balancer}/channels/chat/ws"
    devices = [Device(i, ws_url, f"app{i % 3}", run, numbers) for i in range(plan.devices)]
    agents = [Agent(i, s.public_url, t, f"app{(i + 1) % 3}", run, numbers) for i, t in enumerate(tokens)]
    burst = Burst(s.public_url, s, run, count=plan.contacts, rate=plan.rate, concurrency=48)
    began = time.time()
    send_until = began + plan.burst_seconds
    burst.give_up_at = send_until + plan.drain_seconds
    note(
        f"run {run}: {plan.contacts} contacts over {plan.burst_seconds:.0f} s, {plan.devices} chat devices, "
        f"{plan.agents} agents"
    )
    async with running(
        *(d.run_until_cancelled(send_until, plan.chat_every) for d in devices),
        *(a.run_until_cancelled() for a in agents),
    ):
        chaos = asyncio.create_task(unleash(cluster, began, plan.burst_seconds))
        await burst.send_all()
        events = await chaos
        note(f"burst sent in {time.time() - began:.0f} s; waiting (at most {plan.drain_seconds:.0f} s) to drain")
        await _drain(cluster, burst, devices, watch, events, deadline=send_until + plan.drain_seconds)
    for agent in agents:
        await agent.close()
    return await _count(cluster, burst, devices, agents, standin, watch, events)


def _contacts(burst: Burst, devices: list[Device]) -> list[Attempted]:
    return [*burst.contacts, *(c for d in devices for c in d.contacts)]


def _recoveries(events: list[Event], watch: Watch, contacts: list[Attempted]) -> list[float | None]:
    found = []
    for event in events:
        acked = [c.acked_at or float("inf") for c in contacts if c.waiting_at(event.start) and c.refused is None]
        at = recovered_at(event.start, event.done, watch.samples, acked)
        found.append(None if at is None or at == float("inf") else at - event.start)
    return found


async def _drain(
    cluster: Cluster, burst: Burst, devices: list[Device], watch: Watch, events: list[Event], *, deadline: float
) -> None:
    """Wait, until `deadline` at most, for every contact's acknowledgement, an empty outbox, every chaos event
    recovered from, and no new chat reply reaching a device for three seconds."""
    assert cluster.postgres is not None
    quiet_since, seen = time.time(), 0
    waiting, backlog, recovered = -1, -1, False
    db = reading.engine(cluster.postgres.url)
    try:
        while time.time() < deadline:
            waiting = sum(len(d.pending) for d in devices) + burst.in_flight()
            try:
                backlog, _ = await reading.backlog(db)
            except Exception:
                backlog = -1
            now_seen = sum(len(d.seen) for d in devices)
            if now_seen != seen:
                quiet_since, seen = time.time(), now_seen
            recovered = all(r is not None for r in _recoveries(events, watch, _contacts(burst, devices)))
            if not waiting and backlog == 0 and recovered and time.time() - quiet_since > 3:
                return
            await asyncio.sleep(0.5)
        note(
            f"drain bound reached: {waiting} contacts unacknowledged, outbox backlog {backlog}, "
            f"recovered from every event: {recovered}"
        )
    finally:
        await db.dispose()


async def _count(
    cluster: Cluster,
    burst: Burst,
    devices: list[Device],
    agents: list[Agent],
    standin: StandIn,
    watch: Watch,
    events: list[Event],
) -> Summary:
    assert cluster.postgres is not None
    db = reading.engine(cluster.postgres.url)
    try:
        rows, offers, outbox = await reading.inbound(db), await reading.offers(db), await reading.outbox(db)
        work = await reading.queued_work(db)
    finally:
        await db.dispose()
    sent = [*(h.sent for h in burst.hooks), *(x for d in devices for x in d.sent)]
    counted = tally(sent, rows)
    sends = double_sends(standin.receipts("twilio"), outbox["twilio"])
    graph = double_sends(standin.receipts("graph"), outbox["graph"])
    sends = Sends(
        sends.double + graph.double,
        sends.resent + graph.resent,
        sends.unmatched + graph.unmatched,
        sends.double_keys + graph.double_keys,
    )
    replies = {r.key: r for a in agents for r in a.replies}
    seen = [x for d in devices for x in d.seen.values() if x.key in replies]
    across = [x.at - replies[x.key].at for x in seen if x.server != replies[x.key].server]
    contacts = _contacts(burst, devices)
    recoveries = _recoveries(events, watch, contacts)
    notes.readiness(watch, events)
    notes.recoveries(watch, events, recoveries, contacts)
    notes.contacts(contacts, counted)
    accepted = sum(a.accepted for a in agents)
    note(
        f"agents accepted {accepted} offers and replied {len(replies)} times; chat replies seen on a device: "
        f"{len(seen)} ({len(across)} across processes); work items by status: {work}"
    )
    notes.stand_in(standin, sends, events)
    return Summary(
        tally=counted,
        double_offers=double_offers(offers),
        sends=sends,
        chat_delivered=len(across),
        chat_p99_ms=percentile(across, 99) * 1000,
        recovery_s=None if not recoveries or None in recoveries else max(r for r in recoveries if r is not None),
    )
