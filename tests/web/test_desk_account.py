"""A staff member's own account page: sessions listed and ended, the idle timeout, the password change, MFA set up
from the page; and an administrator ending every session of an account of their agency."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pyotp
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import PASSWORD, count, create_agency, create_staff
from tests.support.staff import sign_in_staff
from townsquare.clock import utcnow
from townsquare.staff.auth import SESSION_COOKIE
from townsquare.staff.models import AuditEntry, StaffRole, StaffSession

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
NEW_PASSWORD = "seven lanterns by the harbour"


async def _browser(client: httpx.AsyncClient, email: str, agent: str) -> str:
    client.cookies.clear()
    signed = await client.post(
        "/desk/sign-in", data={"email": email, "password": PASSWORD}, headers={"user-agent": agent}
    )
    assert signed.status_code == 303
    return signed.cookies[SESSION_COOKIE]


def _use(client: httpx.AsyncClient, token: str) -> None:
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, token)


async def test_the_page_lists_the_sessions_and_ends_one_or_all_others(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_staff(session, email="wren@city.example")
    await session.commit()
    phone = await _browser(client, "wren@city.example", "Mozilla/5.0 (Linux; Android 14) Chrome/126.0 Mobile")
    laptop = await _browser(client, "wren@city.example", FIREFOX)
    tablet = await _browser(client, "wren@city.example", "Mozilla/5.0 (iPad; CPU OS 17_0) Safari/605.1")

    page = await client.get("/desk/account")

    assert page.status_code == 200
    assert "Firefox · Linux" in page.text
    assert "Chrome · Android" in page.text
    assert "127.0.0.1" not in page.text
    ids = re.findall(r'name="session_id" value="([0-9a-f-]+)"', page.text)
    assert len(ids) == 2  # every session but this one has its End button

    phone_id = (
        await session.execute(select(StaffSession.id).where(StaffSession.browser == "Chrome · Android"))
    ).scalar_one()
    ended = await client.post("/desk/account/sessions/end", data={"session_id": str(phone_id)})
    assert ended.headers["location"] == "/desk/account?notice=ended"
    _use(client, phone)
    assert (await client.get("/desk/account")).status_code == 303
    _use(client, laptop)
    assert (await client.get("/desk/account")).status_code == 200

    others = await client.post("/desk/account/sessions/end", data={"others": "true"})
    assert others.headers["location"] == "/desk/account?notice=others"
    assert (await client.get("/desk/account")).status_code == 200
    _use(client, tablet)
    assert (await client.get("/desk/account")).status_code == 303
    await session.commit()
    assert await count(session, AuditEntry, AuditEntry.action == "staff.sessions_revoked") == 2


async def test_someone_elses_session_cannot_be_ended_from_my_page(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_staff(session, email="wren@city.example")
    await create_staff(session, email="kit@city.example")
    await session.commit()
    kits = await _browser(client, "kit@city.example", FIREFOX)
    kit_session = (await session.execute(select(StaffSession.id))).scalar_one()
    await _browser(client, "wren@city.example", FIREFOX)

    await client.post("/desk/account/sessions/end", data={"session_id": str(kit_session)})

    _use(client, kits)
    assert (await client.get("/desk/account")).status_code == 200


async def test_an_idle_session_is_refused_and_the_person_sent_to_sign_in(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_staff(session, email="wren@city.example")
    await session.commit()
    await _browser(client, "wren@city.example", FIREFOX)
    assert (await client.get("/desk/account")).status_code == 200

    await session.execute(update(StaffSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
    await session.commit()
    idle = await client.get("/desk/account")

    assert idle.status_code == 303
    assert idle.headers["location"] == "/desk/sign-in?next=/desk/account"


async def test_last_seen_moves_at_most_once_a_minute(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await create_staff(session, email="wren@city.example")
    await session.commit()
    await _browser(client, "wren@city.example", FIREFOX)
    five_ago = utcnow() - timedelta(minutes=5)
    await session.execute(update(StaffSession).values(last_seen_at=five_ago))
    await session.commit()

    await client.get("/desk/account")
    await session.commit()
    first = (await session.execute(select(StaffSession.last_seen_at))).scalar_one()
    await client.get("/desk/account")
    await session.commit()
    second = (await session.execute(select(StaffSession.last_seen_at))).scalar_one()

    assert first is not None
    assert first > five_ago + timedelta(minutes=4)
    assert second == first


async def test_the_password_change_needs_the_current_one_and_a_strong_new_one(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_staff(session, email="wren@city.example")
    await session.commit()
    other = await _browser(client, "wren@city.example", FIREFOX)
    await sign_in_staff(client, "wren@city.example")

    def change(current: str, new: str) -> dict[str, str]:
        return {"current": current, "new": new, "confirm": new}

    wrong = await client.post("/desk/account/password", data=change("not it at all", NEW_PASSWORD))
    short = await client.post("/desk/account/password", data=change(PASSWORD, "short"))
    email = await client.post("/desk/account/password", data=change(PASSWORD, "wren@city.example"))
    common = await client.post("/desk/account/password", data=change(PASSWORD, "Password12345"))
    done = await client.post("/desk/account/password", data=change(PASSWORD, NEW_PASSWORD))

    assert [r.status_code for r in (wrong, short, email, common)] == [422] * 4
    assert "current password is not right" in wrong.text
    assert "at least 12 characters" in short.text
    assert "email address" in email.text
    assert "too common" in common.text
    assert done.headers["location"] == "/desk/account?notice=password"
    assert (await client.get("/desk/account")).status_code == 200  # this session stays
    _use(client, other)
    assert (await client.get("/desk/account")).status_code == 303  # the others end
    client.cookies.clear()
    assert (
        await client.post("/desk/sign-in", data={"email": "wren@city.example", "password": PASSWORD})
    ).status_code == 401
    await session.commit()
    assert await count(session, AuditEntry, AuditEntry.action == "staff.password_changed") == 1


async def test_mfa_is_set_up_from_the_account_page_and_turned_off_with_the_password(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_staff(session, email="wren@city.example")
    await session.commit()
    await sign_in_staff(client, "wren@city.example")

    started = await client.post("/desk/account/mfa/start")
    assert started.headers["location"] == "/desk/account/mfa"
    page = await client.get("/desk/account/mfa")
    secret = re.search(r'id="secret">([A-Z2-7 ]+)<', page.text)
    assert secret is not None
    done = await client.post("/desk/account/mfa", data={"code": pyotp.TOTP(secret.group(1).replace(" ", "")).now()})
    assert done.status_code == 200
    assert "Your recovery codes" in done.text
    assert "10 recovery codes left" in (await client.get("/desk/account")).text

    kept = await client.post("/desk/account/mfa/remove", data={"password": "not it at all"})
    off = await client.post("/desk/account/mfa/remove", data={"password": PASSWORD})

    assert kept.status_code == 422
    assert off.headers["location"] == "/desk/account?notice=mfa-off"
    await session.commit()
    actions = list((await session.execute(select(AuditEntry.action))).scalars())
    assert actions.count("staff.mfa_enrolled") == actions.count("staff.mfa_removed") == 1


async def test_an_administrator_ends_every_session_of_an_account_of_their_agency(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    roads = await create_agency(session, slug="roads", name="Roads")
    parks = await create_agency(session, slug="parks", name="Parks")
    wren = await create_staff(session, email="wren@city.example", agencies=[roads])
    kit = await create_staff(session, email="kit@city.example", agencies=[parks])
    await create_staff(session, email="boss@city.example", agencies=[roads], role=StaffRole.agency_admin)
    await session.commit()
    wren_id, kit_id = wren.id, kit.id
    wrens = await _browser(client, "wren@city.example", FIREFOX)
    kits = await _browser(client, "kit@city.example", FIREFOX)
    await sign_in_staff(client, "boss@city.example")

    ended = await client.post(f"/desk/staff/{wren_id}/sessions/end", data={"next": "/desk/staff"})
    other_agency = await client.post(f"/desk/staff/{kit_id}/sessions/end")

    assert ended.status_code == 303
    assert other_agency.status_code == 404
    _use(client, wrens)
    assert (await client.get("/desk/account")).status_code == 303
    _use(client, kits)
    assert (await client.get("/desk/account")).status_code == 200
