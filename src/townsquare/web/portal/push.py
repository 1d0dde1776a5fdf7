"""Notifications on this device: a signed-in resident turns web push on or off (JSON from the account page's
script, or a plain form to turn a listed device off), and devices acknowledge the pushes they showed.

The acknowledgement needs no session: its sealed token is the authority, and it is rate-limited per client like
the portal's other public doors. Nothing here logs an endpoint, a key or a token.
"""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from townsquare.db.deps import SessionDep
from townsquare.errors import FieldError, Problem, invalid
from townsquare.notify.push import service as push
from townsquare.notify.push import vapid
from townsquare.staff.auth import public
from townsquare.web.portal import limits
from townsquare.web.portal.common import CurrentCitizen, settings_of
from townsquare.web.portal.identities import device_name, when

router = APIRouter(include_in_schema=False)
MAX_TOKEN_CHARS = 1000


def keys_of(request: Request) -> vapid.VapidKeys | None:
    """This process's VAPID keys (read once), or None when push is off."""
    state = request.app.state
    if not hasattr(state, "push_keys"):
        state.push_keys = vapid.load(settings_of(request))
    keys: vapid.VapidKeys | None = state.push_keys
    return keys


async def section(request: Request, session: SessionDep, *, citizen_id: uuid.UUID) -> dict[str, Any]:
    """What the account page's "Notifications on this device" section shows."""
    keys = keys_of(request)
    devices = await push.devices(session, citizen_id=citizen_id) if keys is not None else []
    return {"push": {"on": keys is not None, "key": keys.public_key if keys else "", "devices": devices}, "when": when}


async def _json_object(request: Request) -> dict[str, Any]:
    try:
        data = json.loads(await request.body() or b"null")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise invalid("Send a JSON object.", FieldError("body", "is not a JSON object"))
    return data


def _offered(request: Request) -> None:
    if keys_of(request) is None:
        raise Problem(404, "Push not offered", "This service does not send notifications to devices.", "not-found")


@router.post("/account/push/subscribe")
async def subscribe(request: Request, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """Keep this browser's push subscription (`{"subscription": PushSubscription.toJSON()}`) for the resident."""
    _offered(request)
    data = await _json_object(request)
    device = device_name(request.headers.get("user-agent", ""))
    await push.subscribe(
        session,
        citizen_id=citizen.id,
        subscription_json=data.get("subscription"),
        device=device,
        settings=settings_of(request),
    )
    await session.commit()
    return JSONResponse({"subscribed": True}, status_code=201)


@router.post("/account/push/unsubscribe")
async def unsubscribe(request: Request, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """Forget this browser's subscription (`{"endpoint": …}`); answers the same whether or not it was known."""
    data = await _json_object(request)
    endpoint = data.get("endpoint")
    if not isinstance(endpoint, str) or not endpoint:
        raise invalid("Say which subscription to turn off.", FieldError("endpoint", "missing"))
    await push.unsubscribe(session, citizen_id=citizen.id, endpoint=endpoint)
    await session.commit()
    return JSONResponse({"subscribed": False})


@router.post("/account/push/remove")
async def remove(
    request: Request, session: SessionDep, citizen: CurrentCitizen, device: Annotated[str, Form(max_length=40)] = ""
) -> Response:
    """Turn notifications off for one of the resident's listed devices (a plain form: works without JavaScript)."""
    try:
        subscription_id = uuid.UUID(device)
    except ValueError:
        return RedirectResponse("/account#push-title", status_code=303)
    removed = await push.unsubscribe(session, citizen_id=citizen.id, subscription_id=subscription_id)
    await session.commit()
    return RedirectResponse("/account?updated=push" if removed else "/account#push-title", status_code=303)


@router.post("/push/ack", dependencies=[Depends(public)])
async def acknowledge(request: Request, session: SessionDep) -> Response:
    """A device showed (or its person clicked) a push: `{"token": …}` from the push marks it delivered."""
    settings = settings_of(request)
    decision = await limits.limiter_of(request).hit(
        "push_ack", limits.client_of(request), settings.push_ack_rate_limit_per_minute
    )
    if not decision.allowed:
        body = {"title": "Too many requests", "status": 429, "detail": "Too many acknowledgements; try again later."}
        headers = {"Retry-After": str(decision.retry_after)}
        return JSONResponse(body, status_code=429, media_type="application/problem+json", headers=headers)
    data = await _json_object(request)
    token = data.get("token")
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
        raise invalid("Send the acknowledgement token the notification carried.", FieldError("token", "missing"))
    await push.acknowledge(session, token=token, secret=settings.secret_key)
    await session.commit()
    return Response(status_code=204)
