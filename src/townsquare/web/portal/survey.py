"""/survey/{token}: the one-question satisfaction survey an email or a notification links to.

Works without JavaScript and without signing in: the sealed token is the proof (an altered or foreign one is a
404). Opening the page changes nothing (mail scanners follow links; `?score=4` only preselects a choice); the
form's POST keeps the first score and adds a comment. In the person's language unless they chose another.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from townsquare.analytics.surveys import answering
from townsquare.db.deps import SessionDep
from townsquare.staff.auth import SEALED_LINK, declared
from townsquare.web import i18n
from townsquare.web.portal.common import settings_of
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
sealed_link = declared(SEALED_LINK)


@router.get("/survey/{token}", response_class=HTMLResponse, dependencies=[Depends(sealed_link)])
async def survey_page(
    request: Request, token: str, session: SessionDep, score: Annotated[int | None, Query(ge=1, le=5)] = None
) -> Response:
    """The question, with the score the email's link chose already ticked."""
    found = await answering.page(session, secret=settings_of(request).secret_key, token=token[:200])
    return _page(request, found, chosen=score, done=False, missing=False)


@router.post("/survey/{token}", response_class=HTMLResponse, dependencies=[Depends(sealed_link)])
async def survey_answer(
    request: Request,
    token: str,
    session: SessionDep,
    score: Annotated[str, Form(max_length=2)] = "",
    comment: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Keep the answer: the first score given stays; a comment is added."""
    secret = settings_of(request).secret_key
    given = int(score) if score in ("1", "2", "3", "4", "5") else None
    before = await answering.page(session, secret=secret, token=token[:200])
    if before is not None and before.score is None and given is None and not before.expired:
        return _page(request, before, chosen=None, done=False, missing=True)
    found = await answering.answer_link(session, secret=secret, token=token[:200], score=given, comment=comment)
    await session.commit()
    return _page(request, found, chosen=given, done=True, missing=False)


def _page(
    request: Request, found: answering.SurveyPage | None, *, chosen: int | None, done: bool, missing: bool
) -> Response:
    if found is None:
        return templates.TemplateResponse(request, "portal/survey_unknown.html", {}, status_code=404)
    if i18n.LANGUAGE_COOKIE not in request.cookies:
        i18n.use(found.language)
    context: dict[str, object] = {"survey": found, "chosen": chosen, "done": done, "missing": missing}
    return templates.TemplateResponse(request, "portal/survey.html", context, status_code=422 if missing else 200)
