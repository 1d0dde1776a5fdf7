"""The installable portal over HTTP: the manifest, the service worker and the offline page; turning notifications
on and off from the account page; and devices acknowledging pushes."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from tests.notify.push.factories import push_interaction
from tests.notify.push.push_service import BrowserKeys
from tests.web.portal.conftest import Resident, make_resident, sign_in
from townsquare.app import Runtime, create_app
from townsquare.interactions.kinds import DeliveryStatus
from townsquare.interactions.models import Interaction
from townsquare.notify.push import service as push
from townsquare.notify.push import vapid
from townsquare.settings import Settings

ENDPOINT = "https://updates.push.services.mozilla.com/wpush/v2/gAAAA"
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


async def test_the_manifest_makes_the_portal_installable_in_the_readers_language(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    response = await client.get("/manifest.webmanifest", headers={"accept-language": "fr"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()
    assert (manifest["name"], manifest["start_url"], manifest["scope"]) == (settings.brand_name, "/", "/")
    assert (manifest["display"], manifest["lang"], manifest["theme_color"]) == ("standalone", "fr", "#1d70b8")
    assert manifest["description"].startswith("Services publics")
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert (await client.get(icon["src"])).status_code == 200
    page = await client.get("/services")
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page.text
    assert "/static/portal/pwa.js" in page.text


async def test_the_service_worker_is_served_from_the_root_with_its_shell_and_version(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["service-worker-allowed"] == "/"
    assert response.headers["cache-control"] == "no-cache"
    assert "javascript" in response.headers["content-type"]
    assert "__VERSION__" not in response.text
    assert "__SHELL__" not in response.text
    version = re.search(r'const VERSION = "([0-9a-f]{16})"', response.text)
    assert version is not None
    shell = re.search(r"const SHELL = (\[.*?\]);", response.text)
    assert shell is not None
    for url in ("/offline?lang=en", "/offline?lang=fr", "/static/portal/pwa.js"):
        assert f'"{url}"' in shell.group(1)
    for url in re.findall(r'"([^"]+)"', shell.group(1)):  # every file of the shell exists, or install would fail
        assert (await client.get(url)).status_code == 200, url


async def test_the_offline_page_speaks_english_and_french_and_names_nobody(
    client: httpx.AsyncClient, resident: Resident
) -> None:
    sign_in(client, resident)
    english = await client.get("/offline?lang=en")
    french = await client.get("/offline?lang=fr")
    assert english.status_code == french.status_code == 200
    assert "You are offline" in english.text
    assert 'lang="fr"' in french.text
    assert "Vous êtes hors ligne" in french.text
    for page in (english, french):
        assert "/account/sign-out" not in page.text
        assert "Maria" not in page.text


async def test_a_resident_turns_notifications_on_and_off_for_this_browser(
    client: httpx.AsyncClient, session: AsyncSession, resident: Resident
) -> None:
    sign_in(client, resident)
    account = await client.get("/account")
    assert "Notifications on this device" in account.text
    assert re.search(r'data-key="[A-Za-z0-9_-]{87}"', account.text)
    subscription = BrowserKeys().subscription(ENDPOINT)
    on = await client.post(
        "/account/push/subscribe", json={"subscription": subscription}, headers={"user-agent": CHROME}
    )
    assert on.status_code == 201
    await session.rollback()
    [device] = await push.devices(session, citizen_id=resident.citizen_id)
    assert device.device == "Chrome, Linux"
    listed = await client.get("/account")
    assert "Devices that get notifications" in listed.text
    assert "Chrome, Linux" in listed.text
    off = await client.post("/account/push/unsubscribe", json={"endpoint": ENDPOINT})
    assert (off.status_code, off.json()) == (200, {"subscribed": False})
    await session.rollback()
    assert await push.live_for(session, citizen_id=resident.citizen_id) == []


async def test_a_listed_device_is_turned_off_with_a_plain_form(
    client: httpx.AsyncClient, session: AsyncSession, resident: Resident, settings: Settings
) -> None:
    sub_id = await push.subscribe(
        session,
        citizen_id=resident.citizen_id,
        subscription_json=BrowserKeys().subscription(ENDPOINT),
        device="",
        settings=settings,
    )
    await session.commit()
    sign_in(client, resident)
    other = await make_resident(session, name="Omar", email="omar@example.org")
    sign_in(client, other)  # someone else cannot turn Maria's device off
    refused = await client.post("/account/push/remove", data={"device": str(sub_id)})
    assert refused.headers["location"] == "/account#push-title"
    sign_in(client, resident)
    removed = await client.post("/account/push/remove", data={"device": str(sub_id)})
    assert (removed.status_code, removed.headers["location"]) == (303, "/account?updated=push")
    assert "Notifications are turned off for that device." in (await client.get(removed.headers["location"])).text
    await session.rollback()
    assert await push.live_for(session, citizen_id=resident.citizen_id) == []


async def test_subscribing_needs_a_signed_in_resident_and_a_real_subscription(
    client: httpx.AsyncClient, resident: Resident
) -> None:
    anonymous = await client.post("/account/push/subscribe", json={"subscription": {}})
    assert anonymous.status_code == 303
    assert "/account/sign-in" in anonymous.headers["location"]
    sign_in(client, resident)
    for body in (b"not json", b"[]", b'{"subscription": {"endpoint": "http://evil.example/x"}}'):
        bad = await client.post("/account/push/subscribe", content=body, headers={"content-type": "application/json"})
        assert bad.status_code == 422
        assert bad.json()["detail"]
    elsewhere = await client.post(
        "/account/push/subscribe",
        json={"subscription": BrowserKeys().subscription(ENDPOINT)},
        headers={"origin": "https://evil.example"},
    )
    assert elsewhere.status_code == 403


async def test_a_device_acknowledges_a_push_with_its_token_and_a_forged_one_is_refused(
    client: httpx.AsyncClient, session: AsyncSession, resident: Resident, settings: Settings
) -> None:
    sub_id = await push.subscribe(
        session,
        citizen_id=resident.citizen_id,
        subscription_json=BrowserKeys().subscription(ENDPOINT),
        device="",
        settings=settings,
    )
    interaction = await push_interaction(session, citizen_id=resident.citizen_id)
    await session.commit()
    token = push.ack_token(settings.secret_key, interaction_id=interaction.id, subscription_id=sub_id)
    forged = await client.post("/push/ack", json={"token": token[:-2] + "xx"})
    assert forged.status_code == 422
    assert (await client.post("/push/ack", json={})).status_code == 422
    for _ in range(2):
        ok = await client.post("/push/ack", json={"token": token}, headers={"origin": "http://testserver"})
        assert ok.status_code == 204
    await session.rollback()
    stored = await session.get(Interaction, interaction.id, populate_existing=True)
    assert stored is not None
    assert stored.delivery_status == DeliveryStatus.delivered


async def test_acknowledgements_are_rate_limited_per_client(
    settings: Settings, runtime: Runtime, session: AsyncSession
) -> None:
    app: FastAPI = create_app(settings.model_copy(update={"push_ack_rate_limit_per_minute": 2}), runtime)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        answers = [(await client.post("/push/ack", json={"token": "x"})).status_code for _ in range(3)]
        assert answers == [422, 422, 429]
        last = await client.post("/push/ack", json={"token": "x"})
        assert int(last.headers["retry-after"]) >= 1


async def test_without_keys_production_says_push_is_not_offered(
    settings: Settings, runtime: Runtime, session: AsyncSession
) -> None:
    production = settings.model_copy(update={"env": "production", "secret_key": "s" * 40, "staff_mfa_required": True})
    assert vapid.load(production) is None
    resident = await make_resident(session)
    app = create_app(production, runtime)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        sign_in(client, resident)
        page = await client.get("/account")
        assert "This service does not send notifications to devices." in page.text
        assert "data-key" not in page.text
        refused = await client.post(
            "/account/push/subscribe", json={"subscription": BrowserKeys().subscription(ENDPOINT)}
        )
        assert refused.status_code == 404
