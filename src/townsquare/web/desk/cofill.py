"""Filling in a form together, the desk's routes: send the resident a link to a service's form (or to add a
photo), the panel alone (what the page fetches again when her draft changes), the agent's answers (with her
agreement), and ending the link. The panel itself is `cofill_panel.py`, shown on the work page.

Translates only: every action is a `casework.cofill` function; a refused one shows the work page again with the
problem (and, for a conflict, both answers), never losing what was typed.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.casework import cofill, cofill_view
from townsquare.casework.cofill import Sending
from townsquare.casework.types import Service
from townsquare.casework.work import WorkRequest
from townsquare.db import Session
from townsquare.db.deps import SessionDep
from townsquare.engagement import links
from townsquare.engagement.access import purpose
from townsquare.errors import Problem
from townsquare.residents import applications as apps
from townsquare.staff.auth import Principal
from townsquare.web.desk import cofill_panel, workspace
from townsquare.web.desk.cofill_panel import SKIPPED
from townsquare.web.desk.common import CurrentStaff, StaffFragment, held_work_item, settings_of
from townsquare.web.portal import apply_forms as forms
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
Short = Annotated[str, Form(max_length=200)]


CHANGED_MEANWHILE = (
    "The resident changed some of these answers while you were typing: hers are kept, and yours are back in "
    "their boxes beside them. Save again to use yours."
)


def _whole(raw: object, default: int) -> int:
    """A version number the form carried (a negative one, or none, is refused by the merge as it should be)."""
    try:
        return int(str(raw))
    except ValueError:
        return default


def _done(item_id: uuid.UUID) -> Response:
    return RedirectResponse(f"/desk/work/{item_id}#cofill", status_code=303)


async def _refused(request: Request, session: Session, me: Principal, item_id: uuid.UUID, problem: Problem) -> Response:
    """The work page again, with the problem (and the panel with both answers of a conflict)."""
    filters = workspace.filters_of(request)
    return await workspace.workspace_page(
        request, session, me, item_id, filters, WorkRequest(), error=problem, panel="cofill"
    )


@router.get("/desk/work/{item_id}/_cofill", response_class=HTMLResponse)
async def panel_fragment(request: Request, item_id: uuid.UUID, session: SessionDep, me: StaffFragment) -> Response:
    """The panel alone, as the work page swaps it in when the resident's draft changes (its read audited)."""
    read = await cofill_view.read_panel(session, me=me, item_id=item_id, purpose=purpose(request))
    return templates.TemplateResponse(request, "desk/_cofill_panel.html", {"cofill": cofill_panel.context(read)})


@router.post("/desk/work/{item_id}/cofill", response_class=HTMLResponse, dependencies=[Depends(held_work_item)])
async def send_link(
    request: Request,
    item_id: uuid.UUID,
    session: SessionDep,
    me: CurrentStaff,
    service_code: Short = "",
    purpose: Short = "form",
    to: Short = "",
) -> Response:
    """Send the resident a link to her own draft of the service's form, on the contact chosen."""
    settings = settings_of(request)
    sent = Sending(service_code.strip(), purpose.strip(), to.strip())
    try:
        await cofill.send_link(
            session, me=me, item_id=item_id, sent=sent, settings=settings, options=links.reply_options(settings)
        )
    except Problem as problem:
        return await _refused(request, session, me, item_id, problem)
    await session.commit()
    return _done(item_id)


@router.post("/desk/work/{item_id}/cofill/answers", response_class=HTMLResponse, dependencies=[Depends(held_work_item)])
async def save_answers(request: Request, item_id: uuid.UUID, session: SessionDep, me: CurrentStaff) -> Response:
    """Fill in or correct answers, with the resident's agreement; answers she changed meanwhile come back as a
    conflict showing both (409), nothing overwritten."""
    form = await request.form()
    base = _whole(form.get("base_version"), -1)
    bases = {str(k).removeprefix("base."): _whole(form.get(k), base) for k in form if str(k).startswith("base.")}

    def changes(service: Service, tz: str) -> dict[str, Any]:
        """The answers the agent's form changed since it was drawn, as the draft keeps them."""
        fields = [f for page in apps.form_pages(service) for f in forms.page_fields(service, page, {}, every=True)]
        return apps.stored_changes(service, tz, forms.changed(form, [f for f in fields if f["code"] not in SKIPPED]))

    try:
        result = await cofill.save_answers(
            session, me=me, item_id=item_id, base=base, read_changes=changes, bases=bases
        )
    except Problem as problem:
        return await _refused(request, session, me, item_id, problem)
    await session.commit()
    if result.conflicts:
        request.state.cofill_conflicts = result.conflicts
        changed = Problem(409, "Answers changed meanwhile", CHANGED_MEANWHILE, "conflict")
        return await _refused(request, session, me, item_id, changed)
    return _done(item_id)


@router.post("/desk/work/{item_id}/cofill/end", response_class=HTMLResponse, dependencies=[Depends(held_work_item)])
async def end_link(request: Request, item_id: uuid.UUID, session: SessionDep, me: CurrentStaff) -> Response:
    """End the link: the device that opened it no longer reaches the form, which stays the resident's draft."""
    try:
        await cofill.end_link(session, me=me, item_id=item_id)
    except Problem as problem:
        return await _refused(request, session, me, item_id, problem)
    await session.commit()
    return _done(item_id)
