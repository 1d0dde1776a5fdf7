"""The portal's front door: the home page, search (services and help articles), the service catalogue and each
service's page.

Searches are remembered only for a signed-in resident (never for anyone else), so they follow that person to
any device. Unknown or withdrawn services are a "Page not found" page, never an error trace.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import phonenumbers
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.agencies import service as agencies
from townsquare.citizens import searches
from townsquare.db.deps import SessionDep
from townsquare.drafts import service as drafts
from townsquare.errors import Problem
from townsquare.residents import visits
from townsquare.residents.types import Agency, Citizen, Service
from townsquare.web import i18n, times
from townsquare.web.i18n import gettext as _
from townsquare.web.i18n import ngettext
from townsquare.web.portal.common import CurrentCitizen, MaybeCitizen, safe_next, settings_of
from townsquare.web.portal.content import agency_text, attribute_text, service_text
from townsquare.web.templating import templates

if TYPE_CHECKING:  # the index is the app's (app.state.knowledge); only its types are needed here
    from townsquare.knowledge.search import Hit, KnowledgeIndex

router = APIRouter(include_in_schema=False)

RECENT_DRAFTS = 5
ARTICLE_RESULTS = 5


@dataclass(frozen=True)
class SearchResult:
    """One search hit, whatever it is: a service or a knowledge article (`kind` "service" or "guidance").

    An article also names the version found (`version`) and its language (it may differ from the page's)."""

    title: str
    url: str
    summary: str
    kind: str
    version: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class Contact:
    """How to reach an agency other than through the portal."""

    name: str
    phone: str | None
    phone_link: str | None
    email: str | None


def _phone(value: str | None) -> tuple[str | None, str | None]:
    """A phone number as people read it, and its `tel:` link."""
    if not value:
        return None, None
    try:
        number = phonenumbers.parse(value, None if value.startswith("+") else "CA")
    except phonenumbers.NumberParseException:
        return value, None
    readable = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return readable, "tel:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def contact_of(agency: Agency) -> Contact:
    """The agency's phone and email, ready for a page."""
    phone, link = _phone(agency.phone)
    return Contact(name=agency_text(agency, "name"), phone=phone, phone_link=link, email=agency.email)


def usually(hours: int | None) -> str | None:
    """How long a service usually takes, from its SLA target: "usually within 3 working days"."""
    if not hours or hours <= 0:
        return None
    if hours < 24:
        return ngettext("Usually within %(num)d working hour", "Usually within %(num)d working hours", hours) % {
            "num": hours
        }
    days = math.ceil(hours / 24)
    return ngettext("Usually within %(num)d working day", "Usually within %(num)d working days", days) % {"num": days}


def _service_results(services: list[Service]) -> list[SearchResult]:
    return [
        SearchResult(
            title=service_text(s, "name"),
            url=f"/services/{s.code}",
            summary=service_text(s, "description"),
            kind="service",
        )
        for s in services
    ]


def _article_results(hits: list[Hit]) -> list[SearchResult]:
    return [
        SearchResult(
            title=h.title,
            url=f"/help/{h.slug}",
            summary=h.summary or h.short_answer,
            kind="guidance",
            version=str(h.version_id),
            language=h.language,
        )
        for h in hits
    ]


async def _search_everything(request: Request, session: SessionDep, query: str) -> list[SearchResult]:
    """Knowledge articles and services for one query: confident articles first, then services, then the rest."""
    index: KnowledgeIndex = request.app.state.knowledge
    hits = await index.search(session, query, language=i18n.current(), limit=ARTICLE_RESULTS)
    threshold = settings_of(request).assistant_confidence
    confident = [h for h in hits if h.confidence >= threshold]
    weaker = [h for h in hits if h.confidence < threshold]
    found = await agencies.search_services(session, query=query, language=i18n.current())
    return _article_results(confident) + _service_results(found) + _article_results(weaker)


def _groups(services: list[Service]) -> list[tuple[str, list[SearchResult]]]:
    """Services by their group (in the page's language), alphabetical; services with no group come last."""
    grouped: dict[str, list[Service]] = {}
    for service in services:
        grouped.setdefault(service_text(service, "group"), []).append(service)
    return [
        (name or _("Other services"), sorted(_service_results(items), key=lambda r: r.title.casefold()))
        for name, items in sorted(grouped.items(), key=lambda pair: (not pair[0], pair[0].casefold()))
    ]


def _not_found(request: Request) -> Response:
    return templates.TemplateResponse(request, "portal/page_not_found.html", {}, status_code=404)


async def continue_where_left_off(
    session: SessionDep, citizen: Citizen, *, limit: int = RECENT_DRAFTS
) -> list[dict[str, Any]]:
    """The resident's open drafts of active services: name, when last saved, where to continue."""
    open_drafts = await drafts.recent(session, citizen_id=citizen.id, limit=limit)
    services = await agencies.services_by_id(session, ids={d.service_id for d in open_drafts})
    items = []
    for draft in open_drafts:
        service = services.get(draft.service_id)
        if service is None or not service.active:
            continue
        items.append(
            {
                "name": service_text(service, "name"),
                "saved": times.when(draft.updated_at),
                "url": f"/services/{service.code}/apply",
            }
        )
    return items


async def _contacts(session: SessionDep) -> list[Contact]:
    return [contact_of(a) for a in await agencies.list_agencies(session) if a.phone or a.email]


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, session: SessionDep, citizen: MaybeCitizen) -> Response:
    """One search box, where the resident left off, their recent searches, and every service by topic."""
    catalogue = await agencies.list_services(session)
    context: dict[str, Any] = {
        "groups": _groups(catalogue),
        "drafts": [],
        "recent_searches": [],
        "contacts": await _contacts(session),
    }
    if citizen is not None:
        context["drafts"] = await continue_where_left_off(session, citizen)
        context["recent_searches"] = [s.query for s in await searches.recent(session, citizen_id=citizen.id)]
    return templates.TemplateResponse(request, "portal/home.html", context)


@router.get("/services", response_class=HTMLResponse)
async def catalogue(request: Request, session: SessionDep) -> Response:
    """Every active service, by the agency that runs it and then by topic."""
    services = await agencies.list_services(session)
    by_agency: list[tuple[Agency, list[tuple[str, list[SearchResult]]]]] = []
    for agency in await agencies.list_agencies(session):
        mine = [s for s in services if s.agency_id == agency.id]
        if mine:
            by_agency.append((agency, _groups(mine)))
    return templates.TemplateResponse(request, "portal/services.html", {"by_agency": by_agency})


async def _has_open_draft(session: SessionDep, citizen: Citizen | None, service_id: uuid.UUID) -> bool:
    if citizen is None:
        return False
    open_drafts = await drafts.recent(session, citizen_id=citizen.id, limit=drafts.MAX_RECENT)
    return any(d.service_id == service_id for d in open_drafts)


@router.get("/services/{code}", response_class=HTMLResponse)
async def service_page(request: Request, session: SessionDep, citizen: MaybeCitizen, code: str) -> Response:
    """What the service is, what you will be asked, how long it takes, how to start, and other ways to do it."""
    try:
        service = await agencies.get_service(session, code=code[:64])
    except Problem:
        return _not_found(request)
    if not service.active:
        return _not_found(request)
    agency = (await agencies.agencies_by_id(session, ids={service.agency_id})).get(service.agency_id)
    questions = [
        {
            "text": attribute_text(a, "description"),
            "hint": attribute_text(a, "datatype_description"),
            "required": a.required,
        }
        for a in service.attributes
        if a.variable
    ]
    context = {
        "service": service,
        "name": service_text(service, "name"),
        "description": service_text(service, "description"),
        "questions": questions,
        "usually": usually(service.sla_target_hours),
        "has_draft": await _has_open_draft(session, citizen, service.id),
        "contact": contact_of(agency) if agency is not None else None,
    }
    if citizen is not None:
        await visits.looked_at_service(session, citizen=citizen, service=service)
    return templates.TemplateResponse(request, "portal/service.html", context)


@router.get("/search", response_class=HTMLResponse)
async def search(request: Request, session: SessionDep, citizen: MaybeCitizen, q: str | None = None) -> Response:
    """Results for the words in `q`; a blank submitted search explains what to do instead."""
    context: dict[str, Any] = {"q": None, "results": [], "error": None, "recent_searches": []}
    if q is None:
        if citizen is not None:
            context["recent_searches"] = [s.query for s in await searches.recent(session, citizen_id=citizen.id)]
        return templates.TemplateResponse(request, "portal/search.html", context)
    query = searches.tidy(q)
    if not query:
        context.update(q="", error=_("Enter one or more words to search for, like “pothole” or “parking”"))
        context["error_count"] = 1
        return templates.TemplateResponse(request, "portal/search.html", context, status_code=422)
    found = await _search_everything(request, session, query)
    if citizen is not None:
        await visits.remember_search(session, citizen_id=citizen.id, query=query)
    context.update(q=query, results=found)
    if not found:
        catalogue = await agencies.list_services(session)
        context["suggestions"] = sorted({service_text(s, "group") for s in catalogue} - {""}, key=str.casefold)
        context["contacts"] = await _contacts(session)
    return templates.TemplateResponse(request, "portal/search.html", context)


@router.post("/search/recent/clear")
async def clear_recent_searches(
    session: SessionDep, citizen: CurrentCitizen, next: Annotated[str, Form(max_length=500)] = "/"
) -> Response:
    """Forget the resident's recent searches, on every device, and go back to where they were."""
    await searches.clear(session, citizen_id=citizen.id)
    await session.commit()
    return RedirectResponse(safe_next(next, "/"), status_code=303)
