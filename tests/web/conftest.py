"""A live server on loopback for browser tests, and Debian's Chromium driven by Playwright.

One Chromium per test process (xdist worker), started on first use; each test connects to it anew, so its
browser contexts (cookies, storage) are its own and are closed with it. A live server is per test: it serves
the test's own database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright

from tests.support.browser import CHROMIUM, BrowserServer, start_browser_server
from tests.support.servers import LiveApp, free_port, serving
from townsquare.app import build_runtime, create_app
from townsquare.settings import Settings


def _live_settings(settings: Settings, port: int) -> Settings:
    return settings.model_copy(
        update={"public_url": f"http://127.0.0.1:{port}", "outbox_worker": True, "routing_worker": True}
    )


@pytest.fixture
def live_server(settings: Settings) -> Iterator[str]:
    """The app served by uvicorn in a thread, on its own event loop, at a free loopback port."""
    port = free_port()
    with serving(create_app(_live_settings(settings, port)), port):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def live_app(settings: Settings) -> Iterator[LiveApp]:
    """Like `live_server`, but the test also gets the server's runtime and event loop."""
    port = free_port()
    live_settings = _live_settings(settings, port)
    runtime = build_runtime(live_settings)
    with serving(create_app(live_settings, runtime), port) as loop:
        yield LiveApp(f"http://127.0.0.1:{port}", runtime, loop)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (Debian's chromium package)")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser_server() -> Iterator[list[BrowserServer]]:
    """This worker's Chromium, launched when a test first needs a browser (a holder, so a crash can be replaced)."""
    holder: list[BrowserServer] = []
    yield holder
    for server in holder:
        server.stop()


@pytest.fixture
async def browser(
    browser_server: list[BrowserServer], chromium_path: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Browser]:
    """The worker's Chromium, as a connection of this test's own: closing it closes every context it opened."""
    if not browser_server or not browser_server[0].alive():
        for dead in browser_server:
            dead.stop()
        browser_server[:] = [start_browser_server(tmp_path_factory.mktemp("chromium"), chromium_path)]
    async with async_playwright() as p:
        b = await p.chromium.connect(browser_server[0].ws_endpoint)
        yield b
        await b.close()
