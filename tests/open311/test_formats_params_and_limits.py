"""The argument reader, the two renderings, and the public rate limit on GETs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import httpx
from tests.open311.conftest import City, parse_json, parse_xml, spark

from townsquare.app import Runtime, create_app
from townsquare.open311.formats import Format, Items, to_json, to_xml, w3c
from townsquare.open311.params import Params, form_pairs, parse_w3c
from townsquare.settings import Settings


def test_empty_arguments_are_absent_and_lists_are_comma_or_repeated() -> None:
    params = Params([("a", ""), ("b", " x "), ("c", "1,2"), ("c", "3"), ("c", "2"), ("c", " ")])
    assert params.get("a") is None
    assert params.get("b") == "x"
    assert params.values("c") == ["1", "2", "3"]
    assert params.values("a") == []


def test_attributes_single_and_multi_valued() -> None:
    pairs = form_pairs(b"attribute%5BSIZE%5D=large&attribute[H][]=water&attribute[H][]=glass&attribute[E]=&other=1")
    assert Params(pairs).attributes() == {"SIZE": "large", "H": ["water", "glass"]}


def test_w3c_datetimes_need_a_zone() -> None:
    assert parse_w3c("2010-01-01T00:00:00Z") == datetime(2010, 1, 1, tzinfo=UTC)
    assert parse_w3c("1994-11-05T08:15:30-05:00") == datetime(1994, 11, 5, 13, 15, 30, tzinfo=UTC)
    for bad in ("2010-01-01T00:00:00", "2010-01-01", "yesterday", "2010-02-30T00:00:00Z"):
        assert parse_w3c(bad) is None
    params = Params([("start_date", "2010-01-01"), ("lat", "nan"), ("page", "²")])
    assert params.datetime("start_date") is None
    assert params.number("lat", low=-90, high=90) is None
    assert params.integer("page", low=1, high=10) is None
    assert len(params.problems) == 3
    assert w3c(datetime(2026, 5, 1, 9, 0, tzinfo=timezone(timedelta(hours=-4)))) == "2026-05-01T13:00:00Z"


def test_one_body_two_formats() -> None:
    body = Items("service", [{"service_code": "001", "metadata": True, "group": "", "lat": 1.5, "n": None}])
    assert to_json(body) == b'[{"service_code":"001","metadata":true,"group":null,"lat":1.5,"n":null}]'
    assert to_xml("services", body) == (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<services><service><service_code>001</service_code>'
        b"<metadata>true</metadata><group /><lat>1.5</lat><n /></service></services>"
    )
    assert Format("xml") is Format.xml


def test_datetimes_are_w3c_in_utc_to_the_second_in_both_formats() -> None:
    utc = datetime(2026, 5, 1, 13, 15, 30, 999999, tzinfo=UTC)
    toronto = datetime(2026, 5, 1, 9, 15, 30, tzinfo=timezone(timedelta(hours=-4)))
    plain = Items("request", [{"requested_datetime": utc, "expected_datetime": None}], plain=True)
    assert to_json(plain) == b'[{"requested_datetime":"2026-05-01T13:15:30Z","expected_datetime":null}]'
    assert to_json({"at": toronto}) == b'{"at":"2026-05-01T13:15:30Z"}'
    assert b"<requested_datetime>2026-05-01T13:15:30Z</requested_datetime>" in to_xml("requests", plain)
    assert to_json({"name": "Café É"}) == '{"name":"Café É"}'.encode()


def test_xml_text_is_escaped() -> None:
    assert b"&lt;b&gt; &amp;" in to_xml("x", {"d": "<b> &"})


async def test_public_gets_are_rate_limited_per_address(settings: Settings, runtime: Runtime, city: City) -> None:
    app = create_app(settings.model_copy(update={"open311_public_rate_limit_per_minute": 2}), runtime)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        assert (await client.get("/open311/v2/services.json")).status_code == 200
        assert (await client.get("/open311/v2/services.xml")).status_code == 200
        refused = await client.get("/open311/v2/services.json")
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) >= 1
        assert parse_json(refused)[0]["code"] == 429
        xml = await client.get("/open311/v2/requests.xml")
        assert xml.status_code == 429
        assert spark(parse_xml(xml))[0]["code"] == "429"
