"""A signed-in resident adds a phone by SMS code and an email by emailed link, and removes contacts."""

from __future__ import annotations

from datetime import timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_citizen
from tests.support.messages import body_of, code_in, last_sent_to, token_in
from tests.web.portal.conftest import Resident, make_resident, sign_in
from townsquare.app import Runtime
from townsquare.citizens.models import (
    Citizen,
    CitizenStatus,
    Identity,
    IdentityKind,
    SignInLink,
    VerificationChallenge,
    VerificationMethod,
)
from townsquare.clock import utcnow
from townsquare.notify.models import OutboxMessage
from townsquare.staff.models import AuditEntry

NUMBER = "+16135550199"


async def _code(session: AsyncSession, number: str = NUMBER) -> str:
    return code_in(body_of(await last_sent_to(session, number)))


async def _ask_code(client: httpx.AsyncClient, phone: str = "613-555-0199") -> None:
    sent = await client.post("/account/identities/phone/new", data={"phone": phone})
    assert sent.status_code == 303
    assert sent.headers["location"] == "/account/identities/phone/code"


async def _phone(session: AsyncSession, number: str = NUMBER) -> Identity | None:
    await session.rollback()
    stmt = select(Identity).where(Identity.kind == IdentityKind.phone, Identity.value == number)
    return (await session.execute(stmt)).scalar_one_or_none()


async def test_a_phone_is_added_after_the_texted_code_is_typed(
    client: httpx.AsyncClient, session: AsyncSession, resident: Resident
) -> None:
    sign_in(client, resident)
    form = await client.get("/account/identities/phone/new")
    assert form.status_code == 200
    assert 'type="tel"' in form.text
    await _ask_code(client)
    sms = await last_sent_to(session, NUMBER)
    assert sms.channel == "sms"
    page = await client.get("/account/identities/phone/code")
    assert 'autocomplete="one-time-code"' in page.text
    assert 'inputmode="numeric"' in page.text
    assert NUMBER in page.text

    done = await client.post("/account/identities/phone/code", data={"code": await _code(session)})
    assert done.status_code == 303
    assert done.headers["location"] == "/account?updated=phone"
    phone = await _phone(session)
    assert phone is not None
    assert (phone.citizen_id, phone.verified, phone.verification_method) == (
        resident.citizen_id,
        True,
        VerificationMethod.sms_code,
    )
    account = await client.get("/account?updated=phone")
    assert "Your phone number is verified" in account.text
    assert NUMBER in account.text
    audit = (await session.execute(select(AuditEntry.action, AuditEntry.detail))).all()
    assert ("citizen.identity_verified", {"identity_id": str(phone.id), "kind": "phone", "method": "sms_code"}) in [
        tuple(a) for a in audit
    ]
    assert all(NUMBER not in str(detail) for _, detail in audit)  # no personal data in the audit log


async def test_a_bad_number_and_wrong_expired_and_exhausted_codes_are_explained(
    client: httpx.AsyncClient, session: AsyncSession, resident: Resident, runtime: Runtime
) -> None:
    sign_in(client, resident)
    bad = await client.post("/account/identities/phone/new", data={"phone": "12"})
    assert bad.status_code == 422
    assert "There is a problem" in bad.text
    assert "Enter a phone number" in bad.text
    assert "<title>Error:" in bad.text

    await _ask_code(client)
    code = await _code(session)
    wrong = "000000" if code != "000000" else "111111"
    answer = await client.post("/account/identities/phone/code", data={"code": wrong})
    assert answer.status_code == 422
    assert "You can try 4 more times" in answer.text
    letters = await client.post("/account/identities/phone/code", data={"code": "abc"})
    assert "in numbers only" in letters.text
    for _ in range(4):
        answer = await client.post("/account/identities/phone/code", data={"code": wrong})
    assert "too many times" in answer.text
    late = await client.post("/account/identities/phone/code", data={"code": code})  # right, but too late
    assert late.status_code == 422
    assert "too many times" in late.text
    assert await _phone(session) is None

    await _ask_code(client)
    code = await _code(session)
    async with runtime.db.session() as s:
        await s.execute(update(VerificationChallenge).values(expires_at=utcnow() - timedelta(seconds=1)))
        await s.commit()
    expired = await client.post("/account/identities/phone/code", data={"code": code})
    assert expired.status_code == 422
    assert "has expired" in expired.text
    assert await _phone(session) is None


async def test_a_number_of_an_unconfirmed_record_moves_over_and_is_audited(
    client: httpx.AsyncClient, session: AsyncSession, resident: Resident, runtime: Runtime
) -> None:
    async with runtime.db.session() as s:  # someone texted from this number before: a provisional record
        stranger = Citizen(status=CitizenStatus.provisional)
        s.add(stranger)
        await s.flush()
        s.add(Identity(citizen_id=stranger.id, kind=IdentityKind.phone, value=NUMBER))
        await s.commit()
        stranger_id = stranger.id
    sign_in(client, resident)
    await _ask_code(client)
    done = await client.post("/account/identities/phone/code", data={"code": await _code(session)})
    assert done.status_code == 303
    phone = await _phone(session)
    assert phone is not None
    assert (phone.citizen_id, phone.verified) == (resident.citizen_id, True)
    details = (await session.execute(select(AuditEntry.detail))).scalars().all()
    assert any(d.get("moved_from_citizen_id") == str(stranger_id) for d in details)


async def test_a_number_of_another_confirmed_person_is_refused_and_nothing_merges(
    client: httpx.AsyncClient, session: AsyncSession, resident: Resident
) -> None:
    other = await create_citizen(session, name="Sam Other", phone=NUMBER, phone_verified=True)
    other_id = other.id
    await session.commit()
    sign_in(client, resident)
    await _ask_code(client)
    refused = await client.post("/account/identities/phone/code", data={"code": await _code(session)})
    assert refused.status_code == 409
    assert "already linked to another account" in refused.text
    assert "Contact us" in refused.text
    phone = await _phone(session)
    assert phone is not None
    assert phone.citizen_id == other_id
    citizen = await session.get(Citizen, resident.citizen_id)
    assert citizen is not None
    assert citizen.status is CitizenStatus.confirmed
    actions = (await session.execute(select(AuditEntry.action))).scalars().all()
    assert "citizen.identity_refused" in actions


async def _email_link(client: httpx.AsyncClient, session: AsyncSession, address: str) -> str:
    sent = await client.post("/account/identities/email/new", data={"email": address})
    assert sent.status_code == 200
    assert "Check your email" in sent.text
    mail = await last_sent_to(session, address.strip().lower())
    assert mail.payload["subject"] == "Confirm your email address"
    return token_in(mail.payload["text"], "/account/identities/email/confirm/")


async def _email(session: AsyncSession, address: str) -> Identity | None:
    await session.rollback()
    stmt = select(Identity).where(Identity.kind == IdentityKind.email, Identity.value == address)
    return (await session.execute(stmt)).scalar_one_or_none()


async def test_an_email_is_added_by_its_link_after_a_button_press(
    client: httpx.AsyncClient, session: AsyncSession, resident: Resident
) -> None:
    sign_in(client, resident)
    token = await _email_link(client, session, " Maria.Work@Example.org ")
    assert token not in (await session.execute(select(SignInLink.token_hash))).scalars().all()
    shown = await client.get(f"/account/identities/email/confirm/{token}")  # what a mail scanner fetches
    assert shown.status_code == 200
    assert await _email(session, "maria.work@example.org") is None
    used = await client.post(f"/account/identities/email/confirm/{token}")
    assert used.status_code == 303
    assert used.headers["location"] == "/account?updated=email"
    email = await _email(session, "maria.work@example.org")
    assert email is not None
    assert (email.citizen_id, email.verified, email.verification_method) == (
        resident.citizen_id,
        True,
        VerificationMethod.email_link,
    )
    again = await client.post(f"/account/identities/email/confirm/{token}")
    assert again.status_code == 400
    assert "used or has expired" in again.text


async def test_an_email_link_adds_only_to_the_account_that_asked_whoever_opens_it(
    app: FastAPI, client: httpx.AsyncClient, session: AsyncSession, resident: Resident
) -> None:
    sam = await make_resident(session, name="Sam Other", email="sam@example.org")
    sign_in(client, resident)
    first = await _email_link(client, session, "maria.home@example.org")
    second = await _email_link(client, session, "maria.old@example.org")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as elsewhere:
        signed_out = await elsewhere.post(f"/account/identities/email/confirm/{first}")
        assert signed_out.status_code == 303
        assert signed_out.headers["location"] == "/account/identities/email/confirmed"
        confirmed = await elsewhere.get("/account/identities/email/confirmed")
        assert "Sign in to see your account" in confirmed.text
        assert "Maria" not in confirmed.text  # nothing about the account is shown to whoever opened it

        sign_in(elsewhere, sam)
        as_sam = await elsewhere.post(f"/account/identities/email/confirm/{second}")
        assert as_sam.headers["location"] == "/account/identities/email/confirmed"
        page = await elsewhere.get("/account/identities/email/confirmed")
        assert "not the account you are signed in with" in page.text
    for address in ("maria.home@example.org", "maria.old@example.org"):
        email = await _email(session, address)
        assert email is not None
        assert (email.citizen_id, email.verified) == (resident.citizen_id, True)


async def test_a_plain_sign_in_link_cannot_add_an_address(
    client: httpx.AsyncClient, session: AsyncSession, resident: Resident
) -> None:
    await client.post("/account/sign-in", data={"email": "someone@example.org"})
    mail = await last_sent_to(session, "someone@example.org")
    token = token_in(mail.payload["text"], "/account/sign-in/")
    sign_in(client, resident)
    refused = await client.post(f"/account/identities/email/confirm/{token}")
    assert refused.status_code == 400
    assert await _email(session, "someone@example.org") is None


async def test_a_link_that_adds_an_address_cannot_be_used_to_sign_in(
    app: FastAPI, client: httpx.AsyncClient, session: AsyncSession, resident: Resident
) -> None:
    sign_in(client, resident)
    token = await _email_link(client, session, "maria.new@example.org")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as elsewhere:
        refused = await elsewhere.post(f"/account/sign-in/{token}")
        assert refused.status_code == 400
        assert "ts_citizen" not in refused.cookies
    still_usable = await client.post(f"/account/identities/email/confirm/{token}")
    assert still_usable.status_code == 303


async def test_a_bad_or_confirmed_address_is_refused_and_nothing_is_sent(
    client: httpx.AsyncClient, session: AsyncSession, resident: Resident
) -> None:
    sign_in(client, resident)
    bad = await client.post("/account/identities/email/new", data={"email": "not an address"})
    assert bad.status_code == 422
    assert "Enter an email address in the correct format" in bad.text
    mine = await client.post("/account/identities/email/new", data={"email": resident.email})
    assert mine.status_code == 409
    assert "already on your account" in mine.text
    await session.rollback()
    assert (await session.execute(select(OutboxMessage))).first() is None


async def test_a_contact_is_removed_after_a_confirm_step_but_never_the_last_way_to_sign_in(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    resident = await make_resident(session, phone="+16135550142")
    sign_in(client, resident)
    rows = (await session.execute(select(Identity).where(Identity.citizen_id == resident.citizen_id))).scalars().all()
    email_id = next(i.id for i in rows if i.kind is IdentityKind.email)
    phone_id = next(i.id for i in rows if i.kind is IdentityKind.phone)

    only = await client.get(f"/account/identities/{email_id}/remove")
    assert "only way you sign in" in only.text
    refused = await client.post(f"/account/identities/{email_id}/remove")
    assert refused.status_code == 409
    assert await _email(session, resident.email) is not None

    ask = await client.get(f"/account/identities/{phone_id}/remove")
    assert ask.status_code == 200
    assert f'action="/account/identities/{phone_id}/remove"' in ask.text
    assert await _phone(session, "+16135550142") is not None  # asking removes nothing
    removed = await client.post(f"/account/identities/{phone_id}/remove")
    assert removed.status_code == 303
    assert removed.headers["location"] == "/account?updated=removed"
    assert await _phone(session, "+16135550142") is None


async def test_someone_elses_contact_cannot_be_removed(
    client: httpx.AsyncClient, session: AsyncSession, resident: Resident
) -> None:
    sam = await make_resident(session, name="Sam Other", email="sam@example.org", phone="+16135550177")
    rows = (await session.execute(select(Identity).where(Identity.citizen_id == sam.citizen_id))).scalars().all()
    sign_in(client, resident)
    for row in rows:
        assert (await client.get(f"/account/identities/{row.id}/remove")).status_code == 404
        assert (await client.post(f"/account/identities/{row.id}/remove")).status_code == 404
    assert (await client.post("/account/identities/not-an-id/remove")).status_code == 404
    await session.rollback()
    left = (await session.execute(select(Identity).where(Identity.citizen_id == sam.citizen_id))).scalars().all()
    assert len(left) == 2


async def test_signed_out_people_are_sent_to_sign_in(client: httpx.AsyncClient) -> None:
    for path in ("/account/identities/phone/new", "/account/identities/email/new", "/account/preferences"):
        answer = await client.get(path)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/account/sign-in?next=")
