"""A small city offering Open311, an integrator key, and checks that every answer is the spec's shape.

`fetch_both` asks for the XML and the JSON of the same call and proves they say the same thing; `check_schema`
validates JSON against the Open311 schemas copied into `schema/` (so the suite needs nothing outside tests/).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from defusedxml import ElementTree as SafeET
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy.ext.asyncio import AsyncSession
from tests.factories import counts, create_agency, create_service

from townsquare.agencies.models import Agency, Service, ServiceType
from townsquare.places.models import Place
from townsquare.routing.models import Queue
from townsquare.staff import service as staff
from townsquare.staff.models import ApiKeyScope

SCHEMA_DIR = Path(__file__).parent / "schema"
W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
# Elements whose children repeat: an array in JSON (the Spark convention).
LISTS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "service_request_updates": "request_update",
}

# Shapes the published schemas do not cover: errors, discovery, tokens, POST answers, updates.
LOCAL_SCHEMAS: dict[str, dict[str, Any]] = {
    "errors.json": {
        "type": "array",
        "minItems": 1,
        "items": {
            "type": "object",
            "required": ["code", "description"],
            "properties": {"code": {"type": "integer"}, "description": {"type": "string", "minLength": 1}},
            "additionalProperties": False,
        },
    },
    "discovery.json": {
        "type": "object",
        "required": ["changeset", "contact", "key_service", "endpoints"],
        "properties": {
            "changeset": {"type": "string"},
            "contact": {"type": "string"},
            "key_service": {"type": "string"},
            "endpoints": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["specification", "url", "changeset", "type", "formats"],
                    "properties": {
                        "type": {"enum": ["production", "test"]},
                        "formats": {"type": "array", "items": {"type": "string"}},
                    },
                },
            },
        },
    },
    "post-response.json": {
        "type": "array",
        "minItems": 1,
        "maxItems": 1,
        "items": {
            "type": "object",
            "properties": {
                "service_request_id": {"type": "string"},
                "token": {"type": "string"},
                "service_notice": {"type": ["string", "null"]},
                "account_id": {"type": ["string", "null"]},
            },
            "not": {"required": ["service_request_id", "token"]},
            "additionalProperties": False,
        },
    },
    "tokens.json": {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["service_request_id", "token"],
            "properties": {"service_request_id": {"type": "string"}, "token": {"type": "string"}},
            "additionalProperties": False,
        },
    },
    "updates.json": {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["update_id", "service_request_id", "status", "updated_datetime", "description"],
            "properties": {
                "update_id": {"type": "string"},
                "service_request_id": {"type": "string"},
                "status": {"type": "string", "pattern": "^[a-z_]+$"},
                "updated_datetime": {"type": "string", "format": "date-time"},
                "description": {"type": ["string", "null"]},
                "media_url": {"type": ["string", "null"]},
            },
        },
    },
    "update-response.json": {
        "type": "array",
        "minItems": 1,
        "items": {"type": "object", "required": ["update_id"], "properties": {"update_id": {"type": "string"}}},
    },
}


def _registry() -> Registry[Any]:
    contents = {p.name: json.loads(p.read_text()) for p in SCHEMA_DIR.glob("*.json")} | LOCAL_SCHEMAS
    return Registry().with_resources(
        (name, Resource.from_contents(schema, default_specification=DRAFT202012)) for name, schema in contents.items()
    )


REGISTRY = _registry()


def check_schema(name: str, body: Any) -> None:
    """Fail unless the JSON body validates against the named schema (with datetimes checked as W3C)."""
    schema = REGISTRY.contents(name)
    Draft202012Validator(schema, registry=REGISTRY, format_checker=FormatChecker()).validate(body)
    for value in _strings_named(body, "_datetime"):
        assert W3C.match(value), value


def _strings_named(body: Any, suffix: str) -> list[str]:
    found: list[str] = []
    if isinstance(body, list):
        for item in body:
            found += _strings_named(item, suffix)
    elif isinstance(body, dict):
        for key, value in body.items():
            if key.endswith(suffix) and isinstance(value, str):
                found.append(value)
            else:
                found += _strings_named(value, suffix)
    return found


def spark(element: Any) -> Any:
    """An XML element in the JSON shape: repeated children as a list, leaves as text (None when empty)."""
    if element.tag in LISTS:
        assert all(child.tag == LISTS[element.tag] for child in element), element.tag
        return [spark(child) for child in element]
    if len(element):
        return {child.tag: spark(child) for child in element}
    return element.text if element.text not in (None, "") else None


def as_text(value: Any) -> Any:
    """A JSON value as XML text would carry it."""
    if isinstance(value, list):
        return [as_text(v) for v in value]
    if isinstance(value, dict):
        return {k: as_text(v) for k, v in value.items()}
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse_xml(response: httpx.Response) -> Any:
    """The XML body (parsed safely), after checking the declaration and content type."""
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = SafeET.fromstring(response.content)
    assert "}" not in root.tag  # no namespace
    return root


def parse_json(response: httpx.Response) -> Any:
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    return response.json()


async def fetch_both(
    client: httpx.AsyncClient, method: str, path: str, *, status: int, schema: str | None = None, **kwargs: Any
) -> tuple[Any, Any]:
    """The JSON body and the XML root of `path` + .json / .xml, checked to carry the same structure."""
    json_response = await client.request(method, f"{path}.json", **kwargs)
    xml_response = await client.request(method, f"{path}.xml", **kwargs)
    assert json_response.status_code == status, json_response.text
    assert xml_response.status_code == status, xml_response.text
    body = parse_json(json_response)
    root = parse_xml(xml_response)
    if schema is not None:
        check_schema(schema, body)
    assert spark(root) == as_text(body)
    return body, root


@dataclass
class City:
    agency: Agency
    parks: Agency
    pothole: Service
    graffiti: Service
    noise: Service
    licence: Service
    queue: Queue
    key: str
    key_id: Any


@pytest.fixture
async def city(session: AsyncSession) -> City:
    """Works offers a realtime pothole form (with attributes), a batch graffiti report and a blackbox noise
    report through Open311; a licence service is not offered. One integrator key, an address register."""
    agency = await create_agency(session, slug="city-works", name="City Works")
    parks = await create_agency(session, slug="parks", name="Parks")
    pothole = await create_service(
        session,
        agency=agency,
        code="POTHOLE",
        name="Pothole",
        description="A hole in the road",
        keywords=["road", "hole"],
        group="streets",
        open311=True,
        notice="We inspect within two working days.",
        attributes=[
            {
                "code": "SIZE",
                "datatype": "singlevaluelist",
                "required": True,
                "description": "How big is it?",
                "values": [{"key": "small", "name": "Small"}, {"key": "large", "name": "Large"}],
            },
            {
                "code": "HAZARDS",
                "datatype": "multivaluelist",
                "description": "What else is there?",
                "values": [{"key": "water", "name": "Water"}, {"key": "glass", "name": "Glass"}],
            },
            {"code": "DEPTH", "datatype": "number", "description": "Depth in cm"},
            {"code": "SEEN", "datatype": "datetime", "description": "When did you see it?"},
        ],
    )
    graffiti = await create_service(
        session, agency=parks, code="GRAFFITI", name="Graffiti", open311=True, type=ServiceType.batch
    )
    noise = await create_service(
        session, agency=agency, code="NOISE", name="Noise", open311=True, type=ServiceType.blackbox
    )
    licence = await create_service(session, agency=agency, code="LICENCE", name="Business licence")
    queue = Queue(agency_id=agency.id, slug="works", name="Works queue")
    session.add(queue)
    session.add(
        Place(
            address_id="A-100",
            address="100 Queen St W",
            normalised="100 queen st w",
            lat=43.6535,
            long=-79.3841,
            zipcode="M5H 2N2",
        )
    )
    key, row = await staff.create_api_key(session, name="Fix it app", scope=ApiKeyScope.open311)
    await session.commit()
    return City(agency, parks, pothole, graffiti, noise, licence, queue, key, row.id)


async def counts_now(session: AsyncSession) -> dict[str, int]:
    """Rows in every table as committed now (ending the test session's read snapshot first)."""
    await session.commit()
    return await counts(session)


def pothole_form(city: City, **extra: str) -> dict[str, str]:
    """A valid POST requests form for the pothole service."""
    form = {
        "api_key": city.key,
        "service_code": "POTHOLE",
        "lat": "43.6535",
        "long": "-79.3841",
        "description": "A deep hole by the bus stop",
        "attribute[SIZE]": "large",
    }
    form.update(extra)
    return form
