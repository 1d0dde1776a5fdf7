"""What every desk page shares: who may see it, where to go back to, the timeline's "show earlier" keyset."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from townsquare.interactions import service as interactions
from townsquare.settings import Settings
from townsquare.staff.auth import MaybePrincipal, Principal


def staff_only(principal: Principal | None) -> Principal | None:
    """The principal if it is a signed-in staff member (not an API key), else None."""
    return principal if principal is not None and principal.kind == "staff" else None


class StaffSignInRequired(Exception):
    """Raised by `current_staff`; the app answers with a redirect to the desk's sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def current_staff(request: Request, principal: MaybePrincipal) -> Principal:
    """The signed-in staff member; anyone else is sent to sign in and come back here."""
    me = staff_only(principal)
    if me is None:
        raise StaffSignInRequired(request.url.path)
    return me


def staff_sign_in_redirect(exc: StaffSignInRequired) -> Response:
    """303 to the desk's sign-in page, coming back to the page the person asked for."""
    return RedirectResponse(f"/desk/sign-in?next={quote(exc.next_path)}", status_code=303)


CurrentStaff = Annotated[Principal, Depends(current_staff)]


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
