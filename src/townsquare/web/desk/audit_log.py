"""The administrators' view of the audit log at /desk/audit: rows filtered by person (the member of staff who
acted, or the resident a row is about), agency, action, subject and dates, newest first a page at a time, and the
same rows as a CSV file (streamed, up to a limit the page states).

Administrators read every row, agency administrators the rows of their agencies. Reading and exporting are
themselves audited with the filters used (`staff.audit_reads`). Translates only.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from townsquare.db import Session
from townsquare.db.deps import SessionDep
from townsquare.errors import Problem
from townsquare.routing.admin_common import agencies_of
from townsquare.staff import audit_reads
from townsquare.staff.audit_reads import EXPORT_LIMIT, PAGE_SIZE, AuditFilters
from townsquare.staff.auth import Principal
from townsquare.web.desk import audit_words
from townsquare.web.desk.admin_forms import Administrator, page

router = APIRouter(include_in_schema=False)
FILTER_KEYS = ("staff", "resident", "agency", "action", "subject_kind", "subject_id", "from", "to")
CSV_HEADER = [
    "occurred_at",
    "actor_kind",
    "actor_id",
    "actor",
    "action",
    "subject_kind",
    "subject_id",
    "citizen_id",
    "agency_id",
    "purpose",
]


def _query(request: Request) -> dict[str, str]:
    return {k: request.query_params.get(k, "")[:80] for k in FILTER_KEYS}


@router.get("/desk/audit", response_class=HTMLResponse)
async def audit_page(request: Request, session: SessionDep, me: Administrator) -> Response:
    """The rows the filters match, newest first; reading them is audited."""
    query = _query(request)
    agencies = await agencies_of(session, me)
    error: Problem | None = None
    found = None
    try:
        filters = audit_reads.read_filters(query)
        found = await audit_reads.read_page(session, me=me, filters=filters, before=request.query_params.get("before"))
    except Problem as exc:
        if exc.status != 422:
            raise
        error = exc
    context = {
        "me": me,
        "query": query,
        "found": found,
        "agencies": [(str(a.id), a.name) for a in agencies],
        "agency_names": {a.id: a.name for a in agencies},
        "people": [(str(k), v) for k, v in await audit_reads.staff_choices(session, me)],
        "actions": sorted(audit_words.actions().items(), key=lambda kv: kv[1]),
        "subjects": sorted(audit_words.subjects().items(), key=lambda kv: kv[1]),
        "page_size": PAGE_SIZE,
        "export_limit": EXPORT_LIMIT,
        "filters_query": urlencode({k: v for k, v in query.items() if v}),
    }
    return page(request, "desk/audit_log.html", context, error=error)


def _cell(text: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


async def _lines(session: Session, me: Principal, filters: AuditFilters) -> AsyncIterator[str]:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    async for row, name in audit_reads.export_rows(session, me=me, filters=filters):
        writer.writerow(
            [
                row.occurred_at.isoformat(),
                row.actor_kind,
                row.actor_id or "",
                _cell(name),
                row.action,
                row.subject_kind,
                _cell(row.subject_id or ""),
                row.citizen_id or "",
                row.agency_id or "",
                _cell(row.purpose),
            ]
        )
        if out.tell() > 64_000:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


@router.get("/desk/audit.csv")
async def audit_csv(request: Request, session: SessionDep, me: Administrator) -> Response:
    """The rows the filters match as CSV, newest first, at most `EXPORT_LIMIT`, streamed in the request's session
    (which stays open until the response is sent); the export is audited before the first row is read."""
    filters = audit_reads.read_filters(_query(request))
    return StreamingResponse(
        _lines(session, me, filters),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"', "Cache-Control": "no-store"},
    )
