"""The agent's workspace: their contacts (offers, work in hand, work finished lately, filtered by state, channel
and queue), the selected contact's conversation with the reply box and the whole thread across channels, and its
actions and citizen context; plus the fragments the page swaps in (the selected panes, the contact list). The
actions are in `workspace_actions.py`; the citizen and case pages in `records.py`.

Translates only: the read models are `casework.work.WorkView` and `casework.contacts.ContactList`. A refused
action shows the workspace again with the problem, what was typed and the panel it was typed in.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from townsquare.casework import calls_desk, contacts, work
from townsquare.casework.contacts import ContactFilters
from townsquare.casework.work import WorkRequest
from townsquare.db import Session
from townsquare.db.deps import SessionDep
from townsquare.engagement.access import purpose
from townsquare.errors import Problem
from townsquare.staff.auth import Principal
from townsquare.web.desk import (
    cofill_panel,
    words,  # noqa: F401 - registers the desk's words
)
from townsquare.web.desk.common import CurrentStaff, StaffFragment, cursor, earlier_url, settings_of, staff_work_item
from townsquare.web.i18n import gettext as _
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
Done = Literal["", "note", "complete", "transfer", "escalate", "callback"]


def _done_notice(done: str) -> str | None:
    """What the action just taken did, said once on the page it comes back to."""
    notices = {
        "note": _("Your note was added to the timeline."),
        "complete": _("The contact is complete."),
        "transfer": _("The contact was transferred, with everything gathered so far."),
        "escalate": _("The contact was sent to a supervisor."),
        "callback": _("The call-back was scheduled."),
    }
    return notices.get(done)


def filters_of(request: Request) -> ContactFilters:
    """The contact list's filters in the address's query string (422 naming a bad one)."""
    return ContactFilters.parse(request.query_params)


def workspace_url(item_id: uuid.UUID | None, filters: ContactFilters, anchor: str = "", done: str = "") -> str:
    """The workspace with this contact selected and these filters, the notice of an action just taken, an anchor."""
    params = filters.params() | ({"done": done} if done else {})
    query = f"?{urlencode(params)}" if params else ""
    return f"/desk/work{f'/{item_id}' if item_id else ''}{query}{anchor}"


async def _selection(
    request: Request,
    session: Session,
    me: Principal,
    item_id: uuid.UUID,
    asked: WorkRequest,
    filters: ContactFilters,
    *,
    refused: bool,
) -> dict[str, Any]:
    """The selected contact's panes: the work view, its read written to the access log first."""
    view = await work.read_work(
        session,
        me=me,
        item_id=item_id,
        index=request.app.state.knowledge,
        public_url=settings_of(request).public_url,
        purpose=purpose(request),
        asked=asked,
        refused=refused,
    )
    return view.page() | {
        "earlier_url": earlier_url(f"/desk/work/{item_id}", view.earlier),
        "next": workspace_url(item_id, filters),
        "wrap_up_labels": {c.code: c.label for c in view.wrap_up_codes},
        "call_panel": await calls_desk.panel(session, me=me, item=view.item, settings=settings_of(request)),
        "cofill": await cofill_panel.panel(request, session, me, view),  # "Fill in a form together"
    }


async def _contacts(
    session: Session, me: Principal, filters: ContactFilters, selected: uuid.UUID | None
) -> dict[str, Any]:
    """The contact list of the left pane, and the address the page refreshes it from."""
    listed = await contacts.read_contacts(session, me=me, filters=filters)
    query = urlencode(filters.params() | ({"selected": str(selected)} if selected else {}))
    return listed.page() | {"contacts_query": f"?{query}" if query else ""}


def _base(me: Principal, filters: ContactFilters, selected: uuid.UUID | None, **more: Any) -> dict[str, Any]:
    return {
        "me": me,
        "filters": filters,
        "selected": selected,
        "item": None,
        "workspace_path": f"/desk/work/{selected}" if selected else "/desk/work",
        **more,
    }


async def workspace_page(
    request: Request,
    session: Session,
    me: Principal,
    item_id: uuid.UUID | None,
    filters: ContactFilters,
    asked: WorkRequest | None = None,
    *,
    error: Problem | None = None,
    panel: str = "",
    done: str = "",
) -> Response:
    """The whole workspace with `item_id` selected (or none); after a refused action, rolled back and shown with
    the problem, in the panel it came from."""
    context = _base(me, filters, item_id, error=error, panel=panel, done_notice=_done_notice(done))
    if item_id is not None:
        context |= await _selection(request, session, me, item_id, asked or WorkRequest(), filters, refused=bool(error))
    elif error is not None:
        await session.rollback()
    context |= await _contacts(session, me, filters, item_id)
    status = error.status if error else 200
    return templates.TemplateResponse(request, "desk/work.html", context, status_code=status)


@router.get("/desk/work", response_class=HTMLResponse)
async def workspace(request: Request, session: SessionDep, me: CurrentStaff) -> Response:
    """The workspace with no contact chosen yet: the agent's contacts, and where their conversation will show."""
    return await workspace_page(request, session, me, None, filters_of(request))


@router.get("/desk/work/{item_id}", response_class=HTMLResponse, dependencies=[Depends(staff_work_item)])
async def work_page(
    request: Request,
    item_id: uuid.UUID,
    session: SessionDep,
    me: CurrentStaff,
    canned: str = "",
    suggest: str = "",
    before: str = "",
    done: Done = "",
) -> Response:
    """The workspace with one contact selected: its conversation, reply box and thread, its actions and the
    citizen; `canned` or `suggest` (an article's slug) pre-fill the reply box; `done` names the action just taken."""
    asked = WorkRequest(canned=canned[:64], suggest=suggest[:120], before=cursor(before))
    return await workspace_page(request, session, me, item_id, filters_of(request), asked, done=done)


@router.get("/desk/work/{item_id}/_panes", response_class=HTMLResponse, dependencies=[Depends(staff_work_item)])
async def work_panes(request: Request, item_id: uuid.UUID, session: SessionDep, me: CurrentStaff) -> Response:
    """The selected contact's two panes alone, for the workspace to swap in when another contact is chosen."""
    filters = filters_of(request)
    context = _base(me, filters, item_id, error=None, panel="", done_notice=None)
    context |= await _selection(request, session, me, item_id, WorkRequest(), filters, refused=False)
    return templates.TemplateResponse(request, "desk/_workspace_selected.html", context)


@router.get("/desk/_contacts", response_class=HTMLResponse)
async def contacts_fragment(
    request: Request, session: SessionDep, me: StaffFragment, selected: uuid.UUID | None = None
) -> Response:
    """The contact list alone, for the workspace to swap in when the agent's work changes."""
    filters = filters_of(request)
    context = _base(me, filters, selected) | await _contacts(session, me, filters, selected)
    return templates.TemplateResponse(request, "desk/_workspace_contacts.html", context)
