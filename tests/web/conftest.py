"""A live server on loopback for browser tests, and Debian's Chromium driven by Playwright.

The browser is never downloaded: Playwright launches /usr/bin/chromium (installed by `make browser`).
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
import uvicorn
from playwright.async_api import Browser, Page, async_playwright

from townsquare.app import Runtime, build_runtime, create_app
from townsquare.settings import Settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live_server(settings: Settings) -> Iterator[str]:
    """The app served by uvicorn in a thread, on its own event loop, at a free loopback port."""
    port = _free_port()
    live_settings = settings.model_copy(
        update={"public_url": f"http://127.0.0.1:{port}", "outbox_worker": True, "routing_worker": True}
    )
    server = uvicorn.Server(uvicorn.Config(create_app(live_settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(1200):  # up to 30 s on a loaded machine
        if server.started or not thread.is_alive():
            break
        threading.Event().wait(0.025)
    assert server.started, "the live server did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


T = TypeVar("T")


@dataclass
class LiveApp:
    """A live server whose runtime the test can reach: its recording provider, its database, its chat hub."""

    url: str
    runtime: Runtime
    loop: asyncio.AbstractEventLoop

    async def call(self, fn: Callable[[], Awaitable[T]]) -> T:
        """Run `fn` on the server's own event loop (where its database connections and sockets live)."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(fn(), self.loop))


@pytest.fixture
def live_app(settings: Settings) -> Iterator[LiveApp]:
    """Like `live_server`, but the test also gets the server's runtime and event loop."""
    port = _free_port()
    live_settings = settings.model_copy(
        update={"public_url": f"http://127.0.0.1:{port}", "outbox_worker": True, "routing_worker": True}
    )
    runtime = build_runtime(live_settings)
    config = uvicorn.Config(create_app(live_settings, runtime), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(server.serve(),), daemon=True)
    thread.start()
    for _ in range(1200):  # up to 30 s on a loaded machine
        if server.started or not thread.is_alive():
            break
        threading.Event().wait(0.025)
    assert server.started, "the live server did not start"
    yield LiveApp(f"http://127.0.0.1:{port}", runtime, loop)
    server.should_exit = True
    thread.join(timeout=10)
    loop.close()


@pytest.fixture
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (Debian's chromium package)")
    return CHROMIUM


@pytest.fixture
async def browser(chromium_path: str) -> AsyncIterator[Browser]:
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_FLAGS)
        yield b
        await b.close()


FINISH_ANIMATIONS = """async () => {
  const finite = document.getAnimations().filter((a) => a.effect && a.effect.getComputedTiming().endTime !== Infinity);
  await Promise.all(finite.map((a) => a.finished.catch(() => null)));
}"""


async def axe_violations(page: Page) -> list[dict[str, Any]]:
    """What axe-core finds wrong on the page (WCAG 2.1 A and AA, and best practices).

    Running CSS transitions and animations are awaited first: axe reads computed colours, and text caught mid
    fade-in (a map popup, a notification banner) has a contrast it never has once shown.
    """
    await page.evaluate(FINISH_ANIMATIONS)
    await page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = await page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]
