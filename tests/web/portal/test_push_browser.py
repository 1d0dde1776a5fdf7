"""In Chromium: the portal installs (service worker active at the root scope, manifest read without errors), pages
fall back to the offline page, a resident turns notifications on from the account page, a push sent by the real
provider through the outbox reaches the service worker, which shows it and acknowledges it: the interaction is
delivered.

What headless Chromium cannot do here, and what stands in for it:
- `pushManager.subscribe` cannot reach a push service without a network (in an incognito context it answers
  "permission denied", in a persistent profile it waits for Google's servers). The test gives the page a
  subscription whose endpoint is the recording push service on loopback and whose keys the test holds, in place of
  the browser's own; the page's script, the route and the database are the real ones.
- The push service's delivery to the browser: the recording push service receives what pywebpush encrypted and
  signed, the test decrypts it with the subscription's keys, and DevTools' `ServiceWorker.deliverPushMessage`
  hands that data to the service worker as a push service would.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from playwright.async_api import Browser, BrowserContext, CDPSession, Page

from tests.notify.push.factories import queued_push
from tests.notify.push.push_service import BrowserKeys, RecordingPushService
from tests.support.browser import axe_violations
from tests.support.servers import LiveApp
from tests.web.portal.conftest import Resident, make_resident
from townsquare.interactions.kinds import DeliveryStatus
from townsquare.interactions.models import Interaction
from townsquare.notify.push import service as push
from townsquare.notify.push.provider import PushProvider
from townsquare.notify.push.vapid import b64url
from townsquare.settings import Settings
from townsquare.web.i18n import LANGUAGE_COOKIE

T = TypeVar("T")

# Stands in for the browser's own subscription (see the module's docstring): the real page script calls it.
FAKE_SUBSCRIPTION = """(config) => {
  const KEPT = "test-push-subscription";  // a browser keeps its subscription across page loads
  const made = () => ({
    endpoint: config.endpoint,
    expirationTime: null,
    options: { userVisibleOnly: true },
    toJSON: () => ({
      endpoint: config.endpoint, expirationTime: null, keys: { p256dh: config.p256dh, auth: config.auth },
    }),
    unsubscribe: async () => { localStorage.removeItem(KEPT); return true; },
  });
  PushManager.prototype.subscribe = async function (options) {
    if (!options || !options.userVisibleOnly || !options.applicationServerKey) throw new DOMException("bad options");
    window.__applicationServerKey = Array.from(new Uint8Array(options.applicationServerKey));
    localStorage.setItem(KEPT, "yes");
    return made();
  };
  PushManager.prototype.getSubscription = async function () { return localStorage.getItem(KEPT) ? made() : null; };
}"""


ACTIVATED = """async () => {
  const registration = await navigator.serviceWorker.ready;
  const worker = registration.active;
  if (worker.state !== "activated") {
    await new Promise((done) => worker.addEventListener("statechange", () => worker.state === "activated" && done()));
  }
  return registration.scope;
}"""


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The test settings with VAPID keys configured, so the live app sends push through the real provider."""
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return settings.model_copy(update={"vapid_private_key": pem.decode(), "vapid_subject": "mailto:push@city.example"})


@pytest.fixture
async def push_service() -> AsyncIterator[RecordingPushService]:
    service = RecordingPushService()
    await service.start()
    yield service
    await service.stop()


async def until(check: Callable[[], Awaitable[T | None]], what: str, *, within: float = 30.0) -> T:
    """The first truthy answer of `check`, asked with a short pause between, for at most `within` seconds (a
    loaded machine runs Chromium's service worker slowly; the wait ends as soon as the answer is there)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        answer = await check()
        if answer:
            return answer
        if loop.time() > deadline:
            raise AssertionError(f"never happened: {what}")
        await asyncio.sleep(0.05)


async def _resident(live_app: LiveApp) -> Resident:
    async def seed() -> Resident:
        async with live_app.runtime.db.session() as s:
            return await make_resident(s)

    return await live_app.call(seed)


async def _registration_id(cdp: CDPSession, origin: str) -> str:
    found: list[dict[str, Any]] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: found.extend(e["registrations"]))
    await cdp.send("ServiceWorker.enable")

    async def active() -> str | None:
        mine = [r for r in found if r["scopeURL"] == origin + "/" and not r["isDeleted"]]
        return mine[-1]["registrationId"] if mine else None

    return await until(active, "the service worker's registration is reported")


async def _installed(page: Page, context: BrowserContext, url: str) -> CDPSession:
    """The page's service worker is active at the root and controls it; the manifest is read without errors."""
    await page.goto(f"{url}/services")
    scope = await page.evaluate(ACTIVATED)
    assert scope == url + "/"
    await page.reload()
    assert await page.evaluate("() => navigator.serviceWorker.controller !== null")
    cdp = await context.new_cdp_session(page)
    manifest = await cdp.send("Page.getAppManifest")
    assert manifest["url"] == f"{url}/manifest.webmanifest"
    assert manifest["errors"] == []
    parsed = json.loads(manifest["data"])
    assert (parsed["display"], parsed["start_url"]) == ("standalone", "/")
    return cdp


async def _back_online(page: Page, context: BrowserContext) -> None:
    """Turn the network back on and wait until a request from the page reaches the server again: the browser tells
    its service worker the network is back on its own time, and a page asked for before then is the offline one."""
    await context.set_offline(False)

    async def reached() -> bool:
        answer: bool = await page.evaluate(
            "async () => { try { return (await fetch('/healthz', { cache: 'no-store' })).ok }"
            " catch (e) { return false } }"
        )
        return answer

    await until(reached, "the page reaches the server again")


async def _offline_in(page: Page, context: BrowserContext, url: str, lang: str, heading: str) -> None:
    """After a page in `lang` told the worker the reader's language, the offline page speaks it."""
    await context.add_cookies([{"name": LANGUAGE_COOKIE, "value": lang, "url": url}])
    await page.goto(f"{url}/services")

    async def told() -> bool:
        said: bool = await page.evaluate(
            "async (lang) => { const kept = await caches.match('/__ts_language');"
            " return !!kept && (await kept.text()) === lang }",
            lang,
        )
        return said

    await until(told, f"the service worker knows the reader reads {lang}")
    await context.set_offline(True)
    await page.goto(f"{url}/account/cases")
    assert await page.inner_text("h1") == heading
    await _back_online(page, context)


async def test_install_subscribe_receive_and_acknowledge_a_push(
    browser: Browser, live_app: LiveApp, push_service: RecordingPushService
) -> None:
    assert isinstance(live_app.runtime.providers.for_channel("push"), PushProvider)
    resident = await _resident(live_app)
    keys = BrowserKeys()
    context = await browser.new_context()
    await context.grant_permissions(["notifications"], origin=live_app.url)
    await context.add_cookies([resident.cookie(live_app.url)])
    subscription = keys.subscription(push_service.endpoint("maria"))
    await context.add_init_script(
        script=f"({FAKE_SUBSCRIPTION})({json.dumps({**subscription['keys'], 'endpoint': subscription['endpoint']})})"
    )
    page = await context.new_page()
    cdp = await _installed(page, context, live_app.url)

    # Offline, a page the network cannot give is the offline page the service worker kept.
    await context.set_offline(True)
    await page.goto(f"{live_app.url}/services/nothing-cached-here")
    assert await page.inner_text("h1") == "You are offline"
    await _back_online(page, context)
    await _offline_in(page, context, live_app.url, "fr", "Vous êtes hors ligne")
    await _offline_in(page, context, live_app.url, "en", "You are offline")

    # Subscribe from the account page.
    await page.goto(f"{live_app.url}/account")
    await page.wait_for_selector("#push-on", state="visible")
    assert await axe_violations(page) == []
    await page.focus("#push-on")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#push[data-state='on']")
    assert await page.inner_text("#push-state") == "Notifications are on for this device."
    assert await page.is_visible("#push-off")
    server_key = live_app.runtime.providers.for_channel("push")
    assert isinstance(server_key, PushProvider)
    sent_key = bytes(await page.evaluate("() => window.__applicationServerKey"))
    assert b64url(sent_key) == server_key.keys.public_key

    async def subscribed() -> list[uuid.UUID]:
        async with live_app.runtime.db.session() as s:
            return await push.live_for(s, citizen_id=resident.citizen_id)

    [subscription_id] = await live_app.call(subscribed)
    await page.reload()  # the device is listed, with a form to turn it off
    await page.wait_for_selector("#push[data-state='on']")
    assert await page.is_visible("#push-devices-title")
    assert await axe_violations(page) == []

    # A push goes out through the outbox and the real provider; the push service hands it to the service worker.
    async def enqueue() -> uuid.UUID:
        async with live_app.runtime.db.session() as s:
            envelope = await queued_push(s, citizen_id=resident.citizen_id, subscription_id=subscription_id)
            await s.commit()
            return uuid.UUID(envelope.payload["interaction_id"])

    interaction_id = await live_app.call(enqueue)

    async def arrived() -> bool:
        return bool(push_service.received)

    await until(arrived, "the push service received the push")
    [message] = push_service.received
    data = keys.decrypt(message.body)
    assert data["url"] == "/account/cases/TS-2026-000123"
    await cdp.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": live_app.url,
            "registrationId": await _registration_id(cdp, live_app.url),
            "data": json.dumps(data),
        },
    )

    async def shown() -> list[dict[str, Any]]:
        notes: list[dict[str, Any]] = await page.evaluate(
            """async () => (await (await navigator.serviceWorker.ready).getNotifications())
                 .map((n) => ({ title: n.title, body: n.body, tag: n.tag, url: n.data.url }))"""
        )
        return notes

    [note] = await until(shown, "the service worker showed the notification")
    assert note == {
        "title": "Your case TS-2026-000123 was updated",
        "body": "The pothole on King Street is fixed.",
        "tag": data["tag"],
        "url": "/account/cases/TS-2026-000123",
    }

    async def delivered() -> bool:
        async def read() -> bool:
            async with live_app.runtime.db.session() as s:
                stored = await s.get(Interaction, interaction_id)
                return stored is not None and stored.delivery_status == DeliveryStatus.delivered

        return await live_app.call(read)

    await until(delivered, "the acknowledgement marked the push delivered")

    # Turning notifications off forgets this device on the server.
    await page.click("#push-off")
    await page.wait_for_selector("#push[data-state='off']")
    assert await live_app.call(subscribed) == []
    await context.close()


async def test_the_account_page_explains_when_the_browser_has_no_push(browser: Browser, live_app: LiveApp) -> None:
    resident = await _resident(live_app)
    context = await browser.new_context()
    await context.add_cookies([resident.cookie(live_app.url)])
    await context.add_init_script(script="delete window.PushManager")
    page = await context.new_page()
    await page.goto(f"{live_app.url}/account")
    await page.wait_for_function("document.getElementById('push-state').textContent.includes('cannot')")
    assert await page.is_hidden("#push-on")
    assert await page.is_hidden("#push-off")
    assert await axe_violations(page) == []
    await context.close()
