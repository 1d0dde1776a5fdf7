"""A resident's steps through an application on the portal in a browser: on from page to page, then sending it."""

from __future__ import annotations

from playwright.async_api import Page


async def continue_to(page: Page, *stops: str) -> None:
    """Press Continue on each page in turn, landing on each of `stops` (URL globs like "**/pages/2")."""
    for stop in stops:
        await page.click("button[name=action][value=continue]")
        await page.wait_for_url(stop)


async def send_application(page: Page) -> None:
    """Send the application from its check page, landing on the page that says it was sent."""
    await page.click("form[action$='/submit'] button")
    await page.wait_for_url("**/done")
