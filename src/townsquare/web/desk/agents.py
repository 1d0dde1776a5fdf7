"""The supervisor's Agents page at /desk/agents: every agent's routing profile and load, an edit form for capacity,
languages, skills, wrap-up time and teams, and a way to set an agent away or offline.

Translates only: the form as typed becomes a `casework.agents.ProfileForm`; reads and changes are `casework.agents`
functions. Supervisors act only on agents who share one of their agencies (admins on everyone).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.casework import agents
from townsquare.casework.agents import FORCED_PRESENCE, SERVED_LANGUAGES, ProfileForm
from townsquare.casework.types import CapacityClass
from townsquare.db import Session
from townsquare.db.deps import SessionDep
from townsquare.errors import FieldError, Problem, invalid
from townsquare.staff.auth import Principal
from townsquare.web.desk import labels, words  # noqa: F401 - registers the desk's words
from townsquare.web.desk.common import supervisors_only
from townsquare.web.i18n import gettext as _
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
Manager = Annotated[Principal, Depends(supervisors_only("The Agents page"))]
MAX_SKILL_ROWS = 100
EMPTY_SKILL_ROWS = 3


def _notices() -> dict[str, str]:
    return {"saved": _("Saved."), "away": _("Status set to Away."), "offline": _("Status set to Offline.")}


def _names() -> dict[str, object]:
    """What both pages name: the kinds of work an agent holds, and the languages the desk serves."""
    return {
        "class_labels": labels.capacity_classes(),
        "language_names": {code: labels.language(code) for code in SERVED_LANGUAGES},
    }


@router.get("/desk/agents", response_class=HTMLResponse)
async def agents_page(request: Request, session: SessionDep, me: Manager) -> Response:
    """Every agent of the supervisor's agencies: status, load against capacity, languages, skills and teams."""
    rows = await agents.agent_rows(session, me=me)
    context = {"me": me, "rows": rows, **_names()}
    return templates.TemplateResponse(request, "desk/agents.html", context)


def _sent(form: Any) -> ProfileForm:
    """The submitted form as typed, to show it again if it is refused."""
    skills = []
    for i in range(MAX_SKILL_ROWS):
        name = form.get(f"skill-{i}")
        if name is None:
            break
        skills.append((str(name).strip()[:64], str(form.get(f"level-{i}", "")).strip()))
    team_ids: set[uuid.UUID] = set()
    for value in form.getlist("teams"):
        try:
            team_ids.add(uuid.UUID(str(value)))
        except ValueError:
            raise invalid(
                _("That team choice is damaged; reload the page."), FieldError("teams", "not an id")
            ) from None
    return ProfileForm(
        capacity={c.value: str(form.get(f"capacity-{c.value}", "")).strip() for c in CapacityClass},
        languages={str(v) for v in form.getlist("languages")},
        other_languages=str(form.get("other_languages", ""))[:200],
        skills=[(name, level) for name, level in skills if name],
        wrap_up_seconds=str(form.get("wrap_up_seconds", "")).strip(),
        team_ids=team_ids,
    )


async def _edit_page(
    request: Request,
    session: Session,
    me: Principal,
    staff_id: uuid.UUID,
    *,
    form: ProfileForm | None = None,
    error: Problem | None = None,
) -> Response:
    view = await agents.edit_view(session, me=me, staff_id=staff_id, form=form)
    context = {
        "me": me,
        **vars(view),
        "empty_rows": EMPTY_SKILL_ROWS,
        "forced_presence": FORCED_PRESENCE,
        "error": error,
        "notice": _notices().get(request.query_params.get("notice", "")),
        **_names(),
    }
    status = error.status if error else 200
    return templates.TemplateResponse(request, "desk/agent_edit.html", context, status_code=status)


@router.get("/desk/agents/{staff_id}", response_class=HTMLResponse)
async def edit_agent(request: Request, staff_id: uuid.UUID, session: SessionDep, me: Manager) -> Response:
    """The agent's routing profile as a form."""
    return await _edit_page(request, session, me, staff_id)


@router.post("/desk/agents/{staff_id}")
async def save_agent(request: Request, staff_id: uuid.UUID, session: SessionDep, me: Manager) -> Response:
    """Save capacity, languages, skills (replacing them), wrap-up time and team memberships."""
    await agents.agent_of_mine(session, me, staff_id)
    raw = await request.form()
    sent: ProfileForm | None = None
    try:
        sent = _sent(raw)
        await agents.save_profile(session, me=me, staff_id=staff_id, sent=sent)
    except Problem as exc:
        if exc.status != 422:
            raise
        await agents.roll_back(session)
        return await _edit_page(request, session, me, staff_id, form=sent, error=exc)
    await session.commit()
    return RedirectResponse(f"/desk/agents/{staff_id}?notice=saved", status_code=303)


@router.post("/desk/agents/{staff_id}/presence")
async def force_presence(request: Request, staff_id: uuid.UUID, session: SessionDep, me: Manager) -> Response:
    """Set an agent away or offline, e.g. when they left without signing out; their held work stays theirs."""
    chosen = str((await request.form()).get("presence", ""))
    try:
        await agents.force_presence(session, me=me, staff_id=staff_id, chosen=chosen)
    except Problem as exc:
        if exc.status != 422:
            raise
        return await _edit_page(request, session, me, staff_id, error=exc)
    await session.commit()
    return RedirectResponse(f"/desk/agents/{staff_id}?notice={chosen}", status_code=303)
