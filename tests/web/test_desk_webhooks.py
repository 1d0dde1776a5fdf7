"""The administrators' Webhooks page: who may reach it, endpoints with their recent deliveries, Replay (audited),
French, and keyboard use with no axe violations in Chromium."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from playwright.async_api import Browser
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import PASSWORD, create_agency, create_staff
from tests.support.browser import axe_violations
from tests.support.servers import LiveApp
from tests.support.staff import sign_in_staff
from townsquare.notify.webhooks import service as webhooks
from townsquare.notify.webhooks.catalogue import CASE_CREATED, NOTIFICATION_STATUS_CHANGED
from townsquare.notify.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookStatus
from townsquare.staff import service as staff
from townsquare.staff.models import AuditEntry, StaffRole
from townsquare.web import i18n

ORIGIN = {"origin": "http://testserver"}


async def _world(session: AsyncSession) -> tuple[WebhookEndpoint, WebhookDelivery]:
    """An administrator, an agent, and one endpoint of a Roads key with a failed and a waiting delivery."""
    roads = await create_agency(session, slug="roads", name="Roads")
    await create_staff(session, email="root@city.example", role=StaffRole.admin)
    await create_staff(session, email="ana@city.example", agencies=[roads])
    _, key = await staff.create_api_key(session, name="Roads CRM", agency_id=roads.id)
    hook, _secret = await webhooks.register(
        session,
        api_key_id=key.id,
        agency_id=roads.id,
        url="https://crm.example.org/hooks",
        event_types=[CASE_CREATED, NOTIFICATION_STATUS_CHANGED],
        allow_loopback_http=False,
    )
    for reference in ("TS-1", "TS-2"):
        await webhooks.emit(session, event_type=CASE_CREATED, data={"reference": reference}, agency_id=roads.id)
    await session.commit()
    rows = list((await session.execute(select(WebhookDelivery).order_by(WebhookDelivery.created_at))).scalars())
    await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == rows[0].id)
        .values(status=WebhookStatus.failed, attempts=16, last_status_code=503, last_error="not a 2xx answer")
    )
    await session.commit()
    return hook, rows[0]


async def test_only_administrators_reach_the_page(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await _world(session)
    anonymous = await client.get("/desk/webhooks", follow_redirects=False)
    assert anonymous.status_code == 303
    assert "/desk/sign-in?next=/desk/webhooks" in anonymous.headers["location"]
    await sign_in_staff(client, "ana@city.example")
    assert (await client.get("/desk/webhooks")).status_code == 403
    await sign_in_staff(client, "root@city.example")
    assert "/desk/webhooks" in (await client.get("/desk")).text


async def test_the_page_shows_each_endpoint_and_its_recent_deliveries_but_never_its_secret(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    hook, failed = await _world(session)
    secret = (await session.get_one(WebhookEndpoint, hook.id)).secret
    await sign_in_staff(client, "root@city.example")
    page = await client.get("/desk/webhooks")
    assert page.status_code == 200
    text = page.text
    assert "https://crm.example.org/hooks" in text
    assert "Roads CRM" in text
    assert "Roads" in text
    assert f'data-delivery="{failed.id}"' in text
    assert "HTTP 503" in text
    assert ">Failed<" in text
    assert ">Waiting<" in text
    assert text.count("Replay<span") == 2
    assert secret not in text


async def test_replay_queues_the_same_event_again_and_is_audited(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    hook, failed = await _world(session)
    await sign_in_staff(client, "root@city.example")
    replayed = await client.post(
        f"/desk/webhooks/deliveries/{failed.id}/replay", headers=ORIGIN, follow_redirects=False
    )
    assert replayed.status_code == 303
    assert replayed.headers["location"] == f"/desk/webhooks?notice=replayed#endpoint-{hook.id}"
    await session.commit()
    again = (
        await session.execute(select(WebhookDelivery).where(WebhookDelivery.replay_of_id == failed.id))
    ).scalar_one()
    assert (again.status, again.attempts, again.event_id) == (WebhookStatus.pending, 0, failed.event_id)
    assert again.payload == failed.payload
    audit = (await session.execute(select(AuditEntry).where(AuditEntry.action == "webhook.replay"))).scalar_one()
    assert audit.subject_id == str(again.id)
    page = await client.get(replayed.headers["location"])
    assert "queued again" in page.text
    assert "(replay)" in page.text
    missing = await client.post(f"/desk/webhooks/deliveries/{uuid.uuid4()}/replay", headers=ORIGIN)
    assert missing.status_code == 404


async def test_the_page_speaks_french(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await _world(session)
    await sign_in_staff(client, "root@city.example")
    client.cookies.set(i18n.LANGUAGE_COOKIE, "fr")
    page = (await client.get("/desk/webhooks")).text
    assert 'lang="fr"' in page
    assert "Rejouer" in page
    assert "Échoué" in page
    assert "Organisme" in page


def test_every_sentence_of_the_page_has_a_french_translation() -> None:
    web = Path(i18n.__file__).parent
    methods = [
        ("templates/desk/webhooks.html", "jinja2.ext:babel_extract"),
        ("desk/webhooks.py", "python"),
    ]
    options = {"**.html": {"extensions": "jinja2.ext.i18n"}}
    found = {m for _f, _l, m, _c, _x in extract_from_dir(web, methods, options) if isinstance(m, str) and m}
    assert len(found) > 20
    with (web / "locale" / "fr" / "webhooks.po").open("rb") as handle:
        french = {m.id: m.string for m in read_po(handle, locale="fr") if m.id}
    assert sorted(m for m in found if not french.get(m)) == []
    with i18n.speaking("fr"):
        assert i18n.gettext("Replay") == "Rejouer"  # the catalogue is the one the app reads


async def test_the_page_in_chromium_keyboard_first_with_no_axe_violations(browser: Browser, live_app: LiveApp) -> None:
    async def seed() -> uuid.UUID:
        async with live_app.runtime.db.session() as s:
            _, failed = await _world(s)
            return failed.id

    failed_id = await live_app.call(seed)
    for width in (1280, 320):
        page = await browser.new_page(viewport={"width": width, "height": 900})
        await page.goto(f"{live_app.url}/desk/sign-in")
        await page.fill("#email", "root@city.example")
        await page.fill("#password", PASSWORD)
        await page.keyboard.press("Enter")
        await page.wait_for_url(f"{live_app.url}/desk")
        await page.goto(f"{live_app.url}/desk/webhooks")
        assert await axe_violations(page) == []
        if width == 1280:
            await page.focus(f"tr[data-delivery='{failed_id}'] button")
            await page.keyboard.press("Enter")
            await page.wait_for_url(f"{live_app.url}/desk/webhooks?notice=replayed*")
            assert "queued again" in await page.inner_text("[role=status]")
            assert await axe_violations(page) == []
        await page.close()
