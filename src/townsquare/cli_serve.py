"""`townsquare serve` (the app: HTTP, websockets, SMTP; one process or `--workers N`) and `townsquare worker` (the
background loops with no HTTP, started as many times as wanted; `--only` some of them).

SQLite takes one process: several workers are refused with a readable message, and a second long-running process
on the same file is refused at start by the file's lock. SIGTERM drains: readiness first, then requests in flight,
then each loop's current pass; the process then exits 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path

import typer
import uvicorn
from fastapi import FastAPI
from uvicorn.supervisors import Multiprocess

from townsquare import background, logs, metrics, migrations
from townsquare.app import build_runtime, create_app
from townsquare.db import one_process
from townsquare.settings import Settings, get_settings

log = logging.getLogger(__name__)
FACTORY = "townsquare.cli_serve:served_app"


def refuse(message: str, code: int = 2) -> typer.Exit:
    """Print `message` as an error and end the command with `code`."""
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(code)


def check_processes(settings: Settings, *, workers: int) -> None:
    """Refuse what SQLite cannot do: several worker processes, or background loops moved out of its one process."""
    if not settings.is_sqlite:
        if workers > 1 and not settings.redis_url:
            log.warning("several processes without TOWNSQUARE_REDIS_URL: live updates reach only their own process")
        return
    if workers > 1:
        raise refuse(f"--workers {workers} on SQLite. {one_process.SCALE_OUT}")
    if not settings.background_in_app:
        raise refuse(f"TOWNSQUARE_BACKGROUND_IN_APP=false moves the background loops to other processes. "
                     f"{one_process.SCALE_OUT}")  # fmt: skip


def hold_database(settings: Settings) -> one_process.FileLock | None:
    """This process's hold on a SQLite file for its whole life (nothing to hold on PostgreSQL)."""
    try:
        return one_process.hold(settings.database_url)
    except one_process.AnotherProcess as refused:
        raise refuse(str(refused), code=1) from None


def served_app() -> FastAPI:
    """The app in each worker process of `serve --workers N` (a fresh interpreter: logging is set up again)."""
    settings = get_settings()
    logs.configure(level=settings.log_level, json=settings.log_format == "json")
    return create_app(settings, handle_signals=True)


def run_server(settings: Settings, host: str | None, port: int | None, *, workers: int = 1) -> None:
    """Serve with uvicorn until SIGTERM or Ctrl-C: one process, or `workers` processes sharing one socket."""
    if workers > 1:
        with _metrics_dir():
            config = _config(settings, FACTORY, host, port, workers=workers)
            Multiprocess(config, sockets=[config.bind_socket()]).run()
        return
    server = uvicorn.Server(_config(settings, create_app(settings, handle_signals=True), host, port))
    with _exit_zero_after_sigterm(), contextlib.suppress(KeyboardInterrupt):
        server.run()
    if not server.started:
        raise typer.Exit(3)


def _config(
    settings: Settings, app: FastAPI | str, host: str | None, port: int | None, *, workers: int = 1
) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host or settings.host,
        port=port or settings.port,
        factory=isinstance(app, str),
        workers=workers,
        log_config=None,  # our own logging (logs.configure), in every process
        access_log=False,  # replaced by our access line, which prints no path, query or address
        ws_per_message_deflate=settings.websocket_deflate,  # chat, desk and screens' frames are small (docs/scaling.md)
        timeout_graceful_shutdown=math.ceil(settings.shutdown_grace_seconds),
    )


@contextlib.contextmanager
def _exit_zero_after_sigterm() -> Iterator[None]:
    """uvicorn raises the signal it drained for again once done: a drained SIGTERM then ends nothing more."""
    previous = signal.signal(signal.SIGTERM, lambda *_: None)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def _metrics_dir() -> Iterator[str]:
    """Where the worker processes add up their metrics: PROMETHEUS_MULTIPROC_DIR emptied, or a new folder."""
    given = metrics.multiprocess_dir()
    if given is not None:
        for stale in Path(given).glob("*.db"):
            stale.unlink()
        yield given
        return
    made = tempfile.mkdtemp(prefix="townsquare-metrics-")
    os.environ[metrics.MULTIPROC_ENV] = made  # the worker processes, spawned after this, inherit it
    try:
        yield made
    finally:
        shutil.rmtree(made, ignore_errors=True)


def serve(
    host: str | None = typer.Option(None, help="Interface to listen on (default TOWNSQUARE_HOST)"),
    port: int | None = typer.Option(None, help="Port (default TOWNSQUARE_PORT)"),
    migrate: bool = typer.Option(True, help="Upgrade the database before serving"),
    workers: int = typer.Option(1, min=1, max=64, help="Processes serving the one port (PostgreSQL only)"),
) -> None:
    """Serve the platform: API, pages, websockets, and the background loops unless workers run them apart."""
    settings = get_settings()
    check_processes(settings, workers=workers)
    held = hold_database(settings)
    logs.configure(level=settings.log_level, json=settings.log_format == "json")
    if migrate:
        migrations.upgrade(settings.database_url)
    run_server(settings, host, port, workers=workers)
    if held is not None:
        held.release()


def worker(
    only: str | None = typer.Option(
        None,
        help=f"Comma-separated loops to run (default: every loop the settings turn on): {','.join(background.NAMES)}",
    ),
) -> None:
    """Run the background loops with no HTTP (start as many as needed; one-holder loops stand by in all but one)."""
    names = only.split(",") if only is not None else None
    unknown = sorted({name.strip() for name in names or []} - set(background.NAMES))
    if unknown:
        raise refuse(f"no background loop is called {', '.join(unknown)}; the loops are {', '.join(background.NAMES)}")
    settings = get_settings()
    held = hold_database(settings)
    logs.configure(level=settings.log_level, json=settings.log_format == "json")
    try:
        asyncio.run(run_worker(settings, names))
    except background.NotRunnable as wrong:
        raise refuse(str(wrong)) from None
    finally:
        if held is not None:
            held.release()


async def run_worker(settings: Settings, only: list[str] | None) -> None:
    """The loops until SIGTERM or SIGINT; then each finishes its current pass (leases cover the rest)."""
    rt = build_runtime(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    if rt.relay is not None:  # what the loops commit reaches the app processes' sockets (or a clear error now)
        await rt.relay.start()
    try:
        tasks = background.start(rt, stop, only=only)
        if not tasks:
            raise background.NotRunnable("every background loop is turned off by the settings: nothing to run")
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        log.info("worker running: %s", ", ".join(task.get_name().removeprefix("background:") for task in tasks))
        await stop.wait()
        log.info("worker stopping: each loop finishes its current pass")
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        await rt.bus.wait_idle()
        if rt.relay is not None:
            await rt.relay.close()
        await rt.db.dispose()
