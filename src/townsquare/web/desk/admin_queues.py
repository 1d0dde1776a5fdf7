"""The administrators' queues at /desk/admin/queues: each queue's routing rules (names in English and French,
channels, services, required skills and levels, priority boost, team, office hours, active).

Translates only: the form as typed becomes a `routing.admin_queues.QueueForm`; the domain checks, saves and
audits. Administrators see every agency; agency administrators only their own, and another agency's queue answers
as an unknown one.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from townsquare.db import Session
from townsquare.db.deps import SessionDep
from townsquare.errors import Problem
from townsquare.routing import admin_queues, admin_skills
from townsquare.routing.admin_queues import MAX_LEVEL, QUEUE_CHANNELS, QueueForm
from townsquare.staff.auth import AGENCY_ADMIN, Principal, enforces
from townsquare.web.desk.admin_forms import Administrator, agency_options, page, save, text, ticked
from townsquare.web.desk.words import channel_words
from townsquare.web.i18n import current

router = APIRouter(include_in_schema=False)
SKILL_ROWS = 3  # empty rows under a queue's skills, to add some


@enforces(AGENCY_ADMIN)
async def queue_of_mine(queue_id: uuid.UUID, session: SessionDep, me: Administrator) -> uuid.UUID:
    """The queue in the path, if it is of one of the administrator's agencies (else 404)."""
    await admin_queues.queue_in_scope(session, me, queue_id)
    return queue_id


QueueId = Annotated[uuid.UUID, Depends(queue_of_mine)]


@router.get("/desk/admin/queues", response_class=HTMLResponse)
async def queues_page(request: Request, session: SessionDep, me: Administrator) -> Response:
    """Every queue of the administrator's agencies with its routing rules."""
    rows, _offered = await admin_queues.queues_view(session, me)
    labels = {c.code: c for c in await admin_skills.choices(session, me=me)}
    return page(request, "desk/admin_queues.html", {"me": me, "rows": rows, "skill_labels": labels})


def _queue_form(raw: Any) -> QueueForm:
    skills = []
    for i in range(100):
        if f"skill-{i}" not in raw:
            break
        skills.append((text(raw, f"skill-{i}", 64), text(raw, f"level-{i}", 4)))
    return QueueForm(
        agency_id=text(raw, "agency_id", 64),
        name=text(raw, "name"),
        name_fr=text(raw, "name_fr"),
        channels={str(v) for v in raw.getlist("channels")},
        service_codes={str(v) for v in raw.getlist("service_codes")},
        skills=skills,
        priority_boost=text(raw, "priority_boost", 8),
        team_id=text(raw, "team_id", 64),
        calendar_id=text(raw, "calendar_id", 64),
        active=ticked(raw, "active"),
    )


async def _queue_page(
    request: Request,
    session: Session,
    me: Principal,
    form: QueueForm,
    *,
    queue_id: uuid.UUID | None,
    error: Problem | None = None,
) -> Response:
    offered = await admin_queues.queue_choices(session, me)
    many = len(offered.agencies) > 1
    agency_names = {a.id: a.name for a in offered.agencies}

    def named(agency_id: uuid.UUID, label: str) -> str:
        return f"{agency_names.get(agency_id, '')}: {label}" if many else label

    skills = await admin_skills.choices(session, me=me, keep=[code for code, _level in form.skills if code])
    context = {
        "me": me,
        "form": form,
        "queue_id": queue_id,
        "agencies": agency_options(offered.agencies),
        "channels": [(c, channel_words(c)) for c in QUEUE_CHANNELS],
        "services": [(code, named(agency, name)) for agency, code, name in offered.services],
        "teams": [(str(t.id), named(t.agency_id, t.name)) for t in offered.teams],
        "calendars": [(str(c.id), named(c.agency_id, c.name)) for c in offered.calendars],
        "skills": [(s.code, s.label_in(current())) for s in skills],
        "skill_rows": [*form.skills, *[("", "1")] * SKILL_ROWS],
        "levels": range(1, MAX_LEVEL + 1),
    }
    return page(request, "desk/admin_queue.html", context, error=error)


@router.get("/desk/admin/queues/new", response_class=HTMLResponse)
async def new_queue(request: Request, session: SessionDep, me: Administrator) -> Response:
    """An empty queue form."""
    return await _queue_page(request, session, me, QueueForm(), queue_id=None)


@router.post("/desk/admin/queues/new", response_class=HTMLResponse)
async def create_queue(request: Request, session: SessionDep, me: Administrator) -> Response:
    """Add a queue; refused (naming the field) with no office hours or nobody who could serve it."""
    sent = _queue_form(await request.form())
    return await save(
        session,
        lambda: admin_queues.create(session, me=me, sent=sent),
        lambda exc: _queue_page(request, session, me, sent, queue_id=None, error=exc),
        "/desk/admin/queues?notice=created",
    )


@router.get("/desk/admin/queues/{queue_id}", response_class=HTMLResponse)
async def edit_queue(request: Request, session: SessionDep, me: Administrator, queue_id: QueueId) -> Response:
    """The queue's routing rules as a form."""
    queue = await admin_queues.queue_in_scope(session, me, queue_id)
    return await _queue_page(request, session, me, admin_queues.form_of(queue), queue_id=queue_id)


@router.post("/desk/admin/queues/{queue_id}", response_class=HTMLResponse)
async def save_queue(request: Request, session: SessionDep, me: Administrator, queue_id: QueueId) -> Response:
    """Change the queue's rules, or deactivate it (untick Active)."""
    sent = _queue_form(await request.form())
    return await save(
        session,
        lambda: admin_queues.update(session, me=me, queue_id=queue_id, sent=sent),
        lambda exc: _queue_page(request, session, me, sent, queue_id=queue_id, error=exc),
        "/desk/admin/queues?notice=saved",
    )
