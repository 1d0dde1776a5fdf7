"""Help pages: every article by topic at /help; one knowledge article at /help/{slug}, in the page's language when
that variant is live, and the "did this answer your question?" form that records which version the resident read.

A page always shows the version live now, read from the database; an unknown, draft or withdrawn article is the
"page not found" page, never an error trace or an old text.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from babel.dates import format_date
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from townsquare.agencies import service as agencies
from townsquare.db.deps import SessionDep
from townsquare.knowledge import rendering
from townsquare.knowledge import service as knowledge
from townsquare.knowledge.service import LiveArticle
from townsquare.residents import guidance, visits
from townsquare.residents.types import LANGUAGES
from townsquare.web import i18n
from townsquare.web.i18n import gettext as _
from townsquare.web.portal.common import MaybeCitizen
from townsquare.web.portal.content import agency_text, service_text
from townsquare.web.portal.services import contact_of
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
MAX_SLUG = 120
WEB = "web"
ANSWERS = {"yes": True, "no": False}
# Each invitation is written in the language it offers, whatever the page's language.
READ_IN = {"en": "Read this page in English", "fr": "Lire cette page en français"}


# Sanitised Markdown has bare tags; give them the GOV.UK styles. The article's title is the page's only h1.
_GOVUK_TAGS = {
    "<h1>": '<h2 class="govuk-heading-l">',
    "</h1>": "</h2>",
    "<h2>": '<h2 class="govuk-heading-m">',
    "<h3>": '<h3 class="govuk-heading-s">',
    "<p>": '<p class="govuk-body">',
    "<ul>": '<ul class="govuk-list govuk-list--bullet">',
    "<ol>": '<ol class="govuk-list govuk-list--number">',
    "<table>": '<table class="govuk-table">',
    "<th>": '<th class="govuk-table__header">',
    "<td>": '<td class="govuk-table__cell">',
    "<tr>": '<tr class="govuk-table__row">',
    "<blockquote>": '<blockquote class="govuk-inset-text">',
    "<a ": '<a class="govuk-link" ',
}
_BARE_TAG = re.compile("|".join(re.escape(tag) for tag in _GOVUK_TAGS))


def govuk_html(html: Markup) -> Markup:
    """Sanitised article HTML with GOV.UK Frontend classes on its headings, paragraphs, lists, tables and links."""
    return Markup(_BARE_TAG.sub(lambda m: _GOVUK_TAGS[m.group(0)], str(html)))  # noqa: S704 - already sanitised


def _not_found(request: Request) -> Response:
    return templates.TemplateResponse(request, "portal/help_not_found.html", {}, status_code=404)


async def _shown(session: SessionDep, live: LiveArticle) -> tuple[LiveArticle, list[LiveArticle]]:
    """The variant to show in the page's language (the article itself when that one is not live), and the live
    variants in the other languages."""
    variants: dict[str, LiveArticle] = {live.language: live}
    for language in LANGUAGES:
        if language != live.language:
            variant = await knowledge.live_variant(session, group_id=live.group_id, language=language)
            if variant is not None:
                variants[language] = variant
    shown = variants.get(i18n.current(), live)
    return shown, [v for code, v in sorted(variants.items()) if code != shown.language]


async def _page(
    request: Request,
    session: SessionDep,
    live: LiveArticle,
    *,
    answered: str | None = None,
    error: str | None = None,
) -> Response:
    shown, others = await _shown(session, live)
    catalogue = await agencies.list_services(session)
    by_code = {s.code: s for s in catalogue}
    related = [
        {"name": service_text(by_code[code], "name"), "url": f"/services/{code}"}
        for code in shown.service_codes
        if code in by_code
    ]
    agency = (await agencies.agencies_by_id(session, ids={shown.agency_id})).get(shown.agency_id)
    context: dict[str, Any] = {
        "article": shown,
        "body_html": govuk_html(rendering.body_html(shown.body)),
        "updated": format_date(shown.updated_on, format="d MMMM y", locale=i18n.current()),
        "related": related,
        "others": [{"language": v.language, "slug": v.slug, "label": READ_IN.get(v.language, v.title)} for v in others],
        "agency": agency,
        "contact": contact_of(agency) if agency is not None else None,
        "answered": answered if answered in ANSWERS else None,
        "error": error,
        "error_count": 1 if error else 0,
    }
    return templates.TemplateResponse(request, "portal/help_article.html", context, status_code=422 if error else 200)


@router.get("/help", response_class=HTMLResponse)
async def index(request: Request, session: SessionDep, citizen: MaybeCitizen) -> Response:
    """Every live help page, by topic (the group of the service it is about, else its agency), in the page's
    language when that variant is live."""
    language = i18n.current()
    chosen: dict[Any, LiveArticle] = {}
    for live in await knowledge.live_all(session):
        kept = chosen.get(live.group_id)
        if kept is None or (live.language == language and kept.language != language):
            chosen[live.group_id] = live
    by_code = {s.code: s for s in await agencies.list_services(session)}
    owners = await agencies.agencies_by_id(session, ids={a.agency_id for a in chosen.values()})
    topics: dict[str, list[LiveArticle]] = {}
    for live in chosen.values():
        groups = [service_text(by_code[c], "group") for c in live.service_codes if c in by_code]
        owner = owners.get(live.agency_id)
        topic = next((g for g in groups if g), "") or (agency_text(owner, "name") if owner else "")
        topics.setdefault(topic, []).append(live)
    ordered = [
        (name or _("Other help"), sorted(items, key=lambda a: a.title.casefold()))
        for name, items in sorted(topics.items(), key=lambda pair: (not pair[0], pair[0].casefold()))
    ]
    return templates.TemplateResponse(request, "portal/help_index.html", {"topics": ordered})


@router.get("/help/{slug}", response_class=HTMLResponse)
async def article_page(
    request: Request, session: SessionDep, citizen: MaybeCitizen, slug: str, answered: str | None = None
) -> Response:
    """The article live today, in the page's language when that variant is live; `answered` thanks the reader."""
    live = await knowledge.live_by_slug(session, slug=slug[:MAX_SLUG])
    if live is None:
        return _not_found(request)
    if citizen is not None:
        await visits.looked_at_help(session, citizen=citizen, article=live)
    return await _page(request, session, live, answered=answered)


@router.post("/help/{slug}/feedback", response_class=HTMLResponse)
async def feedback(
    request: Request,
    session: SessionDep,
    citizen: MaybeCitizen,
    slug: str,
    helpful: Annotated[str, Form(max_length=8)] = "",
    version: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Record that the web answered with this version, and whether it helped; then thank the reader."""
    read = await guidance.read_version(session, slug=slug[:MAX_SLUG], version=version)
    if read is None:
        return _not_found(request)
    if helpful not in ANSWERS:
        return await _page(request, session, read, error=_("Select yes if this answered your question, or no"))
    answer = await knowledge.record_answer(session, live=read, channel=WEB, confidence=None)
    await knowledge.record_feedback(session, answer_id=answer.id, helpful=ANSWERS[helpful])
    await session.commit()
    if citizen is not None and not ANSWERS[helpful]:
        await visits.looked_at_help(session, citizen=citizen, article=read, helped=False)
    return RedirectResponse(f"/help/{read.slug}?answered={helpful}#feedback", status_code=303)
