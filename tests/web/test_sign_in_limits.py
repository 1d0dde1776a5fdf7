"""Staff sign-in under abuse limits: repeated wrong passwords wait longer each time, then lock the account; a locked
account refuses even the right password until an administrator unlocks it on the desk's Staff page; every failure,
throttle and lock is audited without the password; an unknown email is answered exactly as a known one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import PASSWORD, create_agency, create_staff
from tests.support.clock import hold_rate_limit_clock
from townsquare.app import build_runtime, create_app
from townsquare.settings import Settings
from townsquare.staff.models import AuditEntry, StaffAccount, StaffRole

WRONG = "not-the-password-at-all"
KNOWN = "wren@city.example"
UNKNOWN = "nobody@city.example"


@asynccontextmanager
async def desk(settings: Settings, **limits: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app process of its own (its own rate limiter) on the test's database, with these limits."""
    configured = settings.model_copy(update={"staff_sign_in_client_limits": "1000/minute", **limits})
    runtime = build_runtime(configured)
    transport = httpx.ASGITransport(app=create_app(configured, runtime))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
    finally:
        await runtime.bus.wait_idle()
        await runtime.db.dispose()


async def _sign_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/desk/sign-in", data={"email": email, "password": password, "next": "/desk"})


async def _account(session: AsyncSession, email: str = KNOWN) -> StaffAccount:
    await session.rollback()  # a fresh snapshot: the app committed since the last read
    return (await session.execute(select(StaffAccount).where(StaffAccount.email == email))).scalar_one()


async def _audit(session: AsyncSession) -> list[AuditEntry]:
    await session.rollback()
    return list((await session.execute(select(AuditEntry).order_by(AuditEntry.occurred_at))).scalars())


async def test_repeated_wrong_passwords_wait_longer_each_time(
    settings: Settings, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = hold_rate_limit_clock(monkeypatch)  # the 2-second window must not pass while a loaded machine works
    await create_staff(session, email=KNOWN)
    await session.commit()
    async with desk(settings, staff_sign_in_account_limits="2/2 seconds;3/hour", staff_lock_after_failures=10) as c:
        assert [(await _sign_in(c, KNOWN, WRONG)).status_code for _ in range(2)] == [401, 401]
        first = await _sign_in(c, KNOWN, PASSWORD)  # even the right password waits: it is not checked
        assert first.status_code == 429
        assert 1 <= int(first.headers["Retry-After"]) <= 2
        assert "Wait 1 minute, then try again." in first.text
        assert "ask an administrator" in first.text
        clock.advance(2.1)
        assert (await _sign_in(c, KNOWN, WRONG)).status_code == 401  # the third in the hour fills that window
        second = await _sign_in(c, KNOWN, WRONG)
        assert second.status_code == 429
        assert 3000 < int(second.headers["Retry-After"]) <= 3600
        assert "Wait 60 minutes" in second.text
    account = await _account(session)
    assert (account.failed_sign_ins, account.locked_at) == (3, None)
    actions = [e.action for e in await _audit(session)]
    assert actions.count("staff.sign_in_failed") == 3
    assert actions.count("staff.sign_in_throttled") == 2


async def test_enough_failures_lock_the_account_until_an_admin_unlocks_it_on_the_staff_page(
    settings: Settings, session: AsyncSession
) -> None:
    agency = await create_agency(session)
    await create_staff(session, email=KNOWN, agencies=[agency])
    await create_staff(session, email="ada@city.example", role=StaffRole.admin)
    await session.commit()
    limits = {"staff_sign_in_account_limits": "10/minute", "staff_lock_after_failures": 3}
    async with desk(settings, **limits) as first:
        assert [(await _sign_in(first, KNOWN, WRONG)).status_code for _ in range(3)] == [401, 401, 401]
        locked = await _sign_in(first, KNOWN, PASSWORD)
        assert locked.status_code == 429
        assert int(locked.headers["Retry-After"]) > 3600
        assert "ask an administrator: they can unlock your account" in locked.text
        account = await _account(session)
        assert account.locked_at is not None
        async with desk(settings, **limits) as restarted:  # a new process: its windows are empty, the lock is not
            again = await _sign_in(restarted, KNOWN, PASSWORD)
            assert again.status_code == 429
            assert "ask an administrator" in again.text
            assert "ts_staff" not in again.cookies

            assert (await _sign_in(restarted, "ada@city.example", PASSWORD)).status_code == 303
            page = await restarted.get("/desk/staff")
            assert page.status_code == 200
            row = page.text[page.text.index(f'data-staff="{account.id}"') :]
            assert "Locked" in row.split("</tr>")[0]
            assert f'action="/desk/staff/{account.id}/unlock"' in page.text
            assert 'href="/desk/staff"' in (await restarted.get("/desk")).text  # the admin's desk links to it
            unlocked = await restarted.post(f"/desk/staff/{account.id}/unlock")
            assert (unlocked.status_code, unlocked.headers["location"]) == (303, "/desk/staff?notice=unlocked")
            assert "The account was unlocked" in (await restarted.get("/desk/staff?notice=unlocked")).text
        back = await _sign_in(first, KNOWN, PASSWORD)  # the first process forgets its counts once the lock is gone
        assert (back.status_code, back.headers["location"]) == (303, "/desk")
    admin_id = (await _account(session, "ada@city.example")).id
    account = await _account(session)
    assert (account.locked_at, account.failed_sign_ins) == (None, 0)
    account_id = account.id
    entries = await _audit(session)
    actions = [e.action for e in entries]
    assert actions.count("staff.locked") == 1
    unlock = next(e for e in entries if e.action == "staff.unlocked")
    assert (unlock.actor_kind, unlock.actor_id, unlock.subject_id) == ("staff", str(admin_id), str(account_id))
    assert unlock.detail == {"was_locked": True}
    refused = [e for e in entries if e.action == "staff.sign_in_failed" and e.detail.get("reason") == "locked"]
    assert len(refused) == 1  # the right password after the lock, in the new process


async def test_agents_cannot_see_or_use_the_staff_page(settings: Settings, session: AsyncSession) -> None:
    target = await create_staff(session, email=KNOWN)
    await create_staff(session, email="agent@city.example")
    await session.commit()
    async with desk(settings) as client:
        assert (await _sign_in(client, "agent@city.example", PASSWORD)).status_code == 303
        assert (await client.get("/desk/staff")).status_code == 403
        assert (await client.post(f"/desk/staff/{target.id}/unlock")).status_code == 403
        assert 'href="/desk/staff"' not in (await client.get("/desk")).text
    assert [e.action for e in await _audit(session) if e.action == "staff.unlocked"] == []


async def test_failures_are_audited_in_their_own_commit_and_never_with_the_password(
    settings: Settings, session: AsyncSession
) -> None:
    account = await create_staff(session, email=KNOWN)
    await session.commit()
    secret = "my-secret-guess-1234"
    async with desk(settings, staff_sign_in_account_limits="1/minute", staff_lock_after_failures=5) as client:
        assert (await _sign_in(client, "Wren@City.example ", secret)).status_code == 401
        assert (await _sign_in(client, KNOWN, secret)).status_code == 429
        assert (await _sign_in(client, UNKNOWN, secret)).status_code == 401
    entries = await _audit(session)
    failed = [e for e in entries if e.action == "staff.sign_in_failed"]
    assert [(e.subject_id, e.detail["reason"]) for e in failed] == [
        (str(account.id), "wrong_password"),
        (None, "unknown_account"),
    ]
    assert failed[0].detail["in_a_row"] == 1
    assert failed[1].detail["email"]  # a fingerprint links attempts on one typed address without storing it
    assert all(e.actor_kind == "client" and e.actor_id == e.detail["client"] for e in failed)
    for entry in entries:
        stored = repr((entry.actor_id, entry.subject_id, entry.detail))
        assert secret not in stored
        assert UNKNOWN not in stored
        assert "127.0.0.1" not in stored


async def test_an_unknown_email_is_answered_exactly_as_a_known_one(settings: Settings, session: AsyncSession) -> None:
    await create_staff(session, email=KNOWN)
    await session.commit()
    answers: dict[str, list[tuple[int, int, str]]] = {}
    async with desk(settings, staff_sign_in_account_limits="2/minute", staff_lock_after_failures=3) as client:
        for email in (KNOWN, UNKNOWN):
            answers[email] = []
            for _ in range(5):
                response = await _sign_in(client, email, WRONG)
                retry = int(response.headers.get("Retry-After", "0"))
                answers[email].append((response.status_code, retry, response.text.replace(email, "EMAIL")))
    known, unknown = answers[KNOWN], answers[UNKNOWN]
    assert [a[0] for a in known] == [a[0] for a in unknown] == [401, 401, 429, 429, 429]
    assert [a[2] for a in known] == [a[2] for a in unknown]
    assert all(abs(k[1] - u[1]) <= 2 for k, u in zip(known, unknown, strict=True))


async def test_the_client_address_is_limited_across_emails(settings: Settings, session: AsyncSession) -> None:
    await create_staff(session, email=KNOWN)
    await session.commit()
    limits = {"staff_sign_in_client_limits": "3/minute", "staff_sign_in_account_limits": "100/minute"}
    async with desk(settings, **limits) as client:
        for n in range(3):
            assert (await _sign_in(client, f"guess{n}@city.example", WRONG)).status_code == 401
        refused = await _sign_in(client, KNOWN, PASSWORD)
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
    throttled = [e for e in await _audit(session) if e.action == "staff.sign_in_throttled"]
    assert [e.detail["by"] for e in throttled] == [["client"]]


async def test_a_success_starts_the_count_afresh(settings: Settings, session: AsyncSession) -> None:
    await create_staff(session, email=KNOWN)
    await session.commit()
    async with desk(settings, staff_sign_in_account_limits="3/minute", staff_lock_after_failures=3) as client:
        for _ in range(2):
            assert (await _sign_in(client, KNOWN, WRONG)).status_code == 401
        assert (await _sign_in(client, KNOWN, PASSWORD)).status_code == 303
        client.cookies.clear()
        for _ in range(2):
            assert (await _sign_in(client, KNOWN, WRONG)).status_code == 401
        assert (await _sign_in(client, KNOWN, PASSWORD)).status_code == 303  # 4 failures, never 3 in a row
    account = await _account(session)
    assert (account.failed_sign_ins, account.locked_at) == (0, None)


async def test_an_empty_field_is_named_and_counts_for_nothing(settings: Settings, session: AsyncSession) -> None:
    await create_staff(session, email=KNOWN)
    await session.commit()
    async with desk(settings, staff_sign_in_account_limits="1/minute") as client:
        for _ in range(3):
            empty = await client.post("/desk/sign-in", data={"email": KNOWN, "password": ""})
            assert empty.status_code == 422
            assert "Enter your email address and your password." in empty.text
        assert (await _sign_in(client, KNOWN, PASSWORD)).status_code == 303
    assert [e.action for e in await _audit(session)] == ["staff.sign_in"]
