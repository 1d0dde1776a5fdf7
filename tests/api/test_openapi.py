"""The OpenAPI contract: only the public REST API, its security schemes (each of which really signs a caller in),
every problem as application/problem+json, and /docs served from our own files with no other host named."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_staff
from townsquare.api.openapi import PROBLEM_MEDIA_TYPE, ROUTE_PROBLEMS
from townsquare.staff import service as staff
from townsquare.staff.models import StaffRole

METHODS = ("get", "put", "post", "delete", "patch")


async def _spec(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    spec: dict[str, Any] = response.json()
    return spec


def _operations(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f"{m.upper()} {path}": ops[m] for path, ops in spec["paths"].items() for m in METHODS if m in ops}


async def test_the_spec_describes_the_public_api_and_nothing_else(client: httpx.AsyncClient) -> None:
    spec = await _spec(client)
    assert all(path.startswith("/api/v1/") for path in spec["paths"])
    assert {"/api/v1/agencies", "/api/v1/services/{code}", "/api/v1/cases", "/api/v1/interactions"} <= set(
        spec["paths"]
    )
    assert not [p for p in spec["paths"] if p.startswith(("/channels", "/open311", "/desk", "/docs"))]


async def test_protected_operations_declare_each_way_to_present_credentials(client: httpx.AsyncClient) -> None:
    spec = await _spec(client)
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearer"] == {"type": "http", "scheme": "bearer", "description": schemes["bearer"]["description"]}
    assert (schemes["apiKey"]["in"], schemes["apiKey"]["name"]) == ("header", "X-API-Key")
    assert (schemes["staffSession"]["in"], schemes["staffSession"]["name"]) == ("cookie", "ts_staff")
    operations = _operations(spec)
    for label, operation in operations.items():
        public = label.startswith(("GET /api/v1/agencies", "GET /api/v1/services"))
        expected: list[dict[str, list[str]]] | None = (
            None if public else [{"bearer": []}, {"apiKey": []}, {"staffSession": []}]
        )
        assert operation.get("security") == expected, label


async def test_every_refusal_is_documented_as_a_problem(client: httpx.AsyncClient) -> None:
    spec = await _spec(client)
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    assert "HTTPValidationError" not in json.dumps(spec)
    problem = spec["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "instance"} <= set(problem["required"])
    operations = _operations(spec)
    for label, operation in operations.items():
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                assert response["content"] == {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
        statuses = set(operation["responses"])
        assert "422" in statuses, label
        if operation.get("security"):
            assert {"401", "403"} <= statuses, label
        if "requestBody" in operation:
            assert {"400", "413"} <= statuses, label
        if "{" in label:
            assert "404" in statuses, label


async def test_each_route_specific_problem_names_an_operation_that_exists(client: httpx.AsyncClient) -> None:
    operations = _operations(await _spec(client))
    assert set(ROUTE_PROBLEMS) <= set(operations)
    for label, statuses in ROUTE_PROBLEMS.items():
        assert {str(s) for s in statuses} <= set(operations[label]["responses"]), label


async def test_each_declared_scheme_really_signs_a_caller_in(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await create_agency(session)
    admin = await create_staff(session, email="admin@city.example", role=StaffRole.admin)
    key, _ = await staff.create_api_key(session, name="warehouse")
    token = await staff.start_session(session, staff_id=admin.id, hours=1)
    await session.commit()
    schemes = (await _spec(client))["components"]["securitySchemes"]

    async def cases_with(scheme: dict[str, Any], value: str) -> int:
        client.cookies.clear()
        if scheme["type"] == "http":
            return (await client.get("/api/v1/cases", headers={"Authorization": f"Bearer {value}"})).status_code
        if scheme["in"] == "header":
            return (await client.get("/api/v1/cases", headers={scheme["name"]: value})).status_code
        client.cookies.set(scheme["name"], value)
        return (await client.get("/api/v1/cases")).status_code

    for name, scheme in schemes.items():
        secret = token if name == "staffSession" else key
        assert await cases_with(scheme, secret) == 200, name
        assert await cases_with(scheme, secret[:-4] + "xxxx") == 401, name
    client.cookies.clear()
    assert (await client.get("/api/v1/cases")).status_code == 401
    # The bearer scheme, in any case, is the key; another scheme is not.
    assert (await client.get("/api/v1/cases", headers={"Authorization": f"bearer {key}"})).status_code == 200
    assert (await client.get("/api/v1/cases", headers={"Authorization": f"Basic {key}"})).status_code == 401


async def test_the_docs_are_served_from_our_own_files(client: httpx.AsyncClient) -> None:
    page = await client.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    urls = re.findall(r"""(?:src|href|url)\s*[=:]\s*['"]([^'"]+)['"]""", page.text)
    assert "/openapi.json" in urls
    assets = [u for u in urls if u != "/openapi.json"]
    assert len(assets) >= 3
    assert all(u.startswith("/static/build/swagger-ui/") for u in assets), assets
    assert "://" not in page.text.replace("http://www.w3.org", "")
    for asset in assets:
        assert (await client.get(asset)).status_code == 200, f"{asset} is missing: run `make assets`"
    assert (await client.get("/redoc")).status_code == 404


async def test_a_refusal_at_the_edge_is_documented_even_where_nothing_is_read(client: httpx.AsyncClient) -> None:
    refused = await client.get("/api/v1/agencies", params={"note": "a\x00b"})
    assert refused.status_code == 422
    assert refused.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert "422" in _operations(await _spec(client))["GET /api/v1/agencies"]["responses"]
