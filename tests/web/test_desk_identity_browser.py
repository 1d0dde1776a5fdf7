"""In Chromium, one page for the file: a staff member signs in through the organisation's provider (a real one,
groups in the ID token), and an administrator sets up MFA straight after the password, by keyboard; the sign-in,
set-up and recovery-code pages have no axe-core violations and no sideways scroll at 1280 and 320 pixels."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pyotp
import pytest
from playwright.async_api import Browser, Page

from tests.factories import PASSWORD, create_agency, create_staff
from tests.support.browser import assert_accessible
from tests.support.oidc import StaffPerson, sign_in_in_browser, staff_provider
from tests.support.servers import LiveApp, free_port, serving
from townsquare.app import build_runtime, create_app
from townsquare.settings import Settings
from townsquare.staff.models import StaffRole

MAPPING = {"roads-agents": {"role": "agent", "agencies": ["roads"]}}


@dataclass(frozen=True)
class World:
    app: LiveApp


@pytest.fixture
def world(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """A live desk whose public URL the provider sends people back to, and the provider."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    people = [StaffPerson("ana-7", "ana@city.example", "Ana Roads", groups=["roads-agents"])]
    with staff_provider(tmp_path_factory.mktemp("staff-oidc"), people, public_url=url) as provider:
        live = settings.model_copy(
            update={"public_url": url, "staff_mfa_required": True, **provider.settings(mapping=MAPPING)}
        )
        runtime = build_runtime(live)
        with serving(create_app(live, runtime), port) as loop:
            yield World(LiveApp(url, runtime, loop))


async def _checked(page: Page) -> None:
    """Accessible, and no sideways scroll, on a desktop and on a 320-pixel phone."""
    for width in (1280, 320):
        await page.set_viewport_size({"width": width, "height": 900})
        await assert_accessible(page)
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), width


async def test_sso_sign_in_and_mfa_set_up_in_chromium(browser: Browser, world: World) -> None:
    url = world.app.url

    async def seed() -> None:
        async with world.app.runtime.db.session() as s:
            await create_agency(s, slug="roads", name="Roads")
            await create_staff(s, email="root@city.example", role=StaffRole.admin)
            await create_staff(s, email="ana@city.example")  # linked at her first sign-in, by verified email
            await s.commit()

    await world.app.call(seed)
    page = await browser.new_page()

    await page.goto(f"{url}/desk/sign-in")
    await _checked(page)
    await sign_in_in_browser(page, url, "ana-7")
    await page.goto(f"{url}/desk/account")
    assert "Your organisation's account" in await page.inner_text("#sessions")  # signed in by the provider
    await page.context.clear_cookies()

    await page.goto(f"{url}/desk/sign-in")
    await page.fill("#email", "root@city.example")
    await page.fill("#password", PASSWORD)
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    assert "/desk/sign-in/mfa" in page.url
    await _checked(page)
    secret = (await page.inner_text("#secret")).replace(" ", "")
    await page.focus("#code")
    await page.keyboard.type(pyotp.TOTP(secret).now())
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    assert await page.locator("#recovery-codes li").count() == 10
    await _checked(page)
    await page.click("text=I have kept them: continue")
    await page.wait_for_url(f"{url}/desk")
