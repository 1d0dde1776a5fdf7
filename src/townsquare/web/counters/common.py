"""What the kiosk and the display share: the language a page asks for (`?lang=`, so a shared tablet or screen
never keeps the last visitor's choice in a cookie), the office in the path, and the words of a wait."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from townsquare.counters import words
from townsquare.counters.views import Names
from townsquare.web import i18n
from townsquare.web.templating import templates

FRAMES = ("x-frame-options", "SAMEORIGIN")  # the demo's simulator shows these pages in frames of its own


def speak(request: Request) -> str:
    """Use the language the page's address asks for, if it is one we offer; the request's language otherwise."""
    asked = request.query_params.get("lang", "")
    if asked in i18n.LANGUAGES:
        i18n.use(asked)
    return i18n.current()


def posted(raw: Any, name: str, limit: int) -> str:
    """A posted field's text, trimmed and cut to `limit` characters ("" for a file or nothing)."""
    value = raw.get(name, "")
    return value.strip()[:limit] if isinstance(value, str) else ""


def named(names: Names) -> str:
    """A name in the page's language."""
    return names.in_(i18n.current())


def wait(seconds: int | None) -> str:
    """An estimated wait in words, in the page's language."""
    return words.about(seconds, i18n.current())


def framable(response: Response) -> Response:
    """Let our own pages show this one in a frame (the simulator's kiosk and display panels)."""
    response.headers[FRAMES[0]] = FRAMES[1]
    return response


templates.env.filters["named"] = named
templates.env.filters["estimated_wait"] = wait
