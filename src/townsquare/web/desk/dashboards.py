"""The dashboards at /desk/analytics: volume by channel, journeys and their measures, channel shift and cost to
serve, for supervisors and administrators, over their own agencies; each figure also as CSV.

The filters are a plain GET form, so every view has an address that can be bookmarked or shared; charts are SVG
drawn on the server, each beside the table of its numbers.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Annotated

from babel.dates import format_date
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.casework import analytics_settings, dashboard_csv, dashboards
from townsquare.casework.analytics_settings import SettingsForm
from townsquare.casework.dashboards import SMALL, Dashboard
from townsquare.db.deps import SessionDep
from townsquare.errors import Problem
from townsquare.staff.auth import Principal
from townsquare.web import i18n
from townsquare.web.desk import charts
from townsquare.web.desk.common import admins_only, settings_of, supervisors_only
from townsquare.web.desk.words import channel_words
from townsquare.web.i18n import gettext as _
from townsquare.web.portal.map import map_settings
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
Director = Annotated[Principal, Depends(supervisors_only("The dashboards"))]
Admin = Annotated[Principal, Depends(admins_only("The measures' settings"))]


def month_name(day: date) -> str:
    """`2026-03-01` → "March 2026" (or "mars 2026")."""
    return str(format_date(day, format="LLLL y", locale=i18n.current()))


def bucket_label(day: date, period: str) -> str:
    """A bucket's first day as a row or an axis names it: a month by name, a week or a day by its date."""
    if period == "month":
        return str(format_date(day, format="LLL y", locale=i18n.current()))
    return str(format_date(day, format="d MMM y", locale=i18n.current()))


templates.env.globals["language_name"] = i18n.language_name
templates.env.filters["month_name"] = month_name
templates.env.filters["bucket_label"] = bucket_label
UNSAFE_CSV_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run such a cell as a formula


class Filters:
    """The dashboard's GET filters, all optional."""

    def __init__(
        self,
        since: Annotated[str | None, Query(alias="from", max_length=10)] = None,
        until: Annotated[str | None, Query(alias="to", max_length=10)] = None,
        period: Annotated[str | None, Query(max_length=8)] = None,
        agency: Annotated[str | None, Query(max_length=36)] = None,
        service: Annotated[str | None, Query(max_length=36)] = None,
        channel: Annotated[str | None, Query(max_length=16)] = None,
    ) -> None:
        self.values = {
            "since": since,
            "until": until,
            "period": period,
            "agency": agency,
            "service": service,
            "channel": channel,
        }


FiltersDep = Annotated[Filters, Depends()]


def _charts(board: Dashboard) -> dict[str, str]:
    labels = [bucket_label(b, board.scope.period) for b in board.volume.buckets]
    journeys = [board.journeys.by_bucket.get(b) for b in board.volume.buckets]
    return {
        "volume": charts.stacked_bars(
            _("Contacts by channel"),
            labels,
            {channel_words(c): [board.volume.count(b, c) for b in board.volume.buckets] for c in board.volume.channels},
        ),
        "journeys": charts.lines(
            _("Journey measures"),
            labels,
            {
                _("Resolved at first contact"): [j.fcr_rate if j else None for j in journeys],
                _("Repeat contacts"): [j.repeat_rate if j else None for j in journeys],
                _("Avoidable contacts"): [j.avoidable_rate if j else None for j in journeys],
            },
            percent=True,
        ),
    }


@router.get("/desk/analytics", response_class=HTMLResponse)
async def analytics_page(request: Request, session: SessionDep, me: Director, filters: FiltersDep) -> Response:
    """Volume, journeys, channel shift and cost to serve for the chosen agencies, services, channel and period."""
    board = await dashboards.dashboard(session, me, **filters.values)
    query = request.url.query
    context = {
        "me": me,
        "board": board,
        "charts": _charts(board),
        "query": query,
        "map": map_settings(settings_of(request)),
        "small": SMALL,
    }
    return templates.TemplateResponse(request, "desk/analytics.html", context)


def _cell(value: str) -> str:
    return "'" + value if value.startswith(UNSAFE_CSV_START) else value


def _settings_page(
    request: Request, me: Principal, form: SettingsForm, *, error: Problem | None = None, saved: str | None = None
) -> Response:
    context = {"me": me, "form": form, "channels": analytics_settings.CHANNELS, "error": error, "saved": saved}
    status = error.status if error else 200
    return templates.TemplateResponse(request, "desk/analytics_settings.html", context, status_code=status)


@router.get("/desk/analytics/settings", response_class=HTMLResponse)
async def settings_page(request: Request, session: SessionDep, me: Admin) -> Response:
    """The journey window, the contact gap, the time zone and the costs the measures use."""
    saved = request.query_params.get("saved")
    form = await analytics_settings.current_form(session)
    return _settings_page(request, me, form, saved=saved if saved in ("yes", "refold") else None)


@router.post("/desk/analytics/settings", response_class=HTMLResponse)
async def save_settings(request: Request, session: SessionDep, me: Admin) -> Response:
    """Save them; a changed window, gap or time zone has every journey folded again by the worker."""
    raw = await request.form()

    def field(name: str, limit: int = 300) -> str:
        return str(raw.get(name, ""))[:limit]

    form = SettingsForm(
        window_days=field("window_days", 10),
        contact_gap_minutes=field("contact_gap_minutes", 10),
        timezone=field("timezone", 64),
        currency=field("currency", 8),
        staff_cost_per_hour=field("staff_cost_per_hour", 20),
        unit_cost_source=field("unit_cost_source"),
        unit_costs={c: field(f"unit-{c}", 20) for c in analytics_settings.CHANNELS},
    )
    try:
        refold = await analytics_settings.save(session, me=me, form=form)
    except Problem as problem:
        await session.rollback()
        return _settings_page(request, me, form, error=problem)
    return RedirectResponse(f"/desk/analytics/settings?saved={'refold' if refold else 'yes'}", status_code=303)


@router.get("/desk/analytics/{figure}.csv")
async def analytics_csv(figure: str, session: SessionDep, me: Director, filters: FiltersDep) -> Response:
    """One figure of the dashboard, for the same filters, as CSV (UTF-8 with a byte-order mark for spreadsheets)."""
    if figure not in dashboards.FIGURES:
        return Response(f"There is no figure '{figure[:40]}'.", status_code=404, media_type="text/plain")
    board = await dashboards.dashboard(session, me, **filters.values)
    header, rows = dashboard_csv.csv_rows(board, figure)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    name = f"townsquare-{figure}-{board.scope.since.isoformat()}-{board.scope.until.isoformat()}.csv"
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
