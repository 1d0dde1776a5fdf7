"""Open data, for anyone: /open-data lists the published datasets (when, how big, how many rows, the downloads
and every field's meaning), /open-data/dashboard shows the requests' figures as tables, and
/open-data/files/{filename} serves the files — rate-limited per client and cacheable (ETag, Last-Modified).

Reads the export's files only (`analytics.open_data.views`), never the cases: a page view costs the same in any
city, and nothing here can show more than the files already publish.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response, StreamingResponse

from townsquare.analytics.open_data import views
from townsquare.analytics.open_data.dashboard import Dashboard
from townsquare.analytics.open_data.fields import PACKAGE
from townsquare.analytics.open_data.files import directory
from townsquare.db.deps import SessionDep
from townsquare.web import i18n
from townsquare.web.i18n import gettext as _
from townsquare.web.portal import limits
from townsquare.web.portal.common import MaybeCitizen, settings_of
from townsquare.web.portal.content import service_text
from townsquare.web.portal.map import open311_services
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
CACHE = "public, max-age=3600"  # the files change once a day; a validator answers the rest


def channel_label(channel: str) -> str:
    """How the public page names a channel."""
    return {
        "web": _("Website"),
        "mobile": _("Mobile app"),
        "voice": _("Phone"),
        "sms": _("Text message"),
        "email": _("Email"),
        "chat": _("Chat"),
        "social": _("Social media"),
        "counter": _("In person"),
        "mail": _("Post"),
        "api": _("Apps and integrations (Open311)"),
    }.get(channel, channel)


def type_label(kind: str) -> str:
    """A Table Schema type in words."""
    return {
        "string": _("Text"),
        "integer": _("Whole number"),
        "number": _("Number"),
        "boolean": _("true or false"),
        "date": _("A day"),
        "datetime": _("A day and a time"),
    }.get(kind, kind)


def size_text(size: int) -> str:
    """A file size in kilobytes or megabytes, in the reader's language."""
    locale = i18n.current()
    if size < 1024 * 1024:
        return _("%(size)s KB") % {"size": format_decimal(max(size / 1024, 0.1), "#,##0.#", locale=locale)}
    return _("%(size)s MB") % {"size": format_decimal(size / (1024 * 1024), "#,##0.#", locale=locale)}


def _zone(figures: Dashboard | None) -> ZoneInfo:
    try:
        return ZoneInfo(figures.timezone if figures else "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _when(value: datetime, zone: ZoneInfo) -> str:
    return format_datetime(value, format="medium", locale=i18n.current(), tzinfo=zone)


def _week(value: date) -> str:
    """The Monday a week starts on, short enough for a phone's table (the year is in the `time` element)."""
    return format_date(value, format="d MMM", locale=i18n.current())


def _number(value: float | None) -> str:
    return _("none") if value is None else format_decimal(value, "#,##0.#", locale=i18n.current())


@router.get("/open-data", response_class=HTMLResponse)
async def open_data(request: Request, citizen: MaybeCitizen) -> Response:
    """The published datasets, their downloads and their data dictionary."""
    folder = directory(settings_of(request))
    published = views.published(folder)
    figures = views.dashboard(folder)
    context: dict[str, Any] = {
        "published": published,
        "created": _when(published.created, _zone(figures)) if published else "",
        "created_iso": published.created.isoformat() if published else "",
        "package": PACKAGE,
        "size_text": size_text,
        "type_label": type_label,
        "number": _number,
    }
    return templates.TemplateResponse(request, "portal/open_data.html", context)


@router.get("/open-data/dashboard", response_class=HTMLResponse)
async def dashboard(request: Request, session: SessionDep, citizen: MaybeCitizen) -> Response:
    """Requests opened and closed per service by week, median days to close, and how requests came in."""
    figures = views.dashboard(directory(settings_of(request)))
    names = {s.code: service_text(s, "name") for s in await open311_services(session)}
    context: dict[str, Any] = {
        "figures": figures,
        "created": _when(figures.generated_at, _zone(figures)) if figures else "",
        "service_name": lambda code, name: names.get(code, name),
        "channel_label": channel_label,
        "week": _week,
        "number": _number,
        "percent": lambda share: format_percent(share, locale=i18n.current()),
    }
    return templates.TemplateResponse(request, "portal/open_data_dashboard.html", context)


@router.get("/open-data/files/{filename}")
async def download(request: Request, citizen: MaybeCitizen, filename: str) -> Response:
    """A published file as it is, for anyone (an open data portal, a civic hacker's script)."""
    settings = settings_of(request)
    decision = await limits.limiter_of(request).hit(
        "open_data", limits.client_of(request), settings.open_data_rate_limit_per_minute
    )
    if not decision.allowed:
        message = _("Too many downloads from your network. Wait a minute, then try again.")
        return PlainTextResponse(message, status_code=429, headers={"Retry-After": str(decision.retry_after)})
    found = views.open_file(directory(settings), filename)
    if found is None:
        return templates.TemplateResponse(request, "portal/page_not_found.html", {}, status_code=404)
    headers = {
        "ETag": found.etag,
        "Last-Modified": found.last_modified,
        "Cache-Control": CACHE,
        "Access-Control-Allow-Origin": "*",  # public data: a page on any site may read it (no cookies are sent)
    }
    if found.not_modified(request.headers.get("if-none-match"), request.headers.get("if-modified-since")):
        found.close()
        return Response(status_code=304, headers=headers)
    headers["Content-Length"] = str(found.size)
    if filename.endswith(".csv"):
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return StreamingResponse(found.chunks(), media_type=found.media_type, headers=headers)
