"""Residents' abuse limits: sign-in links, email-adding links and texted codes per address and per client, with a
readable page in English or French, 429 and Retry-After, nothing more sent; wrong codes are limited too. The answer
to "email me a link" stays the same whether anyone has the address, and the audit log never holds the address."""

from __future__ import annotations

import time

import httpx
import pyotp
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_citizen
from tests.support.messages import code_in, texts_delivered, token_in
from tests.web.portal.conftest import Resident, make_resident, sign_in
from townsquare.app import Runtime
from townsquare.citizens.models import CitizenTotp, Identity, IdentityKind, VerificationChallenge
from townsquare.clock import utcnow
from townsquare.settings import Settings
from townsquare.staff.models import AuditEntry
from townsquare.web.portal.account import CODE_PATH

KNOWN = "maria@example.org"
UNKNOWN = "stranger@example.org"
NUMBER = "+16135550199"


@pytest.fixture
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """The test's settings, with the limits a test asks for (`parametrize("settings", [...], indirect=True)`)."""
    return settings.model_copy(update=getattr(request, "param", {}))


async def _delivered(runtime: Runtime, recipient: str) -> int:
    """What the recording provider has been given for `recipient`, once the outbox is delivered."""
    await runtime.worker.drain()
    return sum(1 for envelope in runtime.recording.sent if envelope.recipient == recipient)


async def _audit(session: AsyncSession, action: str) -> list[AuditEntry]:
    await session.rollback()
    return list((await session.execute(select(AuditEntry).where(AuditEntry.action == action))).scalars())


async def _email_me(client: httpx.AsyncClient, email: str, **headers: str) -> httpx.Response:
    return await client.post("/account/sign-in", data={"email": email}, headers=headers)


async def test_sign_in_links_stop_at_the_limit_the_same_way_for_known_and_unknown_addresses(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    await create_citizen(session, name="Maria Lopez", email=KNOWN)
    await session.commit()
    answers: dict[str, list[tuple[int, str]]] = {}
    waits: dict[str, list[int]] = {}
    for email in (KNOWN, UNKNOWN):
        answers[email], waits[email] = [], []
        for _ in range(5):
            response = await _email_me(client, email)
            answers[email].append((response.status_code, response.text.replace(email, "EMAIL")))
            waits[email].append(int(response.headers.get("Retry-After", "0")))
    assert answers[KNOWN] == answers[UNKNOWN]
    assert [a[0] for a in answers[KNOWN]] == [200, 200, 200, 429, 429]
    assert all(abs(k - u) <= 2 for k, u in zip(waits[KNOWN], waits[UNKNOWN], strict=True))
    refused = await _email_me(client, KNOWN)
    assert 880 <= int(refused.headers["Retry-After"]) <= 900
    assert "Too many links have been asked for this email address, or from your network." in refused.text
    assert "Wait 15 minutes, then try again." in refused.text
    assert 'class="govuk-error-summary' in refused.text
    assert 'href="#email"' in refused.text  # the summary names the field
    assert await _delivered(runtime, KNOWN) == 3
    assert await _delivered(runtime, UNKNOWN) == 3

    throttles = await _audit(session, "citizen.send_throttled")
    assert len(throttles) == 5
    for entry in throttles:
        stored = repr((entry.actor_id, entry.subject_id, entry.detail))
        assert KNOWN not in stored
        assert UNKNOWN not in stored
        assert "127.0.0.1" not in stored
        assert (entry.detail["purpose"], entry.detail["by"]) == ("sign_in_link", ["address"])
    assert len({e.detail["address"] for e in throttles}) == 2  # one fingerprint per address


async def test_the_page_speaks_french_and_the_address_is_normalised_first(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    for typed in ("Maria@Example.org", " maria@example.org", "MARIA@EXAMPLE.ORG"):
        assert (await _email_me(client, typed)).status_code == 200
    french = await _email_me(client, "maria@example.org", **{"Accept-Language": "fr-CA,fr;q=0.9"})
    assert french.status_code == 429
    assert "Trop de liens ont été demandés pour cette adresse courriel, ou depuis votre réseau." in french.text
    assert "Attendez 15 minutes, puis réessayez." in french.text
    assert await _delivered(runtime, KNOWN) == 3


@pytest.mark.parametrize("settings", [{"resident_send_client_limits": "2/hour"}], indirect=True)
async def test_one_client_cannot_send_to_many_addresses(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    assert (await _email_me(client, "a@example.org")).status_code == 200
    assert (await _email_me(client, "b@example.org")).status_code == 200
    refused = await _email_me(client, "c@example.org")
    assert refused.status_code == 429
    assert 3500 < int(refused.headers["Retry-After"]) <= 3600
    assert "Wait 60 minutes" in refused.text
    assert await _delivered(runtime, "c@example.org") == 0
    [entry] = await _audit(session, "citizen.send_throttled")
    assert entry.detail["by"] == ["client"]


async def test_texted_codes_to_one_number_stop_at_the_limit_whoever_asks(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime, resident: Resident
) -> None:
    sign_in(client, resident)
    for typed in ("613-555-0199", "(613) 555 0199", "+1 613 555 0199"):
        sent = await client.post("/account/identities/phone/new", data={"phone": typed})
        assert (sent.status_code, sent.headers["location"]) == (303, "/account/identities/phone/code")
    refused = await client.post("/account/identities/phone/new", data={"phone": "6135550199"})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "Too many codes have been asked for this phone number, or from your network." in refused.text
    assert 'href="#phone"' in refused.text

    other = await make_resident(session, name="Ana Silva", email="ana@example.org")
    sign_in(client, other)
    assert (await client.post("/account/identities/phone/new", data={"phone": NUMBER})).status_code == 429
    assert await _delivered(runtime, NUMBER) == 3
    await session.rollback()
    challenges = (await session.execute(select(VerificationChallenge.citizen_id))).scalars().all()
    assert challenges == [resident.citizen_id] * 3
    entries = await _audit(session, "citizen.send_throttled")
    assert [(e.citizen_id, e.detail["purpose"]) for e in entries] == [
        (resident.citizen_id, "add_phone"),
        (other.citizen_id, "add_phone"),
    ]
    assert all(NUMBER not in repr(e.detail) for e in entries)


async def test_email_adding_links_stop_at_the_limit(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime, resident: Resident
) -> None:
    sign_in(client, resident)
    for _ in range(3):
        assert (await client.post("/account/identities/email/new", data={"email": UNKNOWN})).status_code == 200
    refused = await client.post("/account/identities/email/new", data={"email": UNKNOWN})
    assert refused.status_code == 429
    assert "Retry-After" in refused.headers
    assert "Too many links have been asked for this email address" in refused.text
    assert await _delivered(runtime, UNKNOWN) == 3
    # The same address's budget is shared with sign-in links: it is one mailbox to protect.
    assert (await _email_me(client, UNKNOWN)).status_code == 429


@pytest.mark.parametrize("settings", [{"resident_wrong_code_limits": "3/15 minutes"}], indirect=True)
async def test_wrong_texted_codes_are_limited_and_then_even_the_right_one_waits(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime, resident: Resident
) -> None:
    sign_in(client, resident)
    assert (await client.post("/account/identities/phone/new", data={"phone": NUMBER})).status_code == 303
    await runtime.worker.drain()
    code = code_in(texts_delivered(runtime.recording, NUMBER)[0])
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(3):
        assert (await client.post("/account/identities/phone/code", data={"code": wrong})).status_code == 422
    waiting = await client.post("/account/identities/phone/code", data={"code": code})
    assert waiting.status_code == 429
    assert 0 < int(waiting.headers["Retry-After"]) <= 900
    assert "You have entered too many wrong codes. Wait 15 minutes, then try again." in waiting.text
    await session.rollback()
    phone = select(Identity).where(Identity.kind == IdentityKind.phone, Identity.value == NUMBER)
    assert (await session.execute(phone)).scalar_one_or_none() is None
    attempts = (await session.execute(select(VerificationChallenge.attempts))).scalar_one()
    assert attempts == 3  # the right code was not even checked
    [entry] = await _audit(session, "citizen.code_throttled")
    assert (entry.citizen_id, entry.detail["purpose"]) == (resident.citizen_id, "phone_code")


@pytest.mark.parametrize("settings", [{"resident_wrong_code_limits": "2/15 minutes"}], indirect=True)
async def test_wrong_authenticator_codes_at_set_up_are_limited(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime, resident: Resident
) -> None:
    sign_in(client, resident)
    assert (await client.post("/account/security/authenticator")).status_code == 303
    await session.rollback()
    secret = (await session.execute(select(CitizenTotp.secret))).scalar_one()
    generator = pyotp.TOTP(secret)
    accepted = {generator.at(time.time() + k * 30) for k in range(-2, 3)}
    wrong = next(c for c in ("000000", "111111", "222222", "333333") if c not in accepted)
    for _ in range(2):
        answer = await client.post("/account/security/authenticator/confirm", data={"code": wrong})
        assert answer.status_code == 400
    waiting = await client.post("/account/security/authenticator/confirm", data={"code": generator.now()})
    assert waiting.status_code == 429
    assert "Retry-After" in waiting.headers
    assert "You have entered too many wrong codes." in waiting.text
    await session.rollback()
    assert (await session.execute(select(CitizenTotp.confirmed_at))).scalar_one() is None


@pytest.mark.parametrize("settings", [{"resident_wrong_code_limits": "6/15 minutes"}], indirect=True)
async def test_wrong_codes_at_sign_in_count_across_new_links(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime, resident: Resident
) -> None:
    """Each emailed link allows five codes; the resident's wrong codes are also counted across links."""
    secret = pyotp.random_base32()
    async with runtime.db.session() as s:
        s.add(CitizenTotp(citizen_id=resident.citizen_id, secret=secret, created_at=utcnow(), confirmed_at=utcnow()))
        await s.commit()
    generator = pyotp.TOTP(secret)
    accepted = {generator.at(time.time() + k * 30) for k in range(-2, 3)}
    wrong = next(c for c in ("000000", "111111", "222222", "333333") if c not in accepted)
    statuses = []
    for _ in range(2):  # five wrong codes end the first link's sign-in; the second link's second wrong code waits
        await _use_new_link(client, runtime, resident.email)
        for _ in range(5):
            statuses.append((await client.post(CODE_PATH, data={"code": wrong})).status_code)
            if statuses[-1] == 429:
                break
    assert statuses == [400, 400, 400, 400, 400, 400, 429]
    await _use_new_link(client, runtime, resident.email)
    waiting = await client.post(CODE_PATH, data={"code": generator.now()})
    assert waiting.status_code == 429
    assert "Retry-After" in waiting.headers
    assert "You have entered too many wrong codes." in waiting.text
    assert [e.detail["purpose"] for e in await _audit(session, "citizen.code_throttled")] == ["sign_in_totp"] * 2


async def _use_new_link(client: httpx.AsyncClient, runtime: Runtime, email: str) -> None:
    assert (await _email_me(client, email)).status_code == 200
    await runtime.worker.drain()
    token = token_in(texts_delivered(runtime.recording, email)[-1], "/account/sign-in/")
    used = await client.post(f"/account/sign-in/{token}")
    assert (used.status_code, used.headers["location"]) == (303, CODE_PATH)
