"""The language switch on every portal page: a plain form, so it works without JavaScript."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from townsquare.db.deps import SessionDep
from townsquare.errors import FieldError, invalid
from townsquare.settings import Settings
from townsquare.web import cookies
from townsquare.web.i18n import LANGUAGE_COOKIE, LANGUAGES
from townsquare.web.portal.common import MaybeCitizen, safe_next, settings_of

router = APIRouter(include_in_schema=False)
ONE_YEAR = 365 * 24 * 3600


@router.post("/language")
async def switch_language(
    request: Request,
    session: SessionDep,
    citizen: MaybeCitizen,
    lang: Annotated[str, Form(max_length=8)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Remember the language in this browser and, for a signed-in resident, on their record (every device)."""
    if lang not in LANGUAGES:
        raise invalid("That language is not offered.", FieldError("lang", f"Choose one of: {', '.join(LANGUAGES)}."))
    if citizen is not None and citizen.language != lang:
        citizen.language = lang
        await session.commit()
    response = RedirectResponse(safe_next(next, "/"), status_code=303)
    remember_language(response, lang, settings_of(request))
    return response


def remember_language(response: Response, language: str, settings: Settings) -> None:
    """This browser speaks `language` from now on (a year)."""
    cookies.keep(response, LANGUAGE_COOKIE, language, settings, max_age=ONE_YEAR)
