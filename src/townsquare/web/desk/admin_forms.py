"""What the contact-centre administration pages share: who may use them, reading a posted form as typed, showing
a page again with each refused field named, and saving then going back to the list.

Translates only: the domain (`routing.admin_*`) checks, changes and audits; nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from townsquare.db import Session
from townsquare.errors import Problem
from townsquare.staff.auth import Principal
from townsquare.web.desk import labels, words  # noqa: F401 - registers the desk's words
from townsquare.web.desk.common import administrators_only
from townsquare.web.i18n import current
from townsquare.web.i18n import gettext as _
from townsquare.web.templating import templates

Administrator = Annotated[Principal, Depends(administrators_only("The contact centre administration"))]


def notices() -> dict[str, str]:
    return {"saved": _("Saved."), "created": _("Added."), "removed": _("Removed.")}


def text(raw: Any, name: str, limit: int = 200) -> str:
    """A posted field as typed, trimmed and cut at `limit`."""
    return str(raw.get(name, "")).strip()[:limit]


def ticked(raw: Any, name: str) -> bool:
    return bool(raw.get(name))


def problems(error: Problem | None) -> dict[str, list[str]]:
    """Each refused field's messages, to show beside it."""
    found: dict[str, list[str]] = {}
    for e in error.errors if error else []:
        found.setdefault(e.field, []).append(e.message)
    return found


def page(request: Request, template: str, context: dict[str, Any], *, error: Problem | None = None) -> Response:
    """A page of the administration, with the notice of what was just done or the problems of what was refused."""
    full = {
        "error": error,
        "problems": problems(error),
        "notice": notices().get(request.query_params.get("notice", "")),
        "language": current(),
        **context,
    }
    return templates.TemplateResponse(request, template, full, status_code=error.status if error else 200)


async def save(
    session: Session,
    change: Callable[[], Awaitable[object]],
    refused: Callable[[Problem], Awaitable[Response]],
    done: str,
) -> Response:
    """Make the change and go back to `done`; a refusal (422) rolls back and shows the form again as sent."""
    try:
        await change()
    except Problem as exc:
        if exc.status != 422:
            raise
        await session.rollback()
        return await refused(exc)
    await session.commit()
    return RedirectResponse(done, status_code=303)


def agency_options(agencies: list[Any]) -> list[tuple[str, str]]:
    return [(str(a.id), a.name) for a in agencies]
