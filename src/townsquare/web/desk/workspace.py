"""The agent's workspace page: a work item with the citizen 360 view, the reply box, notes, canned responses,
suggested answers, what the assistant established, routing actions, and opening a case from the work. The
citizen and case pages are in `records.py`.

Translates only: the read model is `casework.work.WorkView` and every action a `casework.work_actions`
function; a refused action shows the page again with the problem and what was typed.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.casework import identity_checks, work, work_actions
from townsquare.casework.work import CaseForm, WorkRequest
from townsquare.db.deps import SessionDep
from townsquare.engagement import links
from townsquare.engagement.access import purpose
from townsquare.errors import Problem
from townsquare.web.desk import cofill_panel
from townsquare.web.desk.common import CurrentStaff, cursor, earlier_url, held_work_item, settings_of, staff_work_item
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
MAX_TEXT = work.MAX_TEXT
Text = Annotated[str, Form(max_length=MAX_TEXT)]
Short = Annotated[str, Form(max_length=500)]


async def _page(
    request: Request,
    session: SessionDep,
    me: CurrentStaff,
    item_id: uuid.UUID,
    asked: WorkRequest,
    error: Problem | None = None,
) -> Response:
    """The work page, its read written to the access log before it is shown."""
    view = await work.read_work(
        session,
        me=me,
        item_id=item_id,
        index=request.app.state.knowledge,
        public_url=settings_of(request).public_url,
        purpose=purpose(request),
        asked=asked,
        refused=error is not None,
    )
    context = view.page() | {
        "me": me,
        "error": error,
        "earlier_url": earlier_url(request.url.path, view.earlier),
        "next": request.url.path,
        "cofill": await cofill_panel.panel(request, session, me, view),  # "Fill in a form together"
    }
    status = error.status if error else 200
    return templates.TemplateResponse(request, "desk/work.html", context, status_code=status)


@router.get("/desk/work/{item_id}", response_class=HTMLResponse, dependencies=[Depends(staff_work_item)])
async def work_page(
    request: Request,
    item_id: uuid.UUID,
    session: SessionDep,
    me: CurrentStaff,
    canned: str = "",
    suggest: str = "",
    before: str = "",
) -> Response:
    """One work item: what is known, the citizen 360 view, the reply box, suggested answers and the actions;
    `canned` or `suggest` (an article's slug) pre-fill the reply box."""
    asked = WorkRequest(canned=canned[:64], suggest=suggest[:120], before=cursor(before))
    return await _page(request, session, me, item_id, asked)


async def _act(
    request: Request,
    session: SessionDep,
    me: CurrentStaff,
    item_id: uuid.UUID,
    action: Awaitable[object],
    done: str,
    refused: WorkRequest | None = None,
    *,
    server_errors_too: bool = True,
) -> Response:
    """Run one action and commit, then go to `done`; a refused action shows the page again with the problem."""
    try:
        await action
    except Problem as problem:
        if problem.status >= 500 and not server_errors_too:
            raise
        return await _page(request, session, me, item_id, refused or WorkRequest(), error=problem)
    await session.commit()
    return RedirectResponse(done, status_code=303)


@router.post("/desk/work/{item_id}/reply", response_class=HTMLResponse, dependencies=[Depends(held_work_item)])
async def reply(
    request: Request,
    item_id: uuid.UUID,
    session: SessionDep,
    me: CurrentStaff,
    body: Text = "",
    channel: Short = "",
) -> Response:
    """Answer the citizen on the chosen channel (default: the conversation's), through the outbox."""
    options = links.reply_options(settings_of(request))
    action = work_actions.reply(session, me=me, item_id=item_id, body=body, channel=channel, options=options)
    return await _act(request, session, me, item_id, action, f"/desk/work/{item_id}#reply", WorkRequest(draft=body))


@router.post("/desk/work/{item_id}/note", response_class=HTMLResponse, dependencies=[Depends(held_work_item)])
async def note(
    request: Request, item_id: uuid.UUID, session: SessionDep, me: CurrentStaff, body: Text = ""
) -> Response:
    """An internal note on the citizen's timeline; nobody outside sees it."""
    action = work_actions.note(session, me=me, item_id=item_id, body=body)
    return await _act(request, session, me, item_id, action, f"/desk/work/{item_id}#timeline-title")


@router.post(
    "/desk/work/{item_id}/identity-checked", response_class=HTMLResponse, dependencies=[Depends(held_work_item)]
)
async def identity_checked(request: Request, item_id: uuid.UUID, session: SessionDep, me: CurrentStaff) -> Response:
    """Note that the person's identity was checked (counted as asking again when they were already verified)."""
    action = identity_checks.identity_checked(session, me=me, item_id=item_id)
    return await _act(request, session, me, item_id, action, f"/desk/work/{item_id}#known")


@router.post("/desk/work/{item_id}/complete", response_class=HTMLResponse, dependencies=[Depends(held_work_item)])
async def complete(
    request: Request,
    item_id: uuid.UUID,
    session: SessionDep,
    me: CurrentStaff,
    wrap_up_code: Short = "",
    outcome: Text = "",
) -> Response:
    """Finish the work with a wrap-up code and an outcome."""
    action = work_actions.complete(
        session, me=me, item_id=item_id, wrap_up_code=wrap_up_code, outcome=outcome, settings=settings_of(request)
    )
    return await _act(request, session, me, item_id, action, "/desk")


@router.post("/desk/work/{item_id}/transfer", response_class=HTMLResponse, dependencies=[Depends(held_work_item)])
async def transfer(
    request: Request,
    item_id: uuid.UUID,
    session: SessionDep,
    me: CurrentStaff,
    to: Short = "",
    note: Text = "",
) -> Response:
    """Hand the work on to an agent, a team or another agency, with everything gathered so far."""
    action = work_actions.transfer(session, me=me, item_id=item_id, to=to, note=note)
    return await _act(request, session, me, item_id, action, "/desk")


@router.post("/desk/work/{item_id}/escalate", response_class=HTMLResponse, dependencies=[Depends(held_work_item)])
async def escalate(
    request: Request, item_id: uuid.UUID, session: SessionDep, me: CurrentStaff, reason: Text = ""
) -> Response:
    """Send the work to a supervisor with the reason."""
    action = work_actions.escalate(session, me=me, item_id=item_id, reason=reason)
    return await _act(request, session, me, item_id, action, "/desk")


@router.post("/desk/work/{item_id}/callback", response_class=HTMLResponse, dependencies=[Depends(held_work_item)])
async def callback(
    request: Request,
    item_id: uuid.UUID,
    session: SessionDep,
    me: CurrentStaff,
    at: Short = "",
    phone: Short = "",
    note: Text = "",
) -> Response:
    """Schedule a call-back to one of the citizen's phones at a local time of the agency."""
    action = work_actions.callback(session, me=me, item_id=item_id, at=at, phone=phone, note=note)
    return await _act(request, session, me, item_id, action, f"/desk/work/{item_id}#callback-title")


@router.post("/desk/work/{item_id}/case", response_class=HTMLResponse, dependencies=[Depends(held_work_item)])
async def open_case(
    request: Request,
    item_id: uuid.UUID,
    session: SessionDep,
    me: CurrentStaff,
    service_code: Short = "",
    address: Short = "",
    lat: Short = "",
    long: Short = "",
    title: Short = "",
    description: Text = "",
) -> Response:
    """Open a case for the work in front of the agent, joined to the work's conversation."""
    sent = CaseForm(service_code, address.strip(), lat.strip(), long.strip(), title.strip()[:200], description.strip())
    action = work_actions.open_case(session, me=me, item_id=item_id, sent=sent, settings=settings_of(request))
    done = f"/desk/work/{item_id}#item-title"
    refused = WorkRequest(case_form=sent)
    return await _act(request, session, me, item_id, action, done, refused, server_errors_too=False)
