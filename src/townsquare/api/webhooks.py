"""/api/v1/webhooks: an integration's key registers, lists and removes its webhook endpoints and reads each
endpoint's delivery log.

A key sees only the endpoints it registered (another key's answer as unknown ones); the signing secret is
returned once, at creation, and never logged or audited.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from townsquare.api.deps import MAX_OFFSET, SettingsDep
from townsquare.db.deps import SessionDep
from townsquare.errors import forbidden, unauthorized
from townsquare.notify.webhooks import service as webhooks
from townsquare.notify.webhooks.models import WebhookStatus
from townsquare.notify.webhooks.schemas import (
    WebhookCreated,
    WebhookDeliveryOut,
    WebhookDeliveryPage,
    WebhookIn,
    WebhookOut,
)
from townsquare.staff.auth import Principal, Rule, enforces, optional_principal

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])
INTEGRATOR = Rule("api-key", 1, "an integration's REST API key; it reaches only the webhooks it registered")


@enforces(INTEGRATOR)
async def require_key(principal: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
    """The calling integration's key, or a 401/403 problem: webhooks belong to keys, not to staff sessions."""
    if principal is None:
        raise unauthorized()
    if principal.kind != "api_key":
        raise forbidden("Webhooks belong to an integration: call with its API key, not a staff session.")
    return principal


Integrator = Annotated[Principal, Depends(require_key)]


def _agency(key: Principal) -> uuid.UUID | None:
    return None if key.agency_ids is None else min(key.agency_ids)


@router.post("", response_model=WebhookCreated, status_code=status.HTTP_201_CREATED)
async def create_webhook(
    body: WebhookIn, session: SessionDep, key: Integrator, settings: SettingsDep
) -> WebhookCreated:
    """Register an endpoint for some events of the catalogue; the response is the only time its secret is shown."""
    endpoint, secret = await webhooks.register(
        session,
        api_key_id=key.id,
        agency_id=_agency(key),
        url=body.url,
        event_types=body.event_types,
        allow_loopback_http=settings.webhooks_may_use_loopback_http,
    )
    key.audit(
        session,
        action="webhook.create",
        subject_kind="webhook_endpoint",
        subject_id=str(endpoint.id),
        agency_id=endpoint.agency_id,
        detail={"event_types": endpoint.event_types},
    )
    await session.commit()
    return WebhookCreated(**WebhookOut.model_validate(endpoint).model_dump(), secret=secret)


@router.get("", response_model=list[WebhookOut])
async def list_webhooks(session: SessionDep, key: Integrator) -> list[WebhookOut]:
    """Your active endpoints (never their secrets)."""
    return [WebhookOut.model_validate(e) for e in await webhooks.list_endpoints(session, api_key_id=key.id)]


@router.delete("/{webhook_id}", response_model=WebhookOut)
async def delete_webhook(webhook_id: uuid.UUID, session: SessionDep, key: Integrator) -> WebhookOut:
    """Remove an endpoint: it hears nothing more, and deliveries still waiting for it are marked failed."""
    endpoint = await webhooks.own_endpoint(session, api_key_id=key.id, endpoint_id=webhook_id, active=True)
    await webhooks.remove(session, endpoint=endpoint)
    key.audit(
        session,
        action="webhook.remove",
        subject_kind="webhook_endpoint",
        subject_id=str(endpoint.id),
        agency_id=endpoint.agency_id,
    )
    await session.commit()
    return WebhookOut.model_validate(endpoint)


@router.get("/{webhook_id}/deliveries", response_model=WebhookDeliveryPage)
async def list_deliveries(
    webhook_id: uuid.UUID,
    session: SessionDep,
    key: Integrator,
    limit: int = Query(default=50, ge=1, le=200),
    offset: int = Query(default=0, ge=0, le=MAX_OFFSET),
) -> WebhookDeliveryPage:
    """The endpoint's delivery log, newest first: status, attempts, the last answer's status code."""
    endpoint = await webhooks.own_endpoint(session, api_key_id=key.id, endpoint_id=webhook_id)
    found, total = await webhooks.list_deliveries(session, endpoint_id=endpoint.id, limit=limit, offset=offset)
    items = []
    for d in found:
        out = WebhookDeliveryOut.model_validate(d)
        if d.status is not WebhookStatus.pending:
            out.next_attempt_at = None
        items.append(out)
    return WebhookDeliveryPage(items=items, total=total, limit=limit, offset=offset)
