"""What the agent does with the contact selected in the workspace: reply, note, note an identity check, complete,
transfer, escalate, schedule a call-back, open a case or join one of the citizen's own.

Each is a plain form that comes back to the workspace with the same contact selected and the same filters (the
form carries them in `contacts`); a refused one shows the workspace again with the problem and what was typed.
Translates only: every action is a `casework` function.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.casework import identity_checks, work, work_actions, work_cases
from townsquare.casework.contacts import ContactFilters
from townsquare.casework.work import CaseForm, WorkRequest
from townsquare.db.deps import SessionDep
from townsquare.engagement import links
from townsquare.errors import Problem
from townsquare.staff.auth import Principal
from townsquare.web.desk.common import CurrentStaff, held_work_item, settings_of
from townsquare.web.desk.workspace import workspace_page, workspace_url

router = APIRouter(include_in_schema=False)
MAX_TEXT = work.MAX_TEXT
Text = Annotated[str, Form(max_length=MAX_TEXT)]
Short = Annotated[str, Form(max_length=500)]
Held = [Depends(held_work_item)]


async def _act(
    request: Request,
    session: SessionDep,
    me: Principal,
    item_id: uuid.UUID,
    action: Awaitable[object],
    *,
    contacts: str,
    panel: str,
    anchor: str,
    done: str = "",
    refused: WorkRequest | None = None,
    server_errors_too: bool = True,
) -> Response:
    """Run one action and commit, then come back to the workspace with the same selection; a refused action
    shows the workspace again with the problem, its panel open."""
    filters = ContactFilters.parse_query(contacts)
    try:
        await action
    except Problem as problem:
        if problem.status >= 500 and not server_errors_too:
            raise
        return await workspace_page(
            request, session, me, item_id, filters, refused or WorkRequest(), error=problem, panel=panel
        )
    await session.commit()
    return RedirectResponse(workspace_url(item_id, filters, anchor, done), status_code=303)


@router.post("/desk/work/{item_id}/reply", response_class=HTMLResponse, dependencies=Held)
async def reply(
    request: Request,
    item_id: uuid.UUID,
    session: SessionDep,
    me: CurrentStaff,
    body: Text = "",
    channel: Short = "",
    contacts: Short = "",
) -> Response:
    """Answer the citizen on the chosen channel (default: the conversation's), through the outbox."""
    options = links.reply_options(settings_of(request))
    action = work_actions.reply(session, me=me, item_id=item_id, body=body, channel=channel, options=options)
    refused = WorkRequest(draft=body)
    return await _act(
        request, session, me, item_id, action, contacts=contacts, panel="", anchor="#reply", refused=refused
    )


@router.post("/desk/work/{item_id}/note", response_class=HTMLResponse, dependencies=Held)
async def note(
    request: Request, item_id: uuid.UUID, session: SessionDep, me: CurrentStaff, body: Text = "", contacts: Short = ""
) -> Response:
    """An internal note on the citizen's timeline; nobody outside sees it."""
    action = work_actions.note(session, me=me, item_id=item_id, body=body)
    return await _act(
        request, session, me, item_id, action, contacts=contacts, panel="note", anchor="#timeline-title", done="note"
    )


@router.post("/desk/work/{item_id}/identity-checked", response_class=HTMLResponse, dependencies=Held)
async def identity_checked(
    request: Request, item_id: uuid.UUID, session: SessionDep, me: CurrentStaff, contacts: Short = ""
) -> Response:
    """Note that the person's identity was checked (counted as asking again when they were already verified)."""
    action = identity_checks.identity_checked(session, me=me, item_id=item_id)
    return await _act(request, session, me, item_id, action, contacts=contacts, panel="", anchor="#known")


@router.post("/desk/work/{item_id}/complete", response_class=HTMLResponse, dependencies=Held)
async def complete(
    request: Request,
    item_id: uuid.UUID,
    session: SessionDep,
    me: CurrentStaff,
    wrap_up_code: Short = "",
    outcome: Text = "",
    contacts: Short = "",
) -> Response:
    """Finish the work with a wrap-up code and an outcome; the workspace then shows it finished."""
    action = work_actions.complete(
        session, me=me, item_id=item_id, wrap_up_code=wrap_up_code, outcome=outcome, settings=settings_of(request)
    )
    return await _act(
        request,
        session,
        me,
        item_id,
        action,
        contacts=contacts,
        panel="complete",
        anchor="#conversation-title",
        done="complete",
    )


@router.post("/desk/work/{item_id}/transfer", response_class=HTMLResponse, dependencies=Held)
async def transfer(
    request: Request,
    item_id: uuid.UUID,
    session: SessionDep,
    me: CurrentStaff,
    to: Short = "",
    note: Text = "",
    contacts: Short = "",
) -> Response:
    """Hand the work on to an agent, a team or another agency, with everything gathered so far."""
    action = work_actions.transfer(session, me=me, item_id=item_id, to=to, note=note)
    return await _act(
        request,
        session,
        me,
        item_id,
        action,
        contacts=contacts,
        panel="transfer",
        anchor="#conversation-title",
        done="transfer",
    )


@router.post("/desk/work/{item_id}/escalate", response_class=HTMLResponse, dependencies=Held)
async def escalate(
    request: Request, item_id: uuid.UUID, session: SessionDep, me: CurrentStaff, reason: Text = "", contacts: Short = ""
) -> Response:
    """Send the work to a supervisor with the reason."""
    action = work_actions.escalate(session, me=me, item_id=item_id, reason=reason)
    return await _act(
        request,
        session,
        me,
        item_id,
        action,
        contacts=contacts,
        panel="escalate",
        anchor="#conversation-title",
        done="escalate",
    )


@router.post("/desk/work/{item_id}/callback", response_class=HTMLResponse, dependencies=Held)
async def callback(
    request: Request,
    item_id: uuid.UUID,
    session: SessionDep,
    me: CurrentStaff,
    at: Short = "",
    phone: Short = "",
    note: Text = "",
    contacts: Short = "",
) -> Response:
    """Schedule a call-back to one of the citizen's phones at a local time of the agency."""
    action = work_actions.callback(session, me=me, item_id=item_id, at=at, phone=phone, note=note)
    return await _act(
        request,
        session,
        me,
        item_id,
        action,
        contacts=contacts,
        panel="callback",
        anchor="#conversation-title",
        done="callback",
    )


@router.post("/desk/work/{item_id}/case", response_class=HTMLResponse, dependencies=Held)
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
    contacts: Short = "",
) -> Response:
    """Open a case for the work in front of the agent, joined to the work's conversation."""
    sent = CaseForm(service_code, address.strip(), lat.strip(), long.strip(), title.strip()[:200], description.strip())
    action = work_actions.open_case(session, me=me, item_id=item_id, sent=sent, settings=settings_of(request))
    return await _act(
        request,
        session,
        me,
        item_id,
        action,
        contacts=contacts,
        panel="case",
        anchor="#item-title",
        refused=WorkRequest(case_form=sent),
        server_errors_too=False,
    )


@router.post("/desk/work/{item_id}/link-case", response_class=HTMLResponse, dependencies=Held)
async def link_case(
    request: Request,
    item_id: uuid.UUID,
    session: SessionDep,
    me: CurrentStaff,
    reference: Short = "",
    contacts: Short = "",
) -> Response:
    """Join the work to one of the citizen's existing cases (audited)."""
    action = work_cases.link_case(session, me=me, item_id=item_id, reference=reference)
    return await _act(request, session, me, item_id, action, contacts=contacts, panel="case", anchor="#item-title")
