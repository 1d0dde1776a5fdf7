"""The platform's own events told to integrators: case openings, case status changes and delivery receipts
queued on a session become webhook deliveries in that same transaction, just before it commits.

So a change that rolls back tells no integrator anything, and one that commits always does. Only ids,
references and statuses leave; never what a person said or who they are.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.orm import Session

from townsquare.agencies.models import Agency, Service
from townsquare.cases.models import Case
from townsquare.clock import utcnow
from townsquare.events import CaseOpened, CaseStatusChanged, DeliveryChanged, Event, queued_events
from townsquare.interactions.models import Interaction
from townsquare.notify.models import OutboxMessage
from townsquare.notify.webhooks.catalogue import CASE_CREATED, CASE_STATUS_CHANGED, NOTIFICATION_STATUS_CHANGED
from townsquare.notify.webhooks.service import anyone_listens, emit_now, timestamp

TOLD = (CaseOpened, CaseStatusChanged, DeliveryChanged)


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


def _receipt(session: Session, ev: DeliveryChanged) -> tuple[str, dict[str, Any], uuid.UUID | None] | None:
    interaction = session.get(Interaction, ev.interaction_id)
    if interaction is None:
        return None
    case = session.get(Case, interaction.case_id) if interaction.case_id else None
    attempts = session.scalar(
        select(OutboxMessage.attempts)
        .where(OutboxMessage.interaction_id == interaction.id)
        .order_by(OutboxMessage.created_at.desc())
        .limit(1)
    )
    data = {
        "notification_id": str(interaction.id),
        "reference": case.reference if case is not None else None,
        "status": ev.status,
        "channel": interaction.channel.value,
        "attempt": attempts,
        "at": timestamp(utcnow()),
    }
    return NOTIFICATION_STATUS_CHANGED, data, case.agency_id if case is not None else None


def _told(session: Session, ev: Event) -> tuple[str, dict[str, Any], uuid.UUID | None] | None:
    if isinstance(ev, CaseOpened):
        return _case_opened(session, ev)
    if isinstance(ev, CaseStatusChanged):
        return _case_moved(session, ev)
    if isinstance(ev, DeliveryChanged):
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
