"""The desk's case list: search, filters, order and pages in the query string; saved views; one action on the
ticked cases.

Translates only: `casework.case_list` finds the cases (and writes each one shown to the access log),
`casework.case_views` keeps views, `casework.case_bulk` acts, all or nothing.
"""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.casework import case_bulk, case_list, case_views
from townsquare.casework.case_filters import PERIODS, SLA_STATES, SORTS, CaseFilters
from townsquare.casework.types import CaseStatus
from townsquare.db.deps import SessionDep
from townsquare.errors import Problem
from townsquare.staff.auth import STAFF_OWN, Principal, enforces
from townsquare.web.desk import words
from townsquare.web.desk.common import CurrentStaff, settings_of
from townsquare.web.i18n import gettext as _
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
Short = Annotated[str, Form(max_length=1000)]
Text = Annotated[str, Form(max_length=5000)]


def status_labels() -> dict[str, str]:
    """Each case status as staff read it, in the page's language, in workflow order."""
    return {status.value: words.case_status(status) for status in CaseStatus}


def option_labels() -> dict[str, dict[str, str]]:
    """The words of the list's fixed choices."""
    return {
        "sla": dict(zip(SLA_STATES, (_("Overdue"), _("Due within a day"), _("On track"), _("No target")), strict=True)),
        "period": dict(zip(PERIODS, (_("Today"), _("This week"), _("This month")), strict=True)),
        "sort": dict(
            zip(SORTS, (_("Newest first"), _("Oldest first"), _("Due soonest"), _("Recently changed")), strict=True)
        ),
        "state": {"open": _("Still open"), "finished": _("Resolved, closed or cancelled")},
    }


async def _render(
    request: Request,
    session: SessionDep,
    me: Principal,
    filters: CaseFilters,
    *,
    after: str | None,
    error: Problem | None = None,
) -> Response:
    settings = settings_of(request)
    page = await case_list.case_page(
        session,
        me=me,
        request=request,
        filters=filters,
        after=after,
        region=settings.default_region,
        reference_prefix=settings.case_reference_prefix,
    )
    context = {
        "me": me,
        "page": page,
        "filters": filters,
        "choices": await case_list.choices(session, me=me),
        "views": await case_views.views_for(session, me=me),
        "statuses": status_labels(),
        "options": option_labels(),
        "query": filters.query_string(),
        "error": error,
        "bad": {e.field for e in error.errors} if error else set(),
        "notice": request.query_params.get("notice", ""),
        "done": request.query_params.get("done", ""),
        "first_page": bool(after),
    }
    status = error.status if error is not None and error.status in (409, 422) else 200
    return templates.TemplateResponse(request, "desk/cases.html", context, status_code=status)


@router.get("/desk/cases", response_class=HTMLResponse)
async def cases_page(request: Request, session: SessionDep, me: CurrentStaff, after: str = "") -> Response:
    """Every case of the caller's agencies, found, filtered, ordered and paged as the query string asks."""
    try:
        filters = CaseFilters.parse(request.query_params)
    except Problem as problem:
        return await _render(request, session, me, CaseFilters(), after=None, error=problem)
    try:
        return await _render(request, session, me, filters, after=after or None)
    except Problem as problem:  # a damaged page link
        if problem.status != 422:
            raise
        return await _render(request, session, me, filters, after=None, error=problem)


@router.post("/desk/cases/bulk")
async def bulk(
    request: Request,
    session: SessionDep,
    me: CurrentStaff,
    case: Annotated[list[str] | None, Form(max_length=case_bulk.MAX_CASES)] = None,
    action: Short = "",
    assignee: Short = "",
    status: Short = "",
    note: Text = "",
    back: Short = "",
) -> Response:
    """One action on every ticked case, all or nothing; the list comes back with what was done or why not."""
    what = case_bulk.BulkAction(action=action, assignee=assignee, status=status, note=note)
    try:
        filters = CaseFilters.parse(dict(_pairs(back)))
    except Problem:
        filters = CaseFilters()
    try:
        done = await case_bulk.apply(session, settings=settings_of(request), me=me, references=case or [], what=what)
    except Problem as problem:
        if problem.status not in (409, 422):
            raise
        await session.rollback()
        return await _render(request, session, me, filters, after=None, error=problem)
    await session.commit()
    notice = urlencode({"notice": "bulk", "done": str(len(done))})
    query = filters.query_string()
    return RedirectResponse(f"/desk/cases?{query}&{notice}" if query else f"/desk/cases?{notice}", status_code=303)


@router.post("/desk/cases/views")
async def save_view(
    request: Request, session: SessionDep, me: CurrentStaff, name: Short = "", query: Short = "", team: Short = ""
) -> Response:
    """Keep the list's filters under a name, for oneself or for one of one's teams."""
    try:
        await case_views.save(session, me=me, name=name, query=query, team=team)
    except Problem as problem:
        if problem.status != 422:
            raise
        await session.rollback()
        try:
            filters = CaseFilters.parse(dict(_pairs(query)))
        except Problem:
            filters = CaseFilters()
        return await _render(request, session, me, filters, after=None, error=problem)
    await session.commit()
    return RedirectResponse(f"/desk/cases?{query}" if query else "/desk/cases", status_code=303)


@enforces(STAFF_OWN)
async def own_view(view_id: uuid.UUID, session: SessionDep, me: CurrentStaff) -> uuid.UUID:
    """A saved view the caller may remove (anyone else's answers as an unknown one)."""
    await case_views.removable(session, me=me, view_id=view_id)
    return view_id


@router.post("/desk/cases/views/{view_id}/delete")
async def delete_view(session: SessionDep, me: CurrentStaff, view: Annotated[uuid.UUID, Depends(own_view)]) -> Response:
    """Remove a saved view."""
    await case_views.remove(session, me=me, view_id=view)
    await session.commit()
    return RedirectResponse("/desk/cases?notice=view_removed", status_code=303)


def _pairs(query: str) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl

    return parse_qsl(query[:1000])
