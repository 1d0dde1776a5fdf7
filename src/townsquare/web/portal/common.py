"""What every portal page shares: the resident's session cookie and who is signed in."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from townsquare.citizens import sessions
from townsquare.citizens.models import Citizen
from townsquare.db.deps import SessionDep
from townsquare.settings import Settings


def settings_of(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


def set_citizen_cookie(response: Response, token: str, settings: Settings) -> None:
    """The resident's session cookie: HttpOnly, SameSite=Lax, Secure when served over HTTPS."""
    response.set_cookie(
        sessions.CITIZEN_COOKIE,
        token,
        max_age=settings.citizen_session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.public_url.startswith("https://"),
    )


def safe_next(target: str, fallback: str = "/account") -> str:
    """`target` if it is one of our own pages, else `fallback` (no open redirects)."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else fallback


async def optional_citizen(request: Request, session: SessionDep) -> Citizen | None:
    """The signed-in resident, if any."""
    token = request.cookies.get(sessions.CITIZEN_COOKIE)
    if not token:
        return None
    citizen = await sessions.citizen_for(session, token=token)
    if session.dirty:
        await session.commit()  # last-seen time
    return citizen


MaybeCitizen = Annotated[Citizen | None, Depends(optional_citizen)]
