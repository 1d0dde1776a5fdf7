"""/api/v1/notifications: agency back-office systems tell a person something on the channel they prefer.

A message type (its templates are the words), a person (a citizen id, or an email address or phone number, which
finds or makes their record), personalisation, the caller's own reference and an idempotency key. Each key is
limited per minute and per day. The notification's status and every attempt can be read back by whoever sent it.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time

from fastapi import APIRouter, Request, Response, status

from townsquare.api.deps import SettingsDep
from townsquare.citizens import service as citizens
from townsquare.citizens.models import IdentityKind
from townsquare.clock import utcnow
from townsquare.db.deps import SessionDep
from townsquare.engagement.access import Seen, audit_reads, case_in_scope
from townsquare.errors import FieldError, Problem, invalid, not_found
from townsquare.notify import views
from townsquare.notify.models import Notification
from townsquare.notify.notifications import Notifier, by_idempotency_key
from townsquare.notify.notifications import Request as NotificationRequest
from townsquare.notify.schemas import NotificationIn, NotificationOut
from townsquare.ratelimit import RateLimiter
from townsquare.settings import Settings
from townsquare.staff.auth import CurrentPrincipal, Principal

router = APIRouter(prefix="/api/v1/notifications", tags=["notifications"])


@router.post(
    "",
    response_model=NotificationOut,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": NotificationOut, "description": "Already accepted under this idempotency key"}},
)
async def send(
    body: NotificationIn,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    principal: CurrentPrincipal,
) -> NotificationOut:
    """Accept a notification; the first channel is tried at once (after the person's quiet hours unless urgent)."""
    if body.idempotency_key:
        earlier = await by_idempotency_key(session, _scoped_key(principal, body.idempotency_key))
        if earlier is not None:
            response.status_code = status.HTTP_200_OK
            return await views.describe(session, earlier)
    await _limits(request, session, settings, principal)
    case = await case_in_scope(session, principal, body.case_reference) if body.case_reference else None
    citizen_id = await _person(session, settings, body)
    if case is not None and case.citizen_id != citizen_id:
        raise invalid("That case is someone else's.", FieldError("case_reference", "another person's case"))
    notification = await Notifier(settings).send(
        session,
        NotificationRequest(
            citizen_id=citizen_id,
            message_type=body.template,
            personalisation=dict(body.personalisation),
            case_id=case.id if case else None,
            reference=body.reference,
            idempotency_key=_scoped_key(principal, body.idempotency_key) if body.idempotency_key else None,
            key_is_new=True,  # looked up above
            api_key_id=principal.id if principal.kind == "api_key" else None,
            urgent=body.urgent,
            ack_wait_seconds=body.ack_wait_seconds,
        ),
    )
    principal.audit(
        session,
        action="notification.send",
        subject_kind="notification",
        subject_id=str(notification.id),
        citizen_id=citizen_id,
        agency_id=case.agency_id if case else None,
        detail={"template": body.template.value},
    )
    out = await views.describe(session, notification)
    await session.commit()
    return out


@router.get("/{notification_id}", response_model=NotificationOut)
async def status_of(
    notification_id: uuid.UUID, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> NotificationOut:
    """A notification's status and each channel tried, for the key that sent it (or an administrator)."""
    notification = await session.get(Notification, notification_id)
    if notification is None or not _may_read(principal, notification):
        raise not_found("Notification")
    out = await views.describe(session, notification)
    seen = Seen("notification", str(notification.id), notification.citizen_id)
    await audit_reads(session, principal, request, "notification.read", [seen])
    return out


def _may_read(principal: Principal, notification: Notification) -> bool:
    if principal.kind == "api_key":
        return notification.api_key_id == principal.id
    return principal.agency_ids is None  # staff read notifications on the desk, in their cases' timelines


def _scoped_key(principal: Principal, key: str) -> str:
    """Idempotency keys are the caller's own: two systems choosing the same key never meet."""
    return f"{principal.kind}:{principal.id}:{key}"


async def _person(session: SessionDep, settings: Settings, body: NotificationIn) -> uuid.UUID:
    given = [v for v in (body.citizen_id, body.email_address, body.phone_number) if v]
    if len(given) != 1:
        raise invalid(
            "Name the person with exactly one of citizen_id, email_address or phone_number.",
            FieldError("citizen_id", "exactly one of citizen_id, email_address, phone_number"),
        )
    if body.citizen_id is not None:  # the engine reads the person (an unknown one is its 404)
        return body.citizen_id
    kind = IdentityKind.email if body.email_address else IdentityKind.phone
    value = citizens.normalise(kind, body.email_address or body.phone_number or "", region=settings.default_region)
    citizen, _, _ = await citizens.resolve(session, kind=kind, value=value)
    return citizen.id


async def _limits(request: Request, session: SessionDep, settings: Settings, principal: Principal) -> None:
    if principal.kind != "api_key":
        return
    limiter: RateLimiter = request.app.state.limiter
    per_minute = settings.notify_api_rate_limit_per_minute
    decision = await limiter.hit("notifications", str(principal.id), per_minute)
    if not decision.allowed:
        raise Problem(
            429,
            "Too many requests",
            f"This key may ask for at most {per_minute} notifications a minute; try again in "
            f"{decision.retry_after} seconds.",
            "rate-limited",
            extra={"retry_after": decision.retry_after},
        )
    midnight = datetime.combine(utcnow().date(), time(0), tzinfo=UTC)
    if await views.sent_by_key_since(session, api_key_id=principal.id, since=midnight) >= settings.notify_api_daily_cap:
        raise Problem(
            429,
            "Daily cap reached",
            f"This key has asked for {settings.notify_api_daily_cap} notifications today, its daily cap; "
            "more are accepted from midnight UTC.",
            "daily-cap",
            extra={"retry_after": int(midnight.timestamp() + 86400 - utcnow().timestamp())},
        )
