"""What every portal page shares: the resident's session cookie and who is signed in."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from townsquare.citizens import sessions
from townsquare.db.deps import SessionDep
from townsquare.drafts import service as drafts
from townsquare.errors import not_found
from townsquare.residents import records as residents
from townsquare.residents import visits
from townsquare.residents.types import Citizen
from townsquare.settings import Settings
from townsquare.staff.auth import PUBLIC, RESIDENT, RESIDENT_OWN, enforces
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


@enforces(PUBLIC)
async def optional_citizen(request: Request, session: SessionDep) -> Citizen | None:
    """The signed-in resident, if any; the page speaks their remembered language unless this browser chose one."""
    token = request.cookies.get(sessions.CITIZEN_COOKIE)
    if not token:
        return None
    citizen = await visits.signed_in(session, token=token)
    request.state.citizen = citizen
    if citizen is not None and not getattr(request.state, "language_chosen", False):
        i18n.use(citizen.language)
    return citizen


MaybeCitizen = Annotated[Citizen | None, Depends(optional_citizen)]


@enforces(RESIDENT)
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


def _uuid(raw: str, what: str, detail: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise not_found(what, detail) from None


# A resident reaches only their own records; someone else's answers exactly as one that does not exist.
_NO_DRAFT = "No application draft of yours matches that identifier."
_NO_IDENTITY = "None of your contact details matches that link."


@enforces(RESIDENT_OWN)
async def own_draft(draft_id: str, session: SessionDep, citizen: CurrentCitizen) -> None:
    """The application draft in the path is the signed-in resident's."""
    await drafts.get(session, draft_id=_uuid(draft_id, "Draft", _NO_DRAFT), citizen_id=citizen.id)


class NotYours(Exception):
    """Raised for a case or conversation that is not the resident's; answered with the portal's "not found" page,
    the same as for one that does not exist."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


@enforces(RESIDENT_OWN)
async def own_case(reference: str, session: SessionDep, citizen: CurrentCitizen) -> None:
    """The case in the path is the signed-in resident's."""
    if await residents.case_of(session, citizen_id=citizen.id, reference=reference[:40]) is None:
        raise NotYours("case")


@enforces(RESIDENT_OWN)
async def own_conversation(conversation_id: str, session: SessionDep, citizen: CurrentCitizen) -> None:
    """The conversation in the path is the signed-in resident's."""
    try:
        wanted = uuid.UUID(conversation_id)
    except ValueError:
        raise NotYours("conversation") from None
    if not await residents.owns_conversation(session, citizen_id=citizen.id, conversation_id=wanted):
        raise NotYours("conversation")


@enforces(RESIDENT_OWN)
async def own_identity(identity_id: str, session: SessionDep, citizen: CurrentCitizen) -> None:
    """The phone or email in the path is the signed-in resident's."""
    wanted = _uuid(identity_id, "Identity", _NO_IDENTITY)
    if not await residents.owns_identity(session, citizen_id=citizen.id, identity_id=wanted):
        raise not_found("Identity", _NO_IDENTITY)
