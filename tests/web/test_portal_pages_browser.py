"""In Chromium: every portal page of `tests/support/portal_world.py`, signed out and signed in, in English on a
1280-pixel desktop and in French on a 320-pixel phone, has no axe-core violation and never scrolls sideways on the
phone; in French, nothing the page's scripts add is English. The phone is read in French only: its longer words are
likeliest to push a page past a phone's width, and whatever else a page holds (names, addresses, references, links)
is the same in both languages. The maps (the reports near you, an
application's location step) are drawn before they are checked."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from playwright._impl._api_structures import SetCookieParam
from playwright.async_api import Browser, Page

from tests.support.browser import axe_violations, with_axe
from tests.support.french import english_in, visible_text
from tests.support.portal_world import PortalPage, World, build_world, portal_pages
from townsquare.app import Runtime
from townsquare.citizens.sessions import CITIZEN_COOKIE
from townsquare.settings import Settings
from townsquare.web.i18n import LANGUAGE_COOKIE

SIZES = {"phone": {"width": 320, "height": 640}, "desktop": {"width": 1280, "height": 800}}
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Map tiles from the server itself: they need not load, and nothing is fetched from outside."""
    return settings.model_copy(update={"map_tile_url": "/tiles/{z}/{x}/{y}.png"})


def _visits(pages: list[PortalPage]) -> list[PortalPage]:
    """Every page of the list signed out, and signed in the account's pages and the home page: a public page
    signed in differs only in its header, which every account page shows too."""
    public = {page.route for page in pages if not page.signed_in}
    return [page for page in pages if not page.signed_in or page.route not in public or page.url == "/"]


def _cookies(world: World, page: PortalPage, language: str, url: str) -> list[SetCookieParam]:
    cookies: list[SetCookieParam] = [{"name": LANGUAGE_COOKIE, "value": language, "url": url}]
    if (token := page.session(world)) is not None:
        cookies.append({"name": CITIZEN_COOKIE, "value": token, "url": url})
    cookies += [{"name": name, "value": value, "url": url} for name, value in page.cookies]
    return cookies


async def _drawn(page: Page) -> None:
    """Wait until a map, where there is one, is drawn (the chat widget is, by the load event `goto` waits for)."""
    if await page.locator("[data-map]").count():
        await page.wait_for_selector("[data-map].leaflet-container")


async def _check(
    view: Page, name: str, url: str, visit: PortalPage, cookies: list[SetCookieParam], french: World | None
) -> list[str]:
    """Visit one page in one browser view: what is wrong with it there; with `french`, also the English left in
    the page as its scripts drew it (what the server's HTML alone does not show: the chat widget, the maps)."""
    await view.context.clear_cookies()
    await view.context.add_cookies(cookies)
    response = await view.goto(url)
    where = f"{url} ({name}, {visit.who})"
    if response is None or response.status != visit.status:
        return [f"{where}: answered {response.status if response else None}"]
    await _drawn(view)
    problems = [f"{where}: {violation}" for violation in await axe_violations(view)]
    if name == "phone" and await view.evaluate(OVERFLOW) > 0:
        problems.append(f"{where}: scrolls sideways ({await view.evaluate(WIDEST)})")
    if french is not None and name == "phone":
        drawn = visible_text(await view.content())
        english = english_in(drawn, french.allowed, french.catalogue_english)
        problems += [f"{where}: English {found}" for found in english]
    return problems


@pytest.mark.parametrize("language", ["en", "fr"])
async def test_every_portal_page_is_accessible_in_both_languages_and_fits_a_phone(
    browser: Browser, live_server: str, runtime: Runtime, client: httpx.AsyncClient, language: str
) -> None:
    """English on the desktop; French, the longer words, on the phone. One test per language, so the two halves of
    the suite can read them side by side."""
    world = await build_world(runtime, client)
    visits = _visits(portal_pages(world))
    views: dict[str, Page] = {}
    for name, size in [("desktop", SIZES["desktop"])] if language == "en" else [("phone", SIZES["phone"])]:
        # No service worker: every visit is the server's page, never one the worker kept from an earlier visit.
        context = await browser.new_context(
            viewport=size,  # type: ignore[arg-type]
            reduced_motion="reduce",
            service_workers="block",
        )
        await with_axe(context)
        views[name] = await context.new_page()
    problems: list[str] = []
    french = world if language == "fr" else None
    for visit in visits:
        url = live_server + visit.url.replace("lang=fr", f"lang={language}")
        cookies = _cookies(world, visit, language, live_server)
        found = await asyncio.gather(*(_check(view, name, url, visit, cookies, french) for name, view in views.items()))
        problems += [f"{problem} [{language}]" for each in found for problem in each]
    assert not problems, "\n".join(problems)


# The elements wider than the screen, for the failure message: the deepest ones are the culprits.
WIDEST = """() => {
  const limit = document.documentElement.clientWidth;
  return Array.from(document.querySelectorAll('body *'))
    .filter((el) => el.getBoundingClientRect().right > limit + 0.5)
    .filter((el) => !Array.from(el.children).some((c) => c.getBoundingClientRect().right > limit + 0.5))
    .slice(0, 5)
    .map((el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${[...el.classList].join('.')}`)
    .join(', ');
}"""
