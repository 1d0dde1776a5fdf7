"""Debian's Chromium for browser tests: one browser process per test worker, and axe-core on a page.

The browser is never downloaded: Playwright launches /usr/bin/chromium (installed by `make browser`). The process
is shared; isolation is not: every test connects anew and works in its own browser contexts, closed with it.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright._impl._api_structures import Cookie, SetCookieParam
from playwright._impl._driver import compute_driver_executable
from playwright.async_api import BrowserContext, Page

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
# How a page walk reads each page: English at a wall screen's width, French (the longer words) on a small phone.
READINGS = (("en", 1280), ("fr", 320))
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@dataclass
class BrowserServer:
    """A Chromium launched by Playwright's own driver, which any Playwright client can `connect` to."""

    process: subprocess.Popen[str]
    ws_endpoint: str

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_browser_server(config_dir: Path, executable: str = CHROMIUM) -> BrowserServer:
    """Launch Chromium (headless, with CHROMIUM_FLAGS) behind a Playwright server on a loopback port.

    A Playwright connection lives on one event loop, and each test has its own; the browser process need not,
    so it is launched once and every test's client connects to it.
    """
    config = config_dir / "launch.json"
    config.write_text(json.dumps({"executablePath": executable, "args": CHROMIUM_FLAGS, "headless": True}))
    node, cli = compute_driver_executable()
    process = subprocess.Popen(  # noqa: S603 (Playwright's own driver, with arguments of ours)
        [node, cli, "launch-server", "--browser", "chromium", "--config", str(config)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    endpoint = process.stdout.readline().strip()  # printed once the browser runs; empty if it could not start
    assert endpoint.startswith("ws://"), f"Chromium did not start (exit code {process.poll()})"
    return BrowserServer(process, endpoint)


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
    if not await page.evaluate("typeof window.axe !== 'undefined'"):  # else loaded by `with_axe`
        await page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = await page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


async def with_axe(context: BrowserContext) -> None:
    """Load axe-core into every page the context opens, before the page's own scripts: a test that checks many
    pages saves adding it to each one (about twice as fast)."""
    await context.add_init_script(path=str(AXE))


async def assert_accessible(page: Page) -> None:
    """No axe-core violations on the page as it is now."""
    found = await axe_violations(page)
    assert found == [], f"{page.url}: {found}"


def _settable(cookie: Cookie) -> SetCookieParam:
    """A cookie read from one browser context, in the form `add_cookies` takes for another."""
    param: SetCookieParam = {
        "name": cookie["name"],
        "value": cookie["value"],
        "domain": cookie["domain"],
        "path": cookie["path"],
        "expires": cookie["expires"],
        "httpOnly": cookie["httpOnly"],
        "secure": cookie["secure"],
        "sameSite": cookie["sameSite"],
    }
    if "partitionKey" in cookie:
        param["partitionKey"] = cookie["partitionKey"]
    return param


async def share_cookies(source: BrowserContext, target: BrowserContext) -> None:
    """Give `target` every cookie `source` holds (the same person, signed in, on a second device)."""
    await target.add_cookies([_settable(cookie) for cookie in await source.cookies()])
