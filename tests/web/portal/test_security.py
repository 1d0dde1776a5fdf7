"""Sign-in security: a resident turns an authenticator app on (QR code and key) and off, and sign-in by emailed link
then asks for a code that works once, with a few tries, in a short-lived signed cookie."""

from __future__ import annotations

import re
import time
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import pyotp
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.messages import body_of, last_sent_to, token_in
from tests.web.portal.conftest import Resident, sign_in
from townsquare.app import Runtime, create_app
from townsquare.citizens import totp
from townsquare.citizens.models import CitizenSession, CitizenTotp
from townsquare.citizens.sessions import CITIZEN_COOKIE
from townsquare.clock import utcnow
from townsquare.residents import accounts
from townsquare.settings import Settings
from townsquare.staff.models import AuditEntry
from townsquare.web.portal.account import CODE_PATH, PENDING_COOKIE


def codes(secret: str) -> tuple[str, str]:
    """The code for now and the one for the next step (both accepted; the next one after the first is used)."""
    generator = pyotp.TOTP(secret)
    now = time.time()
    return generator.at(now), generator.at(now + 30)


def wrong(secret: str) -> str:
    generator = pyotp.TOTP(secret)
    accepted = {generator.at(time.time() + k * 30) for k in range(-2, 3)}
    return next(c for c in ("000000", "111111", "222222", "333333", "444444", "555555") if c not in accepted)


async def turned_on(runtime: Runtime, citizen_id: uuid.UUID) -> str:
    """An authenticator app already on for the citizen; returns its key."""
    async with runtime.db.session() as s:
        secret = totp.new_secret()
        s.add(CitizenTotp(citizen_id=citizen_id, secret=secret, created_at=utcnow(), confirmed_at=utcnow()))
        await s.commit()
    return secret


async def audited(session: AsyncSession, action: str) -> int:
    await session.rollback()
    return len((await session.execute(select(AuditEntry).where(AuditEntry.action == action))).scalars().all())


async def use_new_link(client: httpx.AsyncClient, session: AsyncSession, email: str) -> httpx.Response:
    """Ask for a link, then press the button on the page it opens."""
    assert (await client.post("/account/sign-in", data={"email": email})).status_code == 200
    token = token_in(body_of(await last_sent_to(session, email)), "/account/sign-in/")
    return await client.post(f"/account/sign-in/{token}")


async def session_methods(session: AsyncSession, citizen_id: uuid.UUID) -> list[str]:
    await session.rollback()
    stmt = select(CitizenSession.method).where(CitizenSession.citizen_id == citizen_id)
    return sorted((await session.execute(stmt)).scalars().all())


async def test_setting_up_shows_a_qr_code_and_the_key_then_a_current_code_turns_it_on(
    client: httpx.AsyncClient, session: AsyncSession, resident: Resident, settings: Settings
) -> None:
    sign_in(client, resident)
    page = await client.get("/account/security")
    assert page.status_code == 200
    assert "Sign-in security" in page.text
    assert "Off</strong>" in page.text
    assert "government account" not in page.text  # no identity provider configured here

    started = await client.post("/account/security/authenticator")
    assert (started.status_code, started.headers["location"]) == (303, "/account/security/authenticator")
    await session.rollback()
    row = await session.get(CitizenTotp, resident.citizen_id)
    assert row is not None
    assert row.confirmed_at is None
    secret = row.secret

    setup = await client.get("/account/security/authenticator")
    assert setup.status_code == 200
    assert setup.headers["cache-control"] == "no-store"
    assert '<img src="data:image/svg+xml' in setup.text
    assert 'alt="QR code to scan with your authenticator app.' in setup.text
    assert totp.grouped(secret) in setup.text
    uri = re.search(r'href="(otpauth://[^"]+)"', setup.text)
    assert uri is not None
    parts = urlsplit(uri.group(1).replace("&amp;", "&"))
    assert unquote(parts.path) == f"/{settings.brand_name}:{resident.email}"
    assert parse_qs(parts.query)["secret"] == [secret]
    assert parse_qs(parts.query)["issuer"] == [settings.brand_name]

    refused = await client.post("/account/security/authenticator/confirm", data={"code": wrong(secret)})
    assert refused.status_code == 400
    assert "<title>Error: " in refused.text
    assert "That code is not right" in refused.text
    assert totp.grouped(secret) in refused.text  # the same key, to try again
    blank = await client.post("/account/security/authenticator/confirm", data={"code": ""})
    assert blank.status_code == 400
    assert "Enter the 6-digit code" in blank.text
    assert await audited(session, "citizen.totp_on") == 0

    now, _next = codes(secret)
    done = await client.post("/account/security/authenticator/confirm", data={"code": now})
    assert (done.status_code, done.headers["location"]) == (303, "/account/security?changed=on")
    shown = await client.get(done.headers["location"])
    assert "Your authenticator app is on." in shown.text
    assert "On</strong>" in shown.text
    assert await audited(session, "citizen.totp_on") == 1
    # Set up again while on: nothing changes, the key stays.
    assert (await client.post("/account/security/authenticator")).headers["location"] == "/account/security"
    assert (await client.get("/account/security/authenticator")).headers["location"] == "/account/security"
    await session.rollback()
    kept = await session.get(CitizenTotp, resident.citizen_id)
    assert kept is not None
    assert kept.secret == secret


async def test_the_security_page_needs_a_signed_in_resident(client: httpx.AsyncClient) -> None:
    page = await client.get("/account/security")
    assert page.status_code == 303
    assert page.headers["location"] == "/account/sign-in?next=%2Faccount%2Fsecurity"
    assert (await client.post("/account/security/authenticator")).status_code == 303


async def test_the_page_says_that_identity_provider_sign_ins_skip_the_code(
    settings: Settings, runtime: Runtime, resident: Resident
) -> None:
    app = create_app(settings.model_copy(update={"oidc_issuer": "https://id.example.org"}), runtime)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        page = await sign_in(client, resident).get("/account/security")
    assert "When you sign in with your government account, we do not ask for this code" in page.text


async def test_with_the_app_on_the_link_asks_for_a_code_that_starts_the_session(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime, resident: Resident
) -> None:
    secret = await turned_on(runtime, resident.citizen_id)
    used = await use_new_link(client, session, resident.email)
    assert (used.status_code, used.headers["location"]) == (303, CODE_PATH)
    assert CITIZEN_COOKIE not in used.cookies  # no session yet
    cookie = used.headers["set-cookie"]
    assert f"{PENDING_COOKIE}=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert f"Max-Age={accounts.PENDING_SECONDS}" in cookie
    assert f"Path={CODE_PATH}" in cookie
    assert await session_methods(session, resident.citizen_id) == ["email_link"]  # only the fixture's

    page = await client.get(CODE_PATH)
    assert page.status_code == 200
    assert 'autocomplete="one-time-code"' in page.text
    bad = await client.post(CODE_PATH, data={"code": wrong(secret)})
    assert bad.status_code == 400
    assert "That code is not right" in bad.text
    assert "You have 4 more tries." in bad.text
    assert await audited(session, "citizen.totp_code_wrong") == 1

    now, _next = codes(secret)
    done = await client.post(CODE_PATH, data={"code": now})
    assert (done.status_code, done.headers["location"]) == (303, "/account")
    assert CITIZEN_COOKIE in done.cookies
    assert f'{PENDING_COOKIE}=""' in done.headers.get("set-cookie", "")
    assert await session_methods(session, resident.citizen_id) == ["email_link", "email_link+totp"]
    assert (await client.get("/account")).status_code == 200


async def test_a_code_works_once_and_a_finished_sign_in_cannot_be_replayed(
    app: FastAPI, session: AsyncSession, runtime: Runtime, resident: Resident
) -> None:
    secret = await turned_on(runtime, resident.citizen_id)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        assert (await use_new_link(client, session, resident.email)).status_code == 303
        pending = client.cookies[PENDING_COOKIE]
        now, following = codes(secret)
        assert (await client.post(CODE_PATH, data={"code": now})).status_code == 303

        # The same code again, on a new sign-in: its time step is used up.
        client.cookies.delete(CITIZEN_COOKIE)
        assert (await use_new_link(client, session, resident.email)).status_code == 303
        replay = await client.post(CODE_PATH, data={"code": now})
        assert replay.status_code == 400
        assert "already used" in replay.text
        assert (await client.post(CODE_PATH, data={"code": following})).status_code == 303

    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as thief:
        thief.cookies.set(PENDING_COOKIE, pending, path=CODE_PATH)  # the first, finished sign-in's cookie
        again = await thief.post(CODE_PATH, data={"code": pyotp.TOTP(secret).at(time.time() + 60)})
        assert again.status_code == 400
        assert "can no longer be finished" in again.text
        assert CITIZEN_COOKIE not in again.cookies
    assert await session_methods(session, resident.citizen_id) == ["email_link", "email_link+totp", "email_link+totp"]


async def test_after_five_wrong_codes_the_sign_in_is_dropped(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime, resident: Resident
) -> None:
    secret = await turned_on(runtime, resident.citizen_id)
    await use_new_link(client, session, resident.email)
    pending = client.cookies[PENDING_COOKIE]
    for left in (4, 3, 2, 1):
        answer = await client.post(CODE_PATH, data={"code": wrong(secret)})
        assert answer.status_code == 400
        assert (f"You have {left} more tr") in answer.text
    dropped = await client.post(CODE_PATH, data={"code": wrong(secret)})
    assert dropped.status_code == 400
    assert "too many wrong codes" in dropped.text
    assert "Sign in to your account" in dropped.text  # back to asking for a link
    assert f'{PENDING_COOKIE}=""' in dropped.headers["set-cookie"]

    client.cookies.set(PENDING_COOKIE, pending, path=CODE_PATH)  # keeping the cookie does not give more tries
    right, _next = codes(secret)
    refused = await client.post(CODE_PATH, data={"code": right})
    assert refused.status_code == 400
    assert "too many wrong codes" in refused.text
    assert await session_methods(session, resident.citizen_id) == ["email_link"]
    assert await audited(session, "citizen.totp_code_wrong") == 5


async def test_a_tampered_expired_or_foreign_pending_cookie_is_refused(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime, resident: Resident, settings: Settings
) -> None:
    secret = await turned_on(runtime, resident.citizen_id)
    right, _next = codes(secret)
    someone = str(resident.citizen_id)
    live = int(time.time()) + 300
    expired = accounts.seal_pending(settings.secret_key, accounts.PendingSignIn("p1", someone, int(time.time()) - 1))
    foreign = accounts.seal_pending(
        "another deployment's secret key, 32+ chars", accounts.PendingSignIn("p2", someone, live)
    )
    genuine = accounts.seal_pending(settings.secret_key, accounts.PendingSignIn("p3", someone, live))
    body, _dot, mac = genuine.partition(".")
    tampered = accounts.seal_pending(settings.secret_key, accounts.PendingSignIn("p3", someone, live + 3600))
    tampered = tampered.partition(".")[0] + "." + mac  # a longer life, with the original signature
    for value in (expired, foreign, tampered, "garbage", ""):
        client.cookies.set(PENDING_COOKIE, value, path=CODE_PATH)
        assert (await client.get(CODE_PATH)).status_code == 400
        refused = await client.post(CODE_PATH, data={"code": right})
        assert refused.status_code == 400, value
        assert "expired or was started in another browser" in refused.text
        assert CITIZEN_COOKIE not in refused.cookies
    assert body
    client.cookies.set(PENDING_COOKIE, genuine, path=CODE_PATH)
    assert (await client.get(CODE_PATH)).status_code == 200  # the untouched cookie is accepted
    assert await session_methods(session, resident.citizen_id) == ["email_link"]


async def test_turning_off_needs_a_current_code_and_then_the_link_alone_signs_in(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime, resident: Resident
) -> None:
    secret = await turned_on(runtime, resident.citizen_id)
    sign_in(client, resident)
    page = await client.get("/account/security")
    assert "On</strong>" in page.text
    assert "Turn off the authenticator app" in page.text
    refused = await client.post("/account/security/authenticator/off", data={"code": wrong(secret)})
    assert refused.status_code == 400
    assert "That code is not right" in refused.text
    await session.rollback()
    assert await session.get(CitizenTotp, resident.citizen_id) is not None

    now, _next = codes(secret)
    off = await client.post("/account/security/authenticator/off", data={"code": now})
    assert (off.status_code, off.headers["location"]) == (303, "/account/security?changed=off")
    assert "Your authenticator app is off." in (await client.get(off.headers["location"])).text
    await session.rollback()
    assert await session.get(CitizenTotp, resident.citizen_id) is None
    assert await audited(session, "citizen.totp_off") == 1

    client.cookies.delete(CITIZEN_COOKIE)
    used = await use_new_link(client, session, resident.email)
    assert used.headers["location"] == "/account"
    assert CITIZEN_COOKIE in used.cookies


async def test_guessing_the_code_to_turn_the_app_off_is_slowed_down(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime, resident: Resident
) -> None:
    secret = await turned_on(runtime, resident.citizen_id)
    sign_in(client, resident)
    for _ in range(accounts.TURN_OFF_WRONG_CODES - 1):
        assert (
            await client.post("/account/security/authenticator/off", data={"code": wrong(secret)})
        ).status_code == 400
    last = await client.post("/account/security/authenticator/off", data={"code": wrong(secret)})
    assert last.status_code == 429
    now, _next = codes(secret)
    still = await client.post("/account/security/authenticator/off", data={"code": now})
    assert still.status_code == 429
    assert "Wait 15 minutes" in still.text
    await session.rollback()
    assert await session.get(CitizenTotp, resident.citizen_id) is not None


def test_pending_cookies_round_trip_and_expire() -> None:
    pending = accounts.pending_sign_in(uuid.uuid4())
    sealed = accounts.seal_pending("k" * 40, pending)
    assert accounts.open_pending("k" * 40, sealed) == pending
    assert accounts.open_pending("j" * 40, sealed) is None
    assert pending.expires - time.time() <= accounts.PENDING_SECONDS
    assert datetime.fromtimestamp(pending.expires, UTC) > utcnow() + timedelta(seconds=accounts.PENDING_SECONDS - 5)
