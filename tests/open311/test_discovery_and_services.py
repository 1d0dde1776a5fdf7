"""Discovery, the service list and service definitions, in XML and JSON; errors for unknown things."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession
from tests.factories import create_service
from tests.open311.conftest import City, check_schema, fetch_both, parse_json, parse_xml, spark


async def test_discovery_names_the_v2_endpoint_in_both_formats(client: httpx.AsyncClient, city: City) -> None:
    body, root = await fetch_both(client, "GET", "/open311/discovery", status=200, schema="discovery.json")
    assert root.tag == "discovery"
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert endpoint["type"] == "test"
    assert "Integrators" in body["key_service"]


async def test_services_lists_only_offered_active_services(client: httpx.AsyncClient, city: City) -> None:
    body, root = await fetch_both(client, "GET", "/open311/v2/services", status=200, schema="services.json")
    assert root.tag == "services"
    codes = [s["service_code"] for s in body]
    assert sorted(codes) == ["GRAFFITI", "NOISE", "POTHOLE"]  # LICENCE is not offered through Open311
    pothole = next(s for s in body if s["service_code"] == "POTHOLE")
    assert pothole == {
        "service_code": "POTHOLE",
        "service_name": "Pothole",
        "description": "A hole in the road",
        "metadata": True,
        "type": "realtime",
        "keywords": "road, hole",
        "group": "streets",
    }
    types = {s["service_code"]: (s["type"], s["metadata"]) for s in body}
    assert types["GRAFFITI"] == ("batch", False)
    assert types["NOISE"] == ("blackbox", False)


async def test_an_inactive_service_disappears(client: httpx.AsyncClient, city: City, session: AsyncSession) -> None:
    city.noise.active = False
    await session.commit()
    body, _ = await fetch_both(client, "GET", "/open311/v2/services", status=200, schema="services.json")
    assert "NOISE" not in [s["service_code"] for s in body]
    errors, _ = await fetch_both(client, "GET", "/open311/v2/services/NOISE", status=404, schema="errors.json")
    assert errors == [{"code": 404, "description": "service_code not found"}]


async def test_service_definition_gives_the_form(client: httpx.AsyncClient, city: City) -> None:
    body, root = await fetch_both(
        client, "GET", "/open311/v2/services/POTHOLE", status=200, schema="service-definition.json"
    )
    assert root.tag == "service_definition"
    assert body["service_code"] == "POTHOLE"
    size, hazards, depth, seen = body["attributes"]
    assert size == {
        "variable": True,
        "code": "SIZE",
        "datatype": "singlevaluelist",
        "required": True,
        "datatype_description": None,
        "order": 1,
        "description": "How big is it?",
        "values": [{"key": "small", "name": "Small"}, {"key": "large", "name": "Large"}],
    }
    assert hazards["datatype"] == "multivaluelist"
    assert hazards["order"] == 2
    assert depth["datatype"] == "number"
    assert depth["values"] == []
    assert seen["datatype"] == "datetime"
    assert seen["required"] is False


async def test_unknown_and_unoffered_service_definitions_are_404(client: httpx.AsyncClient, city: City) -> None:
    for code in ("NOPE", "LICENCE"):
        body, _ = await fetch_both(client, "GET", f"/open311/v2/services/{code}", status=404, schema="errors.json")
        assert body == [{"code": 404, "description": "service_code not found"}]


async def test_jurisdiction_is_checked_when_given(client: httpx.AsyncClient, city: City) -> None:
    ok, _ = await fetch_both(
        client, "GET", "/open311/v2/services", status=200, params={"jurisdiction_id": "testserver"}
    )
    assert len(ok) == 3
    empty, _ = await fetch_both(client, "GET", "/open311/v2/services", status=200, params={"jurisdiction_id": ""})
    assert empty == ok  # an empty argument is the same as none
    for path in ("/open311/v2/services", "/open311/v2/services/POTHOLE", "/open311/v2/requests", "/open311/discovery"):
        body, _ = await fetch_both(
            client, "GET", path, status=404, schema="errors.json", params={"jurisdiction_id": "elsewhere.gov"}
        )
        assert body == [{"code": 404, "description": "jurisdiction_id not found"}]


async def test_an_unknown_format_is_a_404_in_xml(client: httpx.AsyncClient, city: City) -> None:
    for path in ("/open311/v2/services.html", "/open311/discovery.yaml", "/open311/v2/requests/TS-1.csv"):
        response = await client.get(path)
        assert response.status_code == 404
        root = parse_xml(response)
        assert root.tag == "errors"
        assert spark(root)[0]["code"] == "404"
        assert "not offered" in spark(root)[0]["description"]


async def test_an_unknown_path_is_a_spec_404(client: httpx.AsyncClient, city: City) -> None:
    xml = await client.get("/open311/v2/nothing-here.xml")
    assert xml.status_code == 404
    assert spark(parse_xml(xml))[0]["code"] == "404"
    as_json = await client.get("/open311/v2/nothing-here.json")
    assert as_json.status_code == 404
    body = parse_json(as_json)
    check_schema("errors.json", body)
    no_format = await client.get("/open311/v2/services")
    assert no_format.status_code == 404
    assert parse_xml(no_format).tag == "errors"
    wrong_method = await client.delete("/open311/v2/services.json")
    assert wrong_method.status_code == 404
    check_schema("errors.json", parse_json(wrong_method))


async def test_the_builders_kinds_map_to_georeport_datatypes_or_are_left_out(
    client: httpx.AsyncClient, city: City, session: AsyncSession
) -> None:
    works = city.agency
    await create_service(
        session,
        agency=works,
        code="PERMIT",
        open311=True,
        attributes=[
            {"code": "moved_on", "datatype": "date", "required": True, "description": "When did you move in?"},
            {"code": "home", "datatype": "address", "description": "Your address"},
            {"code": "lease", "datatype": "file", "required": True, "description": "Your lease"},
            {"code": "agree", "datatype": "consent", "required": True, "description": "I confirm this is true"},
            {
                "code": "unit",
                "datatype": "string",
                "required": True,
                "description": "Unit",
                "condition": {"field": "home", "values": ["x"]},
            },
        ],
    )
    await session.commit()
    body, root = await fetch_both(
        client, "GET", "/open311/v2/services/PERMIT", status=200, schema="service-definition.json"
    )
    assert root.tag == "service_definition"
    shown = [(a["code"], a["datatype"], a["required"], a["order"]) for a in body["attributes"]]
    assert shown == [  # the file is left out (Open311 posts no files); a conditional question is never required
        ("moved_on", "datetime", True, 1),
        ("home", "text", False, 2),
        ("agree", "singlevaluelist", True, 3),
        ("unit", "string", False, 4),
    ]
    assert body["attributes"][2]["values"] == [{"key": "yes", "name": "I agree"}]
