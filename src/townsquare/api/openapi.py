"""The OpenAPI contract of /api/v1 and the offline docs that show it: every problem each operation can answer.

It only describes: it must never change what a route does, and /docs must never load anything from another host.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from townsquare.staff.auth import public

PROBLEM_MEDIA_TYPE = "application/problem+json"
SWAGGER_UI = "/static/build/swagger-ui"  # copied from the swagger-ui-dist npm package by `make assets`
METHODS = ("get", "put", "post", "delete", "patch")

PROBLEM_SCHEMAS: dict[str, dict[str, Any]] = {
    "Problem": {
        "title": "Problem",
        "description": "RFC 9457 problem details; `detail` is meant for people and never holds personal data.",
        "type": "object",
        "required": ["type", "title", "status", "detail", "instance"],
        "properties": {
            "type": {"type": "string", "format": "uri-reference", "description": "What kind of problem it is."},
            "title": {"type": "string"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string", "description": "What went wrong, and what to do about it."},
            "instance": {"type": "string", "description": "The path the problem is about."},
            "errors": {"type": "array", "items": {"$ref": "#/components/schemas/ProblemFieldError"}},
        },
    },
    "ProblemFieldError": {
        "title": "ProblemFieldError",
        "type": "object",
        "required": ["field", "message"],
        "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
    },
}

WHY = {
    400: "The body could not be read (it is not UTF-8 or not the format it declares).",
    401: "No API key or staff session was presented, or the key is not valid or has been revoked.",
    403: "The caller may not do this: an Open311 key, a role or agency that does not allow it, "
    "or a form sent from another site.",
    404: "Nothing the caller may see has that identifier.",
    409: "The change conflicts with the record as it is now.",
    413: "The request, the text or an attachment is over its limit.",
    415: "An attachment's type is not one that is accepted.",
    422: "A value is missing, unreadable or not acceptable; `errors` names each field.",
    429: "Over a limit (per minute or per day); `Retry-After` says when to come back.",
    503: "Something the request needs cannot run here now (reading a scan); send it again later.",
}

# What a route's own logic adds to what its shape implies (see `problem_statuses`): an agency, service, citizen
# or conversation named in the query or body that does not exist (404), a conflict with the record's state (409),
# an attachment's type (415), a key's limits (429), a part that cannot run now (503).
ROUTE_PROBLEMS: dict[str, tuple[int, ...]] = {
    "GET /api/v1/services": (404,),
    "POST /api/v1/citizens": (409,),
    "POST /api/v1/citizens/{citizen_id}/identities": (409,),
    "POST /api/v1/cases": (404,),
    "POST /api/v1/cases/{reference}/status": (409,),
    "POST /api/v1/interactions": (404, 415),
    "POST /api/v1/api-keys": (404,),
    "POST /api/v1/work-items": (404,),
    "POST /api/v1/queues": (404, 409),
    "POST /api/v1/notifications": (404, 429),
    "POST /api/v1/letters/returned": (404, 409),
    "POST /api/v1/mail": (415, 429, 503),
}


def problem_statuses(method: str, path: str, operation: dict[str, Any]) -> set[int]:
    """The problem statuses an /api/ operation can answer with, from its shape and `ROUTE_PROBLEMS`."""
    found = {422}  # the edge refuses unreadable text (a NUL, bytes that are not UTF-8) in any path or query
    if operation.get("security"):
        found |= {401, 403}  # no or a bad credential; a key or role that may not; the cookie guard on forms
    if "requestBody" in operation:
        found |= {400, 413}
    if "{" in path:
        found.add(404)
    found.update(ROUTE_PROBLEMS.get(f"{method.upper()} {path}", ()))
    return found


def document_problems(spec: dict[str, Any]) -> dict[str, Any]:
    """Add the Problem schema and, to every /api/ operation, each problem response it can give (in place)."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(PROBLEM_SCHEMAS)
    problem = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, operations in spec.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for method in METHODS:
            operation = operations.get(method)
            if operation is None:
                continue
            for status in sorted(problem_statuses(method, path, operation)):
                operation["responses"][str(status)] = {"description": WHY[status], "content": problem}
    # FastAPI's own 422 body (HTTPValidationError) is never sent: api/problems.py renders every refusal.
    text = json.dumps(spec["paths"])
    for unused in ("HTTPValidationError", "ValidationError"):
        if f'"#/components/schemas/{unused}"' not in text:
            schemas.pop(unused, None)
    return spec


def install(app: FastAPI) -> None:
    """Describe problems in the app's OpenAPI, and serve Swagger UI at /docs from our own static files."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        # FastAPI caches the spec and regenerates it when routes change; describing it again is idempotent.
        return document_problems(generate())

    app.openapi = openapi  # type: ignore[method-assign]
    openapi_url = app.openapi_url or "/openapi.json"
    title = f"{app.title} — interactive documentation"

    # The page's words are copied in, not the app: FastAPI keeps every endpoint it has seen in a cache for the
    # process's life, and an endpoint holding its app would keep every app a process ever built.
    @app.get("/docs", include_in_schema=False, dependencies=[Depends(public)])
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=title,
            swagger_js_url=f"{SWAGGER_UI}/swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER_UI}/swagger-ui.css",
            swagger_favicon_url=f"{SWAGGER_UI}/favicon-32x32.png",
            # No validator badge: it would send the spec's address to a third party.
            swagger_ui_parameters={"validatorUrl": None},
        )
