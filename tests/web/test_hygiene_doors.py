"""Text that cannot be stored, on our own doors: the REST API's JSON, query strings and paths, the portal's and the
desk's forms, the draft autosave, and the desk socket. Each refusal is one 422 problem (or error frame) naming every
field, stores nothing, and is logged without a traceback; JSON nested too deep is refused unread.

The provider doors are in tests/channels/test_unreadable_text.py, Open311 in tests/open311/test_unreadable_text.py.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator, FormatChecker
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.factories import (
    PASSWORD,
    api_key_headers,
    counts,
    create_agency,
    create_agent,
    create_citizen,
    create_service,
    desk_citizen_with_history,
    desk_work_item,
)
from tests.web.portal.conftest import make_resident, sign_in
from townsquare.app import Runtime, build_runtime, create_app
from townsquare.citizens import sessions
from townsquare.citizens.models import Citizen
from townsquare.drafts.models import Draft
from townsquare.interactions.models import Attachment
from townsquare.settings import Settings

LONE = "\ud800"
# Each kind of character no door lets in, with words its refusal must use.
BAD = [pytest.param("\x00", "NUL", id="nul"), pytest.param(LONE, "surrogate", id="lone-surrogate"),
       pytest.param("\x1b", "U+001B", id="control")]  # fmt: skip
DEEP = b"[" * 50_000


pytestmark = pytest.mark.usefixtures("no_tracebacks")


def as_json(value: Any) -> dict[str, Any]:
    """A JSON body as a client would send it: a lone surrogate escaped (`\\ud800`), which is valid JSON syntax."""
    return {"content": json.dumps(value).encode(), "headers": {"Content-Type": "application/json"}}


def refused_fields(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return [e["field"] for e in response.json()["errors"]]


@pytest.fixture
async def api(session: AsyncSession) -> dict[str, str]:
    await create_agency(session)
    headers = await api_key_headers(session)
    await session.commit()
    return headers


# ---------------------------------------------------------------- the REST API


@pytest.mark.parametrize(("bad", "words"), BAD)
async def test_citizen_fields_that_cannot_be_stored_are_refused_naming_each(
    client: httpx.AsyncClient, api: dict[str, str], session: AsyncSession, bad: str, words: str
) -> None:
    before = await counts(session)
    body = {"display_name": f"Maria{bad}", "identities": [{"kind": "email", "value": f"m{bad}@example.org"}]}
    response = await client.post("/api/v1/citizens", **_with(api, body))
    assert refused_fields(response) == ["display_name", "identities.0.value"]
    assert words in response.json()["errors"][0]["message"]
    assert words in response.json()["detail"]
    await session.commit()
    assert await counts(session) == before


@pytest.mark.parametrize(("bad", "words"), BAD)
async def test_interaction_text_and_metadata_that_cannot_be_stored_are_refused(
    client: httpx.AsyncClient, api: dict[str, str], session: AsyncSession, bad: str, words: str
) -> None:
    before = await counts(session)
    body = {
        "channel": "sms",
        "from": {"kind": "phone", "value": "+16135550142"},
        "text": f"Pothole{bad}",
        "metadata": {"note": f"x{bad}", "tags": [{"name": bad}], f"k{bad}": 1},
    }
    response = await client.post("/api/v1/interactions", **_with(api, body))
    escaped = bad.encode("unicode_escape").decode().replace("\\x", "\\u00")
    assert refused_fields(response) == ["text", "metadata.note", "metadata.tags.0.name", f"metadata.k{escaped}"]
    await session.commit()
    assert await counts(session) == before


def _with(headers: dict[str, str], body: Any) -> dict[str, Any]:
    sent = as_json(body)
    return {"content": sent["content"], "headers": {**headers, **sent["headers"]}}


async def test_json_nested_too_deep_is_refused_unread_on_every_json_route(
    client: httpx.AsyncClient, api: dict[str, str], session: AsyncSession
) -> None:
    citizen = await create_citizen(session)
    await session.commit()
    before = await counts(session)
    headers = {**api, "Content-Type": "application/json"}
    for method, path in (
        ("POST", "/api/v1/interactions"),
        ("POST", "/api/v1/citizens"),
        ("PATCH", f"/api/v1/citizens/{citizen.id}/preferences"),
    ):
        response = await client.request(method, path, content=DEEP, headers=headers)
        assert refused_fields(response) == ["body"]
        assert "levels deep" in response.json()["detail"]
    await session.commit()
    assert await counts(session) == before


async def test_preferences_take_real_channels_once_and_quiet_hours_match_their_schema(
    client: httpx.AsyncClient, app: Any, api: dict[str, str], session: AsyncSession
) -> None:
    citizen = await create_citizen(session)
    await session.commit()
    path = f"/api/v1/citizens/{citizen.id}/preferences"
    poisoned = await client.patch(path, **_with(api, {"preferred_channels": ["sms", LONE]}))
    assert refused_fields(poisoned) == ["preferred_channels.1"]
    for channels, field in ((["sms", "fax"], "preferred_channels.1"), (["sms", "email", "sms"], "preferred_channels")):
        assert refused_fields(await client.patch(path, json={"preferred_channels": channels}, headers=api)) == [field]
    for start in ("21:00+02:00", "21:00:30", 75600):
        wrong = await client.patch(path, json={"quiet_hours_start": start, "quiet_hours_end": "08:00"}, headers=api)
        assert refused_fields(wrong) == ["quiet_hours_start"]
    await session.commit()
    stored = select(Citizen.preferred_channels, Citizen.quiet_hours_start).where(Citizen.id == citizen.id)
    assert tuple((await session.execute(stored)).one()) == ([], None)

    ok = await client.patch(
        path,
        json={"preferred_channels": ["voice", "email"], "quiet_hours_start": "21:00", "quiet_hours_end": "08:00:00"},
        headers=api,
    )
    assert ok.status_code == 200, ok.text
    schema = app.openapi()["components"]["schemas"]["CitizenOut"]["properties"]
    for name in ("quiet_hours_start", "quiet_hours_end"):
        assert "format" not in json.dumps(schema[name])  # "time" would demand a UTC offset a wall clock has not
        Draft202012Validator(schema[name], format_checker=FormatChecker()).validate(ok.json()[name])
    assert (ok.json()["quiet_hours_start"], ok.json()["quiet_hours_end"]) == ("21:00:00", "08:00:00")
    assert ok.json()["preferred_channels"] == ["voice", "email"]


async def test_an_attachment_keeps_only_a_plain_file_name(
    client: httpx.AsyncClient, api: dict[str, str], session: AsyncSession
) -> None:
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(64)).decode()
    files = [
        {"filename": "../../../../tmp/x.png", "content_type": "image/png", "content_base64": png},
        {"filename": "..\\..\\.hidden.png", "content_type": "image/png", "content_base64": png},
    ]
    body = {
        "channel": "web",
        "from": {"kind": "email", "value": "m@example.org"},
        "text": "Photos",
        "attachments": files,
    }
    response = await client.post("/api/v1/interactions", json=body, headers=api)
    assert response.status_code == 201, response.text
    await session.commit()
    names = (await session.execute(select(Attachment.filename).order_by(Attachment.filename))).scalars().all()
    assert names == ["hidden.png", "x.png"]


async def test_query_strings_that_cannot_be_read_are_refused_naming_them_and_such_paths_are_not_found(
    client: httpx.AsyncClient, api: dict[str, str]
) -> None:
    assert refused_fields(await client.get("/api/v1/citizens?q=Maria%00", headers=api)) == ["q"]
    encoded_surrogate = await client.get("/api/v1/citizens?q=%ED%A0%80&limit=5", headers=api)
    assert refused_fields(encoded_surrogate) == ["q"]
    assert "not UTF-8" in encoded_surrogate.json()["errors"][0]["message"]
    for path in ("/api/v1/citizens/%00", "/help/pot%1Bholes"):  # nothing can live at such an address
        assert (await client.get(path, headers=api)).status_code == 404
    page = await client.get("/services?q=pot%1bhole", headers={"Accept": "text/html"})
    assert page.status_code == 422
    assert page.headers["content-type"].startswith("text/html")
    assert "<li>q: contains the control character U+001B" in page.text


# ---------------------------------------------------------------- the portal's and the desk's forms


async def test_a_portal_form_with_text_that_cannot_be_stored_is_refused_naming_the_field(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    async with runtime.db.session() as s:
        await create_agency(s)
        citizen, conversation = await desk_citizen_with_history(s, touchpoints=2)
        token = await sessions.start(s, citizen_id=citizen.id, method="email_link", hours=24)
        await s.commit()
        before = await counts(s)
    client.cookies.set(sessions.CITIZEN_COOKIE, token)
    path = f"/account/messages/{conversation.id}"
    form = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"}
    for raw in (b"text=Still+there%00&client_id=a", b"text=%ED%A0%80", b"text=ok%1B&client_id=%00"):
        response = await client.post(path, content=raw, headers=form)
        assert response.status_code == 422, response.text
        assert "<li>text: " in response.text
    async with runtime.db.session() as s:
        assert await counts(s) == before


async def test_a_desk_form_with_text_that_cannot_be_stored_is_refused_naming_the_field(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    works = await create_agency(session)
    wren = await create_agent(session, email="wren@city.example", agencies=[works])
    citizen, conversation = await desk_citizen_with_history(session, touchpoints=2, staff_id=wren.id)
    item = await desk_work_item(session, agency=works, citizen=citizen, conversation_id=conversation.id, holder=wren)
    await session.commit()
    signed_in = await client.post("/desk/sign-in", data={"email": "wren@city.example", "password": PASSWORD})
    assert signed_in.status_code == 303
    before = await counts(session)
    for bad, _ in [p.values for p in BAD]:
        response = await client.post(f"/desk/work/{item.id}/note", **_form({"body": f"Called {bad} the depot"}))
        assert refused_fields(response) == ["body"]
    await session.commit()
    assert await counts(session) == before


def _form(fields: dict[str, str]) -> dict[str, Any]:
    """Form-encoded as a browser would, a lone surrogate as the UTF-8 bytes it would be (which are not UTF-8)."""
    encoded = "&".join(f"{k}={_quote(v)}" for k, v in fields.items())
    return {"content": encoded.encode(), "headers": {"Content-Type": "application/x-www-form-urlencoded"}}


def _quote(value: str) -> str:
    raw = value.encode("utf-8", "surrogatepass")
    return "".join(chr(b) if chr(b).isalnum() else f"%{b:02X}" for b in raw)


# ---------------------------------------------------------------- the draft autosave (JSON read by the portal itself)


@pytest.mark.parametrize(("bad", "words"), BAD)
async def test_an_autosave_that_cannot_be_stored_is_refused_and_the_draft_is_unchanged(
    client: httpx.AsyncClient, session: AsyncSession, bad: str, words: str
) -> None:
    agency = await create_agency(session)
    await create_service(session, agency=agency, attributes=[{"code": "street", "description": "Which street?"}])
    resident = await make_resident(session)
    applicant = sign_in(client, resident)
    started = await applicant.get("/services/POTHOLE/apply")
    draft_id = re.fullmatch(r"/applications/([0-9a-f-]+)/pages/1", started.headers["location"])
    assert draft_id is not None
    url = f"/applications/{draft_id.group(1)}/autosave"
    await session.commit()
    before = await counts(session)
    draft = (await session.execute(select(Draft))).scalar_one()
    kept = (draft.version, dict(draft.answers))
    sent = as_json({"base_version": 0, "changes": {"street": f"Elm{bad}"}})
    assert refused_fields(await applicant.post(url, **sent)) == ["changes.street"]
    deep = await applicant.post(url, content=DEEP, headers={"Content-Type": "application/json"})
    assert refused_fields(deep) == ["body"]
    sneaky = await applicant.post(url, content=DEEP, headers={"Content-Type": "text/plain"})  # past the middleware
    assert sneaky.status_code == 422
    assert "levels deep" in sneaky.json()["detail"]
    await session.commit()
    assert await counts(session) == before
    await session.refresh(draft)
    assert (draft.version, draft.answers) == kept
    assert "street" not in draft.answers


async def test_json_in_an_application_form_nested_too_deep_never_fails_the_page(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    agency = await create_agency(session)
    await create_service(session, agency=agency, attributes=[{"code": "street", "description": "Which street?"}])
    applicant = sign_in(client, await make_resident(session))
    started = await applicant.get("/services/POTHOLE/apply")
    page = started.headers["location"]
    form = {"base_version": "0", "orig.street": "[" * 50_000, "f.street": "Elm Street"}
    saved = await applicant.post(page, data=form)
    assert saved.status_code == 303, saved.text  # the unreadable original counts as none: the answer is saved
    await session.commit()
    assert (await session.execute(select(Draft.answers))).scalar_one()["street"] == "Elm Street"


# ---------------------------------------------------------------- the desk socket


@pytest.fixture
def desk_client(settings: Settings) -> Iterator[TestClient]:
    runtime = build_runtime(settings, pool=False)
    with TestClient(create_app(settings, runtime), base_url="http://testserver") as client:

        async def seed() -> None:
            async with runtime.db.session() as s:
                await create_agent(s, email="wren@city.example", agencies=[await create_agency(s)])
                await s.commit()

        assert client.portal is not None
        client.portal.call(seed)
        signed_in = client.post("/desk/sign-in", data={"email": "wren@city.example", "password": PASSWORD})
        assert signed_in.status_code in (200, 303)
        yield client


def test_desk_socket_frames_that_cannot_be_read_get_an_error_or_close_with_the_right_code(
    desk_client: TestClient,
) -> None:
    origin = {"origin": "http://testserver"}
    with desk_client.websocket_connect("/desk/live", headers=origin) as ws:
        assert ws.receive_json() == {"type": "hello"}
        ws.send_text(json.dumps({"watch": {"citizen_id": f"{uuid.uuid4()}{LONE}"}}))
        error = ws.receive_json()
        assert (error["type"], error["field"]) == ("error", "watch.citizen_id")
        ws.send_json({"type": "ping"})
        assert ws.receive_json() == {"type": "pong"}  # still open
    for frame, code in (("[" * 50_000, 1009), ("[" * 100 + "]" * 100, 1007)):
        with desk_client.websocket_connect("/desk/live", headers=origin) as ws:
            assert ws.receive_json() == {"type": "hello"}
            ws.send_text(frame)
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_json()
        assert closed.value.code == code
