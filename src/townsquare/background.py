"""Every background loop of the platform, by name: started inside the app (the one-process default) or by
`townsquare worker` (all, or `--only` some), each when its settings turn it on.

Queues claimed with leases or SKIP LOCKED run in any number of processes; the loops marked `sole` run in one
process at a time (`db.holder`), the others standing by. Never starts a loop twice in one process.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, time
from typing import Protocol

from townsquare.analytics.open_data.schedule import OpenDataScheduler
from townsquare.analytics.worker import AnalyticsWorker
from townsquare.appointments.worker import AppointmentWorker
from townsquare.channels.mastodon_poll import MastodonPoller
from townsquare.channels.post_folder import MailRoomFolder
from townsquare.db import Database
from townsquare.db.holder import SoleHolder, Work
from townsquare.engagement.calls import SilentCalls
from townsquare.engagement.pipeline import Pipeline
from townsquare.notify.letters.schedule import PrintBatchScheduler
from townsquare.notify.progress import NotificationWorker
from townsquare.notify.webhooks.worker import WebhookWorker
from townsquare.notify.worker import OutboxWorker
from townsquare.routing.worker import RoutingWorker
from townsquare.settings import Settings


class Running(Protocol):
    """What the loops need from a process's runtime (`app.Runtime` has all of it)."""

    settings: Settings
    db: Database
    pipeline: Pipeline
    worker: OutboxWorker
    router: RoutingWorker
    notices: NotificationWorker
    webhooks: WebhookWorker
    analytics: AnalyticsWorker
    appointments: AppointmentWorker
    mastodon: MastodonPoller | None


def _clock(value: str) -> time:
    hour, minute = (int(part) for part in value.split(":"))
    return time(hour, minute, tzinfo=UTC)


def _print_batch(rt: Running) -> Work:
    assert rt.settings.print_batch_time is not None
    return PrintBatchScheduler(rt.db, rt.pipeline.store, _clock(rt.settings.print_batch_time)).run_forever


def _open_data(rt: Running) -> Work:
    assert rt.settings.open_data_export_time is not None
    return OpenDataScheduler(rt.db, rt.settings, _clock(rt.settings.open_data_export_time)).run_forever


def _mastodon(rt: Running) -> Work:
    assert rt.mastodon is not None
    return rt.mastodon.run_forever


@dataclass(frozen=True)
class Loop:
    """A background loop: whether the settings turn it on, how to make it, and whether it needs one holder."""

    name: str
    setting: str  # what turns it on, for the messages
    enabled: Callable[[Running], bool]
    make: Callable[[Running], Work]
    sole: bool = False  # runs in one process at a time: a schedule, a folder, a sweep that is not claimed row by row


LOOPS = (
    Loop("outbox", "TOWNSQUARE_OUTBOX_WORKER", lambda rt: rt.settings.outbox_worker, lambda rt: rt.worker.run_forever),
    Loop("routing", "TOWNSQUARE_ROUTING_WORKER", lambda rt: rt.settings.routing_worker,
         lambda rt: rt.router.run_forever),
    Loop("notifications", "TOWNSQUARE_NOTIFICATIONS_WORKER", lambda rt: rt.settings.notifications_worker,
         lambda rt: rt.notices.run_forever),
    Loop("webhooks", "TOWNSQUARE_WEBHOOK_WORKER", lambda rt: rt.settings.webhook_worker,
         lambda rt: rt.webhooks.run_forever),
    Loop("analytics", "TOWNSQUARE_ANALYTICS_WORKER", lambda rt: rt.settings.analytics_worker,
         lambda rt: rt.analytics.run_forever),  # one folder at a time already: a lease in analytics_state
    Loop("appointments", "TOWNSQUARE_APPOINTMENTS_WORKER", lambda rt: rt.settings.appointments_worker,
         lambda rt: rt.appointments.run_forever),  # rows taken FOR UPDATE SKIP LOCKED, each reminder once
    Loop("mastodon", "TOWNSQUARE_MASTODON_ACCESS_TOKEN", lambda rt: rt.mastodon is not None,
         _mastodon),  # one reader at a time already: the feed's lease (engagement/feeds.py)
    Loop("silent-calls", "TOWNSQUARE_ROUTING_WORKER", lambda rt: rt.settings.routing_worker,
         lambda rt: SilentCalls(rt.db, silence_seconds=rt.settings.voice_silence_seconds).run_forever, sole=True),
    Loop("print-batch", "TOWNSQUARE_PRINT_BATCH_TIME", lambda rt: bool(rt.settings.print_batch_time), _print_batch,
         sole=True),
    Loop("open-data", "TOWNSQUARE_OPEN_DATA_EXPORT_TIME", lambda rt: bool(rt.settings.open_data_export_time),
         _open_data, sole=True),
    Loop("mail-folder", "TOWNSQUARE_MAIL_SCAN_DIR", lambda rt: rt.settings.mail_scan_dir is not None,
         lambda rt: MailRoomFolder(rt.settings, rt.db, rt.pipeline).run_forever, sole=True),
)  # fmt: skip
NAMES = tuple(loop.name for loop in LOOPS)


class NotRunnable(ValueError):
    """An `--only` name that is no loop, or a loop its settings leave off."""


def chosen(rt: Running, only: Iterable[str] | None) -> list[Loop]:
    """The loops to start: those the settings turn on, or exactly the `only` ones (each must be turned on)."""
    if only is None:
        return [loop for loop in LOOPS if loop.enabled(rt)]
    wanted = {name.strip() for name in only if name.strip()}
    unknown = sorted(wanted - set(NAMES))
    if unknown:
        raise NotRunnable(f"no background loop is called {', '.join(unknown)}; the loops are {', '.join(NAMES)}")
    off = [loop for loop in LOOPS if loop.name in wanted and not loop.enabled(rt)]
    if off:
        raise NotRunnable("; ".join(f"{loop.name} is turned off here (see {loop.setting})" for loop in off))
    return [loop for loop in LOOPS if loop.name in wanted]


def start(rt: Running, stop: asyncio.Event, *, only: Iterable[str] | None = None) -> list[asyncio.Task[None]]:
    """Start the chosen loops as tasks that end, each after its current pass, once `stop` is set."""
    tasks = []
    for loop in chosen(rt, only):
        work = loop.make(rt)
        if loop.sole:
            holder = SoleHolder(rt.db, loop.name, retry_seconds=rt.settings.holder_retry_seconds)
            tasks.append(asyncio.create_task(holder.run(work, stop), name=f"background:{loop.name}"))
        else:
            tasks.append(asyncio.create_task(work(stop), name=f"background:{loop.name}"))
    return tasks
