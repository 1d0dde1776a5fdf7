"""What a resident wants to hear about, and how: /account/notifications; and an email's unsubscribe link.

/unsubscribe/{token} is the link every email we send on our own carries (and its List-Unsubscribe header): the
page asks before it changes anything (link checkers open links), and a mail client's one-click POST (RFC 8058,
`List-Unsubscribe=One-Click`, no cookies) turns that email's type off at once. The sealed token is the proof;
an altered or foreign one is a 404.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.db.deps import SessionDep
from townsquare.residents import notification_choices as choices
from townsquare.staff.auth import SEALED_LINK, declared
from townsquare.web.portal.common import CurrentCitizen, settings_of
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
sealed_link = declared(SEALED_LINK)
MAX_CHOICES = len(choices.TYPES)


@router.get("/account/notifications", response_class=HTMLResponse)
async def choices_form(request: Request, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """Each channel that reaches the resident, with the messages they want on it ticked."""
    context = {
        "channels": await choices.choices(session, citizen_id=citizen.id),
        "types": choices.TYPES,
        "saved": request.query_params.get("saved") == "1",
    }
    return templates.TemplateResponse(request, "portal/notification_choices.html", context)


@router.post("/account/notifications")
async def choices_save(request: Request, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """Save the ticks of every channel the form showed (a channel with nothing ticked wants nothing)."""
    form = await request.form(max_fields=64)
    shown = [str(c) for c in form.getlist("channels")][:8]
    wanted = {c: [str(v) for v in form.getlist(f"on-{c}")][:MAX_CHOICES] for c in dict.fromkeys(shown)}
    await choices.save(session, citizen_id=citizen.id, wanted=wanted)
    await session.commit()
    return RedirectResponse("/account/notifications?saved=1", status_code=303)


@router.get("/unsubscribe/{token}", response_class=HTMLResponse, dependencies=[Depends(sealed_link)])
async def unsubscribe_page(request: Request, token: str, session: SessionDep) -> Response:
    """Ask before turning anything off: mail scanners follow links."""
    found = await choices.link(session, secret=settings_of(request).secret_key, token=token)
    return _page(request, token, found, done=False)


@router.post("/unsubscribe/{token}", response_class=HTMLResponse, dependencies=[Depends(sealed_link)])
async def unsubscribe(
    request: Request,
    token: str,
    session: SessionDep,
    one_click: Annotated[str, Form(alias="List-Unsubscribe", max_length=16)] = "",
    scope: Annotated[str, Form(max_length=8)] = "type",
    undo: Annotated[str, Form(max_length=4)] = "",
) -> Response:
    """One click from a mail client, or the page's own form: this type of email, or every type; or undo."""
    secret = settings_of(request).secret_key
    if undo:
        found = await choices.resubscribe(session, secret=secret, token=token)
    else:
        every = scope == "all" and one_click != "One-Click"
        source = "one_click" if one_click == "One-Click" else "email_link"
        found = await choices.unsubscribe(session, secret=secret, token=token, every_type=every, source=source)
    await session.commit()
    return _page(request, token, found, done=True)


def _page(request: Request, token: str, found: choices.UnsubscribeLink | None, *, done: bool) -> Response:
    if found is None:
        return templates.TemplateResponse(request, "portal/unsubscribe_unknown.html", {}, status_code=404)
    context: dict[str, object] = {"link": found, "token": token, "done": done}
    return templates.TemplateResponse(request, "portal/unsubscribe.html", context)
