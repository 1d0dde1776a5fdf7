"""The citizen page (the 360 view, and its fragment for live refresh) and the case page with case actions:
its location, the integrator that reported it, its history of updates and the likely duplicates to confirm.

Translates only: reads and actions are `casework.records` functions, which audit every read of a person's record.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.casework import records
from townsquare.casework.types import Case, CaseStatus
from townsquare.db.deps import SessionDep
from townsquare.engagement.access import purpose
from townsquare.web.desk.appointments import appointment_panel
from townsquare.web.desk.common import (
    CurrentStaff,
    StaffFragment,
    cursor,
    earlier_url,
    safe_next,
    settings_of,
    staff_case,
)
from townsquare.web.desk.merges import merge_panel
from townsquare.web.desk.record_edit import record_panel
from townsquare.web.desk.shared_data import panel_context
from townsquare.web.i18n import gettext as _
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=20000)]
Short = Annotated[str, Form(max_length=500)]


@router.get("/desk/citizens/{citizen_id}", response_class=HTMLResponse)
async def citizen_page(
    request: Request, citizen_id: uuid.UUID, session: SessionDep, me: CurrentStaff, before: str = ""
) -> Response:
    """One citizen: who they are, how we know, their cases, and every channel's touchpoints in one scroll."""
    view = await records.read_citizen(
        session, me=me, citizen_id=citizen_id, before=cursor(before), purpose=purpose(request)
    )
    context = {
        "me": me,
        "view": view,
        "earlier_url": earlier_url(request.url.path, view.earlier),
        "notice": _("The consent was recorded.") if request.query_params.get("notice") == "consent" else None,
    }
    context |= await panel_context(session, me, view.citizen.id)
    context |= await merge_panel(session, me, view.citizen.id, request.query_params.get("merge", ""))
    context |= await record_panel(session, me, view.citizen.id, request.query_params.get("record", ""))
    context |= await appointment_panel(request, session, me, view.citizen.id)
    return templates.TemplateResponse(request, "desk/citizen.html", context)


# The 360 view whole (the citizen page), or one of the two parts the workspace shows in two panes.
FRAGMENTS = {"": "desk/_citizen360.html", "context": "desk/_citizen360.html", "thread": "desk/_workspace_thread.html"}


@router.get("/desk/citizens/{citizen_id}/_360", response_class=HTMLResponse)
async def citizen_fragment(
    request: Request,
    citizen_id: uuid.UUID,
    session: SessionDep,
    me: StaffFragment,
    pane: Literal["", "context", "thread"] = "",
) -> Response:
    """The 360 view alone, newest first: what an open desk page swaps in when the citizen's record changes; the
    workspace asks for its `context` (who, how we know, cases) and its `thread` (the timeline) apart."""
    view = await records.read_citizen(
        session, me=me, citizen_id=citizen_id, before=None, purpose=purpose(request), refresh=True
    )
    context = {
        "me": me,
        "view": view,
        "earlier_url": earlier_url(f"/desk/citizens/{view.citizen.id}", view.earlier),
        "thread_apart": pane == "context",
    }
    return templates.TemplateResponse(request, FRAGMENTS[pane], context)


@router.get("/desk/cases/{reference}", response_class=HTMLResponse, dependencies=[Depends(staff_case)])
async def case_page(request: Request, reference: str, session: SessionDep, me: CurrentStaff) -> Response:
    """One case: where, who reported it and how, its history, its links and likely duplicates, its timeline and
    what can be done with it."""
    view = await records.read_case(session, me=me, reference=reference, purpose=purpose(request))
    context = view.page() | {"me": me, "next": request.url.path}
    return templates.TemplateResponse(request, "desk/case.html", context)


def _back(next_path: str, reference: str, anchor: str = "") -> Response:
    return RedirectResponse(safe_next(next_path, f"/desk/cases/{reference}") + anchor, status_code=303)


@router.post("/desk/cases/{reference}/status")
async def case_status(
    request: Request,
    reference: str,
    session: SessionDep,
    me: CurrentStaff,
    case: Annotated[Case, Depends(staff_case)],
    status: Short = "",
    note: Text = "",
    next: Short = "",
    confirm: Short = "",
) -> Response:
    """Move a case along its workflow; the change goes on the timeline and in the audit log. The menu starts at
    the case's own status, so sending it unchanged (with no note) changes nothing; cancelling, which cannot be
    undone, is asked again on a page of its own first."""
    if status == case.status.value and not note.strip():
        return _back(next, case.reference)
    if status == CaseStatus.cancelled.value and confirm != "yes":
        back = safe_next(next, f"/desk/cases/{case.reference}")
        context = {"me": me, "case": case, "note": note.strip()[:1000], "next": next, "back": back}
        return templates.TemplateResponse(request, "desk/case_cancel.html", context)
    case = await records.change_status(
        session, settings=settings_of(request), me=me, reference=reference, status=status, note=note
    )
    await session.commit()
    return _back(next, case.reference)


@router.post("/desk/cases/{reference}/assign", dependencies=[Depends(staff_case)])
async def case_assign(
    request: Request,
    reference: str,
    session: SessionDep,
    me: CurrentStaff,
    staff_id: Short = "",
    next: Short = "",
) -> Response:
    """Give a case to a member of its agency ("me" for yourself, empty for nobody)."""
    case = await records.assign(session, me=me, reference=reference, staff_id=staff_id)
    await session.commit()
    return _back(next, case.reference)


@router.post("/desk/cases/{reference}/link", dependencies=[Depends(staff_case)])
async def case_link(
    request: Request,
    reference: str,
    session: SessionDep,
    me: CurrentStaff,
    other: Short = "",
    kind: Short = "related",
    next: Short = "",
) -> Response:
    """Link this case to another one, or merge it into the other as a duplicate (closing it)."""
    case = await records.link(session, me=me, reference=reference, other=other, kind=kind)
    await session.commit()
    return _back(next, case.reference)


@router.post("/desk/cases/{reference}/likely-duplicates/{link_id}/merge", dependencies=[Depends(staff_case)])
async def merge_likely_duplicate(
    request: Request, reference: str, link_id: uuid.UUID, session: SessionDep, me: CurrentStaff, next: Short = ""
) -> Response:
    """Confirm a likely duplicate: the other case is merged into this one and closed."""
    case = await records.merge_likely_duplicate(session, me=me, reference=reference, link_id=link_id)
    await session.commit()
    return _back(next, case.reference, "#likely-title")


@router.post("/desk/cases/{reference}/likely-duplicates/{link_id}/dismiss", dependencies=[Depends(staff_case)])
async def dismiss_likely_duplicate(
    request: Request, reference: str, link_id: uuid.UUID, session: SessionDep, me: CurrentStaff, next: Short = ""
) -> Response:
    """Not a duplicate: the two cases stay linked as related, and are no longer offered for merging."""
    case = await records.dismiss_likely_duplicate(session, me=me, reference=reference, link_id=link_id)
    await session.commit()
    return _back(next, case.reference, "#likely-title")
