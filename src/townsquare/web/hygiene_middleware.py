"""Input hygiene at the edge, once: a request whose text cannot be stored and read back — a NUL, a control
character other than tab, CR and LF, a lone surrogate, bytes that are not UTF-8, or JSON nested too deep or not
JSON at all — is refused with one 422 problem naming every field (a 404 for such a path), before any route runs.

Reads the path, the query string, JSON bodies and form bodies; the body is replayed to the app unchanged. Leaves
alone the doors with error formats of their own (Open311, the providers' webhooks and sockets under /channels),
which check their input themselves, and never logs what was sent.
"""

from __future__ import annotations

import email.message
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from townsquare.errors import FieldError, Problem, invalid
from townsquare.hygiene import (
    MAX_JSON_DEPTH,
    MAX_PROBLEMS,
    JsonRefused,
    TextProblem,
    find_unreadable,
    label,
    load_json,
    unreadable,
)

Refuse = Callable[[Request, Problem], Response]
EXEMPT = ("/open311", "/channels/")
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
NOT_UTF8 = "is not UTF-8 text"
NOTHING_HERE = Problem(404, "Not found", "There is nothing at this address.", "http-error")  # as the app's own 404


def _media(scope: Scope) -> tuple[str, str]:
    """The request's media type, as (maintype/subtype, subtype), lower-cased."""
    raw = dict(scope.get("headers", [])).get(b"content-type", b"").decode("latin-1")
    message = email.message.Message()
    message["content-type"] = raw
    return (message.get_content_type(), message.get_content_subtype()) if raw else ("", "")


def _is_json(media: str, subtype: str) -> bool:
    return media.startswith("application/") and (subtype == "json" or subtype.endswith("+json"))


def _decoded(raw: bytes) -> str | None:
    """A form or query component (percent-encoded, + for space) as text; None when it is not UTF-8."""
    try:
        return unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return None


def pair_problems(encoded: bytes) -> list[TextProblem]:
    """Problems of an `a=1&b=2` string (a query or an urlencoded form), each named by its field."""
    found: list[TextProblem] = []
    for chunk in encoded.split(b"&"):
        if not chunk:
            continue
        raw_name, _, raw_value = chunk.partition(b"=")
        name = _decoded(raw_name)
        shown = label(name if name is not None else raw_name.decode("utf-8", "replace"))
        value = _decoded(raw_value)
        if name is None:
            found.append(TextProblem(shown, "has a name that " + NOT_UTF8))
        elif value is None:
            found.append(TextProblem(shown, NOT_UTF8))
        else:
            found += _named(name, shown) + find_unreadable(value, shown)
    return found


def _named(name: str, shown: str) -> list[TextProblem]:
    why = unreadable(name)
    return [] if why is None else [TextProblem(shown, "has a name that " + why)]


async def _form_problems(scope: Scope, body: bytes) -> list[TextProblem]:
    """Problems of a multipart form's text fields (files are bytes, and their names are made safe where kept)."""

    async def once() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(scope, once).form()
    except (MultiPartException, HTTPException):  # Starlette raises the latter when the scope has an app
        return []  # malformed: the route refuses it in its own words
    try:
        found: list[TextProblem] = []
        for name, value in form.multi_items():
            if not isinstance(value, UploadFile):
                found += _named(name, label(name)) + find_unreadable(value, label(name))
        return found
    finally:
        await form.close()


def _json_problems(body: bytes) -> tuple[list[TextProblem], JsonRefused | None]:
    if not body.strip():
        return [], None  # no body: the route says whether it needs one
    try:
        return find_unreadable(load_json(body, max_depth=MAX_JSON_DEPTH)), None
    except JsonRefused as refused:
        return [], refused


def _problem(problems: list[TextProblem]) -> Problem:
    errors = [FieldError(p.path, p.message) for p in problems[:MAX_PROBLEMS]]
    summary = "; ".join(f"{e.field} {e.message}" for e in errors[:5])
    return invalid(
        f"Some text cannot be stored: {summary}. Text may not hold NUL, control characters other than "
        "tab, carriage return and line feed, or lone surrogates.",
        *errors,
    )


class HygieneMiddleware:
    """Checks every request's text before the app sees it; see the module's docstring."""

    def __init__(self, app: ASGIApp, refuse: Refuse) -> None:
        self.app = app
        self.refuse = refuse  # renders a Problem for the caller (api.problems.problem_response)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope.get("path", "")).startswith(EXEMPT):
            await self.app(scope, receive, send)
            return
        if unreadable(str(scope.get("path", ""))) is not None:  # nothing can live at such an address
            await self.refuse(Request(scope), NOTHING_HERE)(scope, receive, send)
            return
        problems = pair_problems(bytes(scope.get("query_string", b"")))
        media, subtype = _media(scope)
        body: bytes | None = None
        refusal: Problem | None = None
        if scope.get("method") not in SAFE_METHODS and (_is_json(media, subtype) or media in (URLENCODED, MULTIPART)):
            body = await _read(receive)
            if body is None:
                return  # the client went away
            refusal = await _body_refusal(scope, media, body, problems)
        elif problems:
            refusal = _problem(problems)
        if refusal is not None:
            await self.refuse(Request(scope), refusal)(scope, receive, send)
            return
        await self.app(scope, receive if body is None else _replay(body, receive), send)


async def _body_refusal(scope: Scope, media: str, body: bytes, problems: list[TextProblem]) -> Problem | None:
    """The problem with this body (and the query's `problems`), or None when all of it can be stored."""
    if media == URLENCODED:
        problems = problems + pair_problems(body)
    elif media == MULTIPART:
        problems = problems + await _form_problems(scope, body)
    else:
        found, refused = _json_problems(body)
        if refused is not None:
            malformed = refused.reason == "malformed"
            detail = "The request body must be JSON, and this is not." if malformed else refused.detail
            return invalid(detail, FieldError("body", refused.detail))
        problems = problems + found
    return _problem(problems) if problems else None


async def _read(receive: Receive) -> bytes | None:
    """The whole body (BodyLimit, outside this middleware, has already bounded it); None if the client left."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the app the body already read, then whatever the server sends next."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
