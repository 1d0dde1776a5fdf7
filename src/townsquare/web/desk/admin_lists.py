"""The administrators' short lists: teams (/desk/admin/teams: name, members, active), wrap-up codes
(/desk/admin/wrap-up-codes: code, labels in English and French, active) and the skills catalogue
(/desk/admin/skills: code, labels, agency or every agency, active; and the skills in use it does not hold yet).

Translates only: each form as typed becomes the domain's form (`routing.admin_teams`, `routing.admin_skills`); the
domain checks, saves and audits. Another agency's record answers an agency administrator as an unknown one.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from townsquare.db import Session
from townsquare.db.deps import SessionDep
from townsquare.errors import Problem
from townsquare.routing import admin_skills, admin_teams
from townsquare.routing.admin_common import agencies_of
from townsquare.routing.admin_skills import SkillForm
from townsquare.routing.admin_teams import TeamForm, WrapUpForm
from townsquare.staff.auth import AGENCY_ADMIN, Principal, enforces
from townsquare.web.desk.admin_forms import Administrator, agency_options, page, save, text, ticked

router = APIRouter(include_in_schema=False)


@enforces(AGENCY_ADMIN)
async def team_of_mine(team_id: uuid.UUID, session: SessionDep, me: Administrator) -> uuid.UUID:
    """The team in the path, if it is of one of the administrator's agencies (else 404)."""
    await admin_teams.team_in_scope(session, me, team_id)
    return team_id


@enforces(AGENCY_ADMIN)
async def wrap_up_of_mine(wrap_up_id: uuid.UUID, session: SessionDep, me: Administrator) -> uuid.UUID:
    """The wrap-up code in the path, if it is of one of the administrator's agencies (else 404)."""
    await admin_teams.wrap_up_in_scope(session, me, wrap_up_id)
    return wrap_up_id


@enforces(AGENCY_ADMIN)
async def skill_of_mine(skill_id: uuid.UUID, session: SessionDep, me: Administrator) -> uuid.UUID:
    """The skill in the path, if the administrator may change it (every agency's: administrators only; else 404)."""
    await admin_skills.skill_in_scope(session, me, skill_id)
    return skill_id


TeamId = Annotated[uuid.UUID, Depends(team_of_mine)]
WrapUpId = Annotated[uuid.UUID, Depends(wrap_up_of_mine)]
SkillId = Annotated[uuid.UUID, Depends(skill_of_mine)]


# Teams


@router.get("/desk/admin/teams", response_class=HTMLResponse)
async def teams_page(request: Request, session: SessionDep, me: Administrator) -> Response:
    view = await admin_teams.teams_view(session, me)
    return page(request, "desk/admin_teams.html", {"me": me, "view": view})


def _team_form(raw: Any) -> TeamForm:
    return TeamForm(
        agency_id=text(raw, "agency_id", 64),
        name=text(raw, "name"),
        member_ids={str(v) for v in raw.getlist("members")},
        active=ticked(raw, "active"),
    )


async def _team_page(
    request: Request,
    session: Session,
    me: Principal,
    form: TeamForm,
    *,
    team_id: uuid.UUID | None,
    error: Problem | None = None,
) -> Response:
    agencies = await agencies_of(session, me)
    people = await admin_teams.staff_of(session, {a.id for a in agencies})
    names = {a.id: a.name for a in agencies}
    context = {
        "me": me,
        "form": form,
        "team_id": team_id,
        "agencies": agency_options(agencies),
        "people": [(str(p.id), p.name, ", ".join(names[a] for a in p.agency_ids)) for p in people],
    }
    return page(request, "desk/admin_team.html", context, error=error)


@router.get("/desk/admin/teams/new", response_class=HTMLResponse)
async def new_team(request: Request, session: SessionDep, me: Administrator) -> Response:
    return await _team_page(request, session, me, TeamForm(), team_id=None)


@router.post("/desk/admin/teams/new", response_class=HTMLResponse)
async def create_team(request: Request, session: SessionDep, me: Administrator) -> Response:
    sent = _team_form(await request.form())
    return await save(
        session,
        lambda: admin_teams.create_team(session, me=me, sent=sent),
        lambda exc: _team_page(request, session, me, sent, team_id=None, error=exc),
        "/desk/admin/teams?notice=created",
    )


@router.get("/desk/admin/teams/{team_id}", response_class=HTMLResponse)
async def edit_team(request: Request, session: SessionDep, me: Administrator, team_id: TeamId) -> Response:
    team = await admin_teams.team_in_scope(session, me, team_id)
    return await _team_page(request, session, me, await admin_teams.team_form(session, team), team_id=team_id)


@router.post("/desk/admin/teams/{team_id}", response_class=HTMLResponse)
async def save_team(request: Request, session: SessionDep, me: Administrator, team_id: TeamId) -> Response:
    """Change the team; deactivating a team an active queue is served by is refused naming the queue."""
    sent = _team_form(await request.form())
    return await save(
        session,
        lambda: admin_teams.update_team(session, me=me, team_id=team_id, sent=sent),
        lambda exc: _team_page(request, session, me, sent, team_id=team_id, error=exc),
        "/desk/admin/teams?notice=saved",
    )


# Wrap-up codes


@router.get("/desk/admin/wrap-up-codes", response_class=HTMLResponse)
async def wrap_up_page(request: Request, session: SessionDep, me: Administrator) -> Response:
    rows, agencies = await admin_teams.wrap_up_codes(session, me)
    context = {"me": me, "rows": rows, "agency_names": {a.id: a.name for a in agencies}}
    return page(request, "desk/admin_wrap_up_codes.html", context)


def _wrap_up_form(raw: Any) -> WrapUpForm:
    return WrapUpForm(
        agency_id=text(raw, "agency_id", 64),
        code=text(raw, "code", 64),
        label=text(raw, "label"),
        label_fr=text(raw, "label_fr"),
        active=ticked(raw, "active"),
    )


async def _wrap_up_page(
    request: Request,
    session: Session,
    me: Principal,
    form: WrapUpForm,
    *,
    wrap_up_id: uuid.UUID | None,
    error: Problem | None = None,
) -> Response:
    agencies = agency_options(await agencies_of(session, me))
    context = {"me": me, "form": form, "wrap_up_id": wrap_up_id, "agencies": agencies}
    return page(request, "desk/admin_wrap_up_code.html", context, error=error)


@router.get("/desk/admin/wrap-up-codes/new", response_class=HTMLResponse)
async def new_wrap_up(request: Request, session: SessionDep, me: Administrator) -> Response:
    return await _wrap_up_page(request, session, me, WrapUpForm(), wrap_up_id=None)


@router.post("/desk/admin/wrap-up-codes/new", response_class=HTMLResponse)
async def create_wrap_up(request: Request, session: SessionDep, me: Administrator) -> Response:
    sent = _wrap_up_form(await request.form())
    return await save(
        session,
        lambda: admin_teams.create_wrap_up(session, me=me, sent=sent),
        lambda exc: _wrap_up_page(request, session, me, sent, wrap_up_id=None, error=exc),
        "/desk/admin/wrap-up-codes?notice=created",
    )


@router.get("/desk/admin/wrap-up-codes/{wrap_up_id}", response_class=HTMLResponse)
async def edit_wrap_up(request: Request, session: SessionDep, me: Administrator, wrap_up_id: WrapUpId) -> Response:
    row = await admin_teams.wrap_up_in_scope(session, me, wrap_up_id)
    return await _wrap_up_page(request, session, me, admin_teams.wrap_up_form(row), wrap_up_id=wrap_up_id)


@router.post("/desk/admin/wrap-up-codes/{wrap_up_id}", response_class=HTMLResponse)
async def save_wrap_up(request: Request, session: SessionDep, me: Administrator, wrap_up_id: WrapUpId) -> Response:
    sent = _wrap_up_form(await request.form())
    return await save(
        session,
        lambda: admin_teams.update_wrap_up(session, me=me, wrap_up_id=wrap_up_id, sent=sent),
        lambda exc: _wrap_up_page(request, session, me, sent, wrap_up_id=wrap_up_id, error=exc),
        "/desk/admin/wrap-up-codes?notice=saved",
    )


# Skills


@router.get("/desk/admin/skills", response_class=HTMLResponse)
async def skills_page(request: Request, session: SessionDep, me: Administrator) -> Response:
    view = await admin_skills.skills_view(session, me)
    return page(request, "desk/admin_skills.html", {"me": me, "view": view})


def _skill_form(raw: Any) -> SkillForm:
    return SkillForm(
        agency_id=text(raw, "agency_id", 64),
        code=text(raw, "code", 64),
        label=text(raw, "label"),
        label_fr=text(raw, "label_fr"),
        active=ticked(raw, "active"),
    )


async def _skill_page(
    request: Request,
    session: Session,
    me: Principal,
    form: SkillForm,
    *,
    skill_id: uuid.UUID | None,
    error: Problem | None = None,
) -> Response:
    agencies = agency_options(await agencies_of(session, me))
    context = {"me": me, "form": form, "skill_id": skill_id, "agencies": agencies, "every": me.agency_ids is None}
    return page(request, "desk/admin_skill.html", context, error=error)


@router.get("/desk/admin/skills/new", response_class=HTMLResponse)
async def new_skill(request: Request, session: SessionDep, me: Administrator) -> Response:
    """An empty skill form; `?code=` fills in a skill in use that the catalogue does not hold yet."""
    code = request.query_params.get("code", "")[:64]
    return await _skill_page(request, session, me, SkillForm(code=code), skill_id=None)


@router.post("/desk/admin/skills/new", response_class=HTMLResponse)
async def create_skill(request: Request, session: SessionDep, me: Administrator) -> Response:
    sent = _skill_form(await request.form())
    return await save(
        session,
        lambda: admin_skills.create(session, me=me, sent=sent),
        lambda exc: _skill_page(request, session, me, sent, skill_id=None, error=exc),
        "/desk/admin/skills?notice=created",
    )


@router.get("/desk/admin/skills/{skill_id}", response_class=HTMLResponse)
async def edit_skill(request: Request, session: SessionDep, me: Administrator, skill_id: SkillId) -> Response:
    skill = await admin_skills.skill_in_scope(session, me, skill_id)
    return await _skill_page(request, session, me, admin_skills.form_of(skill), skill_id=skill_id)


@router.post("/desk/admin/skills/{skill_id}", response_class=HTMLResponse)
async def save_skill(request: Request, session: SessionDep, me: Administrator, skill_id: SkillId) -> Response:
    sent = _skill_form(await request.form())
    return await save(
        session,
        lambda: admin_skills.update(session, me=me, skill_id=skill_id, sent=sent),
        lambda exc: _skill_page(request, session, me, sent, skill_id=skill_id, error=exc),
        "/desk/admin/skills?notice=saved",
    )
