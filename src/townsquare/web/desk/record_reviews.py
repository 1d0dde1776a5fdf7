"""The desk's review queue for record linking, and a person's linked records with the model's reasons.

Translates only: `casework.record_reviews` and `casework.linked_records` check scope, decide, merge and audit.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.casework import linked_records, record_reviews
from townsquare.db.deps import SessionDep
from townsquare.engagement.access import purpose
from townsquare.errors import Problem
from townsquare.staff.auth import STAFF_AGENCY, Principal, enforces
from townsquare.web.desk.common import CurrentStaff
from townsquare.web.i18n import gettext as _
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
Reason = Annotated[str, Form(max_length=2000)]


@enforces(STAFF_AGENCY)
async def review_in_scope(decision_id: uuid.UUID, session: SessionDep, me: CurrentStaff) -> Principal:
    """Staff of the agency the review is queued for (anyone else: as for an unknown review)."""
    await record_reviews.in_scope(session, me=me, decision_id=decision_id)
    return me


InScope = Annotated[Principal, Depends(review_in_scope)]


@router.get("/desk/record-reviews", response_class=HTMLResponse)
async def review_list(request: Request, session: SessionDep, me: CurrentStaff) -> Response:
    """The pairs of records waiting for a person's decision, the most overdue first."""
    lines = await record_reviews.open_reviews(session, me=me)
    return templates.TemplateResponse(request, "desk/record_reviews.html", {"me": me, "lines": lines})


async def _page(
    request: Request, session: SessionDep, me: Principal, decision_id: uuid.UUID, **extra: object
) -> Response:
    review = await record_reviews.read(session, me=me, decision_id=decision_id, purpose=purpose(request))
    context = {"me": me, "review": review, "labels": linked_records.field_labels(), **extra}
    status = 422 if "error" in extra else 200
    return templates.TemplateResponse(request, "desk/record_review.html", context, status_code=status)


@router.get("/desk/record-reviews/{decision_id}", response_class=HTMLResponse)
async def review_page(request: Request, decision_id: uuid.UUID, session: SessionDep, me: InScope) -> Response:
    """Two records side by side with the model's evidence, and the two answers."""
    return await _page(request, session, me, decision_id)


async def _decide(
    request: Request, session: SessionDep, me: Principal, decision_id: uuid.UUID, answer: str, reason: str
) -> Response:
    """Record staff's answer; a refused one (no reason, already decided) shows the pair again with why."""
    decide = record_reviews.confirm if answer == "confirmed" else record_reviews.reject
    try:
        await decide(session, me=me, decision_id=decision_id, reason=reason)
    except Problem as problem:
        if problem.status not in (409, 422):
            raise
        await session.rollback()
        return await _page(request, session, me, decision_id, error=problem.detail)
    await session.commit()
    return RedirectResponse(f"/desk/record-reviews?notice={answer}", status_code=303)


@router.post("/desk/record-reviews/{decision_id}/confirm")
async def confirm(
    request: Request, decision_id: uuid.UUID, session: SessionDep, me: InScope, reason: Reason = ""
) -> Response:
    """The same person: the two citizens are merged (an undoable merge, on both people's access logs)."""
    return await _decide(request, session, me, decision_id, "confirmed", reason)


@router.post("/desk/record-reviews/{decision_id}/reject")
async def reject(
    request: Request, decision_id: uuid.UUID, session: SessionDep, me: InScope, reason: Reason = ""
) -> Response:
    """Different people: the pair is never offered again."""
    return await _decide(request, session, me, decision_id, "rejected", reason)


@router.get("/desk/citizens/{citizen_id}/linked-records", response_class=HTMLResponse)
async def linked(request: Request, citizen_id: uuid.UUID, session: SessionDep, me: CurrentStaff) -> Response:
    """Every record systems sent about the person, and why each was linked to them."""
    view = await linked_records.of_citizen(session, me=me, citizen_id=citizen_id, purpose=purpose(request))
    context = {"me": me, "view": view, "labels": linked_records.field_labels(), "notice_title": _("Linked records")}
    return templates.TemplateResponse(request, "desk/linked_records.html", context)
