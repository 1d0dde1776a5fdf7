"""Error pages for people: a problem (404, 403, 422, 429, 500 ...) shown as a page of the portal, with its header
and footer, in the reader's language, and the ways on — search, every service, the support phone.

The API's problem details stay the machine answer (`api.problems`); the app hands this renderer to it for
browsers asking for HTML. What went wrong is said in the reader's words by status; the problem's own detail (in
English, written for developers as much as people) is shown as well on English pages.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from townsquare.errors import Problem
from townsquare.web import i18n
from townsquare.web.i18n import gettext as _
from townsquare.web.templating import templates


def _words(status: int) -> tuple[str, str]:
    """(title, what it means for the reader) for a status."""
    if status == 404:
        return _("Page not found"), _("If you typed the web address, check it is correct. The page may have moved.")
    if status in (401, 403):
        return _("You cannot see this page"), _("It may belong to someone else, or need you to sign in first.")
    if status == 429:
        return _("Too many tries"), _("Wait a few minutes, then try again.")
    if status in (400, 409, 413, 415, 422):
        return _("There is a problem"), _(
            "Something in what was sent could not be used. Go back, check it and try again."
        )
    if status >= 500:
        return _("Sorry, there is a problem with the service"), _("Nothing you sent was half-saved. Try again later.")
    return _("There is a problem"), _("Go back and try again.")


def render(request: Request, problem: Problem) -> Response:
    """The problem as a portal page with its status."""
    title, meaning = _words(problem.status)
    worded = problem.extra.get("worded")
    if isinstance(worded, str):  # a problem already put in the reader's words: its own title, its detail the meaning
        title, meaning = worded, problem.detail
    context = {
        "title": title,
        "meaning": meaning,
        "detail": problem.detail if i18n.current() == "en" else "",
        "errors": [(e.field, e.message) for e in problem.errors] if i18n.current() == "en" else [],
        "status": problem.status,
    }
    return templates.TemplateResponse(request, "portal/error.html", context, status_code=problem.status)
