"""The citizen page's "Merged records" panel: a supervisor or administrator merges another record into this one,
sees every merge this person took part in with the values the two records disagreed on side by side, and undoes
one, each with a reason.

Translates only: `casework.merges` checks and refuses, `engagement.merges` moves, records and audits.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from townsquare.casework import merges, records
from townsquare.db import Session
from townsquare.db.deps import SessionDep
from townsquare.engagement.access import purpose
from townsquare.errors import Problem
from townsquare.staff.auth import Principal
from townsquare.web.desk.common import earlier_url, supervisors_only
from townsquare.web.desk.shared_data import panel_context
from townsquare.web.i18n import gettext as _
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
Merger = Annotated[Principal, Depends(supervisors_only("Merging records"))]
MAX_FIELD = 1000


def field_labels() -> dict[str, str]:
    return {
        "display_name": _("Name shown"),
        "given_name": _("Given name"),
        "family_name": _("Family name"),
        "language": _("Language"),
        "preferred_channels": _("Preferred channels"),
        "quiet_hours": _("Quiet hours"),
    }


def source_labels() -> dict[str, str]:
    return {
        "staff": _("by staff"),
        "review": _("after a review"),
        "verification": _("when the person proved a phone or email"),
    }


def _notices() -> dict[str, str]:
    return {
        "merged": _("The records were merged. Everything the other record held is now on this one."),
        "unmerged": _("The merge was undone: both records are as they were."),
    }


async def merge_panel(session: Session, me: Principal, citizen_id: uuid.UUID, notice: str = "") -> dict[str, Any]:
    """What the citizen page needs to show its "Merged records" panel (nothing for staff who may not merge)."""
    return {
        "merges": await merges.history(session, me=me, citizen_id=citizen_id),
        "may_merge": merges.may_merge(me),
        "merge_fields": field_labels(),
        "merge_sources": source_labels(),
        "merge_notice": _notices().get(notice),
    }


async def _refused(
    request: Request, session: Session, me: Principal, citizen_id: uuid.UUID, exc: Problem, form: dict[str, str]
) -> Response:
    """The citizen page again, with what was refused and the form as it was filled in."""
    await session.rollback()
    view = await records.read_citizen(session, me=me, citizen_id=citizen_id, before=None, purpose=purpose(request))
    context: dict[str, Any] = {
        "me": me,
        "view": view,
        "earlier_url": earlier_url(f"/desk/citizens/{citizen_id}", view.earlier),
        "merge_error": exc,
        "merge_form": form,
    }
    context |= await panel_context(session, me, citizen_id)
    context |= await merge_panel(session, me, citizen_id)
    return templates.TemplateResponse(request, "desk/citizen.html", context, status_code=exc.status)


@router.post("/desk/citizens/{citizen_id}/merges")
async def merge_into(request: Request, citizen_id: uuid.UUID, session: SessionDep, me: Merger) -> Response:
    """Merge the record whose id is given into this one; the survivor keeps its own fields unless told."""
    raw = await request.form()
    form = {key: str(raw.get(key, ""))[:MAX_FIELD] for key in ("other", "reason")}
    chosen = {key: str(raw.get(f"keep_{key}", ""))[:16] for key in merges.FIELDS}
    try:
        await merges.merge_into(
            session, me=me, citizen_id=citizen_id, other=form["other"], reason=form["reason"], chosen=chosen
        )
    except Problem as exc:
        if exc.status not in (404, 409, 422):
            raise
        return await _refused(request, session, me, citizen_id, exc, form)
    await session.commit()
    return RedirectResponse(f"/desk/citizens/{citizen_id}?merge=merged#merges", status_code=303)


@router.post("/desk/citizens/{citizen_id}/merges/{merge_id}/undo")
async def undo_merge(
    request: Request, citizen_id: uuid.UUID, merge_id: uuid.UUID, session: SessionDep, me: Merger
) -> Response:
    """Undo a merge this person took part in: both records as they were, for the reason given."""
    raw = await request.form()
    reason = str(raw.get("undo_reason", ""))[:MAX_FIELD]
    try:
        await merges.undo(session, me=me, citizen_id=citizen_id, merge_id=merge_id, reason=reason)
    except Problem as exc:
        if exc.status not in (409, 422):
            raise
        return await _refused(request, session, me, citizen_id, exc, {"undo": str(merge_id), "undo_reason": reason})
    await session.commit()
    return RedirectResponse(f"/desk/citizens/{citizen_id}?merge=unmerged#merges", status_code=303)
