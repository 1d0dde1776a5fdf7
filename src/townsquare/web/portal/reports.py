"""A public page per report: /reports/{reference} shows what anyone may know of a report about a place — its
service, where, when, its status and every public update the city posted on it — and never who reported it or
what they wrote. A reference that is not a public report is the same "page not found" as one that does not exist.
"""

from __future__ import annotations

from babel.dates import format_date
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.cases import service as cases
from townsquare.cases.service import OPEN_STATUSES
from townsquare.db.deps import SessionDep
from townsquare.errors import not_found
from townsquare.residents import following, guests
from townsquare.web import i18n
from townsquare.web.i18n import gettext as _
from townsquare.web.portal.common import CurrentCitizen, MaybeCitizen
from townsquare.web.portal.content import service_text
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
MAX_REFERENCE = 40


def _status_words(status: object) -> str:
    value = str(getattr(status, "value", status))
    return {
        "new": _("Received"),
        "open": _("Received"),
        "in_progress": _("In progress"),
        "waiting_on_citizen": _("Waiting for information"),
        "resolved": _("Fixed"),
        "closed": _("Closed"),
        "cancelled": _("Closed"),
        "merged": _("Closed: a duplicate"),
    }.get(value, value.replace("_", " "))


@router.get("/reports/{reference}", response_class=HTMLResponse)
async def report_page(request: Request, session: SessionDep, citizen: MaybeCitizen, reference: str) -> Response:
    """One public report and its public history."""
    found = await cases.public_reports(session, references=[reference.strip().upper()[:MAX_REFERENCE]], limit=1)
    if not found:
        return templates.TemplateResponse(request, "portal/page_not_found.html", {}, status_code=404)
    case, service, _agency = found[0]

    def day(value: object) -> str:
        return format_date(value, format="d MMMM y", locale=i18n.current())  # type: ignore[arg-type]

    updates = [
        {"when": day(at.date()), "iso": at.date().isoformat(), "status": _status_words(status), "note": note}
        for at, status, note in await cases.public_updates(session, case_id=case.id)
    ]
    follow = await following.state(session, case_id=case.id, citizen_id=citizen.id if citizen else None)
    context = {
        "reported_by": follow.reported_by,
        "following": follow.following,
        "sent": request.query_params.get("sent") == "1",
        "followed": request.query_params.get("followed") == "1",
        "reference": case.reference,
        "service": service_text(service, "name"),
        "service_code": service.code,
        "address": case.address_string or "",
        "open": case.status in OPEN_STATUSES,
        "status": _status_words(case.status),
        "reported": day(case.created_at.date()),
        "reported_iso": case.created_at.date().isoformat(),
        "updates": updates,
        "notice": service_text(service, "notice"),
    }
    return templates.TemplateResponse(request, "portal/report.html", context)


async def _follow(session: SessionDep, citizen: MaybeCitizen, reference: str, *, me_too: bool) -> Response:
    """Follow now when the reader can be reached; else ask how to reach them first (no account needed)."""
    wanted = reference.strip().upper()[:MAX_REFERENCE]
    if citizen is None or not await guests.reachable(session, citizen_id=citizen.id):
        if not await following.is_public_report(session, reference=wanted):
            raise not_found("Report", "No public report has that reference.")
        return RedirectResponse(f"/contact?for={'metoo' if me_too else 'follow'}:{wanted}", status_code=303)
    found = await following.follow(session, reference=wanted, citizen_id=citizen.id, me_too=me_too)
    await session.commit()
    return RedirectResponse(f"/reports/{found}?followed=1", status_code=303)


@router.post("/reports/{reference}/follow")
async def follow(session: SessionDep, citizen: MaybeCitizen, reference: str) -> Response:
    """Hear about the report when it changes."""
    return await _follow(session, citizen, reference, me_too=False)


@router.post("/reports/{reference}/me-too")
async def me_too(session: SessionDep, citizen: MaybeCitizen, reference: str) -> Response:
    """Say you have the same problem: counted on the report, and you hear when it changes."""
    return await _follow(session, citizen, reference, me_too=True)


@router.post("/reports/{reference}/unfollow")
async def unfollow(session: SessionDep, citizen: CurrentCitizen, reference: str) -> Response:
    """Stop hearing about the report (a "me too" is withdrawn with it)."""
    found = await following.unfollow(session, reference=reference, citizen_id=citizen.id)
    await session.commit()
    return RedirectResponse(f"/reports/{found}", status_code=303)
