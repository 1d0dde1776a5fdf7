"""The citizen page (the 360 view, and its fragment for live refresh) and the case page with case actions:
its location, the integrator that reported it, its history of updates and the likely duplicates to confirm.

Staff read only what their agencies may see; every read of a citizen's record is audited.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import service as agencies
from townsquare.agencies.models import Service
from townsquare.cases import service as cases
from townsquare.cases.models import Case, CaseLink, CaseStatus, Open311Submission
from townsquare.db.deps import SessionDep
from townsquare.engagement import casework, desk
from townsquare.engagement.access import case_in_scope, purpose
from townsquare.errors import FieldError, invalid, not_found
from townsquare.interactions import service as interactions
from townsquare.staff.auth import Principal
from townsquare.staff.models import ApiKey
from townsquare.web.desk.common import CurrentStaff, StaffFragment, cursor, earlier_url, safe_next, staff_case
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=20000)]
Short = Annotated[str, Form(max_length=500)]
LIKELY = "likely_duplicate"
STAFF_LINK_KINDS = ("related", "duplicate")  # what staff choose; likely duplicates are found, never chosen
UPDATE_SOURCES = {"staff": "Staff", "api": "REST API", "open311": "Open311", "citizen": "Citizen", "system": "System"}


@router.get("/desk/citizens/{citizen_id}", response_class=HTMLResponse)
async def citizen_page(
    request: Request, citizen_id: uuid.UUID, session: SessionDep, me: CurrentStaff, before: str = ""
) -> Response:
    """One citizen: who they are, how we know, their cases, and every channel's touchpoints in one scroll."""
    view = await desk.citizen_360(session, citizen_id=citizen_id, agency_ids=me.visible(), before=cursor(before))
    me.audit(
        session,
        action="citizen.read",
        subject_kind="citizen",
        subject_id=str(view.citizen.id),
        purpose=purpose(request),
        citizen_id=view.citizen.id,
    )
    await session.commit()
    context = {
        "me": me,
        "view": view,
        "tz": "America/Toronto",
        "earlier_url": earlier_url(request.url.path, view.earlier),
    }
    return templates.TemplateResponse(request, "desk/citizen.html", context)


@router.get("/desk/citizens/{citizen_id}/_360", response_class=HTMLResponse)
async def citizen_fragment(request: Request, citizen_id: uuid.UUID, session: SessionDep, me: StaffFragment) -> Response:
    """The 360 view alone, newest first: what an open desk page swaps in when the citizen's record changes."""
    view = await desk.citizen_360(session, citizen_id=citizen_id, agency_ids=me.visible(), before=None)
    me.audit(
        session,
        action="citizen.read",
        subject_kind="citizen",
        subject_id=str(view.citizen.id),
        purpose=purpose(request),
        citizen_id=view.citizen.id,
        detail={"refresh": True},
    )
    await session.commit()
    context = {
        "me": me,
        "view": view,
        "tz": "America/Toronto",
        "earlier_url": earlier_url(f"/desk/citizens/{view.citizen.id}", view.earlier),
    }
    return templates.TemplateResponse(request, "desk/_citizen360.html", context)


async def _visible_case(session: AsyncSession, me: Principal, reference: str) -> Case:
    return await case_in_scope(session, me, reference[:40])


async def _reported_through(session: AsyncSession, case_id: uuid.UUID) -> str | None:
    """The name of the Open311 integrator that sent the case, if one did."""
    stmt = (
        select(ApiKey.name)
        .join(Open311Submission, Open311Submission.api_key_id == ApiKey.id)
        .where(Open311Submission.case_id == case_id)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


def _map_url(case: Case) -> str | None:
    """The portal's map centred on the case, when it has a point."""
    if case.lat is None or case.long is None:
        return None
    return "/map?" + urlencode({"lat": f"{case.lat:.6f}", "long": f"{case.long:.6f}"})


async def _likely_duplicates(session: AsyncSession, case: Case) -> list[dict[str, Any]]:
    """The open cases of the same service reported close by, as the page lists them."""
    pairs = await cases.likely_duplicates_of(session, case_id=case.id)
    service_ids = {other.service_id for _, other in pairs if other.service_id}
    names: dict[uuid.UUID, str] = {}
    if service_ids:
        found = await session.execute(select(Service.id, Service.name).where(Service.id.in_(service_ids)))
        names = dict(found.all())
    return [
        {
            "link": link_row,
            "case": other,
            "service": names.get(other.service_id, "No service") if other.service_id else "No service",
            "distance_m": link_row.detail.get("distance_m"),
        }
        for link_row, other in pairs
    ]


@router.get("/desk/cases/{reference}", response_class=HTMLResponse, dependencies=[Depends(staff_case)])
async def case_page(request: Request, reference: str, session: SessionDep, me: CurrentStaff) -> Response:
    """One case: where, who reported it and how, its history, its links and likely duplicates, its timeline and
    what can be done with it."""
    case = await _visible_case(session, me, reference)
    timeline = await interactions.timeline(session, case_id=case.id, limit=200)
    agency = (await agencies.agencies_by_id(session, ids={case.agency_id}))[case.agency_id]
    case_links = [lv for lv in await cases.links_for(session, case_ids=[case.id]) if lv.link.kind != LIKELY]
    updates = await cases.updates_for(session, case_id=case.id)
    authors = {i.staff_id for i in timeline if i.staff_id} | {u.staff_id for u in updates if u.staff_id}
    if case.assigned_to_id:
        authors.add(case.assigned_to_id)
    if case.citizen_id:
        me.audit(
            session,
            action="case.read",
            subject_kind="case",
            subject_id=str(case.id),
            purpose=purpose(request),
            citizen_id=case.citizen_id,
            agency_id=case.agency_id,
        )
    context = {
        "me": me,
        "case": case,
        "agency": agency,
        "tz": agency.timezone,
        "timeline": timeline,
        "case_refs": {case.id: case.reference},
        "links": case_links,
        "likely": await _likely_duplicates(session, case),
        "updates": updates,
        "update_sources": UPDATE_SOURCES,
        "reported_through": await _reported_through(session, case.id),
        "map_url": _map_url(case),
        "staff_names": await desk.staff_names(session, ids=authors),
        "assignable": await desk.agency_staff(session, agency_id=case.agency_id),
        "transitions": sorted(cases.TRANSITIONS[case.status]),
        "next": request.url.path,
    }
    await session.commit()
    return templates.TemplateResponse(request, "desk/case.html", context)


@router.post("/desk/cases/{reference}/status", dependencies=[Depends(staff_case)])
async def case_status(
    request: Request,
    reference: str,
    session: SessionDep,
    me: CurrentStaff,
    status: Short = "",
    note: Text = "",
    next: Short = "",
) -> Response:
    """Move a case along its workflow; the change goes on the timeline and in the audit log."""
    case = await _visible_case(session, me, reference)
    try:
        target = CaseStatus(status)
    except ValueError:
        raise invalid("Choose the case's new status.", FieldError("status", "unknown status")) from None
    await casework.change_status(session, actor=me, case=case, status=target, note=note.strip()[:1000])
    await session.commit()
    return RedirectResponse(safe_next(next, f"/desk/cases/{case.reference}"), status_code=303)


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
    case = await _visible_case(session, me, reference)
    try:
        target = me.id if staff_id == "me" else uuid.UUID(staff_id) if staff_id else None
    except ValueError:
        raise invalid("Choose whom to assign the case to.", FieldError("staff_id", "not a staff id")) from None
    await desk.assign_case(session, actor=me, case=case, staff_id=target)
    await session.commit()
    return RedirectResponse(safe_next(next, f"/desk/cases/{case.reference}"), status_code=303)


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
    case = await _visible_case(session, me, reference)
    if kind not in STAFF_LINK_KINDS:
        raise invalid("A link is either related or duplicate.", FieldError("kind", "related or duplicate"))
    await desk.link_cases(session, actor=me, case=case, other_reference=other, kind=kind)
    await session.commit()
    return RedirectResponse(safe_next(next, f"/desk/cases/{case.reference}"), status_code=303)


async def _likely_link(session: AsyncSession, case: Case, link_id: uuid.UUID) -> CaseLink:
    row = await session.get(CaseLink, link_id)
    if row is None or row.kind != LIKELY or case.id not in (row.case_id, row.linked_case_id):
        raise not_found("Likely duplicate", "This case has no such likely duplicate; it may have been handled.")
    return row


@router.post("/desk/cases/{reference}/likely-duplicates/{link_id}/merge", dependencies=[Depends(staff_case)])
async def merge_likely_duplicate(
    request: Request, reference: str, link_id: uuid.UUID, session: SessionDep, me: CurrentStaff, next: Short = ""
) -> Response:
    """Confirm a likely duplicate: the other case is merged into this one and closed."""
    case = await _visible_case(session, me, reference)
    row = await _likely_link(session, case, link_id)
    other = await cases.get_by_id(session, case_id=row.linked_case_id if row.case_id == case.id else row.case_id)
    if not me.may_see(other.agency_id):
        raise not_found("Likely duplicate", "This case has no such likely duplicate; it may have been handled.")
    await desk.link_cases(session, actor=me, case=other, other_reference=case.reference, kind="duplicate")
    await session.commit()
    return RedirectResponse(safe_next(next, f"/desk/cases/{case.reference}") + "#likely-title", status_code=303)


@router.post("/desk/cases/{reference}/likely-duplicates/{link_id}/dismiss", dependencies=[Depends(staff_case)])
async def dismiss_likely_duplicate(
    request: Request, reference: str, link_id: uuid.UUID, session: SessionDep, me: CurrentStaff, next: Short = ""
) -> Response:
    """Not a duplicate: the two cases stay linked as related, and are no longer offered for merging."""
    case = await _visible_case(session, me, reference)
    row = await _likely_link(session, case, link_id)
    await cases.dismiss_likely_duplicate(session, link=row, staff_id=me.id)
    for case_id in (row.case_id, row.linked_case_id):
        subject = case if case_id == case.id else await cases.get_by_id(session, case_id=case_id)
        me.audit(
            session,
            action="case.not_duplicate",
            subject_kind="case",
            subject_id=str(subject.id),
            citizen_id=subject.citizen_id,
            agency_id=subject.agency_id,
            detail={"case": str(row.case_id), "linked_case": str(row.linked_case_id), "kind": row.kind},
        )
    await session.commit()
    return RedirectResponse(safe_next(next, f"/desk/cases/{case.reference}") + "#likely-title", status_code=303)
