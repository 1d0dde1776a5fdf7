"""The administrators' Integrators page at /desk/integrators: every API key (REST API and Open311 integrators)
with its use, a form that issues a key and shows its secret once, and revocation behind a confirmation.

Administrators only; the secret is never stored or shown again, and never written to a log or the audit entry.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import service as agencies
from townsquare.agencies.models import Agency
from townsquare.cases.models import Open311Submission
from townsquare.clock import utcnow
from townsquare.db.deps import SessionDep
from townsquare.errors import FieldError, Problem, invalid, not_found
from townsquare.staff import service as staff
from townsquare.staff.auth import Principal
from townsquare.staff.models import ApiKey, ApiKeyScope
from townsquare.web.desk.common import admins_only, settings_of
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
Admin = Annotated[Principal, Depends(admins_only("The Integrators page"))]
SCOPE_LABELS: dict[str, str] = {ApiKeyScope.open311.value: "Open311 integrator", ApiKeyScope.api.value: "REST API"}
USAGE_WINDOW = timedelta(days=30)
NOTICES = {"revoked": "The key was revoked; it stopped working at once."}


@dataclass
class KeyForm:
    """What the issue form shows: empty, or what was just sent when it was refused."""

    name: str = ""
    contact: str = ""
    scope: str = ApiKeyScope.open311.value
    agency_id: str = ""
    rate_limit: str = ""


@dataclass
class KeyRow:
    key: ApiKey
    agency: str
    requests_30d: int


@dataclass
class Issued:
    """A key just issued: the only time its secret is on a page."""

    row: ApiKey
    secret: str
    examples: list[str] = field(default_factory=list)


async def submissions_per_key(session: AsyncSession, *, since: Any) -> dict[uuid.UUID, int]:
    """Open311 requests received per key since `since`; one query."""
    key_id = Open311Submission.api_key_id
    stmt = select(key_id, func.count()).where(Open311Submission.submitted_at >= since).group_by(key_id)
    return {k: int(n) for k, n in (await session.execute(stmt)).all()}


async def _rows(session: AsyncSession, agency_names: dict[uuid.UUID, str]) -> list[KeyRow]:
    counts = await submissions_per_key(session, since=utcnow() - USAGE_WINDOW)
    return [
        KeyRow(k, agency_names.get(k.agency_id, "Unknown") if k.agency_id else "Every agency", counts.get(k.id, 0))
        for k in await staff.list_api_keys(session)
    ]


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
    session: AsyncSession,
    me: Principal,
    *,
    form: KeyForm | None = None,
    issued: Issued | None = None,
    error: Problem | None = None,
) -> Response:
    agency_list = await agencies.list_agencies(session)
    context = {
        "me": me,
        "rows": await _rows(session, {a.id: a.name for a in agency_list}),
        "agencies": agency_list,
        "scope_labels": SCOPE_LABELS,
        "form": form or KeyForm(),
        "issued": issued,
        "error": error,
        "notice": NOTICES.get(request.query_params.get("notice", "")),
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


def _scope(sent: KeyForm) -> ApiKeyScope:
    try:
        return ApiKeyScope(sent.scope)
    except ValueError:
        raise invalid("Choose what the key opens.", FieldError("scope", "choose one")) from None


async def _agency(session: AsyncSession, sent: KeyForm) -> uuid.UUID | None:
    if not sent.agency_id:
        return None
    try:
        wanted = uuid.UUID(sent.agency_id)
    except ValueError:
        wanted = None
    if wanted is None or await session.get(Agency, wanted) is None:
        raise invalid("Choose one of the agencies, or every agency.", FieldError("agency_id", "unknown agency"))
    return wanted


def _rate_limit(sent: KeyForm) -> int | None:
    if not sent.rate_limit:
        return None
    try:
        return int(sent.rate_limit)
    except ValueError:
        raise invalid(
            "The rate limit is a whole number of requests a minute, or empty for the default.",
            FieldError("rate_limit_per_minute", "not a whole number"),
        ) from None


@router.post("/desk/integrators", response_class=HTMLResponse)
async def issue_key(request: Request, session: SessionDep, me: Admin) -> Response:
    """Issue a key and show its secret once, with an example request."""
    sent = _sent(await request.form())
    try:
        scope = _scope(sent)
        secret, row = await staff.create_api_key(
            session,
            name=sent.name,
            agency_id=await _agency(session, sent),
            created_by_id=me.id,
            scope=scope,
            contact=sent.contact,
            rate_limit_per_minute=_rate_limit(sent),
        )
    except Problem as exc:
        if exc.status != 422:
            raise
        await session.rollback()
        return await _page(request, session, me, form=sent, error=exc)
    me.audit(
        session, action="api_key.create", subject_kind="api_key", subject_id=str(row.id), detail={"scope": scope.value}
    )
    await session.commit()
    examples = _examples(settings_of(request).public_url, secret, scope)
    issued = Issued(row=row, secret=secret, examples=examples)
    return await _page(request, session, me, issued=issued)


async def _key(session: AsyncSession, key_id: uuid.UUID) -> ApiKey:
    row = await session.get(ApiKey, key_id)
    if row is None:
        raise not_found("API key", "No API key has that id.")
    return row


@router.get("/desk/integrators/{key_id}/revoke", response_class=HTMLResponse)
async def confirm_revoke(request: Request, key_id: uuid.UUID, session: SessionDep, me: Admin) -> Response:
    """Ask before revoking: the integration stops working at once."""
    row = await _key(session, key_id)
    context = {"me": me, "key": row, "scope_labels": SCOPE_LABELS}
    return templates.TemplateResponse(request, "desk/integrators_revoke.html", context)


@router.post("/desk/integrators/{key_id}/revoke")
async def revoke_key(request: Request, key_id: uuid.UUID, session: SessionDep, me: Admin) -> Response:
    """Revoke a key at once; revoking a revoked key changes nothing."""
    row = await _key(session, key_id)
    if row.revoked_at is None:
        await staff.revoke_api_key(session, key_id=row.id)
        me.audit(session, action="api_key.revoke", subject_kind="api_key", subject_id=str(row.id))
        await session.commit()
    return RedirectResponse("/desk/integrators?notice=revoked", status_code=303)
