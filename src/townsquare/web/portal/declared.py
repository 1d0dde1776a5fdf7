"""/account/details: what the resident has told us about themselves for attributes agencies hold (household size,
a mailing address). Theirs to give, change and remove; never shown as verified nor shared with another agency.
Plain forms with POST-redirect-GET."""

from __future__ import annotations

from contextlib import suppress
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.db.deps import SessionDep
from townsquare.errors import Problem
from townsquare.residents import declared
from townsquare.web import i18n
from townsquare.web.i18n import gettext as _
from townsquare.web.portal.cases import day
from townsquare.web.portal.common import CurrentCitizen
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)


def _worded(problem: Problem) -> str:
    """The refusal in the reader's language (the domain says what is wrong in English words we translate)."""
    said = problem.errors[0].message if problem.errors else ""
    known = {
        "must be a number": _("Enter a number, like 3."),
        "must be a date like 1980-04-30": _("Enter a date like 1980-04-30."),
        "must be a postal address of 2 to 6 lines": _("Enter an address of 2 to 6 lines, each on its own line."),
        "must be text": _("Enter the value as text."),
        "must be 1 to 1000 characters": _("Enter 1 to 1,000 characters."),
    }
    return known.get(said) or _("Choose what you are telling us about.")


async def _page(request: Request, session: SessionDep, citizen: CurrentCitizen, **context: object) -> Response:
    language = i18n.current()
    rows = await declared.details(session, citizen_id=citizen.id, language=language)
    base = {"rows": rows, "choices": await declared.choices(session, language=language), "day": day,
            "errors": [], "key": "", "value": "", "saved": request.query_params.get("saved"),
            "removed": request.query_params.get("removed")}  # fmt: skip
    return templates.TemplateResponse(request, "portal/declared.html", base | context)


@router.get("/account/details", response_class=HTMLResponse)
async def details(request: Request, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """The details the resident gave, and a form to give another."""
    return await _page(request, session, citizen)


@router.post("/account/details", response_class=HTMLResponse)
async def give(
    request: Request,
    session: SessionDep,
    citizen: CurrentCitizen,
    key: Annotated[str, Form(max_length=140)] = "",
    value: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Keep a detail (or change it); a value of the wrong kind is shown again with the reason."""
    try:
        await declared.give(session, citizen_id=citizen.id, key=key, value=value)
    except Problem as problem:  # refused before anything was written
        field = "key" if problem.status == 404 else "value"
        return await _page(request, session, citizen, errors=[(field, _worded(problem))], key=key, value=value)
    return RedirectResponse("/account/details?saved=1", status_code=303)


@router.post("/account/details/remove")
async def forget(
    session: SessionDep, citizen: CurrentCitizen, key: Annotated[str, Form(max_length=140)] = ""
) -> Response:
    """Forget one detail the resident gave."""
    with suppress(Problem):  # an attribute that does not exist: nothing to forget
        await declared.forget(session, citizen_id=citizen.id, key=key)
    return RedirectResponse("/account/details?removed=1", status_code=303)
