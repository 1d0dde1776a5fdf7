"""Mastodon's REST API, as the city's account speaks it: reading mentions and posting statuses with its token.

`GET /api/v1/notifications?types[]=mention&min_id=…` reads the page just after the cursor (oldest first, so nothing
is skipped when more than a page arrived); `POST /api/v1/statuses` posts an answer with an `Idempotency-Key`, so a
retry after a crash posts nothing twice. Throttling (429, with `X-RateLimit-Reset`), server errors and the network
are temporary; any other refusal is permanent. Nothing here logs a token, an account or a word.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from townsquare.clock import utcnow
from townsquare.engagement import mastodon
from townsquare.notify.providers import Envelope, PermanentFailure, TemporaryFailure
from townsquare.settings import Settings

log = logging.getLogger(__name__)
NOTIFICATIONS = "/api/v1/notifications"
STATUSES = "/api/v1/statuses"
PAGE = 40  # the server's default page of notifications (at most 80)
DEFAULT_PAUSE = timedelta(minutes=5)  # a 429 that says nothing of when the limit resets: Mastodon's window


@dataclass(frozen=True)
class RateLimit:
    """What the server's `X-RateLimit-*` headers say of the token's budget."""

    limit: int | None = None
    remaining: int | None = None
    reset: datetime | None = None

    @property
    def nearly_spent(self) -> bool:
        """Fewer than a tenth of the requests are left: rest until the window resets (the outbox posts too)."""
        return self.limit is not None and self.remaining is not None and self.remaining * 10 < self.limit


@dataclass(frozen=True)
class Page:
    items: list[Any]
    rate: RateLimit


class Unavailable(Exception):
    """The server cannot be read now; try again after `until` (None: after the usual back-off)."""

    def __init__(self, reason: str, until: datetime | None = None) -> None:
        super().__init__(reason)
        self.until = until


def configured(settings: Settings) -> bool:
    return bool(settings.mastodon_base_url and settings.mastodon_access_token)


def rate_limit(response: httpx.Response) -> RateLimit:
    def number(name: str) -> int | None:
        value = response.headers.get(name, "")
        return int(value) if value.isdigit() else None

    reset = None
    try:
        raw = response.headers.get("x-ratelimit-reset")
        reset = datetime.fromisoformat(raw.replace("Z", "+00:00")) if raw else None
    except ValueError:
        reset = None
    if reset is not None and reset.tzinfo is None:
        reset = None
    return RateLimit(number("x-ratelimit-limit"), number("x-ratelimit-remaining"), reset)


def _pause_for(response: httpx.Response) -> datetime:
    """When a throttled token may read again: the limit's reset, else `Retry-After`, else five minutes."""
    reset = rate_limit(response).reset
    if reset is not None:
        return reset
    after = response.headers.get("retry-after", "")
    return utcnow() + (timedelta(seconds=min(int(after), 3600)) if after.isdigit() else DEFAULT_PAUSE)


def _headers(settings: Settings, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {settings.mastodon_access_token or ''}", "Accept": "application/json", **extra}


async def mentions(
    settings: Settings, *, after: str | None, transport: httpx.AsyncBaseTransport | None = None, limit: int = PAGE
) -> Page:
    """The mentions just after notification id `after` (the newest page when None); `Unavailable` otherwise."""
    params: list[tuple[str, str | int | float | bool | None]] = [("types[]", "mention"), ("limit", limit)]
    if after is not None:
        params.append(("min_id", after))
    url = (settings.mastodon_base_url or "") + NOTIFICATIONS
    try:
        async with httpx.AsyncClient(timeout=httpx.Timeout(20.0), transport=transport) as client:
            response = await client.get(url, params=params, headers=_headers(settings))
    except httpx.HTTPError as exc:
        raise Unavailable(f"the server could not be reached ({type(exc).__name__})") from None
    if response.status_code == 429:
        raise Unavailable("the server asked us to slow down (429)", _pause_for(response))
    if response.status_code in (401, 403):
        log.error("mastodon refused the token (http %s): see TOWNSQUARE_MASTODON_ACCESS_TOKEN", response.status_code)
        raise Unavailable(f"the server refused the token ({response.status_code})")
    if response.status_code != 200:
        raise Unavailable(f"the server answered {response.status_code}")
    try:
        items = response.json()
    except ValueError:
        raise Unavailable("the server's answer was not JSON") from None
    if not isinstance(items, list):
        raise Unavailable("the server's answer was not a list of notifications")
    return Page(items, rate_limit(response))


class MastodonProvider:
    """Posts the city's answers with `POST /api/v1/statuses`, authorised by the account's token."""

    def __init__(self, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        if not configured(settings):
            raise ValueError("Mastodon needs TOWNSQUARE_MASTODON_BASE_URL and TOWNSQUARE_MASTODON_ACCESS_TOKEN")
        self.settings = settings
        self.url = (settings.mastodon_base_url or "") + STATUSES
        self.transport = transport

    @staticmethod
    def form(envelope: Envelope) -> dict[str, str]:
        """The form Mastodon is sent for this envelope: the words, their visibility, what they answer."""
        payload = envelope.payload
        text = payload.get("status")
        if not isinstance(text, str) or not text.strip():
            raise PermanentFailure("a status without words")
        form = {"status": text, "visibility": str(payload.get("visibility") or "direct")}
        if payload.get("in_reply_to_id"):
            form["in_reply_to_id"] = str(payload["in_reply_to_id"])
        if payload.get("language"):
            form["language"] = str(payload["language"])
        return form

    async def send(self, envelope: Envelope) -> str:
        form = self.form(envelope)
        headers = _headers(self.settings, **{"Idempotency-Key": envelope.idempotency_key})
        try:
            async with httpx.AsyncClient(timeout=httpx.Timeout(20.0), transport=self.transport) as client:
                response = await client.post(self.url, data=form, headers=headers)
        except httpx.HTTPError as exc:
            raise TemporaryFailure(f"mastodon unreachable: {type(exc).__name__}") from None
        if response.status_code == 429 or response.status_code >= 500:
            raise TemporaryFailure(f"mastodon answered {response.status_code}")
        if response.status_code >= 400:
            log.warning("mastodon refused a status: http %s", response.status_code)
            raise PermanentFailure(f"mastodon refused the status: http {response.status_code}")
        try:
            posted = response.json()
        except ValueError:
            posted = None
        status_id = posted.get("id") if isinstance(posted, dict) else None
        if not isinstance(status_id, str) or not status_id:
            raise TemporaryFailure(f"mastodon answered {response.status_code} without a status id")
        return f"{mastodon.NETWORK}:{status_id}"  # the interaction's id: an answer to it threads back here
