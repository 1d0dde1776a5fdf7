"""Open311 refuses text that cannot be stored in the spec's own words: a 400 error naming the argument, in XML
or JSON, before anything is read from the database or written to it."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from tests.open311.conftest import (
    City,
    as_text,
    check_schema,
    counts_now,
    parse_json,
    parse_xml,
    pothole_form,
    spark,
)


def _encoded(form: dict[str, str], raw: dict[str, str]) -> bytes:
    """The form urlencoded, with `raw` values written as given (percent-escapes a client chose)."""
    return (urlencode(form) + "".join(f"&{k}={v}" for k, v in raw.items())).encode()


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("Hole%00by+the+stop", "NUL character (U+0000)"),
        ("Hole%1B%5B31m", "control character U+001B"),
        ("Hole+%ED%A0%80", "is not UTF-8 text"),  # a lone surrogate, as the UTF-8 bytes a client would send
    ],
)
async def test_a_description_that_cannot_be_stored_gets_the_specs_400_naming_it(
    client: httpx.AsyncClient, city: City, session: AsyncSession, caplog: pytest.LogCaptureFixture, raw: str, words: str
) -> None:
    before = await counts_now(session)
    form = {k: v for k, v in pothole_form(city).items() if k != "description"}
    body = _encoded(form, {"description": raw, "first_name": "Jo%00"})
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    with caplog.at_level(logging.DEBUG):
        as_json = await client.post("/open311/v2/requests.json", content=body, headers=headers)
        as_xml = await client.post("/open311/v2/requests.xml", content=body, headers=headers)
    assert (as_json.status_code, as_xml.status_code) == (400, 400), as_json.text
    errors = parse_json(as_json)
    check_schema("errors.json", errors)
    assert [e["code"] for e in errors] == [400, 400]
    assert errors[0]["description"].startswith("description ")
    assert words in errors[0]["description"]
    assert errors[1]["description"].startswith("first_name contains a NUL")
    assert spark(parse_xml(as_xml)) == as_text(errors)
    assert await counts_now(session) == before
    assert not [r for r in caplog.records if r.exc_info]


async def test_query_and_path_arguments_that_cannot_be_read_are_refused_before_any_lookup(
    client: httpx.AsyncClient, city: City, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        listed = await client.get("/open311/v2/requests.json?service_code=POT%00HOLE")
        one = await client.get("/open311/v2/requests/TS%002026.json")
        token = await client.get("/open311/v2/tokens/%1Babc.json")
    assert [r.status_code for r in (listed, one, token)] == [400, 400, 400]
    assert parse_json(listed)[0]["description"].startswith("service_code contains a NUL")
    assert parse_json(one)[0]["description"].startswith("service_request_id contains a NUL")
    assert parse_json(token)[0]["description"].startswith("token contains the control character U+001B")
    assert not [r for r in caplog.records if r.exc_info]
