"""The guards every request passes before any route: a bound on the body, and the same-site rule for forms.

Plain ASGI middleware (no task or stream per request, which the ingest path feels); `app.py` installs them.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from townsquare.api import problems
from townsquare.errors import Problem, forbidden, too_large
from townsquare.sockets import same_origin

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Doors for machines (API keys, provider signatures), not pages: an Origin there is no sign of a forged form.
# /unsubscribe: a mail client's one click; /simulator/twilio and /simulator/mastodon/api: the demo's stand-ins for
# Twilio's and Mastodon's REST APIs.
MACHINE_DOORS = ("/api", "/channels", "/open311", "/unsubscribe", "/simulator/twilio", "/simulator/mastodon/api")


class BodyLimit:
    """Refuses request bodies over the limit with a 413 problem, whether or not Content-Length is declared.

    A declared length over the limit is refused before reading; a body sent without one (chunked) is read up
    to the limit and replayed to the app, so no route ever sees more than the limit.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        declared = headers.get(b"content-length")
        if declared is not None:
            if declared.isdigit() and int(declared) > self.limit:
                await self._refuse(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        if scope.get("method") in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > self.limit:
                await self._refuse(scope, receive, send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        problem = too_large(f"Requests may be at most {self.limit} bytes.")
        await problems.problem_response(Request(scope), problem)(scope, receive, send)


class SameSiteGuard:
    """Refuses a state-changing request sent from another site, and sets the security headers on every answer.

    Cookie-authenticated forms must come from our own pages (CSRF defence with SameSite=Lax), and so must every
    page's form even without cookies: a sign-in posted from elsewhere would sign the victim's browser in to the
    attacker's account (login CSRF). Machine doors (the API, providers' webhooks) without cookies are exempt.
    A plain ASGI middleware: no task or stream per request, which the ingest path feels.
    """

    HEADERS = (("x-content-type-options", "nosniff"), ("referrer-policy", "same-origin"), ("x-frame-options", "DENY"))

    def __init__(self, app: ASGIApp, *, public_url: str) -> None:
        self.app = app
        self.public_url = public_url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(raw=message.setdefault("headers", []))
                for name, value in self.HEADERS:
                    headers.setdefault(name, value)
            await send(message)

        request = Request(scope)
        if (
            request.method not in SAFE_METHODS
            and (request.cookies or not _machine_door(request.url.path))
            and not _form_same_origin(request, self.public_url)
        ):
            problem: Problem = forbidden("This form was sent from another site, so it was refused.")
            await problems.problem_response(request, problem)(scope, receive, secured)
            return
        await self.app(scope, receive, secured)


def _machine_door(path: str) -> bool:
    return any(path == door or path.startswith(door + "/") for door in MACHINE_DOORS)


def _form_same_origin(request: Request, public_url: str) -> bool:
    origin = request.headers.get("origin") or request.headers.get("referer")
    return same_origin(origin, public_url=public_url, scheme=request.url.scheme, host=request.headers.get("host", ""))
