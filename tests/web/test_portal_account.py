"""Residents sign in with an emailed one-time link, see how we know them, and sign out here or everywhere."""

from __future__ import annotations

from datetime import timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_citizen
from tests.support.messages import body_of, last_sent_to, token_in
from townsquare.app import Runtime
from townsquare.citizens.models import CitizenSession, Identity, IdentityKind, SignInLink, VerificationMethod
from townsquare.citizens.sessions import CITIZEN_COOKIE
from townsquare.clock import utcnow
from townsquare.notify.models import OutboxMessage


async def _ask(client: httpx.AsyncClient, email: str) -> httpx.Response:
    return await client.post("/account/sign-in", data={"email": email})


async def _link(session: AsyncSession, address: str) -> str:
    return token_in(body_of(await last_sent_to(session, address)), "/account/sign-in/")


async def test_an_emailed_link_signs_in_the_person_who_wrote_from_that_address(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    known = (await create_citizen(session, name="Maria Lopez", email="maria@example.org")).id
    await session.commit()
    asked = await _ask(client, "  Maria@Example.org ")
    assert asked.status_code == 200
    assert "Check your email" in asked.text
    token = await _link(session, "maria@example.org")
    mail = (await session.execute(select(OutboxMessage))).scalar_one()
    assert mail.payload["subject"] == "Your sign-in link"
    assert token not in (await session.execute(select(SignInLink.token_hash))).scalar_one()  # only a hash is kept

    shown = await client.get(f"/account/sign-in/{token}")  # what a mail scanner would fetch
    assert shown.status_code == 200
    assert (await session.execute(select(SignInLink.used_at))).scalar_one() is None

    used = await client.post(f"/account/sign-in/{token}")
    assert used.status_code == 303
    assert CITIZEN_COOKIE in used.cookies
    page = await client.get("/account")
    assert page.status_code == 200
    assert "Maria Lopez" in page.text
    await session.rollback()
    identity = (await session.execute(select(Identity).where(Identity.kind == IdentityKind.email))).scalar_one()
    assert (identity.citizen_id, identity.verified) == (known, True)
    assert identity.verification_method is VerificationMethod.email_link

    again = await client.post(f"/account/sign-in/{token}")
    assert again.status_code == 400
    assert "used or has expired" in again.text


async def test_an_unknown_address_gets_the_same_answer_and_a_new_record_on_first_sign_in(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    asked = await _ask(client, "new.person@example.org")
    assert "Check your email" in asked.text
    token = await _link(session, "new.person@example.org")
    assert (await client.post(f"/account/sign-in/{token}")).status_code == 303
    assert (await client.get("/account")).status_code == 200


async def test_a_bad_address_is_refused_readably_and_nothing_is_sent(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    refused = await _ask(client, "not an address")
    assert refused.status_code == 422
    assert "There is a problem" in refused.text
    assert (await session.execute(select(OutboxMessage))).first() is None


async def test_an_expired_link_is_refused(client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime) -> None:
    await _ask(client, "late@example.org")
    token = await _link(session, "late@example.org")
    async with runtime.db.session() as s:
        await s.execute(update(SignInLink).values(expires_at=utcnow() - timedelta(seconds=1)))
        await s.commit()
    assert (await client.post(f"/account/sign-in/{token}")).status_code == 400
    assert (await client.get("/account", follow_redirects=False)).status_code == 303


async def test_sign_out_everywhere_ends_every_session_of_the_person(
    app: FastAPI, client: httpx.AsyncClient, session: AsyncSession
) -> None:
    phone = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
    async with phone:
        for browser in (client, phone):
            await _ask(browser, "pat@example.org")
            token = await _link(session, "pat@example.org")
            assert (await browser.post(f"/account/sign-in/{token}")).status_code == 303
        account = await phone.get("/account")
        assert account.text.count("signed in by") == 2
        out = await client.post("/account/sign-out-everywhere")
        assert out.status_code == 303
        assert (await phone.get("/account", follow_redirects=False)).status_code == 303
        assert (await client.get("/account", follow_redirects=False)).status_code == 303
    await session.rollback()
    revoked = (await session.execute(select(CitizenSession.revoked_at))).scalars().all()
    assert len(revoked) == 2
    assert all(revoked)


async def test_after_the_link_the_person_returns_to_the_page_they_were_going_to(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_citizen(session, name="Maria Lopez", email="maria@example.org")
    await session.commit()
    asked = await client.post(
        "/account/sign-in", data={"email": "maria@example.org", "next": "/services/DL-RENEW/apply?from=home"}
    )
    assert asked.status_code == 200
    token = await _link(session, "maria@example.org")
    used = await client.post(f"/account/sign-in/{token}")
    assert used.status_code == 303
    assert used.headers["location"] == "/services/DL-RENEW/apply?from=home"
    assert "ts_next" not in client.cookies  # used once

    await client.post("/account/sign-out")
    await client.post("/account/sign-in", data={"email": "maria@example.org", "next": "https://evil.example/"})
    token = await _link(session, "maria@example.org")
    assert (await client.post(f"/account/sign-in/{token}")).headers["location"] == "/account"
