"""A recording stand-in for a Mastodon server's REST API, for the demo and the tests (no Mastodon account needed).

It speaks Mastodon's wire format under `/simulator/mastodon/api/v1/…` — a bearer token, `GET notifications` with
`types[]`, `min_id`/`since_id`/`max_id`/`limit`, a `Link` header and `X-RateLimit-*` headers, `POST statuses` with
an `Idempotency-Key` — and keeps every request. People post through the simulator's panel; the platform's real
poller reads their mentions here and its answers are posted here. It can be told to throttle or fail.
"""

from __future__ import annotations

import html
import itertools
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from townsquare.clock import utcnow
from townsquare.settings import Settings
from townsquare.staff.auth import PROVIDER, declared

# Mastodon's API answers the account's bearer token only (checked by each route: 401 as Mastodon words it).
router = APIRouter(prefix="/mastodon/api/v1", dependencies=[Depends(declared(PROVIDER))])
CITY = "city"  # the city's account on the stand-in server
RATE_LIMIT = 300  # requests per five minutes, as Mastodon's default
VISIBILITIES = ("public", "unlisted", "private", "direct")


@dataclass
class FakeMastodon:
    """The stand-in server: its accounts, statuses and the city's notifications, and every request it was sent."""

    settings: Settings
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    statuses: dict[str, dict[str, Any]] = field(default_factory=dict)
    notifications: list[dict[str, Any]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    idempotent: dict[str, str] = field(default_factory=dict)
    failures: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    words: dict[str, str] = field(default_factory=dict)  # each status's words as typed, for the panel to show
    # Ids grow with time, as Mastodon's do (a status id is its millisecond shifted 16 bits), so a demo restarted
    # with an empty stand-in never reuses an id the platform has already read. Tests start them where they like.
    first_notification_id: int = field(default_factory=lambda: int(time.time() * 1000))
    first_status_id: int = field(default_factory=lambda: int(time.time() * 1000) << 16)

    def __post_init__(self) -> None:
        self._notification_ids = itertools.count(self.first_notification_id)
        self._status_ids = itertools.count(self.first_status_id)

    def next_notification_id(self) -> str:
        return str(next(self._notification_ids))

    @property
    def base(self) -> str:
        return self.settings.public_url.rstrip("/") + "/simulator/mastodon"

    @property
    def host(self) -> str:
        return urlsplit(self.settings.mastodon_base_url or self.base).hostname or "localhost"

    def fail_next(self, status: int, headers: dict[str, str] | None = None) -> None:
        """Answer the next read of notifications with this status (a 429 with its headers, a 503)."""
        self.failures.append((status, headers or {}))

    def account(self, acct: str, display_name: str | None = None) -> dict[str, Any]:
        """An account as the Account entity: a local one's `acct` is its username alone."""
        user, _, domain = acct.lstrip("@").partition("@")
        local = not domain or domain == self.host
        key = user if local else f"{user}@{domain}"
        if key not in self.accounts:
            self.accounts[key] = {
                "id": str(len(self.accounts) + 1),
                "username": user,
                "acct": key,
                "display_name": display_name or "",
                "url": f"https://{domain or self.host}/@{user}",
                "bot": False,
            }
        return self.accounts[key]

    def post(
        self,
        acct: str,
        text: str,
        *,
        visibility: str = "public",
        display_name: str | None = None,
        in_reply_to_id: str | None = None,
        language: str | None = "en",
        media: list[dict[str, Any]] | None = None,
        at: datetime | None = None,
    ) -> dict[str, Any]:
        """A person's post mentioning the city (written `at`, else now): the status, and the city's notification."""
        city = self.account(CITY)
        mention = f'<span class="h-card"><a href="{city["url"]}" class="u-url mention">@<span>{CITY}</span></a></span>'
        paragraphs = [p for p in text.split("\n\n") if p.strip()] or [""]
        body = "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
        content = body.replace("<p>", f"<p>{mention} ", 1)
        status = self.new_status(self.account(acct, display_name), content, visibility, in_reply_to_id, language)
        self.words[status["id"]] = text
        status["mentions"] = [{"id": city["id"], "username": CITY, "acct": CITY, "url": city["url"]}]
        if at is not None:
            status["created_at"] = _iso(at)
        status["media_attachments"] = media or []
        self.notifications.append(
            {
                "id": self.next_notification_id(),
                "type": "mention",
                "created_at": status["created_at"],
                "account": status["account"],
                "status": status,
            }
        )
        return status

    def new_status(
        self,
        account: dict[str, Any],
        content: str,
        visibility: str,
        in_reply_to_id: str | None,
        language: str | None,
    ) -> dict[str, Any]:
        """A status as the Status entity, by `account`."""
        status_id = str(next(self._status_ids))
        replied = self.statuses.get(in_reply_to_id or "")
        status: dict[str, Any] = {
            "id": status_id,
            "created_at": _iso(utcnow()),
            "in_reply_to_id": in_reply_to_id if replied else None,
            "in_reply_to_account_id": replied["account"]["id"] if replied else None,
            "sensitive": False,
            "spoiler_text": "",
            "visibility": visibility,
            "language": language,
            "uri": f"https://{self.host}/users/{account['username']}/statuses/{status_id}",
            "url": f"https://{self.host}/@{account['username']}/{status_id}",
            "content": content,
            "account": account,
            "media_attachments": [],
            "mentions": [],
            "tags": [],
            "emojis": [],
            "card": None,
            "poll": None,
        }
        self.statuses[status_id] = status
        return status

    def city_statuses(self) -> list[dict[str, Any]]:
        """What the city posted, oldest first."""
        return [s for s in self.statuses.values() if s["account"]["acct"] == CITY]

    def page(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        """Notifications as `GET /api/v1/notifications` pages them: newest first, between the bounds given."""
        found = [n for n in self.notifications if not query["types"] or n["type"] in query["types"]]
        key = _key
        if query["max_id"]:
            found = [n for n in found if key(n["id"]) < key(query["max_id"])]
        if query["since_id"]:
            found = [n for n in found if key(n["id"]) > key(query["since_id"])]
        if query["min_id"]:
            newer = sorted((n for n in found if key(n["id"]) > key(query["min_id"])), key=lambda n: key(n["id"]))
            return list(reversed(newer[: query["limit"]]))  # the page just after the cursor, newest first
        return sorted(found, key=lambda n: key(n["id"]), reverse=True)[: query["limit"]]

    def rate_headers(self) -> dict[str, str]:
        now = utcnow()
        recent = [r for r in self.requests if r["at"] > now - timedelta(minutes=5)]
        reset = _iso(now + timedelta(minutes=5))
        remaining = max(RATE_LIMIT - len(recent), 0)
        return {
            "X-RateLimit-Limit": str(RATE_LIMIT),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": reset,
        }


def _iso(at: datetime) -> str:
    """A time as Mastodon writes it: ISO 8601, milliseconds, Z."""
    return at.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _key(value: str) -> tuple[int, str]:
    return (len(value), value)


def fake_of(request: Request) -> FakeMastodon:
    """The app's stand-in Mastodon server, made on first use."""
    fake: FakeMastodon | None = getattr(request.app.state, "fake_mastodon", None)
    if fake is None:
        fake = FakeMastodon(request.app.state.settings)
        request.app.state.fake_mastodon = fake
    return fake


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


async def _authorised(request: Request) -> FakeMastodon | Response:
    """The stand-in, once the request carries the account's token, as the server checks it (and recorded)."""
    fake = fake_of(request)
    token = fake.settings.mastodon_access_token
    if not token or request.headers.get("authorization") != f"Bearer {token}":
        return _error(401, "The access token is invalid")
    form = dict((await request.form()).items()) if request.method == "POST" else {}
    fake.requests.append(
        {
            "at": utcnow(),
            "method": request.method,
            "path": request.url.path,
            "query": list(request.query_params.multi_items()),
            "form": {k: str(v) for k, v in form.items()},
            "headers": dict(request.headers),
        }
    )
    return fake


@router.get("/notifications")
async def notifications(request: Request) -> Response:
    """The city's notifications, paged as Mastodon pages them, with its `Link` and rate-limit headers."""
    fake = await _authorised(request)
    if isinstance(fake, Response):
        return fake
    if fake.failures:
        status, headers = fake.failures.pop(0)
        return _error(status, "Too many requests" if status == 429 else "Service unavailable", headers)
    params = request.query_params
    try:
        limit = min(max(int(params.get("limit", "40")), 1), 80)
    except ValueError:
        return _error(422, "Validation failed: limit is not a number")
    query = {
        "types": params.getlist("types[]"),
        "min_id": params.get("min_id"),
        "since_id": params.get("since_id"),
        "max_id": params.get("max_id"),
        "limit": limit,
    }
    page = fake.page(query)
    headers = fake.rate_headers()
    if page:
        url = fake.base + "/api/v1/notifications"
        newest, oldest = page[0]["id"], page[-1]["id"]
        headers["Link"] = f'<{url}?max_id={oldest}>; rel="next", <{url}?min_id={newest}>; rel="prev"'
    return JSONResponse(page, headers=headers)


@router.post("/statuses")
async def post_status(request: Request) -> Response:
    """The city posts a status (an answer): once per `Idempotency-Key`, as Mastodon keeps them for an hour."""
    fake = await _authorised(request)
    if isinstance(fake, Response):
        return fake
    form = fake.requests[-1]["form"]
    key = request.headers.get("idempotency-key")
    if key and key in fake.idempotent:
        return JSONResponse(fake.statuses[fake.idempotent[key]], headers=fake.rate_headers())
    text, visibility = form.get("status", ""), form.get("visibility", "public")
    if not text.strip():
        return _error(422, "Validation failed: Text can't be blank")
    if visibility not in VISIBILITIES:
        return _error(422, "Validation failed: Visibility is not included in the list")
    reply_to = form.get("in_reply_to_id") or None
    if reply_to is not None and reply_to not in fake.statuses:
        return _error(404, "Record not found")
    content = "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in text.split("\n\n") if p.strip())
    status = fake.new_status(fake.account(CITY), content, visibility, reply_to, form.get("language"))
    fake.words[status["id"]] = text
    if key:
        fake.idempotent[key] = status["id"]
    return JSONResponse(status, headers=fake.rate_headers())
