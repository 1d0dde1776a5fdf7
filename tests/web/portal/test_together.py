"""Filling in a form together, the resident's side: the link's page opens nothing by itself; opening it starts a
session of this device for that one draft; an expired, reused, ended or unknown link and a session for another
draft are refused in words; what the link reveals; the question about staff; the long poll that answers as soon as
the draft changes, from this site only and within limits. Every opening and refusal audited."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_service
from tests.support.db import fresh
from tests.support.photos import phone_photo
from tests.support.staff import sign_in_staff
from tests.support.together import ORIGIN, Together, open_on_phone, send_link, sent_link, together_world
from townsquare.agencies.models import Agency
from townsquare.clock import utcnow
from townsquare.drafts import service as drafts
from townsquare.drafts.links import DraftLink
from townsquare.drafts.models import Draft
from townsquare.staff.models import AuditEntry
from townsquare.web.i18n import LANGUAGE_COOKIE
from townsquare.web.portal import together_live
from townsquare.web.portal.together import COOKIE


@pytest.fixture
async def phone(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The resident's phone, never signed in."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def another(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Someone else's browser."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        yield c


async def _sent(client: httpx.AsyncClient, session: AsyncSession) -> tuple[Together, str]:
    world = await together_world(session)
    await session.commit()
    await sign_in_staff(client)
    assert (await send_link(client, world)).status_code == 303
    _message, token = await sent_link(session)
    return world, token


async def _audited(session: AsyncSession, action: str) -> list[AuditEntry]:
    await fresh(session)
    return list((await session.execute(select(AuditEntry).where(AuditEntry.action == action))).scalars())


async def test_the_links_page_says_who_sent_what_and_opens_nothing_until_the_button(
    client: httpx.AsyncClient, phone: httpx.AsyncClient, session: AsyncSession
) -> None:
    _world, token = await _sent(client, session)
    for _ in range(2):  # a link previewer, then the person: a GET uses nothing up
        page = await phone.get(f"/together/{token}")
        assert page.status_code == 200
        assert "Fill in a form with Wren" in page.text
        assert "Residential parking permit" in page.text
        assert "Maria" not in page.text  # nothing about her
    assert await _audited(session, "draft.link_opened") == []
    base = await open_on_phone(phone, token)
    assert base.startswith("/together/d/")
    assert COOKIE in phone.cookies
    first = await phone.get(base)
    assert first.headers["location"] == f"{base}/pages/1"
    [opened] = await _audited(session, "draft.link_opened")
    assert opened.actor_kind == "citizen"


async def test_a_link_opens_on_one_device_once_and_says_why_not_otherwise(
    client: httpx.AsyncClient, phone: httpx.AsyncClient, another: httpx.AsyncClient, session: AsyncSession
) -> None:
    _world, token = await _sent(client, session)
    base = await open_on_phone(phone, token)
    again = await phone.post(f"/together/{token}", headers=ORIGIN)  # her phone again: still hers
    assert again.headers["location"] == base

    reused = await another.post(f"/together/{token}", headers=ORIGIN)
    assert reused.status_code == 410
    assert "This link has already been opened" in reused.text
    assert (await another.get(f"{base}/pages/1")).status_code == 403  # no session on that device
    [refusal] = await _audited(session, "draft.link_refused")
    assert refusal.detail["reason"] == "used"

    unknown = await another.get("/together/not-a-real-token-at-all")
    assert unknown.status_code == 404
    assert "This link does not work" in unknown.text

    another.cookies.set(LANGUAGE_COOKIE, "fr")
    french = await another.post(f"/together/{token}", headers=ORIGIN | {"Accept": "text/html"})
    assert french.status_code == 410
    assert "Ce lien a déjà été ouvert" in french.text


async def test_an_expired_link_and_a_sessions_end_are_refused_in_words(
    client: httpx.AsyncClient, phone: httpx.AsyncClient, session: AsyncSession
) -> None:
    _world, token = await _sent(client, session)
    await fresh(session)
    await session.execute(update(DraftLink).values(expires_at=utcnow() - timedelta(seconds=1)))
    await session.commit()
    late = await phone.post(f"/together/{token}", headers=ORIGIN)
    assert late.status_code == 410
    assert "This link has expired" in late.text
    assert (await phone.get(f"/together/{token}")).status_code == 410

    await session.execute(update(DraftLink).values(expires_at=utcnow() + timedelta(minutes=5)))
    await session.commit()
    base = await open_on_phone(phone, token)
    await fresh(session)
    await session.execute(update(DraftLink).values(session_expires_at=utcnow() - timedelta(seconds=1)))
    await session.commit()
    over = await phone.get(f"{base}/pages/1")
    assert over.status_code == 410
    assert "This link has expired" in over.text


async def test_a_session_opens_its_own_draft_only(
    client: httpx.AsyncClient, phone: httpx.AsyncClient, session: AsyncSession
) -> None:
    world, token = await _sent(client, session)
    base = await open_on_phone(phone, token)
    await fresh(session)  # write after what the app committed
    agency = await session.get_one(Agency, world.agency_id)
    other = await create_service(session, agency=agency, code="BIN", name="A new bin")
    theirs = await drafts.start_or_resume(session, citizen_id=world.citizen_id, service_id=other.id)
    theirs_id = theirs.id
    await session.commit()
    wrong = await phone.get(f"/together/d/{theirs_id}/pages/1")
    assert wrong.status_code == 403
    assert "This page is for another form" in wrong.text
    saved = await phone.post(f"/together/d/{theirs_id}/autosave", json={"base_version": 0, "changes": {"x": "1"}})
    assert saved.status_code == 403
    assert (await phone.get(f"/together/d/{uuid.uuid4()}/state")).status_code == 403
    assert (await phone.get(f"{base}/state")).status_code == 200
    assert (await phone.get("/account")).status_code == 303  # never a sign-in: her account stays closed


async def test_values_another_agency_holds_are_not_shown_on_a_page_opened_from_a_link(
    client: httpx.AsyncClient, phone: httpx.AsyncClient, session: AsyncSession
) -> None:
    world, token = await _sent(client, session)
    await fresh(session)
    draft = (await session.execute(select(Draft).where(Draft.citizen_id == world.citizen_id))).scalar_one()
    draft.answers = {"plate": "HELD 999"}
    draft.prefill = {"plate": {"source": "licensing.plate", "agency": "licensing", "verified": True, "hash": "x"}}
    await session.commit()
    base = await open_on_phone(phone, token)
    page = await phone.get(f"{base}/pages/1")
    assert "HELD 999" not in page.text
    assert "Not shown on a page opened from a link" in page.text
    assert "HELD 999" not in (await phone.get(f"{base}/state")).text
    assert "HELD 999" not in (await phone.get(f"{base}/check")).text
    desk = await client.get(f"/desk/work/{world.item_id}")
    assert "HELD 999" not in desk.text


async def test_the_long_poll_answers_when_the_draft_changes_from_this_site_only(
    client: httpx.AsyncClient, phone: httpx.AsyncClient, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    _world, token = await _sent(client, session)
    base = await open_on_phone(phone, token)
    monkeypatch.setattr(together_live, "WAIT_SECONDS", 3600.0)  # only a change may end this wait
    behind = await phone.get(f"{base}/wait", params={"version": 7, "allowed": "0"})
    assert behind.json() == {"version": 0, "allowed": False, "submitted": False}  # already different: at once

    waiting = asyncio.create_task(phone.get(f"{base}/wait", params={"version": 0, "allowed": "0"}))
    app = phone._transport.app  # type: ignore[attr-defined]
    for _ in range(600):  # until the poll is waiting (a condition, not a time)
        watch = getattr(app.state, "draft_watch", None)
        if watch is not None and watch.waiting:
            break
        await asyncio.sleep(0.01)
    allowed = await phone.post(f"{base}/agreement", data={"allow": "yes"}, headers=ORIGIN)
    assert allowed.status_code == 303
    answer = await asyncio.wait_for(waiting, timeout=60)
    assert answer.json() == {"version": 0, "allowed": True, "submitted": False}

    foreign = await phone.get(f"{base}/wait", params={"version": 0}, headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    framed = await phone.get(f"{base}/wait", params={"version": 0}, headers={"Sec-Fetch-Site": "cross-site"})
    assert framed.status_code == 403
    assert "Maria" not in json.dumps(answer.json())


async def test_too_many_waiting_pages_are_told_to_come_back(
    client: httpx.AsyncClient, phone: httpx.AsyncClient, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    _world, token = await _sent(client, session)
    base = await open_on_phone(phone, token)
    monkeypatch.setattr(together_live, "WAIT_SECONDS", 3600.0)
    monkeypatch.setattr(together_live, "MAX_PER_LINK", 1)
    waiting = asyncio.create_task(phone.get(f"{base}/wait", params={"version": 0, "allowed": "0"}))
    app = phone._transport.app  # type: ignore[attr-defined]
    for _ in range(600):
        watch = getattr(app.state, "draft_watch", None)
        if watch is not None and watch.waiting:
            break
        await asyncio.sleep(0.01)
    crowded = await phone.get(f"{base}/wait", params={"version": 0, "allowed": "0"})
    assert crowded.status_code == 429
    assert crowded.headers["retry-after"] == "5"
    await phone.post(f"{base}/agreement", data={"allow": "yes"}, headers=ORIGIN)
    assert (await asyncio.wait_for(waiting, timeout=60)).status_code == 200


async def test_without_javascript_she_fills_in_and_sends_the_form_with_plain_forms(
    client: httpx.AsyncClient, phone: httpx.AsyncClient, session: AsyncSession
) -> None:
    world, token = await _sent(client, session)
    base = await open_on_phone(phone, token)
    page = await phone.get(f"{base}/pages/1")
    assert 'action="/together/d/' in page.text
    drawn = {"base_version": "0", "orig.plate": '""', "orig.vehicle": '""', "orig.colour": '""'}
    missing = await phone.post(f"{base}/pages/1", data=drawn | {"f.plate": "ABC 123"}, headers=ORIGIN)
    assert missing.status_code == 422  # saved first, then checked: the kind of vehicle is required
    assert "Select an answer for “Kind of vehicle”" in missing.text
    answered = drawn | {"base_version": "1", "orig.plate": '"ABC 123"', "f.plate": "ABC 123", "f.vehicle": "van"}
    moved = await phone.post(f"{base}/pages/1", data=answered, headers=ORIGIN)
    assert moved.headers["location"] == f"{base}/pages/2"
    moved = await phone.post(f"{base}/pages/2", data={"base_version": "2"}, headers=ORIGIN)
    assert moved.headers["location"] == f"{base}/check"
    check = await phone.get(f"{base}/check")
    assert "ABC 123" in check.text
    assert f'action="{base}/submit"' in check.text
    sent = await phone.post(f"{base}/submit", headers=ORIGIN)
    assert sent.headers["location"] == f"{base}/done"
    await fresh(session)
    draft = (await session.execute(select(Draft).where(Draft.citizen_id == world.citizen_id))).scalar_one()
    assert draft.case_id is not None
    assert draft.field_authors == {"plate": "citizen", "vehicle": "citizen"}


async def test_a_link_asking_for_a_photo_adds_one_without_its_hidden_details_and_it_goes_with_the_form(
    client: httpx.AsyncClient, phone: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await together_world(session)
    await session.commit()
    await sign_in_staff(client)
    await send_link(client, world, purpose="upload")
    _message, token = await sent_link(session)
    assert "asks you for a photo" in str(_message.payload["body"])
    base = await open_on_phone(phone, token)
    assert (await phone.get(base)).headers["location"] == f"{base}/upload"
    nothing = await phone.post(f"{base}/upload", files={"photo": ("", b"", "application/octet-stream")}, headers=ORIGIN)
    assert nothing.status_code == 422
    assert "Choose a photo to add" in nothing.text
    added = await phone.post(
        f"{base}/upload",
        files={"photo": ("IMG_0001.jpg", phone_photo(at=(45.42, -75.69)), "image/jpeg")},
        headers=ORIGIN,
    )
    assert added.headers["location"] == f"{base}/upload?added=1"
    page = await phone.get(f"{base}/upload?added=1")
    assert "Your photo was added to the form" in page.text
    kept = await phone.get(f"{base}/photo")
    assert kept.headers["content-type"] == "image/jpeg"
    assert b"PhoneMaker" not in kept.content  # nothing hidden is kept
    panel = await client.get(f"/desk/work/{world.item_id}/_cofill")
    assert "Added" in panel.text  # the agent sees it came
