"""In Chromium, in English and French, on a desktop and a 390x844 phone: signing in by emailed link with an
authenticator app's code, then turning the app off and setting it up again; axe-core finds nothing on any page."""

from __future__ import annotations

import re
import time
import uuid

import pyotp
import pytest
from playwright.async_api import Browser, Page, ViewportSize
from sqlalchemy import select

from tests.factories import create_citizen
from tests.support.browser import axe_violations
from townsquare.app import Runtime
from townsquare.citizens import totp
from townsquare.citizens.models import CitizenTotp
from townsquare.clock import utcnow
from townsquare.notify.models import OutboxMessage

EMAIL = "maria@example.org"
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
WORDS = {
    "en": {"send": "Email me a sign-in link", "continue": "Continue", "set_up": "Set up an authenticator app"},
    "fr": {"send": "lien de connexion", "continue": "Continuer", "set_up": "Configurer une application"},
}


async def seed(runtime: Runtime) -> tuple[uuid.UUID, str]:
    """Maria, who already turned an authenticator app on; returns her id and the app's key."""
    async with runtime.db.session() as s:
        citizen = await create_citizen(s, name="Maria Lopez", email=EMAIL)
        secret = totp.new_secret()
        s.add(CitizenTotp(citizen_id=citizen.id, secret=secret, created_at=utcnow(), confirmed_at=utcnow()))
        await s.commit()
        return citizen.id, secret


async def emailed_link(runtime: Runtime) -> str:
    async with runtime.db.session(deferred=True) as s:
        mail = (await s.execute(select(OutboxMessage).where(OutboxMessage.recipient == EMAIL))).scalars().first()
    assert mail is not None
    found = re.search(r"https?://\S+/account/sign-in/[A-Za-z0-9_-]+", mail.payload["text"])
    assert found is not None
    return found.group(0)


async def wrong_code(secret: str) -> str:
    generator = pyotp.TOTP(secret)
    accepted = {generator.at(time.time() + k * 30) for k in range(-2, 3)}
    return next(c for c in ("000000", "111111", "222222", "333333", "444444", "555555") if c not in accepted)


async def check(page: Page, lang: str) -> None:
    """No axe-core violations, the page in the right language, and nothing wider than the screen."""
    assert await page.get_attribute("html", "lang") == lang
    assert await axe_violations(page) == []
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize(("lang", "viewport"), [("en", DESKTOP), ("fr", PHONE), ("en", PHONE)])
async def test_sign_in_with_a_code_then_turn_the_app_off_and_set_it_up_again(
    browser: Browser, live_server: str, runtime: Runtime, lang: str, viewport: ViewportSize
) -> None:
    citizen_id, secret = await seed(runtime)
    words = WORDS[lang]
    context = await browser.new_context(viewport=viewport, locale="en-CA")
    page = await context.new_page()

    await page.goto(f"{live_server}/account/sign-in")
    if lang != "en":  # the switch in the header; remembered for the rest of the visit, signed in or not
        await page.click(f"header button[lang={lang}]")
        await page.wait_for_selector(f"html[lang={lang}]")
    assert await page.inner_text("h1") == {"en": "Sign in to your account", "fr": "Connectez-vous à votre compte"}[lang]
    await check(page, lang)
    await page.click(f"button:has-text('{words['send']}')")  # nothing typed: the error summary says so
    await page.wait_for_selector(".govuk-error-summary")
    assert (await page.title()).startswith("Error" if lang == "en" else "Erreur")
    await check(page, lang)
    await page.fill("#email", EMAIL)
    await page.keyboard.press("Enter")
    await page.wait_for_selector("h1")
    await check(page, lang)  # check your email

    await page.goto(await emailed_link(runtime))
    await check(page, lang)  # the confirm button, which mail scanners do not press
    await page.click(f"button:has-text('{words['continue']}')")
    await page.wait_for_url(f"{live_server}/account/sign-in-code")
    await check(page, lang)
    await page.fill("#code", await wrong_code(secret))
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#code-error")
    await check(page, lang)
    await page.fill("#code", pyotp.TOTP(secret).at(time.time()))
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{live_server}/account")

    await page.goto(f"{live_server}/account/security")
    await check(page, lang)
    await page.fill("#code", pyotp.TOTP(secret).at(time.time() + 30))  # the next step: the last one is used up
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{live_server}/account/security?changed=off")
    await check(page, lang)

    await page.click(f"button:has-text('{words['set_up']}')")
    await page.wait_for_url(f"{live_server}/account/security/authenticator")
    qr = page.locator("img[src^='data:image/svg+xml']")
    assert await qr.is_visible()
    assert (await qr.get_attribute("alt") or "").strip()
    await check(page, lang)
    async with runtime.db.session(deferred=True) as s:
        row = await s.get(CitizenTotp, citizen_id)
        assert row is not None
        new_secret = row.secret
    assert await page.locator("#key").inner_text() == totp.grouped(new_secret)
    await page.fill("#code", await wrong_code(new_secret))
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#code-error")
    await check(page, lang)
    await page.fill("#code", pyotp.TOTP(new_secret).at(time.time()))
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{live_server}/account/security?changed=on")
    await check(page, lang)
    await context.close()
