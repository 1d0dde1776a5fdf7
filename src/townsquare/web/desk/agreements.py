"""The desk's data-sharing agreements (/desk/agreements): the list and each agreement's history for staff of its
agencies; proposing an agreement or a new version, approving for one's agency, ending or withdrawing, for a
supervisor or administrator of one of the two agencies.

Translates only: `casework.agreements` decides, audits and refuses; a refused form comes back with every error.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from townsquare.casework import agreements
from townsquare.db import Session
from townsquare.db.deps import SessionDep
from townsquare.errors import Problem
from townsquare.staff.auth import STAFF_AGENCY, SUPERVISOR_AGENCY, Principal, enforces
from townsquare.web.desk.common import CurrentStaff, supervisors_only
from townsquare.web.i18n import gettext as _
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
Proposer = Depends(supervisors_only("Proposing a data-sharing agreement"))
FIELDS = (
    "provider",
    "consumer",
    "purpose",
    "purpose_text",
    "purpose_text_fr",
    "legal_basis",
    "starts_on",
    "ends_on",
    "consent_required",
)


def _notices() -> dict[str, str]:
    return {
        "proposed": _("Proposed. It takes effect once a supervisor of each agency has approved it."),
        "approved": _("Approved for your agency."),
        "ended": _("Ended: no agency reads under it any more."),
        "withdrawn": _("The proposal was withdrawn."),
    }


def status_labels() -> dict[str, str]:
    return {
        "proposed": _("Waiting for approval"),
        "active": _("Active"),
        "superseded": _("Superseded"),
        "ended": _("Ended"),
        "withdrawn": _("Withdrawn"),
    }


@enforces(STAFF_AGENCY)
async def staff_agreement(agreement: str, session: SessionDep, me: CurrentStaff) -> None:
    """The agreement named in the path, if one of the staff member's agencies is party to it."""
    await agreements.versions_in_scope(session, me, agreement)


@enforces(SUPERVISOR_AGENCY)
async def managed_agreement(agreement: str, session: SessionDep, me: CurrentStaff) -> None:
    """The agreement named in the path, if a supervisor or administrator of one of its agencies is asking."""
    await agreements.managed_versions(session, me, agreement)


def _common(request: Request, me: Principal) -> dict[str, Any]:
    return {
        "me": me,
        "status_labels": status_labels(),
        "notice": _notices().get(request.query_params.get("notice", "")),
    }


@router.get("/desk/agreements", response_class=HTMLResponse)
async def agreements_page(request: Request, session: SessionDep, me: CurrentStaff) -> Response:
    """Every version of every agreement the staff member's agencies are party to, newest first."""
    rows = await agreements.list_agreements(session, me=me)
    context = _common(request, me) | {"rows": rows, "may_propose": me.role in agreements.MANAGERS}
    return templates.TemplateResponse(request, "desk/agreements.html", context)


def _sent(raw: FormData | dict[str, str]) -> agreements.ProposalSent:
    sent = agreements.ProposalSent()
    for name in FIELDS:
        setattr(sent, name, str(raw.get(name, ""))[:4000])
    if isinstance(raw, FormData):
        sent.attributes = [str(a)[:64] for a in raw.getlist("attributes")][:200]
    return sent


async def _form_page(
    request: Request,
    session: Session,
    me: Principal,
    form: agreements.ProposalForm,
    error: Problem | None = None,
) -> Response:
    context = _common(request, me) | {"form": form, "sent": form.sent, "error": error}
    status = error.status if error else 200
    return templates.TemplateResponse(request, "desk/agreements_form.html", context, status_code=status)


@router.get("/desk/agreements/new", response_class=HTMLResponse)
async def new_agreement(request: Request, session: SessionDep, me: Principal = Proposer) -> Response:
    """Propose an agreement: first the two agencies, then what is shared, for what and under which law."""
    sent = _sent(dict(request.query_params))
    form = await agreements.proposal_form(session, me=me, sent=sent)
    return await _form_page(request, session, me, form)


@router.post("/desk/agreements")
async def propose_agreement(request: Request, session: SessionDep, me: Principal = Proposer) -> Response:
    """Save a proposal (audited); it waits for both agencies' approval."""
    sent = _sent(await request.form())
    try:
        row = await agreements.propose(session, me=me, sent=sent)
    except Problem as exc:
        if exc.status != 422:
            raise
        await agreements.roll_back(session)
        form = await agreements.proposal_form(session, me=me, sent=sent)
        return await _form_page(request, session, me, form, exc)
    await session.commit()
    return RedirectResponse(f"/desk/agreements/{row.reference}?notice=proposed", status_code=303)


async def _agreement_page(
    request: Request, session: Session, me: Principal, reference: str, error: Problem | None = None
) -> Response:
    page = await agreements.agreement_page(session, me=me, reference=reference)
    context = _common(request, me) | {"page": page, "error": error}
    status = error.status if error else 200
    return templates.TemplateResponse(request, "desk/agreements_history.html", context, status_code=status)


@router.get("/desk/agreements/{agreement}", response_class=HTMLResponse, dependencies=[Depends(staff_agreement)])
async def agreement_page(request: Request, agreement: str, session: SessionDep, me: CurrentStaff) -> Response:
    """One agreement: every version, who proposed and approved each and when, and what can be done now."""
    return await _agreement_page(request, session, me, agreement)


@router.get(
    "/desk/agreements/{agreement}/new-version", response_class=HTMLResponse, dependencies=[Depends(managed_agreement)]
)
async def new_version(request: Request, agreement: str, session: SessionDep, me: CurrentStaff) -> Response:
    """Propose a change: a new version filled in with the terms of the latest one."""
    form = await agreements.new_version_form(session, me=me, reference=agreement)
    return await _form_page(request, session, me, form)


@router.post("/desk/agreements/{agreement}/versions", dependencies=[Depends(managed_agreement)])
async def propose_version(request: Request, agreement: str, session: SessionDep, me: CurrentStaff) -> Response:
    """Save a new version (audited); the one in force stays so until both agencies approved the new one."""
    sent = _sent(await request.form())
    try:
        row = await agreements.propose(session, me=me, sent=sent, reference=agreement)
    except Problem as exc:
        if exc.status not in (409, 422):
            raise
        await agreements.roll_back(session)
        form = await agreements.proposal_form(session, me=me, sent=sent, reference=agreement)
        return await _form_page(request, session, me, form, exc)
    await session.commit()
    return RedirectResponse(f"/desk/agreements/{row.reference}?notice=proposed", status_code=303)


@router.post("/desk/agreements/{agreement}/versions/{version}/approve", dependencies=[Depends(managed_agreement)])
async def approve_version(
    request: Request, agreement: str, version: int, session: SessionDep, me: CurrentStaff
) -> Response:
    """Approve the version for one's agency (audited); the second agency's approval puts it in force."""
    for_agency = str((await request.form()).get("for_agency", ""))[:64]
    try:
        row = await agreements.approve(session, me=me, reference=agreement, version=version, for_agency=for_agency)
    except Problem as exc:
        if exc.status not in (403, 409, 422):
            raise
        await agreements.roll_back(session)
        return await _agreement_page(request, session, me, agreement, exc)
    await session.commit()
    return RedirectResponse(f"/desk/agreements/{row.reference}?notice=approved", status_code=303)


@router.post("/desk/agreements/{agreement}/versions/{version}/close", dependencies=[Depends(managed_agreement)])
async def close_version(
    request: Request, agreement: str, version: int, session: SessionDep, me: CurrentStaff
) -> Response:
    """End the version in force, or withdraw a proposal (audited)."""
    try:
        row = await agreements.close(session, me=me, reference=agreement, version=version)
    except Problem as exc:
        if exc.status != 409:
            raise
        await agreements.roll_back(session)
        return await _agreement_page(request, session, me, agreement, exc)
    await session.commit()
    return RedirectResponse(f"/desk/agreements/{row.reference}?notice={row.status.value}", status_code=303)
