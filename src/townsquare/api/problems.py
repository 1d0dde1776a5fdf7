"""RFC 9457 problem details for every error, with readable messages and never personal data.

Browsers asking for HTML get a page (the portal's error page, which the app hands over as `app.state.problem_page`;
a small plain page without it); API clients get application/problem+json.
"""

from __future__ import annotations

import html
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from townsquare.errors import FieldError, Problem
from townsquare.hygiene import SafeJSONResponse

log = logging.getLogger("townsquare.problems")
PROBLEM_BASE = "https://townsquare.dev/problems/"


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept and not request.url.path.startswith(("/api/", "/channels/"))


def problem_response(request: Request, problem: Problem) -> Response:
    """Render a problem for the caller."""
    body: dict[str, Any] = {
        "type": problem.type_slug if problem.type_slug == "about:blank" else PROBLEM_BASE + problem.type_slug,
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
        "instance": request.url.path,
    }
    if problem.errors:
        body["errors"] = [e.as_dict() for e in problem.errors]
    body.update(problem.extra)
    # Paths and status only: request bodies and query strings may hold personal data.
    log.info("problem %s on %s %s: %s", problem.status, request.method, request.url.path, problem.type_slug)
    if _wants_html(request):
        page_for = getattr(request.app.state, "problem_page", None)  # the portal's error page, where the app set one
        if page_for is not None:
            rendered: Response = page_for(request, problem)
            return rendered
        items = "".join(f"<li>{html.escape(e.field)}: {html.escape(e.message)}</li>" for e in problem.errors)
        page = (
            f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(problem.title)}"
            f"</title><link rel='stylesheet' href='/static/site.css'></head><body><main class='container'>"
            f"<h1>{html.escape(problem.title)}</h1><p>{html.escape(problem.detail)}</p>"
            f"{f'<ul>{items}</ul>' if items else ''}<p><a href='/'>Back to the start</a></p></main></body></html>"
        )
        return HTMLResponse(page, status_code=problem.status)
    response = SafeJSONResponse(body, status_code=problem.status, media_type="application/problem+json")
    if problem.status == 401 and request.url.path.startswith("/api/"):
        response.headers["WWW-Authenticate"] = 'Bearer realm="townsquare"'  # RFC 9110: say how to authenticate
    if isinstance(problem.extra.get("retry_after"), int):  # a limit says when to come back (RFC 9110)
        response.headers["Retry-After"] = str(problem.extra["retry_after"])
    return response


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "form")]
    return ".".join(parts) or "request"


async def _on_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return problem_response(request, exc)


async def _on_validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [FieldError(_field(tuple(e.get("loc", ()))), str(e.get("msg", "invalid"))) for e in exc.errors()]
    summary = "; ".join(f"{e.field}: {e.message}" for e in errors[:5])
    return problem_response(request, Problem(422, "Invalid input", summary, "invalid-input", errors))


async def _on_http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    titles = {404: "Not found", 405: "Method not allowed", 401: "Authentication required", 403: "Forbidden"}
    detail = str(exc.detail) if exc.detail else titles.get(exc.status_code, "Error")
    if exc.status_code == 404 and detail == "Not Found":
        detail = "There is nothing at this address."
    problem = Problem(exc.status_code, titles.get(exc.status_code, "Error"), detail, "http-error")
    response = problem_response(request, problem)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    problem = Problem(500, "Something went wrong", "The error was logged; nothing you sent was half-saved.", "internal")
    return problem_response(request, problem)


def install(app: FastAPI) -> None:
    """Route every error through problem details."""
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(Exception, _on_unexpected)
