"""The administrators' Integrators page at /desk/integrators: every API key (REST API and Open311 integrators)
with its use, a form that issues a key and shows its secret once, and revocation behind a confirmation.

Administrators only; the secret is never stored or shown again, and never written to a log or the audit entry.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.casework import integrators
from townsquare.casework.integrators import USAGE_WINDOW, KeyForm
from townsquare.casework.types import ApiKey, ApiKeyScope
from townsquare.db import Session
from townsquare.db.deps import SessionDep
from townsquare.errors import Problem
from townsquare.staff.auth import Principal
from townsquare.web.desk import labels
from townsquare.web.desk.common import admins_only, settings_of
from townsquare.web.i18n import gettext as _
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
Admin = Annotated[Principal, Depends(admins_only("The Integrators page"))]


def _notices() -> dict[str, str]:
    return {"revoked": _("The key was revoked; it stopped working at once.")}


@dataclass
class Issued:
    """A key just issued: the only time its secret is on a page."""

    row: ApiKey
    secret: str
    examples: list[str] = field(default_factory=list)


def _examples(public_url: str, secret: str, scope: ApiKeyScope) -> list[str]:
    """Ready-to-copy requests for a new key."""
    base = public_url.rstrip("/")
    if scope is ApiKeyScope.open311:
        return [
            f"curl {base}/open311/v2/services.xml",
            f"curl -d api_key={secret} -d service_code=POTHOLE -d lat=43.6535 -d long=-79.3841 "
            f'--data-urlencode "description=A deep pothole in the right lane" {base}/open311/v2/requests.xml',
        ]
    return [f'curl -H "Authorization: Bearer {secret}" {base}/api/v1/cases']


async def _page(
    request: Request,
    session: Session,
    me: Principal,
    *,
    form: KeyForm | None = None,
    issued: Issued | None = None,
    error: Problem | None = None,
) -> Response:
    keys = await integrators.keys_view(session)
    context = {
        "me": me,
        "rows": keys.rows,
        "agencies": keys.agencies,
        "scope_labels": labels.key_scopes(),
        "form": form or KeyForm(),
        "issued": issued,
        "error": error,
        "notice": _notices().get(request.query_params.get("notice", "")),
        "window_days": USAGE_WINDOW.days,
        "default_limit": settings_of(request).open311_rate_limit_per_minute,
    }
    status = error.status if error else 200
    response = templates.TemplateResponse(request, "desk/integrators.html", context, status_code=status)
    if issued is not None:
        response.headers["Cache-Control"] = "no-store"  # the secret must not stay in a cache or the history
    return response


@router.get("/desk/integrators", response_class=HTMLResponse)
async def integrators_page(request: Request, session: SessionDep, me: Admin) -> Response:
    """Every key with its scope, agency, contact, rate limit, use, and the form to issue one."""
    return await _page(request, session, me)


def _sent(raw: Any) -> KeyForm:
    return KeyForm(
        name=str(raw.get("name", "")).strip()[:200],
        contact=str(raw.get("contact", "")).strip()[:320],
        scope=str(raw.get("scope", "")),
        agency_id=str(raw.get("agency_id", "")),
        rate_limit=str(raw.get("rate_limit_per_minute", "")).strip()[:12],
    )


@router.post("/desk/integrators", response_class=HTMLResponse)
async def issue_key(request: Request, session: SessionDep, me: Admin) -> Response:
    """Issue a key and show its secret once, with an example request."""
    sent = _sent(await request.form())
    try:
        new = await integrators.issue(session, me=me, sent=sent)
    except Problem as exc:
        if exc.status != 422:
            raise
        await integrators.roll_back(session)
        return await _page(request, session, me, form=sent, error=exc)
    await session.commit()
    examples = _examples(settings_of(request).public_url, new.secret, new.scope)
    issued = Issued(row=new.row, secret=new.secret, examples=examples)
    return await _page(request, session, me, issued=issued)


@router.get("/desk/integrators/{key_id}/revoke", response_class=HTMLResponse)
async def confirm_revoke(request: Request, key_id: uuid.UUID, session: SessionDep, me: Admin) -> Response:
    """Ask before revoking: the integration stops working at once."""
    row = await integrators.get_key(session, key_id=key_id)
    context = {"me": me, "key": row, "scope_labels": labels.key_scopes()}
    return templates.TemplateResponse(request, "desk/integrators_revoke.html", context)


@router.post("/desk/integrators/{key_id}/revoke")
async def revoke_key(request: Request, key_id: uuid.UUID, session: SessionDep, me: Admin) -> Response:
    """Revoke a key at once; revoking a revoked key changes nothing."""
    if await integrators.revoke(session, me=me, key_id=key_id):
        await session.commit()
    return RedirectResponse("/desk/integrators?notice=revoked", status_code=303)
