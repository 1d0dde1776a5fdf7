"""Supervisors give out the work that waits: /desk/queue lists the queued and offered work of their agencies in
routing order; /desk/queue/{id} gives one piece to the supervisor themselves, to a named agent (offered, or handed
to them directly) or to a team, within the agent's capacity, languages and skills.

Plain forms that post and redirect; a refusal comes back with the reasons in words (422, or 409 when the work no
longer waits). Agents are refused (403). Translates only: `casework.queue_admin` reads, gives and audits.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.casework import queue_admin
from townsquare.db import Session
from townsquare.db.deps import SessionDep
from townsquare.errors import Problem
from townsquare.staff.auth import SUPERVISOR_AGENCY, Principal, enforces
from townsquare.web.desk.common import supervisors_only
from townsquare.web.i18n import gettext as _
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
Supervisor = Annotated[Principal, Depends(supervisors_only("Giving out waiting work"))]
CHANNELS = ("voice", "chat", "sms", "email", "web", "mobile", "social", "counter", "mail", "api")


@enforces(SUPERVISOR_AGENCY)
async def supervised_item(item_id: uuid.UUID, session: SessionDep, me: Supervisor) -> uuid.UUID:
    """The work named in the path, for a supervisor or administrator of its agency (else as one that does not
    exist; agents are refused before)."""
    return (await queue_admin.waiting_in_scope(session, me=me, item_id=item_id)).id


Supervised = Annotated[uuid.UUID, Depends(supervised_item)]


def reason_words() -> dict[str, str]:
    """Why an agent cannot take the work now."""
    return {
        "agency": _("is not an agent of this work's agency"),
        "language": _("does not speak the language it is in"),
        "skills": _("lacks a skill at the level it needs"),
        "no_room": _("has no room for more work of this kind, or is on a call"),
        "signed_out": _("is signed out"),
        "not_available": _("is not available for an offer: hand it to them directly instead"),
        "not_an_agent": _("has no routing profile yet"),
    }


def _notices() -> dict[str, str]:
    return {
        "take": _("The work is yours: it is in your work on the desk's home page."),
        "offer": _("The work was offered. It comes back to the queue if they decline or do not answer in time."),
        "direct": _("The work was handed over: it is in their work now."),
        "team": _("The work is back in the queue, for that team only."),
    }


def _problem_words(exc: Problem, name: str) -> list[str]:
    """A refusal in the reader's language: the work no longer waits, or why the agent cannot take it."""
    if exc.type_slug == "work-not-waiting":
        return [_("This work is no longer waiting: someone is handling it, or it is finished.")]
    if exc.type_slug == "work-offered-already":
        return [_("This work is already offered to them.")]
    reasons = reason_words()
    found = [reasons[e.message] for e in exc.errors if e.field == "staff_id" and e.message in reasons]
    if found:
        return [_("%(name)s cannot take this work now: %(reasons)s.") % {"name": name, "reasons": "; ".join(found)}]
    return [_("Choose from the list, then send the form again.")]


async def _item_page(
    request: Request,
    session: Session,
    me: Principal,
    item_id: uuid.UUID,
    problem: Problem | None = None,
    chosen: str = "",
) -> Response:
    view = await queue_admin.read_waiting(session, me=me, request=request, item_id=item_id)
    name = next((c.name for c in view.candidates if str(c.staff_id) == chosen), _("That person"))
    context: dict[str, Any] = {
        "me": me,
        "view": view,
        "reasons": reason_words(),
        "errors": _problem_words(problem, name) if problem is not None else [],
        "chosen": chosen,
    }
    status = problem.status if problem is not None else 200
    return templates.TemplateResponse(request, "desk/queue_item.html", context, status_code=status)


@router.get("/desk/queue", response_class=HTMLResponse)
async def queue_page(
    request: Request, session: SessionDep, me: Supervisor, queue: str = "", channel: str = ""
) -> Response:
    """The queued and offered work of the supervisor's agencies, in the order routing takes it."""
    try:
        queue_id = uuid.UUID(queue) if queue else None
    except ValueError:
        queue_id = None
    view = await queue_admin.read_queue(
        session, me=me, request=request, queue_id=queue_id, channel=channel if channel in CHANNELS else ""
    )
    context = {
        "me": me,
        "view": view,
        "channels": CHANNELS,
        "notice": _notices().get(request.query_params.get("done", "")),
    }
    return templates.TemplateResponse(request, "desk/queue.html", context)


@router.get("/desk/queue/{item_id}", response_class=HTMLResponse)
async def waiting_page(request: Request, session: SessionDep, me: Supervisor, item_id: Supervised) -> Response:
    """One piece of waiting work: take it, give it to an agent (with who could take it now, and why not), or to a
    team."""
    return await _item_page(request, session, me, item_id)


async def _given(
    request: Request,
    session: Session,
    me: Principal,
    item_id: uuid.UUID,
    action: Callable[[], Awaitable[object]],
    done: str,
    chosen: str = "",
) -> Response:
    """Give the work and go back to the queue; a refusal shows the work's page again with the reasons."""
    try:
        await action()
    except Problem as exc:
        if exc.status not in (409, 422):
            raise
        await session.rollback()
        return await _item_page(request, session, me, item_id, exc, chosen)
    await session.commit()
    return RedirectResponse(f"/desk/queue?done={done}#queue-title", status_code=303)


@router.post("/desk/queue/{item_id}/take")
async def take(request: Request, session: SessionDep, me: Supervisor, item_id: Supervised) -> Response:
    """The supervisor takes the work for themselves."""

    def action() -> Awaitable[object]:
        return queue_admin.take(session, me=me, item_id=item_id)

    return await _given(request, session, me, item_id, action, "take")


@router.post("/desk/queue/{item_id}/give")
async def give(request: Request, session: SessionDep, me: Supervisor, item_id: Supervised) -> Response:
    """Offer the work to the agent chosen, or hand it to them directly."""
    form = await request.form()
    how, staff_id = str(form.get("how", ""))[:16], str(form.get("staff_id", ""))[:64]

    def action() -> Awaitable[object]:
        return queue_admin.give(session, me=me, item_id=item_id, staff_id=staff_id, how=how)

    return await _given(request, session, me, item_id, action, how, staff_id)


@router.post("/desk/queue/{item_id}/team")
async def give_team(request: Request, session: SessionDep, me: Supervisor, item_id: Supervised) -> Response:
    """Put the work back in the queue for one team of its agency."""
    form = await request.form()
    team_id = str(form.get("team_id", ""))[:64]

    def action() -> Awaitable[object]:
        return queue_admin.give_team(session, me=me, item_id=item_id, team_id=team_id)

    return await _given(request, session, me, item_id, action, "team")
