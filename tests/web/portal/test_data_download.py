"""A resident downloads everything held about them as one JSON file, and only their own."""

from __future__ import annotations

import json
import re

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.web.portal.conftest import make_resident, sign_in
from townsquare.clock import utcnow
from townsquare.staff.models import AuditEntry


async def test_the_download_is_an_attachment_of_the_residents_own_data_and_is_audited(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    maria = await make_resident(session, phone="+16135550142")
    sam = await make_resident(session, name="Sam Other", email="sam@example.org", phone="+16135550177")
    sign_in(client, maria)
    answer = await client.get("/account/data.json")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    disposition = answer.headers["content-disposition"]
    assert disposition == f'attachment; filename="my-data-{utcnow().date().isoformat()}.json"'
    assert re.fullmatch(r'attachment; filename="my-data-\d{4}-\d{2}-\d{2}\.json"', disposition)
    data = json.loads(answer.text)
    assert data["profile"]["display_name"] == "Maria Lopez"
    assert {i["value"] for i in data["identities"]} == {"maria@example.org", "+16135550142"}
    assert [s["device"] for s in data["sessions"]] == ["test"]
    assert "Sam Other" not in answer.text
    assert "sam@example.org" not in answer.text
    assert "+16135550177" not in answer.text
    assert maria.token not in answer.text
    assert "token_hash" not in answer.text
    await session.rollback()
    audited = (await session.execute(select(AuditEntry.action, AuditEntry.citizen_id))).all()
    assert ("citizen.data_downloaded", maria.citizen_id) in [tuple(a) for a in audited]
    del sam


async def test_signed_out_people_get_no_data(client: httpx.AsyncClient) -> None:
    answer = await client.get("/account/data.json")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/account/sign-in")
