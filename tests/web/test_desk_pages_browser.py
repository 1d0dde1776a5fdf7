"""Every desk page in Chromium, at a wall screen's width and a small phone's: no axe-core violations and no
sideways scrolling, at 1280 px in English and at 320 px in French (whose longer words are likeliest to push a
page past a phone's width).

The pages are those of `desk_pages` (the demo-like world a shift has in front of it), each read once by the first
staff member who may read it; fragments the desk fetches into a page (paths with a `/_` step) are read as part of
their page, not on their own.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page

from tests.support.browser import READINGS, axe_violations, with_axe
from tests.support.desk_world import build_desk_world, desk_pages, sign_in_page
from tests.support.servers import LiveApp
from townsquare.web.i18n import LANGUAGE_COOKIE

WIDTHS = (1280, 320)
# A folder to keep a screenshot of every page at each width in, for a person to look at (unset: none are taken).
SCREENSHOTS = os.environ.get("TOWNSQUARE_SCREENSHOTS", "")
# How far a page may be wider than its window before it counts as scrolling sideways (sub-pixel rounding).
SLACK = 1


# What sticks out past the window: elements, then text running past its box; a scrolling region clips its own.
TOO_WIDE = """
(slack) => {
      const width = document.documentElement.clientWidth;
      if (document.documentElement.scrollWidth <= width + slack) { return []; }
      const clipped = (el) => {
        for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
          if (getComputedStyle(up).overflowX !== "visible") { return true; }
        }
        return false;
      };
      const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "");
      const out = [];
      for (const el of document.body.querySelectorAll("*")) {
        const box = el.getBoundingClientRect();
        if (box.right > width + slack && box.width > 0 && !clipped(el)) {
          out.push(name(el) + " right=" + Math.round(box.right));
        }
      }
      if (!out.length) {  // text that runs past its box (a long word or address) makes no element wider
        for (const el of document.body.querySelectorAll("*")) {
          const box = el.getBoundingClientRect();
          const runs = box.left + el.scrollWidth;
          if (runs > width + slack && getComputedStyle(el).overflowX === "visible" && !clipped(el)) {
            out.push(name(el) + " overflows to " + Math.round(runs));
          }
        }
      }
      return out.length ? out.slice(-8) : ["(nothing found)"];
    }
"""


async def _signed_in(browser: Browser, url: str, who: str) -> BrowserContext:
    context = await browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
    await with_axe(context)
    if who:
        page = await context.new_page()
        await sign_in_page(page, url, who)
        await page.close()
    return context


async def _too_wide(page: Page) -> list[str]:
    """The elements that stick out past the window's right edge (empty when nothing scrolls sideways)."""
    found: list[str] = await page.evaluate(TOO_WIDE, SLACK)
    return found


@pytest.mark.parametrize(("language", "width"), READINGS)
async def test_every_desk_page_is_accessible_and_fits_at_1280_and_320_px(
    browser: Browser, live_app: LiveApp, language: str, width: int
) -> None:
    """One test per reading, so the two halves of the suite can read them side by side."""
    world = await live_app.call(lambda: build_desk_world(live_app.runtime))
    seen: set[str] = set()
    by_reader: dict[str, list[str]] = {}
    for listed in desk_pages(world):
        if "/_" in listed.path or listed.path in seen:
            continue
        seen.add(listed.path)
        by_reader.setdefault(listed.who, []).append(listed.path)

    problems: list[str] = []
    for who, paths in by_reader.items():
        context = await _signed_in(browser, live_app.url, who)
        page = await context.new_page()
        await context.add_cookies([{"name": LANGUAGE_COOKIE, "value": language, "url": live_app.url}])
        await page.set_viewport_size({"width": width, "height": 900})
        for path in paths:
            response = await page.goto(f"{live_app.url}{path}")
            assert response is not None
            assert response.ok, f"{path} answered {response.status}"
            assert await page.get_attribute("html", "lang") == language, f"{path} is not in {language}"
            reading = f"{path} at {width} px in {language}"
            for v in await axe_violations(page):
                problems.append(f"{reading}: {v['id']} {v['nodes'][:3]}")
            if SCREENSHOTS:
                name = path.strip("/").replace("/", "_").replace("?", "_")[:80] or "index"
                shot = Path(SCREENSHOTS) / f"{name}-{width}-{language}.png"
                await page.screenshot(path=str(shot), full_page=True)
            if wide := await _too_wide(page):
                problems.append(f"{reading} scrolls sideways: {wide}")
        await context.close()
    assert len(seen) > 40, "the desk world lists fewer pages than expected"
    assert problems == [], "\n".join(problems)
