"""The application factory: wires settings, the database, the event bus, the pipeline and the outbox worker.

Holds no state of its own beyond what `create_app` builds, so several processes can serve side by side.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from functools import partial

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from starlette.routing import BaseRoute

from townsquare import background, metrics
from townsquare.analytics.worker import AnalyticsWorker
from townsquare.api import cases as cases_api
from townsquare.api import catalogue, health, problems
from townsquare.api import citizens as citizens_api
from townsquare.api import interactions as interactions_api
from townsquare.api import keys as keys_api
from townsquare.api import letters as letters_api
from townsquare.api import mail as mail_api
from townsquare.api import metrics as metrics_api
from townsquare.api import notifications as notifications_api
from townsquare.api import openapi as api_openapi
from townsquare.api import routing as routing_api
from townsquare.api import sharing as sharing_api
from townsquare.api import staff as staff_api
from townsquare.api import webhooks as webhooks_api
from townsquare.api.compress import Compress
from townsquare.api.guards import BodyLimit, SameSiteGuard
from townsquare.api.observe import Observe
from townsquare.appointments.worker import AppointmentWorker
from townsquare.channels import (
    chat,
    email,
    mastodon_rest,
    meta_graph,
    sms,
    voice,
    voice_booking,
    voice_connect,
    voice_rest,
    voice_survey,
)
from townsquare.channels import meta as meta_channel
from townsquare.channels.chat_fanout import ChatFanOut
from townsquare.channels.mastodon_poll import MastodonPoller
from townsquare.db import Database
from townsquare.engagement import connecting, mastodon, media
from townsquare.engagement import meta as engagement_meta
from townsquare.engagement.pipeline import Pipeline
from townsquare.events import (
    AgentChanged,
    DeliveryChanged,
    Event,
    EventBus,
    FanOutResumed,
    OutboxEnqueued,
    Reach,
    WebhookQueued,
    WorkItemChanged,
)
from townsquare.events.remote import RedisRelay
from townsquare.hygiene import SafeJSONResponse
from townsquare.interactions.storage import AttachmentStore
from townsquare.knowledge.search import KnowledgeIndex
from townsquare.lifecycle import Lifecycle
from townsquare.notify.letters.provider import CHANNEL as LETTERS
from townsquare.notify.letters.provider import LetterProvider
from townsquare.notify.notifications import Notifier
from townsquare.notify.progress import NotificationWorker
from townsquare.notify.providers import Provider, Providers, RecordingProvider
from townsquare.notify.push import provider as push_provider
from townsquare.notify.webhooks import translate as webhook_translation  # noqa: F401 - events become deliveries
from townsquare.notify.webhooks.worker import WebhookConfig, WebhookWorker
from townsquare.notify.worker import OutboxWorker, WorkerConfig
from townsquare.open311 import routes as open311_routes
from townsquare.ratelimit import RateLimiter, storage_for
from townsquare.routing.worker import RoutingWorker
from townsquare.settings import Settings, get_settings
from townsquare.web import counters, desk, error_pages, portal
from townsquare.web import messages as web_messages
from townsquare.web import routes as web_routes
from townsquare.web import simulator as simulator_web
from townsquare.web.counters.live import DisplayHub
from townsquare.web.desk import live as desk_live
from townsquare.web.desk.common import StaffSignInRequired, staff_sign_in_redirect
from townsquare.web.desk.live import DeskHub
from townsquare.web.hygiene_middleware import HygieneMiddleware
from townsquare.web.i18n import LanguageMiddleware
from townsquare.web.portal.common import NotYours, SignInRequired, optional_citizen, sign_in_redirect
from townsquare.web.templating import STATIC_DIR, templates
from townsquare.web.times import city_zone, city_zone_apart

log = logging.getLogger(__name__)
SOCKET_COUNT_SECONDS = 5.0


@dataclass
class Runtime:
    """Everything one app process holds: built once, shared by requests and the worker."""

    settings: Settings
    bus: EventBus
    db: Database
    pipeline: Pipeline
    providers: Providers
    worker: OutboxWorker
    recording: RecordingProvider  # the demo and tests read what it was given
    chat: chat.ChatHub
    smtp: email.SmtpServer | None
    router: RoutingWorker
    desk: DeskHub
    knowledge: KnowledgeIndex  # one search index per process, rebuilt when a publication moves the revision
    limiter: RateLimiter  # Open311 rate limits (memory, or shared through Redis)
    notices: NotificationWorker  # moves notifications from one channel to the next; sends reminders when due
    webhooks: WebhookWorker  # posts integrators' webhook deliveries
    analytics: AnalyticsWorker  # folds contacts into journeys and keeps the dashboards' rollups
    displays: DisplayHub  # the offices' display screens, told when a ticket moves
    appointments: AppointmentWorker  # reminders the day before, no-shows, holds that ran out
    mastodon: MastodonPoller | None = None  # reads the city's mentions, when its Mastodon account is configured
    relay: RedisRelay | None = None  # the bus between processes (TOWNSQUARE_REDIS_URL); None: this process alone


def build_runtime(settings: Settings, providers: Providers | None = None, *, pool: bool = True) -> Runtime:
    """The process-wide pieces for these settings.

    Chat replies go to the chat hub; SMS, email, Meta's channels and Mastodon answers go to Twilio REST, the SMTP
    relay, the Graph API and the city's Mastodon server when configured (Mastodon's settings also start its poller);
    everything else (and everything in the demo and tests) to the recording provider.
    """
    bus = EventBus()
    relay = None
    if settings.redis_url:  # several processes: the bus reaches them all (started with the app)
        relay = RedisRelay(settings.redis_url, channel=f"{settings.redis_prefix}:events")
        relay.attach(bus)
    db = Database(settings.database_url, bus, pool=pool)  # pool=False: tests that run several event loops
    knowledge = KnowledgeIndex(settings)
    pipeline = Pipeline(settings=settings, store=AttachmentStore(settings.attachments_dir), index=knowledge)
    hub = chat.ChatHub(settings, db, pipeline, bus)
    ChatFanOut(hub, bus)
    recording = RecordingProvider()
    letters = LetterProvider(db, pipeline.store, settings)  # letters by post go to the print batch
    if providers is None:
        by_channel: dict[str, Provider] = {
            "chat": hub,
            media.CHANNEL: media.MediaFetcher(db, pipeline.store, settings),
            LETTERS: letters,
        }
        for name, configured in (
            ("sms", sms.provider(settings)),
            (connecting.CHANNEL, voice_rest.TwilioCallControl(settings) if voice_rest.configured(settings) else None),
            ("email", email.provider(settings)),
            ("push", push_provider.configured(settings, db)),
            (engagement_meta.OUTBOX_CHANNEL, meta_graph.provider(settings)),
            (mastodon.OUTBOX, mastodon_rest.MastodonProvider(settings) if mastodon_rest.configured(settings) else None),
        ):
            if configured is not None:
                by_channel[name] = configured
        providers = Providers(fallback=recording, by_channel=by_channel)
    else:
        providers.by_channel.setdefault(media.CHANNEL, media.MediaFetcher(db, pipeline.store, settings))
        providers.by_channel.setdefault(LETTERS, letters)
    worker = OutboxWorker(
        db,
        providers,
        WorkerConfig(
            max_attempts=settings.outbox_max_attempts,
            retry_base_seconds=settings.outbox_retry_base_seconds,
            lease_seconds=settings.outbox_lease_seconds,
            poll_seconds=settings.outbox_poll_seconds,
        ),
    )
    _wake_on(bus, worker.wake, OutboxEnqueued)
    smtp = email.SmtpServer(settings, db, pipeline) if settings.smtp_port is not None else None
    router = RoutingWorker(db, poll_seconds=settings.routing_poll_seconds)
    _wake_on(bus, router.work_changed, WorkItemChanged)
    _wake_on(bus, router.wake, AgentChanged)
    desk_hub = DeskHub(settings, db, bus)
    limits_at = storage_for(settings.rate_limit_storage, settings.redis_url)  # shared once processes are several
    limiter = RateLimiter(limits_at, key_prefix=f"{settings.redis_prefix}:limits")
    notices = NotificationWorker(db, Notifier(settings), poll_seconds=settings.notify_poll_seconds)
    _wake_on(bus, notices.wake, DeliveryChanged)
    webhooks = webhook_worker(settings, db)
    _wake_on(bus, webhooks.wake, WebhookQueued)
    return Runtime(
        settings,
        bus,
        db,
        pipeline,
        providers,
        worker,
        recording,
        hub,
        smtp,
        router,
        desk_hub,
        knowledge,
        limiter,
        notices,
        webhooks,
        AnalyticsWorker(db, poll_seconds=settings.analytics_poll_seconds),
        DisplayHub(settings, bus),
        AppointmentWorker(db, settings),
        MastodonPoller(settings, db, pipeline) if mastodon_rest.configured(settings) else None,
        relay,
    )


def _wake_on(bus: EventBus, wake: Callable[[], None], *kinds: type[Event]) -> None:
    """Wake this process's worker when work of these kinds is queued in any process, and after the processes were
    out of touch (what they said meanwhile is found by looking)."""

    async def woken(_: Event) -> None:
        wake()

    for kind in (*kinds, FanOutResumed):
        bus.subscribe(kind, woken, Reach.everywhere)


def webhook_worker(settings: Settings, db: Database) -> WebhookWorker:
    """The webhook worker for these settings."""
    return WebhookWorker(
        db,
        WebhookConfig(
            timeout_seconds=settings.webhook_timeout_seconds,
            retry_base_seconds=settings.webhook_retry_base_seconds,
            max_backoff_seconds=settings.webhook_max_backoff_seconds,
            max_attempts=settings.webhook_max_attempts,
            max_age_seconds=settings.webhook_max_age_hours * 3600,
            lease_seconds=settings.webhook_lease_seconds,
            poll_seconds=settings.webhook_poll_seconds,
        ),
    )


def create_app(
    settings: Settings | None = None, runtime: Runtime | None = None, *, handle_signals: bool = False
) -> FastAPI:
    """A ready-to-serve app; its background loops run inside it unless TOWNSQUARE_BACKGROUND_IN_APP=false.
    `handle_signals`: served by `townsquare serve`, whose SIGTERM drains first (`lifecycle.py`)."""
    settings = settings or (runtime.settings if runtime else get_settings())
    settings.check_safe()
    rt = runtime or build_runtime(settings)
    # A template file is looked at again (a stat per template and include) only where someone may be editing it.
    templates.env.auto_reload = settings.env == "development"

    app = FastAPI(
        title="Townsquare API",
        version="1",
        description="One record of the citizen, one case across channels, one queue. Errors are RFC 9457 problems.",
        lifespan=_lifespan(rt, settings, handle_signals=handle_signals),
        default_response_class=SafeJSONResponse,  # a stored value that cannot be encoded degrades, never a 500
        docs_url=None,  # served by api/openapi.py from our own static files, never a CDN
        redoc_url=None,
    )
    app.state.runtime = rt
    app.state.settings = settings
    app.state.db = rt.db
    app.state.pipeline = rt.pipeline
    app.state.knowledge = rt.knowledge
    app.state.limiter = rt.limiter
    app.state.lifecycle = Lifecycle()
    app.state.redis_ping = health.RedisPing(settings.redis_url) if settings.redis_url else None
    app.state.open_sockets = partial(open_sockets, rt)
    app.state.problem_page = error_pages.render  # browsers meet errors as portal pages, in their language
    problems.install(app)

    @app.exception_handler(SignInRequired)
    async def _sign_in_first(request: Request, exc: SignInRequired) -> Response:
        return sign_in_redirect(exc)

    @app.exception_handler(NotYours)
    async def _not_yours(request: Request, exc: NotYours) -> Response:
        return templates.TemplateResponse(request, "portal/missing.html", {"what": exc.what}, status_code=404)

    @app.exception_handler(StaffSignInRequired)
    async def _staff_sign_in_first(request: Request, exc: StaffSignInRequired) -> Response:
        return staff_sign_in_redirect(exc)

    _install_middleware(app, settings)
    _include_routers(app, settings)
    return app


def open_sockets(rt: Runtime) -> dict[str, int]:
    """This process's open websockets by kind, as the hubs hold them (for /metrics)."""
    return {
        "chat": sum(len(tabs) for tabs in rt.chat.by_device.values()),  # every socket past its hello
        "desk": len(rt.desk.desks),
        "display": sum(len(screens) for screens in rt.displays.screens.values()),
    }


def _lifespan(
    rt: Runtime, settings: Settings, *, handle_signals: bool
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Start the background loops (when they run in the app) and the SMTP server with the app; on the way out,
    close the live sockets with 1001, let each loop finish its pass, and drain the bus."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if rt.relay is not None:  # in touch with the other processes (or a clear error) before anything starts
            await rt.relay.start()
        stop = asyncio.Event()
        lifecycle: Lifecycle = app.state.lifecycle
        tasks = background.start(rt, stop) if settings.background_in_app else []
        if metrics.multiprocess_dir() is not None:  # several processes: each keeps its socket counts current
            tasks.append(asyncio.create_task(_count_sockets(app, stop)))
        for hub in (rt.chat, rt.desk, rt.displays):
            lifecycle.on_drain(hub.close)
        if handle_signals:
            lifecycle.install(asyncio.get_running_loop(), drain_seconds=settings.shutdown_drain_seconds)
        if rt.smtp is not None:
            await rt.smtp.start()
        _tune_collector(settings)
        try:
            yield
        finally:
            lifecycle.draining = True
            stop.set()
            if rt.smtp is not None:
                await rt.smtp.stop()
            await lifecycle.close_sockets()
            if rt.relay is not None:
                await rt.relay.close()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await rt.bus.wait_idle()
            if app.state.redis_ping is not None:
                await app.state.redis_ping.close()
            metrics.process_ended()
            await rt.db.dispose()

    return lifespan


async def _count_sockets(app: FastAPI, stop: asyncio.Event) -> None:
    """Every few seconds, this process's open websockets into the figures the server's processes share."""
    while not stop.is_set():
        metrics.set_sockets(app.state.open_sockets())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=SOCKET_COUNT_SECONDS)


def _tune_collector(settings: Settings) -> None:
    """The garbage collector as a server needs it: the startup heap frozen, young collections rarer."""
    if settings.freeze_startup_heap:
        _freeze_startup_heap()
    if settings.gc_young_threshold:
        gc.set_threshold(settings.gc_young_threshold, *gc.get_threshold()[1:])


def _freeze_startup_heap() -> None:
    """Move everything built at startup (about 200,000 objects: routes, templates, the ORM's mappers, the
    knowledge index) out of the garbage collector's reach. It is never garbage, yet every full collection walked
    it: a 30-50 ms pause of the event loop for every request in flight, every few hundred requests."""
    gc.collect()
    gc.freeze()


def _include_routers(app: FastAPI, settings: Settings) -> None:
    """The API, the providers' webhooks, Open311, the desk and the portal (the same objects for every app the
    process builds), the static files and the API's documentation."""
    app.router.routes.extend(_served_routes(simulator=settings.simulator))
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    api_openapi.install(app)  # /openapi.json with every problem, /docs from our own static files


@functools.cache
def _served_routes(*, simulator: bool) -> tuple[BaseRoute, ...]:
    """Every router the app serves, each included once per process and shared by the apps it builds.

    FastAPI prepares an included router's routes (each handler's dependencies, signatures and models) when a
    request first reaches them, and keeps the work on the inclusion: about a second for ours. Apps built from the
    same inclusions do it once (the test suite builds an app per test), which they may, since the inclusions
    hold no app: module-level routers and dependencies only, and no dependency overrides.
    """
    root = APIRouter(default_response_class=SafeJSONResponse)
    for router in (
        health.router,
        metrics_api.router,
        catalogue.router,
        citizens_api.router,
        cases_api.router,
        interactions_api.router,
        keys_api.router,
        notifications_api.router,
        letters_api.router,
        mail_api.router,
        routing_api.router,
        sharing_api.router,
        staff_api.router,
        webhooks_api.router,
    ):
        root.include_router(router)
    for router in (
        sms.router,
        voice.router,
        voice_survey.router,
        voice_booking.router,
        voice_connect.router,
        email.router,
        chat.router,
        meta_channel.router,
    ):  # providers' contracts
        root.include_router(router, include_in_schema=False)
    root.include_router(open311_routes.router)
    root.include_router(web_routes.router)
    zoned = [Depends(city_zone)]  # every page writes its times in the city's zone
    for router in desk.routers:
        root.include_router(router, dependencies=zoned if router is not desk_live.router else [])
    for router in portal.routers:  # every portal page knows who is signed in and speaks their language
        root.include_router(router, dependencies=[Depends(optional_citizen), *zoned])
    root.include_router(web_messages.router)
    for router in counters.routers:  # the offices' kiosks and display screens: public, in the language asked
        root.include_router(router, dependencies=zoned)
    for router in counters.sockets:
        root.include_router(router)
    if simulator:
        root.include_router(simulator_web.router, dependencies=[Depends(city_zone_apart)])
    return tuple(root.routes)


def _install_middleware(app: FastAPI, settings: Settings) -> None:
    limit = settings.max_request_bytes
    app.add_middleware(HygieneMiddleware, refuse=problems.problem_response)  # inside BodyLimit: bounded first
    app.add_middleware(BodyLimit, limit=limit)
    app.add_middleware(Compress, minimum_size=1000)  # gzip by ISA-L (api/compress.py)
    app.add_middleware(SameSiteGuard, public_url=settings.public_url)
    # Outside the guards: every answer, a refusal by the guards above included, is in the reader's language.
    app.add_middleware(LanguageMiddleware, default=settings.default_language)
    app.add_middleware(Observe)  # outermost of all: every answer is counted and timed, a refusal too
