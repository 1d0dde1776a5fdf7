"""The platform's own events told to integrators: case openings, case status changes and notifications' status
changes (the delivery receipts) queued on a session become webhook deliveries in that same transaction, just
before it commits.

So a change that rolls back tells no integrator anything, and one that commits always does. Only ids,
references and statuses leave; never what a person said or who they are.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from townsquare.agencies.models import Agency, Service
from townsquare.cases.models import Case
from townsquare.clock import utcnow
from townsquare.events import CaseOpened, CaseStatusChanged, Event, NotificationChanged, queued_events
from townsquare.notify.models import Notification
from townsquare.notify.webhooks.catalogue import CASE_CREATED, CASE_STATUS_CHANGED, NOTIFICATION_STATUS_CHANGED
from townsquare.notify.webhooks.service import anyone_listens, emit_now, timestamp
from townsquare.staff.models import ApiKey

TOLD = (CaseOpened, CaseStatusChanged, NotificationChanged)


def _agency_slug(session: Session, agency_id: uuid.UUID) -> str | None:
    agency = session.get(Agency, agency_id)
    return agency.slug if agency is not None else None


def _case_opened(session: Session, ev: CaseOpened) -> tuple[str, dict[str, Any], uuid.UUID | None] | None:
    case = session.get(Case, ev.case_id)
    if case is None:
        return None
    service = session.get(Service, case.service_id) if case.service_id else None
    data = {
        "case_id": str(case.id),
        "reference": case.reference,
        "status": case.status.value,
        "agency": _agency_slug(session, case.agency_id),
        "service_code": service.code if service is not None else None,
        "channel": case.opened_channel,
        "at": timestamp(utcnow()),
    }
    return CASE_CREATED, data, case.agency_id


def _case_moved(session: Session, ev: CaseStatusChanged) -> tuple[str, dict[str, Any], uuid.UUID | None] | None:
    case = session.get(Case, ev.case_id)
    if case is None:
        return None
    data = {
        "case_id": str(case.id),
        "reference": case.reference,
        "from_status": ev.from_status,
        "status": ev.to_status,
        "agency": _agency_slug(session, case.agency_id),
        "at": timestamp(utcnow()),
    }
    return CASE_STATUS_CHANGED, data, case.agency_id


def _receipt(session: Session, ev: NotificationChanged) -> tuple[str, dict[str, Any], uuid.UUID | None] | None:
    notification = session.get(Notification, ev.notification_id)
    if notification is None:
        return None
    case = session.get(Case, notification.case_id) if notification.case_id else None
    agency_id = case.agency_id if case is not None else None
    if agency_id is None and notification.api_key_id is not None:  # sent through the API by an agency's key
        key = session.get(ApiKey, notification.api_key_id)
        agency_id = key.agency_id if key is not None else None
    data = {
        "notification_id": str(notification.id),
        "reference": notification.reference,  # the sender's own reference
        "case_reference": case.reference if case is not None else None,
        "status": ev.status,
        "channel": ev.channel,
        "attempt": ev.attempt + 1 if ev.attempt >= 0 else None,  # the channel tried: 1 for the first
        "at": timestamp(utcnow()),
    }
    return NOTIFICATION_STATUS_CHANGED, data, agency_id


def _told(session: Session, ev: Event) -> tuple[str, dict[str, Any], uuid.UUID | None] | None:
    if isinstance(ev, CaseOpened):
        return _case_opened(session, ev)
    if isinstance(ev, CaseStatusChanged):
        return _case_moved(session, ev)
    if isinstance(ev, NotificationChanged):
        return _receipt(session, ev)
    return None


@sa_event.listens_for(Session, "before_commit")
def _tell_integrators(session: Session) -> None:
    """Write the deliveries for this transaction's events before it commits (flushed by the commit itself)."""
    events = [ev for ev in queued_events(session) if isinstance(ev, TOLD)]
    if not events or not anyone_listens(session):  # one cheap query when no integrator has an endpoint
        return
    for ev in events:
        told = _told(session, ev)
        if told is not None:
            event_type, data, agency_id = told
            emit_now(session, event_type=event_type, data=data, agency_id=agency_id)
