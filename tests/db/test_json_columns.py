"""JSON columns refuse on write what PostgreSQL refuses (so SQLite agrees with it), and degrade on read what an
older release let in: a row holding a lone surrogate renders everywhere it is shown, with U+FFFD, instead of
answering 500 on every page that touches it."""

from __future__ import annotations

import logging
import uuid

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, StatementError

from tests.factories import PASSWORD, api_key_headers, create_agency, create_staff
from tests.web.portal.conftest import make_resident, sign_in
from townsquare.app import Runtime
from townsquare.citizens.models import Citizen
from townsquare.engagement.messages import InboundMessage
from townsquare.interactions.models import Channel, Interaction

LONE = "\ud800"


@pytest.mark.parametrize("value", [["sms", LONE], ["nul\x00"], [{LONE: "key"}]])
async def test_a_json_value_postgresql_would_refuse_is_refused_on_every_database(
    runtime: Runtime, value: list[object]
) -> None:
    async with runtime.db.session() as s:
        citizen = Citizen(display_name="Maria Lopez")
        s.add(citizen)
        await s.commit()
    async with runtime.db.session() as s:
        again = await s.get_one(Citizen, citizen.id)
        again.preferred_channels = value  # type: ignore[assignment]
        with pytest.raises(StatementError, match="cannot be stored"):
            await s.commit()
    async with runtime.db.session() as s:
        assert (await s.get_one(Citizen, citizen.id)).preferred_channels == []


async def test_a_row_poisoned_by_an_older_release_renders_everywhere_with_a_replacement_character(
    client: httpx.AsyncClient, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    async with runtime.db.session() as s:
        agency = await create_agency(s)
        await create_staff(s, email="wren@city.example", agencies=[agency])
        headers = await api_key_headers(s)
        resident = await make_resident(s)
        result = await runtime.pipeline.ingest(
            s, InboundMessage(channel=Channel.web, text="Pothole on Elm", citizen_id=resident.citizen_id)
        )
    poison = (
        (
            text("UPDATE citizens SET preferred_channels = :channels WHERE id = :id"),
            {"channels": '["email", "\\ud800"]', "id": resident.citizen_id},
        ),
        (
            text("UPDATE interactions SET payload = :payload WHERE id = :id"),
            {"payload": '{"note": "\\ud800 x"}', "id": result.interaction_id},
        ),
    )
    if runtime.db.dialect == "postgresql":
        # jsonb cannot hold a lone surrogate at all, so no older row can: the database refuses to keep one.
        for statement, values in poison:
            async with runtime.db.session() as s:
                with pytest.raises(DBAPIError, match="invalid input syntax for type json"):
                    await s.execute(statement, {**values, "id": str(values["id"])})
        return
    async with runtime.db.session() as s:
        for statement, values in poison:
            await s.execute(statement, {**values, "id": uuid.UUID(str(values["id"])).hex})  # SQLite: 32 hex digits
        await s.commit()

    with caplog.at_level(logging.DEBUG):
        pages = await _every_view(client, headers, resident.citizen_id)
        sign_in(client, resident)
        pages["account"] = await client.get("/account")
        pages["export"] = await client.get("/account/data.json")
    for name, page in pages.items():
        assert page.status_code == 200, (name, page.text[:300])
    shown = {name for name, page in pages.items() if "\ufffd" in page.text}
    assert shown >= {"api record", "api search", "api recent", "api timeline", "desk citizen", "export"}
    record = pages["api record"].json()
    assert record["preferred_channels"] == ["email", "\ufffd"]
    timeline = pages["api timeline"].json()["items"]
    assert [i["payload"] for i in timeline if i["id"] == result.interaction_id] == [{"note": "\ufffd x"}]
    assert not [r for r in caplog.records if r.exc_info]
    async with runtime.db.session(deferred=True) as s:
        stored = await s.get_one(Interaction, uuid.UUID(result.interaction_id))
        assert stored.payload == {"note": "\ufffd x"}
        assert (await s.execute(select(Citizen.preferred_channels))).scalars().all() == [["email", "\ufffd"]]


async def _every_view(
    client: httpx.AsyncClient, headers: dict[str, str], citizen_id: object
) -> dict[str, httpx.Response]:
    """The citizen through the API (record, searches, timeline) and on the staff desk."""
    pages = {
        "api record": await client.get(f"/api/v1/citizens/{citizen_id}", headers=headers),
        "api search": await client.get("/api/v1/citizens", params={"q": "Maria"}, headers=headers),
        "api recent": await client.get("/api/v1/citizens", headers=headers),
        "api timeline": await client.get(f"/api/v1/citizens/{citizen_id}/timeline", headers=headers),
    }
    signed_in = await client.post("/desk/sign-in", data={"email": "wren@city.example", "password": PASSWORD})
    assert signed_in.status_code == 303
    pages["desk citizen"] = await client.get(f"/desk/citizens/{citizen_id}")
    pages["desk search"] = await client.get("/desk", params={"q": "Maria"})
    client.cookies.clear()
    return pages
