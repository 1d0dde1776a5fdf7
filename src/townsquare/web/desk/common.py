"""What every desk page shares: who may see it, where to go back to, the timeline's "show earlier" keyset."""

from __future__ import annotations

import uuid
from datetime import datetime
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from townsquare.interactions import service as interactions
from townsquare.settings import Settings
from townsquare.staff.auth import Principal


def staff_only(principal: Principal | None) -> Principal | None:
    """The principal if it is a signed-in staff member (not an API key), else None."""
    return principal if principal is not None and principal.kind == "staff" else None


def staff_or_sign_in(request: Request, principal: Principal | None) -> Principal | Response:
    """The signed-in staff member, or a redirect to sign in and come back here."""
    me = staff_only(principal)
    if me is None:
        return RedirectResponse(f"/desk/sign-in?next={quote(request.url.path)}", status_code=303)
    return me


def settings_of(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


def safe_next(target: str, fallback: str) -> str:
    """`target` if it is a desk page of ours, else `fallback` (no open redirects)."""
    return target if target.startswith("/desk/") and not target.startswith("//") else fallback


def cursor(before: str) -> tuple[datetime, uuid.UUID] | None:
    """The keyset of the oldest entry already shown, from a "show earlier" link."""
    return interactions.read_cursor_token(before)


def earlier_url(path: str, earlier: tuple[datetime, uuid.UUID] | None) -> str | None:
    token = interactions.cursor_token(earlier)
    return f"{path}?before={token}#timeline-title" if token else None
