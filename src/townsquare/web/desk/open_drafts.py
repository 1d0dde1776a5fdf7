"""A person's applications in progress: the citizen context lists them without their answers (which service,
started and last saved, which page, how many answers); /desk/citizens/{id}/drafts/{draft_id} opens one with its
answers, for staff of the service's agency, each opening on the access log.

Translates only: `casework.open_drafts` scopes, reads and audits; `drafts.open_drafts` lists.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from townsquare.casework import open_drafts
from townsquare.casework.types import OpenDraft
from townsquare.db.deps import SessionDep
from townsquare.engagement.access import purpose
from townsquare.staff.auth import STAFF_AGENCY, enforces
from townsquare.web import i18n
from townsquare.web.desk.common import CurrentStaff
from townsquare.web.i18n import gettext as _
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)


def step_words(draft: OpenDraft) -> str:
    """Where the person is in the form: "Not begun", "On page 2 of 4", "Checking the answers before sending"."""
    if draft.step <= 0:
        return _("Not begun")
    if draft.step > draft.pages:
        return _("Checking the answers before sending")
    return _("On page %(page)s of %(pages)s") % {"page": draft.step, "pages": draft.pages}


def free_field_words() -> dict[str, str]:
    """The portal's own questions, besides the form's."""
    return {
        "_address": _("Where it is"),
        "_details": _("Anything else we should know"),
        "_photo": _("A photo was added"),
    }


templates.env.filters["draft_step"] = step_words


@enforces(STAFF_AGENCY)
async def staff_draft(citizen_id: uuid.UUID, draft_id: uuid.UUID, session: SessionDep, me: CurrentStaff) -> uuid.UUID:
    """The person's draft named in the path, for staff of its service's agency (else as one that does not exist)."""
    draft = await open_drafts.draft_in_scope(session, me=me, citizen_id=citizen_id, draft_id=draft_id)
    return draft.id


@router.get("/desk/citizens/{citizen_id}/drafts/{draft_id}", response_class=HTMLResponse)
async def draft_page(
    request: Request,
    citizen_id: uuid.UUID,
    session: SessionDep,
    me: CurrentStaff,
    draft_id: Annotated[uuid.UUID, Depends(staff_draft)],
) -> Response:
    """The application in progress with every answer it holds; opening it is written to the access log."""
    view = await open_drafts.read_draft(
        session, me=me, citizen_id=citizen_id, draft_id=draft_id, purpose=purpose(request), language=i18n.current()
    )
    context = {"me": me, "view": view, "free_fields": free_field_words()}
    return templates.TemplateResponse(request, "desk/open_draft.html", context)
