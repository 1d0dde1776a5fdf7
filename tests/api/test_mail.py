"""POST /api/v1/mail: a scanning bureau's scan as the multipart field `file`, answered like /api/v1/interactions
(201, then 200 with `duplicate` for the same file); refusals are problems naming what is wrong; a key is needed."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import api_key_headers, create_agency
from tests.support import scans
from townsquare.interactions.models import Interaction
from townsquare.settings import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"mail_scan_dpi": 200, "mail_scan_rate_limit_per_minute": 2})


async def test_a_scan_is_recorded_once_and_answered_like_an_interaction(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    headers = await api_key_headers(session, agency=await create_agency(session))
    await session.commit()
    scan = scans.png(scans.typed(["Paul Martin", "48 Bank Street", "Ottawa ON K2P 1A1", "", "Is the pool open?"]))
    files = {"file": ("pool.png", scan, "image/png")}

    first = await client.post("/api/v1/mail", files=files, headers=headers)
    again = await client.post("/api/v1/mail", files=files, headers=headers)

    assert first.status_code == 201, first.text
    body = first.json()
    assert set(body) == {
        "interaction_id",
        "citizen_id",
        "conversation_id",
        "case_id",
        "case_reference",
        "work_item_id",
        "duplicate",
        "citizen_created",
    }
    assert (body["duplicate"], body["citizen_created"]) == (False, True)
    assert body["work_item_id"] is not None
    assert again.status_code == 200
    assert (again.json()["duplicate"], again.json()["interaction_id"]) == (True, body["interaction_id"])
    assert await session.scalar(select(func.count()).select_from(Interaction)) == 1


async def test_refusals_name_the_problem_and_the_door_is_bounded(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    headers = await api_key_headers(session, agency=await create_agency(session))
    await session.commit()
    script = await client.post("/api/v1/mail", files={"file": ("a.pdf", scans.with_script())}, headers=headers)
    wrong = await client.post("/api/v1/mail", files={"file": ("a.txt", b"hello")}, headers=headers)
    missing = await client.post("/api/v1/mail", data={"nothing": "here"}, headers=headers)
    over = await client.post("/api/v1/mail", files={"file": ("a.txt", b"hello")}, headers=headers)
    nobody = await client.post("/api/v1/mail", files={"file": ("a.png", scans.png(scans.typed([])))})

    assert (script.status_code, script.json()["type"].rsplit("/", 1)[-1]) == (422, "active-content")
    assert "script" in script.json()["detail"]
    assert (wrong.status_code, wrong.json()["type"].rsplit("/", 1)[-1]) == (415, "unsupported-media-type")
    assert missing.status_code == 422
    assert (
        over.status_code == 429
    )  # two scans a minute in these settings (the one missing its file never reached the door)
    assert nobody.status_code == 401
    assert await session.scalar(select(func.count()).select_from(Interaction)) == 0
