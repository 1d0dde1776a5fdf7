"""/api/v1/cases: open cases, read them and their timeline, move them through the workflow."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request, status

from townsquare.api.citizens import parse_cursor, timeline_page
from townsquare.api.deps import SettingsDep
from townsquare.cases import service as cases
from townsquare.cases.models import CaseStatus
from townsquare.cases.schemas import CaseIn, CaseOut, CasePage, StatusChangeIn
from townsquare.casework import cases as casework
from townsquare.db import keyset
from townsquare.db.deps import SessionDep
from townsquare.engagement.access import Seen, VisibleCase, audit_reads, case_seen
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel
from townsquare.interactions.schemas import TimelinePage
from townsquare.staff.auth import CurrentPrincipal

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])


@router.get("", response_model=CasePage)
async def list_cases(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    status_: CaseStatus | None = Query(default=None, alias="status"),
    limit: int = Query(default=50, ge=1, le=500),
    cursor: str | None = Query(default=None, max_length=80, description="`next_cursor` of the previous page"),
) -> CasePage:
    """Cases of the agencies you work for, newest first, a page at a time: follow `next_cursor` to the next."""
    found = await cases.list_cases(
        session,
        agency_ids=principal.visible(),
        status=status_,
        limit=limit,
        before=keyset.read_token(cursor, field="cursor"),
    )
    await audit_reads(session, principal, request, "case.list", [case_seen(c) for c in found.items])
    return CasePage(
        items=[CaseOut.model_validate(c) for c in found.items],
        total=found.total,
        total_capped=found.capped,
        limit=limit,
        next_cursor=keyset.token(found.next),
    )


@router.post("", response_model=CaseOut, status_code=status.HTTP_201_CREATED)
async def open_case(body: CaseIn, session: SessionDep, settings: SettingsDep, principal: CurrentPrincipal) -> CaseOut:
    """Open a case for a service; answers are checked against the service's form."""
    case = await casework.open_case(
        session,
        settings=settings,
        actor=principal,
        service_code=body.service_code,
        channel=Channel(body.channel),
        title=body.title,
        description=body.description,
        citizen_id=body.citizen_id,
        priority=body.priority,
        location=body.location.model_dump(exclude_none=True) if body.location else None,
        attributes=body.attributes,
        duplicate_radius_m=settings.duplicate_radius_m,
    )
    await session.commit()
    return CaseOut.model_validate(case)


@router.get("/{reference}", response_model=CaseOut)
async def get_case(case: VisibleCase) -> CaseOut:
    """One case by its reference."""
    return CaseOut.model_validate(case)


@router.post("/{reference}/status", response_model=CaseOut)
async def change_status(
    case: VisibleCase, body: StatusChangeIn, session: SessionDep, settings: SettingsDep, principal: CurrentPrincipal
) -> CaseOut:
    """Move a case to another status; refused (409) if the workflow does not allow it. The resident is told, with
    the note, on the channel they prefer."""
    await casework.change_status(
        session, settings=settings, actor=principal, case=case, status=body.status, note=body.note
    )
    await session.commit()
    return CaseOut.model_validate(case)


@router.get("/{reference}/timeline", response_model=TimelinePage)
async def case_timeline(
    case: VisibleCase,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    cursor: str | None = None,
    limit: int = Query(default=100, ge=1, le=500),
) -> TimelinePage:
    """Every touchpoint about a case, on every channel, newest first."""
    items = await interactions.timeline(session, case_id=case.id, before=parse_cursor(cursor), limit=limit)
    seen = [Seen("interaction", str(i.id), i.citizen_id, case.agency_id) for i in items]
    await audit_reads(session, principal, request, "interaction.read", seen)
    return timeline_page(items, limit)
