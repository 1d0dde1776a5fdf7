"""The administrators' Staff page at /desk/staff: every staff account with its role, agencies, last sign-in and
whether repeated failed sign-ins locked it, and the button that unlocks it.

Administrators only; unlocking is `staff.sign_in.unlock`, the same as the API and the CLI, and is audited. Never
shows a password hash or anything about the failed attempts beyond their count.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.casework.staff_accounts import staff_rows
from townsquare.db.deps import SessionDep
from townsquare.staff import sign_in
from townsquare.staff.auth import Principal
from townsquare.web.desk.common import admins_only
from townsquare.web.i18n import gettext as _
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
Admin = Annotated[Principal, Depends(admins_only("The Staff page"))]


def _notices() -> dict[str, str]:
    return {"unlocked": _("The account was unlocked: the next sign-in with the right password works.")}


@router.get("/desk/staff", response_class=HTMLResponse)
async def staff_page(request: Request, session: SessionDep, me: Admin) -> Response:
    """Every staff account and its state; locked accounts first, each with an Unlock button."""
    context = {
        "me": me,
        "rows": await staff_rows(session),
        "notice": _notices().get(request.query_params.get("notice", "")),
    }
    return templates.TemplateResponse(request, "desk/staff.html", context)


@router.post("/desk/staff/{staff_id}/unlock")
async def unlock(staff_id: uuid.UUID, session: SessionDep, me: Admin) -> Response:
    """Unlock the account (audited) and come back to the list."""
    await sign_in.unlock(session, staff_id=staff_id, actor_kind=me.kind, actor_id=me.actor_id)
    await session.commit()
    return RedirectResponse("/desk/staff?notice=unlocked", status_code=303)
