"""The steps after a right password: MFA set-up required for administrators, the one-time code with its own
limits, recovery codes that work once; and the password reset by emailed link."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import httpx
import pyotp
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import PASSWORD, count, create_agency, create_staff
from townsquare.clock import utcnow
from townsquare.notify.models import OutboxMessage
from townsquare.settings import Settings
from townsquare.staff.models import AuditEntry, StaffAccount, StaffPasswordReset, StaffRole, StaffSession

NEW_PASSWORD = "a quiet river at dawn"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"staff_mfa_required": True, "staff_sign_in_account_limits": "3/minute"})


async def _password(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    client.cookies.clear()
    return await client.post("/desk/sign-in", data={"email": email, "password": password, "next": "/desk/account"})


def _secret(page: str) -> str:
    found = re.search(r'id="secret">([A-Z2-7 ]+)<', page)
    assert found is not None, page
    return found.group(1).replace(" ", "")


def _wrong(secret: str) -> str:
    """A six-digit code that is none of the codes the window accepts now."""
    totp, now = pyotp.TOTP(secret), time.time()
    taken = {totp.at(now + shift) for shift in (-60, -30, 0, 30, 60)}
    return next(code for code in ("000000", "111111", "222222", "333333", "444444", "555555") if code not in taken)


def _codes(page: str) -> list[str]:
    return re.findall(r'<li><code lang="zxx">([0-9a-f-]+)</code></li>', page)


async def _enrol_admin(client: httpx.AsyncClient, email: str) -> tuple[str, list[str]]:
    """Sign an administrator in, set up the app; returns the key and the recovery codes."""
    signed = await _password(client, email)
    assert signed.headers["location"] == "/desk/sign-in/mfa?next=/desk/account"
    page = await client.get(signed.headers["location"])
    secret = _secret(page.text)
    done = await client.post("/desk/sign-in/mfa", data={"code": pyotp.TOTP(secret).now(), "next": "/desk/account"})
    assert done.status_code == 200, done.text
    return secret, _codes(done.text)


async def test_an_administrator_without_mfa_must_set_it_up_before_anything_else(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_staff(session, email="root@city.example", role=StaffRole.admin)
    await session.commit()

    signed = await _password(client, "root@city.example")
    assert signed.status_code == 303
    assert signed.headers["location"].startswith("/desk/sign-in/mfa")
    for page in ("/desk", "/desk/account", "/desk/staff"):
        refused = await client.get(page)
        assert refused.status_code == 303
        assert refused.headers["location"].startswith("/desk/sign-in?next=")
    enrol = await client.get("/desk/sign-in/mfa")
    assert enrol.status_code == 200
    assert "<svg" in enrol.text
    assert 'role="img"' in enrol.text
    secret = _secret(enrol.text)

    wrong = await client.post("/desk/sign-in/mfa", data={"code": _wrong(secret)})
    assert wrong.status_code == 422
    assert (await client.get("/desk")).status_code == 303

    done = await client.post("/desk/sign-in/mfa", data={"code": pyotp.TOTP(secret).now(), "next": "/desk/account"})
    assert done.status_code == 200
    codes = _codes(done.text)
    assert len(codes) == 10
    assert (await client.get("/desk/account")).status_code == 200
    await session.commit()
    actions = set((await session.execute(select(AuditEntry.action))).scalars())
    assert {"staff.mfa_enrolled", "staff.mfa_failed", "staff.sign_in"} <= actions
    session.expire_all()
    account = (await session.execute(select(StaffAccount))).scalar_one()
    assert account.mfa_enabled_at is not None
    everything = str((await session.execute(select(AuditEntry.detail))).scalars().all())
    assert secret not in everything
    assert not any(code in everything for code in codes)


async def test_an_agent_without_mfa_signs_in_with_the_password_alone(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_staff(session, email="wren@city.example", agencies=[await create_agency(session)])
    await session.commit()

    signed = await _password(client, "wren@city.example")

    assert signed.headers["location"] == "/desk/account"
    assert (await client.get("/desk/account")).status_code == 200


async def test_once_enrolled_the_code_is_asked_and_wrong_codes_are_limited(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_staff(session, email="root@city.example", role=StaffRole.admin)
    await session.commit()
    secret, _ = await _enrol_admin(client, "root@city.example")
    wrong = _wrong(secret)

    signed = await _password(client, "root@city.example")
    assert signed.headers["location"] == "/desk/sign-in/code?next=/desk/account"
    assert (await client.get("/desk/account")).status_code == 303
    answers = [(await client.post("/desk/sign-in/code", data={"code": wrong})).status_code for _ in range(4)]
    await session.commit()

    assert answers == [401, 401, 401, 429]
    assert await count(session, AuditEntry, AuditEntry.action == "staff.mfa_failed") == 3
    assert (await client.get("/desk/account")).status_code == 303


async def test_a_recovery_code_works_once(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await create_staff(session, email="root@city.example", role=StaffRole.admin)
    await session.commit()
    _, codes = await _enrol_admin(client, "root@city.example")

    await _password(client, "root@city.example")
    first = await client.post("/desk/sign-in/code", data={"code": codes[0].upper(), "next": "/desk/account"})
    assert first.status_code == 303
    assert first.headers["location"] == "/desk/account"
    assert (await client.get("/desk/account")).status_code == 200

    await _password(client, "root@city.example")
    again = await client.post("/desk/sign-in/code", data={"code": codes[0]})
    assert again.status_code == 401
    await session.commit()
    assert await count(session, AuditEntry, AuditEntry.action == "staff.mfa_recovery_code_used") == 1


async def _reset_link(session: AsyncSession) -> str:
    message = (await session.execute(select(OutboxMessage).order_by(OutboxMessage.created_at.desc()))).scalars()
    found = re.search(r"/desk/sign-in/reset/([\w-]+)", next(iter(message)).payload["text"])
    assert found is not None
    return "/desk/sign-in/reset/" + found.group(1)


async def test_a_reset_link_is_emailed_works_once_and_ends_every_session(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_staff(session, email="wren@city.example")
    await session.commit()
    await _password(client, "wren@city.example")
    assert (await client.get("/desk/account")).status_code == 200
    signed_in = dict(client.cookies)

    asked = await client.post("/desk/sign-in/reset", data={"email": "Wren@City.example"})
    unknown = await client.post("/desk/sign-in/reset", data={"email": "nobody@city.example"})

    assert asked.status_code == unknown.status_code == 200
    assert asked.text == unknown.text
    [message] = (await session.execute(select(OutboxMessage))).scalars().all()
    assert (message.channel, message.recipient) == ("email", "wren@city.example")
    link = await _reset_link(session)
    token = link.rsplit("/", 1)[1]
    stored = (await session.execute(select(StaffPasswordReset))).scalar_one()
    assert token not in stored.token_hash
    assert (await client.get(link)).status_code == 200

    weak = await client.post(link, data={"password": "wren@city.example", "confirm": "wren@city.example"})
    assert weak.status_code == 422
    done = await client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 303
    assert done.headers["location"] == "/desk/sign-in?notice=reset"
    assert (await client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})).status_code == 410
    assert (await client.get(link)).status_code == 410

    client.cookies.clear()
    client.cookies.update(signed_in)
    assert (await client.get("/desk/account")).status_code == 303  # the old session ended
    assert (await _password(client, "wren@city.example")).status_code == 401
    assert (await _password(client, "wren@city.example", NEW_PASSWORD)).status_code == 303
    await session.commit()
    session.expire_all()
    actions = list((await session.execute(select(AuditEntry.action))).scalars())
    assert "staff.password_reset_requested" in actions
    assert "staff.password_reset_used" in actions
    assert "staff.sessions_revoked" in actions
    details = str((await session.execute(select(AuditEntry.detail))).scalars().all())
    assert "wren@city.example" not in details
    assert "nobody" not in details


async def test_a_reset_link_expires_after_an_hour(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await create_staff(session, email="wren@city.example")
    await session.commit()
    await client.post("/desk/sign-in/reset", data={"email": "wren@city.example"})
    link = await _reset_link(session)
    await session.execute(update(StaffPasswordReset).values(expires_at=utcnow() - timedelta(seconds=1)))
    await session.commit()

    assert (await client.get(link)).status_code == 410
    assert (await client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})).status_code == 410
    assert (await _password(client, "wren@city.example")).status_code == 303


async def test_with_passwords_off_the_form_is_gone_and_posts_are_refused(
    app: FastAPI, client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    await create_staff(session, email="wren@city.example")
    await session.commit()
    app.state.settings = settings.model_copy(update={"staff_local_passwords": False})

    page = await client.get("/desk/sign-in")
    refused = await _password(client, "wren@city.example")
    reset = await client.post("/desk/sign-in/reset", data={"email": "wren@city.example"})

    assert 'name="password"' not in page.text
    assert refused.status_code == 403
    assert reset.status_code == 403
    assert await count(session, StaffSession) == 0
    assert await count(session, OutboxMessage) == 0


async def test_reset_links_are_limited_per_address_and_per_client_alike_for_known_and_unknown(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_staff(session, email="wren@city.example")
    await session.commit()
    for _ in range(3):  # the address's hourly window (3/hour): known
        assert (await client.post("/desk/sign-in/reset", data={"email": "wren@city.example"})).status_code == 200
    refused = await client.post("/desk/sign-in/reset", data={"email": "WREN@city.example"})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "Too many reset links were asked for." in refused.text
    for _ in range(3):
        assert (await client.post("/desk/sign-in/reset", data={"email": "nobody@city.example"})).status_code == 200
    assert (await client.post("/desk/sign-in/reset", data={"email": "nobody@city.example"})).status_code == 429
    others = [f"someone{n}@city.example" for n in range(4)]  # refusals count for nothing: 6 asked so far
    answers = [(await client.post("/desk/sign-in/reset", data={"email": e})).status_code for e in others]
    assert answers == [200] * 4  # the client's hourly window (10/hour) is now full
    assert (await client.post("/desk/sign-in/reset", data={"email": "last@city.example"})).status_code == 429
    throttled = (
        await session.execute(select(AuditEntry).where(AuditEntry.action == "staff.reset_throttled"))
    ).scalars()
    rows = list(throttled)
    assert len(rows) == 3
    assert await count(session, OutboxMessage) == 3  # only the known address's links were sent
    assert "wren" not in str([r.detail for r in rows])
