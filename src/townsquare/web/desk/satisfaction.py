"""Satisfaction results at /desk/satisfaction: CSAT, average score and response rate per channel, service, agency,
agent or assistant article, filtered by agency, service, channel and period; the comments, searched; each table
as CSV. Supervisors and admins only, within their agencies; reading comments is written to the access log by the
use case (`analytics.surveys.desk`) before the page leaves.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from townsquare.analytics.surveys import desk as surveys
from townsquare.analytics.surveys.results import By, Result
from townsquare.db.deps import SessionDep
from townsquare.engagement.access import purpose
from townsquare.staff.auth import Principal
from townsquare.web.desk.common import supervisors_only
from townsquare.web.i18n import gettext as _
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
Supervisor = Annotated[Principal, Depends(supervisors_only("Satisfaction results"))]
Words = Annotated[str, Query(max_length=200)]


def _filters(
    agency: Annotated[str, Query(max_length=40)] = "",
    service: Annotated[str, Query(max_length=40)] = "",
    channel: Annotated[str, Query(max_length=16)] = "",
    since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
) -> surveys.Filters:
    """The filters as typed; one that does not read (a bad date, an unknown id) is no filter."""
    return surveys.Filters(
        agency_id=_uuid(agency),
        service_id=_uuid(service),
        channel=channel if channel in surveys.CHANNELS else None,
        since=_day(since),
        until=_day(until),
    )


Filtered = Annotated[surveys.Filters, Depends(_filters)]


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _by(value: str) -> By:
    return By(value) if value in By.__members__ else By.channel


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f} %"


def by_label(by: By) -> str:
    return {
        By.channel: _("Channel"),
        By.service: _("City service"),
        By.agency: _("Agency"),
        By.agent: _("Agent"),
        By.article: _("Assistant article"),
    }[by]


def _context(request: Request, filters: surveys.Filters) -> dict[str, object]:
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "by"]

    def regroup(by: By) -> str:
        return urlencode([*kept, ("by", by.value)])

    return {
        "regroup": regroup,
        "filters": filters,
        "channels": surveys.CHANNELS,
        "query": request.url.query,
        "percent": _percent,
        "by_label": by_label,
        "groupings": list(By),
    }


@router.get("/desk/satisfaction", response_class=HTMLResponse)
async def results_page(
    request: Request,
    session: SessionDep,
    me: Supervisor,
    filters: Filtered,
    by: Annotated[str, Query(max_length=16)] = "channel",
) -> Response:
    """CSAT, average and response rate, grouped as chosen, with the filters."""
    view = await surveys.read_results(session, me=me, filters=filters, by=_by(by))
    return templates.TemplateResponse(request, "desk/satisfaction.html", {**_context(request, filters), "view": view})


@router.get("/desk/satisfaction/results.csv")
async def results_csv(
    request: Request,
    session: SessionDep,
    me: Supervisor,
    filters: Filtered,
    by: Annotated[str, Query(max_length=16)] = "channel",
) -> Response:
    """The same table as CSV (ratios as fractions, so a spreadsheet formats them)."""
    view = await surveys.read_results(session, me=me, filters=filters, by=_by(by))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([view.by.value, "key", "sent", "answered", "response_rate", "csat", "average_score"])
    for row in [*view.rows, view.total]:
        label = row.label if row is not view.total else "total"
        writer.writerow([_cell(label), row.key or "", row.sent, row.answered, *_ratios(row)])
    return _csv(out.getvalue(), f"satisfaction-by-{view.by.value}.csv")


@router.get("/desk/satisfaction/comments", response_class=HTMLResponse)
async def comments_page(
    request: Request, session: SessionDep, me: Supervisor, filters: Filtered, q: Words = ""
) -> Response:
    """Comments people left, containing the words searched for, newest first (each one shown is audited)."""
    view = await surveys.read_comments(session, me=me, filters=filters, words=q, purpose=purpose(request))
    context = {**_context(request, filters), "view": view}
    return templates.TemplateResponse(request, "desk/satisfaction_comments.html", context)


@router.get("/desk/satisfaction/comments.csv")
async def comments_csv(
    request: Request, session: SessionDep, me: Supervisor, filters: Filtered, q: Words = ""
) -> Response:
    """The comments found, as CSV (each one exported is audited)."""
    view = await surveys.read_comments(session, me=me, filters=filters, words=q, purpose=purpose(request))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["survey_id", "answered_at", "channel", "service", "agent", "score", "comment"])
    for c in view.comments:
        at = c.answered_at.isoformat() if c.answered_at else ""
        writer.writerow(
            [c.survey_id, at, c.channel, _cell(c.service or ""), _cell(c.agent or ""), c.score or "", _cell(c.comment)]
        )
    return _csv(out.getvalue(), "satisfaction-comments.csv")


def _ratios(row: Result) -> list[str]:
    return [
        "" if row.response_rate is None else f"{row.response_rate:.4f}",
        "" if row.csat is None else f"{row.csat:.4f}",
        "" if row.average is None else f"{row.average:.2f}",
    ]


def _cell(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (people's words are data, never instructions)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv(body: str, name: str) -> Response:
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
