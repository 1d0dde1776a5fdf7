"""The mail room at /desk/mail: staff drop a scanned letter (PDF, PNG or JPEG) and see what became of it.

Any signed-in staff member; the letter is read, threaded and queued by `engagement.post` as from the other doors.
Translates only: a refused scan comes back with the problem beside the field, and nothing is written.
"""

from __future__ import annotations

import re
import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from townsquare.db.deps import SessionDep
from townsquare.engagement import post
from townsquare.engagement.pipeline import Pipeline
from townsquare.errors import Problem
from townsquare.hygiene import safe_filename
from townsquare.ratelimit import RateLimiter
from townsquare.staff.auth import Principal
from townsquare.web.desk.common import CurrentStaff, settings_of
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
REFERENCE = re.compile(r"^[A-Z]{1,10}-\d{4}-\d{3,9}$")


def _id(raw: str | None) -> str | None:
    try:
        return str(uuid.UUID(raw)) if raw else None
    except ValueError:
        return None


def _taken(request: Request) -> dict[str, object] | None:
    """What the last upload became, from the redirect's query (ids and a reference only, checked)."""
    query = request.query_params
    interaction = _id(query.get("letter"))
    if interaction is None:
        return None
    reference = query.get("case", "")
    return {
        "interaction_id": interaction,
        "work_item_id": _id(query.get("work")),
        "citizen_id": _id(query.get("citizen")),
        "case_reference": reference if REFERENCE.match(reference) else None,
        "duplicate": query.get("duplicate") == "1",
        "unknown": query.get("unknown") == "1",
    }


def _page(request: Request, me: Principal, *, error: Problem | None = None) -> Response:
    context = {"me": me, "taken": _taken(request), "error": error, "limits": post.limits(settings_of(request))}
    status = error.status if error else 200
    return templates.TemplateResponse(request, "desk/mail_room.html", context, status_code=status)


@router.get("/desk/mail", response_class=HTMLResponse)
async def mail_room(request: Request, me: CurrentStaff) -> Response:
    """The upload form, and what the last scan became."""
    return _page(request, me)


@router.post("/desk/mail", response_class=HTMLResponse)
async def upload(request: Request, session: SessionDep, me: CurrentStaff) -> Response:
    """Take one scanned letter through the flow, then show where it landed (303 back to the page)."""
    settings = settings_of(request)
    pipeline: Pipeline = request.app.state.pipeline
    try:
        limiter: RateLimiter = request.app.state.limiter
        await post.within_rate(limiter, f"staff:{me.id}", settings.mail_scan_rate_limit_per_minute)
        form = await request.form(max_files=1, max_fields=5)
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise Problem(422, "No scan", "Choose the scanned letter to send.", "invalid-input")
        data = await upload.read(settings.max_attachment_bytes + 1)
        scan = post.Scan(data=data, filename=safe_filename(upload.filename), door="desk")
        outcome = await post.take(session, pipeline, scan, scope=me.agency_ids)
    except Problem as exc:
        if exc.status not in (413, 415, 422, 429, 503):
            raise
        await session.rollback()
        return _page(request, me, error=exc)
    await session.commit()
    parts = [f"letter={outcome.interaction_id}", f"citizen={outcome.citizen_id}"]
    if outcome.work_item_id:
        parts.append(f"work={outcome.work_item_id}")
    if outcome.case_reference:
        parts.append(f"case={outcome.case_reference}")
    if outcome.duplicate:
        parts.append("duplicate=1")
    elif outcome.citizen_created:
        parts.append("unknown=1")
    return RedirectResponse("/desk/mail?" + "&".join(parts), status_code=303)
