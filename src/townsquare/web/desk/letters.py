"""The Letters page at /desk/letters: print batches (download the ZIP), the letters of a batch, letters waiting
for the next batch, and marking a letter returned when the post brings it back.

Supervisors and administrators; each sees the letters of their agencies, and only administrators download a
batch (it holds every agency's letters). A letter's PDF opens for any staff of its agency (the timeline links
it). Translates only: reads and actions are `notify.letters` functions.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.db import Session
from townsquare.db.deps import SessionDep
from townsquare.errors import Problem
from townsquare.interactions.storage import AttachmentStore
from townsquare.notify.letters import returns, views
from townsquare.notify.letters.kinds import LetterStatus
from townsquare.notify.letters.schedule import batch_now
from townsquare.staff.auth import Principal
from townsquare.web.desk.common import CurrentStaff, admins_only, supervisors_only
from townsquare.web.i18n import gettext as _
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
Supervisor = Annotated[Principal, Depends(supervisors_only("The Letters page"))]
Admin = Annotated[Principal, Depends(admins_only("A print batch's download"))]


def _notices() -> dict[str, str]:
    return {
        "returned": _("The letter is marked returned; its delivery shows as failed."),
        "none": _("No letter is waiting."),
    }


def _store(request: Request) -> AttachmentStore:
    store: AttachmentStore = request.app.state.pipeline.store
    return store


def _download(file: views.FileView) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{file.filename}"', "Cache-Control": "no-store"}
    return Response(file.data, media_type=file.content_type, headers=headers)


async def _page(
    request: Request, session: Session, me: Principal, *, error: Problem | None = None, code: str = ""
) -> Response:
    context = {
        "me": me,
        "batches": await views.batches(session),
        "waiting": await views.letters(session, me=me, status=LetterStatus.accepted),
        "returned": await views.letters(session, me=me, status=LetterStatus.returned, limit=50),
        "notice": _notices().get(request.query_params.get("notice", "")),
        "error": error,
        "code": code,
    }
    status = error.status if error else 200
    return templates.TemplateResponse(request, "desk/letters.html", context, status_code=status)


@router.get("/desk/letters", response_class=HTMLResponse)
async def letters_page(request: Request, session: SessionDep, me: Supervisor) -> Response:
    """Print batches, letters waiting for the next one, returned letters, and the form to mark one returned."""
    return await _page(request, session, me)


@router.get("/desk/letters/batch", response_class=HTMLResponse)
async def batch_page(request: Request, id: uuid.UUID, session: SessionDep, me: Supervisor) -> Response:
    """One batch: its letters of the supervisor's agencies, each with its PDF."""
    batch = await views.batch(session, batch_id=id)
    rows = await views.letters(session, me=me, batch_id=id)
    context = {"me": me, "batch": batch, "rows": rows}
    return templates.TemplateResponse(request, "desk/letters_batch.html", context)


@router.get("/desk/letters/batch.zip")
async def batch_zip(request: Request, id: uuid.UUID, session: SessionDep, me: Admin) -> Response:
    """The batch's ZIP as the print supplier receives it (audited for every letter in it)."""
    return _download(
        await views.batch_zip(session, batch_id=id, store=_store(request), me=me, purpose="desk letters batch")
    )


@router.get("/desk/letters/pdf")
async def letter_pdf(request: Request, id: uuid.UUID, session: SessionDep, me: CurrentStaff) -> Response:
    """One letter's PDF, for staff of its agency (linked from the timeline); audited."""
    file = await views.letter_pdf(session, letter_id=id, store=_store(request), me=me, purpose="desk letters")
    return Response(file.data, media_type=file.content_type, headers={"Cache-Control": "no-store"})


@router.post("/desk/letters/batch")
async def build_now(request: Request, session: SessionDep, me: Admin) -> Response:
    """Build the print batch now rather than at the daily time."""
    made = await batch_now(session, _store(request))
    if made is None:
        return RedirectResponse("/desk/letters?notice=none", status_code=303)
    return RedirectResponse(f"/desk/letters/batch?id={made.id}", status_code=303)


@router.post("/desk/letters/returned", response_class=HTMLResponse)
async def mark_returned(request: Request, session: SessionDep, me: Supervisor) -> Response:
    """Mark a letter returned by its id or the reference on its QR code."""
    form = await request.form()
    code = str(form.get("code", "")).strip()[:80]
    reason = str(form.get("reason", ""))[:400]
    try:
        await returns.mark_returned(session, code=code, reason=reason, me=me)
    except Problem as exc:
        if exc.status not in (404, 409, 422):
            raise
        await session.rollback()
        return await _page(request, session, me, error=exc, code=code)
    await session.commit()
    return RedirectResponse("/desk/letters?notice=returned", status_code=303)
