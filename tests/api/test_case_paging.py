"""/api/v1/cases pages by keyset: every case once, newest first, at any depth, within the caller's agencies; the
count stops at a cap and says so."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import api_key_headers, create_agency
from townsquare.agencies.models import Agency
from townsquare.cases import service as cases
from townsquare.cases.models import Case, CaseStatus
from townsquare.clock import utcnow
from townsquare.db import keyset


async def _open(session: AsyncSession, agency: Agency, n: int, *, same_time: bool = False) -> list[Case]:
    opened = [
        await cases.open_case(session, prefix="TS", agency_id=agency.id, title=f"{agency.slug} {i}", channel="web")
        for i in range(n)
    ]
    start = utcnow() - timedelta(days=1)
    for i, case in enumerate(opened):  # distinct times, or one shared time so only the id orders them
        at = start if same_time else start + timedelta(minutes=i)
        await session.execute(update(Case).where(Case.id == case.id).values(created_at=at))
    return opened


async def _every_page(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    pages: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        answer = await client.get("/api/v1/cases", params=query, headers=headers)
        assert answer.status_code == 200, answer.text
        pages.append(answer.json())
        cursor = answer.json()["next_cursor"]
        if cursor is None:
            return pages
        assert len(pages) < 50, "the cursor never ends"


@pytest.mark.parametrize("same_time", [False, True])
async def test_every_case_once_newest_first_across_pages(
    client: httpx.AsyncClient, session: AsyncSession, same_time: bool
) -> None:
    works = await create_agency(session, slug="works")
    other = await create_agency(session, slug="other")
    mine = await _open(session, works, 7, same_time=same_time)
    theirs = await _open(session, other, 4, same_time=same_time)
    headers = await api_key_headers(session, agency=works)
    everyone = await api_key_headers(session)
    await session.commit()

    pages = await _every_page(client, headers, limit=3)
    seen = [item["reference"] for page in pages for item in page["items"]]
    assert [len(page["items"]) for page in pages] == [3, 3, 1]
    expected = sorted(mine, key=lambda c: c.id, reverse=True) if same_time else list(reversed(mine))
    assert seen == [c.reference for c in expected]
    assert all(page["total"] == 7 and page["total_capped"] is False for page in pages)

    all_pages = await _every_page(client, everyone, limit=4)
    every = [item["reference"] for page in all_pages for item in page["items"]]
    assert sorted(every) == sorted(c.reference for c in mine + theirs)
    assert len(every) == len(set(every)) == 11


async def test_a_status_filter_pages_within_it(client: httpx.AsyncClient, session: AsyncSession) -> None:
    works = await create_agency(session, slug="works")
    opened = await _open(session, works, 6)
    for case in opened[::2]:
        await session.execute(update(Case).where(Case.id == case.id).values(status=CaseStatus.resolved))
    headers = await api_key_headers(session, agency=works)
    await session.commit()

    pages = await _every_page(client, headers, limit=2, status="resolved")
    seen = [item["reference"] for page in pages for item in page["items"]]
    assert seen == [c.reference for c in reversed(opened[::2])]
    assert all(item["status"] == "resolved" for page in pages for item in page["items"])


async def test_the_count_stops_at_the_cap_and_says_so(
    client: httpx.AsyncClient, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    works = await create_agency(session, slug="works")
    await _open(session, works, 5)
    headers = await api_key_headers(session, agency=works)
    await session.commit()
    monkeypatch.setattr(keyset, "COUNT_CAP", 3)

    first = (await client.get("/api/v1/cases", params={"limit": 2}, headers=headers)).json()
    assert (first["total"], first["total_capped"]) == (3, True)
    monkeypatch.setattr(keyset, "COUNT_CAP", 5)
    exact = (await client.get("/api/v1/cases", params={"limit": 2}, headers=headers)).json()
    assert (exact["total"], exact["total_capped"]) == (5, False)


@pytest.mark.parametrize("cursor", ["nonsense", "12-zz", "-", "9" * 40 + "-" + "0" * 32])
async def test_a_damaged_cursor_is_a_422_naming_it(
    client: httpx.AsyncClient, session: AsyncSession, cursor: str
) -> None:
    headers = await api_key_headers(session)
    await session.commit()
    answer = await client.get("/api/v1/cases", params={"cursor": cursor}, headers=headers)
    assert answer.status_code == 422
    assert "cursor" in answer.text
