"""Reports near you: the public reports of Open311 services on a map and, always, as a list; and the small
address lookup the location page's map uses.

Shows only what the Open311 API makes public (service, status, dates, address, point): never a name, an email,
a phone number or a description. The list is the page's real content; the map is drawn only when a tile URL is
set and JavaScript runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_date
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from townsquare.agencies import service as agencies
from townsquare.cases import service as cases
from townsquare.cases.service import OPEN_STATUSES
from townsquare.clock import utcnow
from townsquare.db import Session
from townsquare.db.deps import SessionDep
from townsquare.errors import FieldError, invalid
from townsquare.places import service as places
from townsquare.residents.types import Place, Service
from townsquare.settings import Settings
from townsquare.web import i18n
from townsquare.web.i18n import gettext as _
from townsquare.web.portal.common import MaybeCitizen, settings_of
from townsquare.web.portal.content import service_text
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)

MAX_REPORTS = 200  # newest first; the list and the map show the same reports
REPORT_DAYS = 90  # what Open311 lists by default
MAX_QUERY = 200
MIN_QUERY = 3
SUGGESTIONS = 8
STATUSES = ("open", "closed")
PAGE_SIZE = 20  # reports a page of the list shows (the map shows them all)


def map_settings(settings: Settings) -> dict[str, Any]:
    """What a page needs to draw a map: tiles (empty = no map at all), attribution, centre and zoom."""
    return {
        "tiles": settings.map_tile_url,
        "attribution": settings.map_tile_attribution,
        "lat": settings.map_centre_lat,
        "long": settings.map_centre_long,
        "zoom": settings.map_zoom,
    }


@dataclass(frozen=True)
class Report:
    """One public report as the page shows it."""

    reference: str
    service: str
    status: str  # "open" | "closed"
    status_text: str
    reported: str
    reported_iso: str
    address: str
    lat: float | None
    long: float | None

    def marker(self) -> dict[str, Any]:
        """The marker's data for the script (the popup is built from text, never from markup)."""
        return {
            "ref": self.reference,
            "service": self.service,
            "status": self.status_text,
            "reported": self.reported,
            "address": self.address,
            "lat": self.lat,
            "long": self.long,
        }


async def open311_services(session: Session) -> list[Service]:
    """The active services people report through Open311 and the map, by name."""
    return sorted(await agencies.open311_services(session), key=lambda s: (s.name, s.code))


async def public_reports(
    session: Session, *, services: list[Service], service_code: str | None, status: str | None
) -> list[Report]:
    """The newest reports of these services in the last 90 days, filtered by service and open/closed."""
    codes = [s.code for s in services if service_code in (None, s.code)]
    if not codes:
        return []
    rows = await cases.public_reports(
        session,
        service_codes=codes,
        status=status,
        since=utcnow() - timedelta(days=REPORT_DAYS),
        limit=MAX_REPORTS,
    )
    reports = []
    for case, service, _agency in rows:
        is_open = case.status in OPEN_STATUSES
        reports.append(
            Report(
                reference=case.reference,
                service=service_text(service, "name"),
                status="open" if is_open else "closed",
                status_text=_("Open") if is_open else _("Closed"),
                reported=format_date(case.created_at.date(), format="d MMMM y", locale=i18n.current()),
                reported_iso=case.created_at.date().isoformat(),
                address=case.address_string or "",
                lat=case.lat,
                long=case.long,
            )
        )
    return reports


def _choice(request: Request, name: str, allowed: set[str], message: str) -> str | None:
    value = request.query_params.get(name, "").strip()
    if not value:
        return None
    if value not in allowed:
        raise invalid(message, FieldError(name, "Not one of the choices."))
    return value


@router.get("/map", response_class=HTMLResponse)
async def reports_near_you(request: Request, session: SessionDep, citizen: MaybeCitizen) -> Response:
    """Reports near you: a filter, the map (with tiles and JavaScript), and the list of the same reports."""
    services = await open311_services(session)
    code = _choice(request, "service", {s.code for s in services}, "Choose one of the services listed.")
    status = _choice(request, "status", set(STATUSES), "Choose open or closed reports.")
    reports = await public_reports(session, services=services, service_code=code, status=status)
    pages = max(1, -(-len(reports) // PAGE_SIZE))
    raw_page = request.query_params.get("page", "1")
    page = int(raw_page) if raw_page.isdigit() and 1 <= int(raw_page) <= pages else 1
    filters = {k: v for k, v in (("service", code), ("status", status)) if v}
    context = {
        "map": map_settings(settings_of(request)),
        "services": [(s.code, service_text(s, "name")) for s in services],
        "chosen_service": code or "",
        "chosen_status": status or "",
        "reports": reports,
        "shown": reports[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        "page": page,
        "pages": pages,
        "page_url": lambda n: "/map?" + urlencode({**filters, "page": n}),
        "markers": [r.marker() for r in reports if r.lat is not None and r.long is not None],
    }
    return templates.TemplateResponse(request, "portal/map.html", context)


def _coordinate(request: Request, name: str, limit: float) -> float:
    try:
        return places.coordinate(request.query_params.get(name, ""), limit=limit)
    except ValueError:
        raise invalid(
            f"'{name}' must be a number between -{limit:g} and {limit:g}.", FieldError(name, "Not a coordinate.")
        ) from None


def _place_json(place: Place) -> dict[str, Any]:
    return {"address": place.address, "address_id": place.address_id, "lat": place.lat, "long": place.long}


@router.get("/map/places")
async def places_lookup(request: Request, session: SessionDep) -> Response:
    """The register's addresses: `?lat=&long=` → the nearest one (or none), `?q=` → up to 8 suggestions."""
    params = request.query_params
    if "q" in params:
        text = params["q"].strip()
        if len(text) > MAX_QUERY:
            raise invalid(f"'q' is at most {MAX_QUERY} characters.", FieldError("q", "Too long."))
        found = await places.suggest(session, text=text, limit=SUGGESTIONS) if len(text) >= MIN_QUERY else []
        return JSONResponse({"places": [_place_json(p) for p in found[:SUGGESTIONS]]})
    if "lat" in params or "long" in params:
        lat, long = _coordinate(request, "lat", 90), _coordinate(request, "long", 180)
        near = await places.nearest(session, lat=lat, long=long)
        return JSONResponse({"places": [_place_json(near)] if near is not None else []})
    raise invalid("Give 'q' (an address to complete) or 'lat' and 'long' (a point).")
