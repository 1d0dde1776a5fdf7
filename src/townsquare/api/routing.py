"""/api/v1/work-items, /api/v1/agents, /api/v1/queues: the universal queue for integrations and supervisors."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query, Request, status

from townsquare.agencies import service as agencies
from townsquare.api.deps import MAX_OFFSET
from townsquare.clock import utcnow
from townsquare.db.deps import SessionDep
from townsquare.engagement.access import Seen, audit_reads, case_in_scope
from townsquare.errors import FieldError, Problem, forbidden, invalid, not_found
from townsquare.routing import agents as routing_agents
from townsquare.routing import events as routing_events
from townsquare.routing import service as routing
from townsquare.routing.models import Agent, WorkItemStatus
from townsquare.routing.schemas import AgentIn, AgentOut, QueueIn, QueueOut, TaskIn, WorkItemOut, WorkItemPage
from townsquare.staff.auth import AdminPrincipal, CurrentPrincipal
from townsquare.staff.models import SUPERVISING

router = APIRouter(prefix="/api/v1", tags=["routing"])
MANAGERS = SUPERVISING


def _agent_out(agent: Agent, name: str, skills: dict[str, int]) -> AgentOut:
    return AgentOut(
        staff_id=agent.staff_id,
        name=name,
        presence=agent.presence,
        presence_since=agent.presence_since,
        capacity={str(k): int(v) for k, v in agent.capacity.items()},
        languages=list(agent.languages),
        skills=skills,
        wrap_up_seconds=agent.wrap_up_seconds,
    )


@router.get("/work-items", response_model=WorkItemPage)
async def list_work_items(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    status_: WorkItemStatus | None = Query(default=None, alias="status"),
    channel: str | None = Query(default=None, max_length=16),
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0, le=MAX_OFFSET),
) -> WorkItemPage:
    """Work of the agencies you work for, in the order routing takes it (priority, SLA risk, waiting time)."""
    found, total = await routing.list_items(
        session, agency_ids=principal.visible(), status=status_, channel=channel, limit=limit, offset=offset
    )
    seen = [Seen("work_item", str(i.id), i.citizen_id, i.agency_id) for i in found if i.citizen_id is not None]
    await audit_reads(session, principal, request, "work_item.list", seen)
    return WorkItemPage(items=[WorkItemOut.model_validate(i) for i in found], total=total, limit=limit, offset=offset)


@router.post("/work-items", response_model=WorkItemOut, status_code=status.HTTP_201_CREATED)
async def create_task(body: TaskIn, session: SessionDep, principal: CurrentPrincipal) -> WorkItemOut:
    """Queue an internal task; it is routed like any other work (asynchronous capacity)."""
    agency = await agencies.get_agency(session, slug=body.agency_slug)
    if not principal.may_see(agency.id):
        raise forbidden("You may not queue work for another agency.")
    case = None
    if body.case_reference:
        try:
            case = await case_in_scope(session, principal, body.case_reference)
        except Problem:
            unknown = FieldError("case_reference", "unknown case reference")
            raise invalid("No case has that reference.", unknown) from None
    for name, value in (("due_at", body.due_at), ("not_before", body.not_before)):
        if value is not None and value.tzinfo is None:
            raise invalid("Give times with a timezone, e.g. 2026-12-01T09:00:00-05:00.", FieldError(name, "naive"))
    item = await routing.create(
        session,
        channel="internal",
        kind="task",
        agency_id=agency.id,
        received_at=utcnow(),
        citizen_id=body.citizen_id or (case.citizen_id if case else None),
        case_id=case.id if case else None,
        priority=body.priority,
        language=body.language.strip().lower() or "en",
        not_before=body.not_before,
        context={"title": body.title, "details": body.details, "created_by": principal.actor_id},
    )
    if body.due_at is not None:
        item.sla_due_at = body.due_at
    routing_events.item_changed(session, item)
    principal.audit(session, action="work_item.create", subject_kind="work_item", subject_id=str(item.id))
    await session.commit()
    return WorkItemOut.model_validate(item)


@router.get("/agents", response_model=list[AgentOut])
async def list_agents(session: SessionDep, principal: CurrentPrincipal) -> list[AgentOut]:
    """Agents of the agencies you work for: presence, capacity, languages and skills."""
    return [_agent_out(*row) for row in await routing_agents.list_agents(session, agency_ids=principal.visible())]


@router.put("/agents/{staff_id}", response_model=AgentOut)
async def update_agent(
    staff_id: uuid.UUID, body: AgentIn, session: SessionDep, principal: CurrentPrincipal
) -> AgentOut:
    """Set an agent's capacity per class, languages, skills (replacing them) or wrap-up time.

    Supervisors may change agents of their agencies; administrators anyone.
    """
    if principal.role not in MANAGERS:
        raise forbidden("Only supervisors and administrators may change an agent's routing profile.")
    theirs = await routing_agents.agencies_of(session, staff_id=staff_id)
    if not theirs or not any(principal.may_see(a) for a in theirs):
        raise not_found("Agent", "No agent of your agencies has that id.")
    await routing_agents.ensure_agent(
        session,
        staff_id=staff_id,
        capacity=body.capacity,
        languages=body.languages,
        skills=body.skills,
        wrap_up_seconds=body.wrap_up_seconds,
    )
    principal.audit(
        session,
        action="agent.update",
        subject_kind="agent",
        subject_id=str(staff_id),
        detail={"fields": sorted(body.model_dump(exclude_none=True))},
    )
    await session.commit()
    rows = await routing_agents.list_agents(session, agency_ids=None, staff_id=staff_id)
    return _agent_out(*rows[0])


@router.get("/queues", response_model=list[QueueOut])
async def list_queues(session: SessionDep, principal: CurrentPrincipal) -> list[QueueOut]:
    """Queues of the agencies you work for."""
    return [QueueOut.model_validate(q) for q in await routing.list_queues(session, agency_ids=principal.visible())]


@router.post("/queues", response_model=QueueOut, status_code=status.HTTP_201_CREATED)
async def create_queue(body: QueueIn, session: SessionDep, admin: AdminPrincipal) -> QueueOut:
    """A new queue for an agency; work whose channel and service match it goes there from now on."""
    agency = await agencies.get_agency(session, slug=body.agency_slug)
    queue = await routing.create_queue(
        session,
        agency_id=agency.id,
        slug=body.slug,
        name=body.name,
        channels=body.channels,
        service_codes=body.service_codes,
        required_skills=body.required_skills,
        priority_boost=body.priority_boost,
    )
    admin.audit(session, action="queue.create", subject_kind="queue", subject_id=str(queue.id), agency_id=agency.id)
    await session.commit()
    return QueueOut.model_validate(queue)
