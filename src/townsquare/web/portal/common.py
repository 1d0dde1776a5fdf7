"""What every portal page shares: the resident's session cookie and who is signed in."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from townsquare.citizens import sessions
from townsquare.citizens.models import Citizen
from townsquare.db.deps import SessionDep
from townsquare.settings import Settings
from townsquare.web import cookies, i18n


def settings_of(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


def set_citizen_cookie(response: Response, token: str, settings: Settings) -> None:
    """The resident's session cookie: HttpOnly, SameSite=Lax, Secure when served over HTTPS."""
    cookies.keep(response, sessions.CITIZEN_COOKIE, token, settings, max_age=settings.citizen_session_hours * 3600)


def safe_next(target: str, fallback: str = "/account") -> str:
    """`target` if it is one of our own pages, else `fallback` (no open redirects)."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else fallback


async def optional_citizen(request: Request, session: SessionDep) -> Citizen | None:
    """The signed-in resident, if any; the page speaks their remembered language unless this browser chose one."""
    token = request.cookies.get(sessions.CITIZEN_COOKIE)
    if not token:
        return None
    citizen = await sessions.citizen_for(session, token=token)
    if session.dirty:
        await session.commit()  # last-seen time
    request.state.citizen = citizen
    if citizen is not None and not getattr(request.state, "language_chosen", False):
        i18n.use(citizen.language)
    return citizen


MaybeCitizen = Annotated[Citizen | None, Depends(optional_citizen)]


async def required_citizen(request: Request, citizen: MaybeCitizen) -> Citizen:
    """The signed-in resident; anyone else is sent to sign in and brought back here afterwards."""
    if citizen is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(target)
    return citizen


class SignInRequired(Exception):
    """Raised by `required_citizen`; the app answers with a redirect to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def sign_in_redirect(exc: SignInRequired) -> Response:
    """303 to the sign-in page, coming back to where the person was going."""
    return RedirectResponse(f"/account/sign-in?next={quote(safe_next(exc.next_path), safe='')}", status_code=303)


CurrentCitizen = Annotated[Citizen, Depends(required_citizen)]
