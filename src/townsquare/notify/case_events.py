"""Case events speak: whichever door opened or moved a case, its resident hears about it on their channel.

- a case opened: an acknowledgement with its reference;
- a status change: the new status with its public note; waiting on the resident, a request for information they
  can answer by replying on any channel (the reply threads back to the case's conversation). Everyone else who
  follows the report (or said "me too") hears the public part: the new status, the note and its public page.
Each is a notification in the caller's transaction, once per event (its idempotency key names the case or the
update). A person nobody can reach, or a message type without templates, is logged and skipped: the case change
itself never fails for it. Never commits.
"""

from __future__ import annotations

import logging
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.cases import followers
from townsquare.cases.models import Case, CaseStatus
from townsquare.clock import utcnow
from townsquare.errors import Problem
from townsquare.notify import reminders
from townsquare.notify.models import MessageType, Notification
from townsquare.notify.notifications import Notifier, Request
from townsquare.settings import Settings

log = logging.getLogger(__name__)
SILENT = frozenset({CaseStatus.new, CaseStatus.open})  # internal triage steps: nothing the resident must know


async def case_opened(
    session: AsyncSession, settings: Settings, case: Case, *, acknowledge: bool = True
) -> Notification | None:
    """Acknowledge a new case to its resident, and schedule the reminders its service asks for from its dates.

    Without `acknowledge` (the door that opened it has just told the resident its reference, as the assistant
    does at the end of a guided report) only the reminders are scheduled."""
    await reminders.for_case(session, case, now=utcnow())
    if not acknowledge:
        return None
    return await _tell(
        session, settings, case, MessageType.acknowledgement, key=f"case:{case.id}:acknowledgement", note=""
    )


async def status_changed(session: AsyncSession, settings: Settings, case: Case, *, note: str) -> Notification | None:
    """Tell the resident their case moved, with the public note; a request for information when it waits on them.

    Call it just after the change: the key names the case, its new status and the time of the change."""
    if case.status in SILENT:
        return None
    kind = (
        MessageType.information_request if case.status is CaseStatus.waiting_on_citizen else MessageType.status_change
    )
    key = f"case:{case.id}:{case.status.value}:{case.updated_at.isoformat()}"
    told = await _tell(session, settings, case, kind, key=key, note=note)
    public: dict[str, object] = {
        "url": f"{settings.public_url.rstrip('/')}/reports/{case.reference}",
        "address": case.address_string or "",
    }
    for follower in await followers.followers(session, case=case):
        await _tell(
            session,
            settings,
            case,
            MessageType.report_update,
            key=f"{key}:follower:{follower}",
            note=note,
            to=follower,
            extra=public,
        )
    return told


async def _tell(
    session: AsyncSession,
    settings: Settings,
    case: Case,
    kind: MessageType,
    *,
    key: str,
    note: str,
    to: uuid.UUID | None = None,
    extra: dict[str, object] | None = None,
) -> Notification | None:
    citizen_id = to or case.citizen_id
    if citizen_id is None:
        return None
    request = Request(
        citizen_id=citizen_id,
        message_type=kind,
        case_id=case.id,
        personalisation={"note": note.strip(), **(extra or {})},
        idempotency_key=key,
    )
    try:
        async with session.begin_nested():
            return await Notifier(settings).send(session, request)
    except Problem as refused:
        if refused.status not in (404, 422):
            raise
        log.info("case %s: no %s sent (%s)", case.id, kind.value, refused.title)
        return None
