"""Opening cases and changing their status, with the timeline, the queue and the audit log kept in step.

Does not commit; the caller (a route) owns the transaction.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import forms
from townsquare.agencies import service as agencies
from townsquare.analytics.surveys import inviting as surveys
from townsquare.cases import service as cases
from townsquare.cases.models import Case, CaseStatus, Priority
from townsquare.citizens import service as citizens
from townsquare.engagement import locations, queueing
from townsquare.errors import forbidden, invalid
from townsquare.events import CaseStatusChanged, publish_after_commit
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel, Direction, Interaction, InteractionKind
from townsquare.notify import case_events
from townsquare.settings import Settings
from townsquare.staff.auth import Principal


async def open_case(
    session: AsyncSession,
    *,
    settings: Settings,
    actor: Principal,
    service_code: str,
    channel: Channel,
    title: str | None = None,
    description: str = "",
    citizen_id: uuid.UUID | None = None,
    priority: Priority = Priority.normal,
    location: dict[str, Any] | None = None,
    attributes: dict[str, Any] | None = None,
    conversation_id: uuid.UUID | None = None,
    media_url: str | None = None,
    duplicate_radius_m: float | None = None,
) -> Case:
    """A case for a service, checked against its form, queued for its agency and on the citizen's timeline.

    The location is completed from the address register; with `duplicate_radius_m`, open cases of the same
    service that close are linked as likely duplicates. With `conversation_id` (an agent opening a case from a
    contact in front of them) the case joins that conversation, whose messages then show on the case.
    """
    service = await agencies.get_service(session, code=service_code)
    if not actor.may_see(service.agency_id):
        raise forbidden("You may not open cases for another agency's services.")
    clean, errors = forms.validate_attributes(service, attributes or {})
    if errors:
        raise invalid("Some answers do not fit the service's form.", *errors)
    staff_id = actor.id if actor.kind == "staff" else None
    place = await locations.resolve_dict(session, location)
    conversation = None
    if conversation_id is not None:
        conversation = await interactions.get_conversation(session, conversation_id=conversation_id)
        if citizen_id is None:
            citizen_id = conversation.citizen_id
        if conversation.citizen_id != citizen_id:
            raise invalid("That conversation is with someone else.")
        if conversation.case_id is not None:
            raise invalid("That conversation already has a case.")
    language = "en"
    if citizen_id is not None:
        language = (await citizens.get(session, citizen_id=citizen_id)).language
    case = await cases.open_case(
        session,
        prefix=settings.case_reference_prefix,
        agency_id=service.agency_id,
        title=title or service.name,
        description=description,
        channel=channel.value,
        service_id=service.id,
        sla_target_hours=service.sla_target_hours,
        citizen_id=citizen_id,
        priority=priority,
        location=place.as_dict(),
        attributes=clean,
        staff_id=staff_id,
        media_url=media_url,
    )
    if duplicate_radius_m is not None:
        await cases.link_likely_duplicates(session, case=case, radius_m=duplicate_radius_m)
    if conversation is not None:
        conversation.case_id = case.id
        # What the person already said (the SMS, its photo) is part of the case from now on.
        await session.execute(
            update(Interaction)
            .where(Interaction.conversation_id == conversation.id, Interaction.case_id.is_(None))
            .values(case_id=case.id)
        )
    elif citizen_id is not None:
        conversation = await interactions.start_conversation(
            session, citizen_id=citizen_id, channel=channel, case_id=case.id, subject=case.title
        )
    await queueing.case_opened(
        session,
        case=case,
        conversation=conversation,
        channel=channel,
        by=actor.kind,
        language=language,
        service=service,
        staff_id=staff_id,
    )
    actor.audit(
        session,
        action="case.open",
        subject_kind="case",
        subject_id=str(case.id),
        citizen_id=citizen_id,
        agency_id=case.agency_id,
    )
    await case_events.case_opened(session, settings, case)
    return case


async def change_status(
    session: AsyncSession, *, settings: Settings, actor: Principal, case: Case, status: CaseStatus, note: str = ""
) -> Case:
    """Move a case along its workflow and show the change on the citizen's timeline."""
    if not actor.may_see(case.agency_id):
        raise forbidden("This case belongs to an agency you do not work for.")
    staff_id = actor.id if actor.kind == "staff" else None
    previous = await cases.change_status(
        session,
        case=case,
        status=status,
        note=note,
        source="staff" if actor.kind == "staff" else "api",
        staff_id=staff_id,
        api_key_id=actor.id if actor.kind == "api_key" else None,
    )
    if case.citizen_id is not None:
        conversation = await interactions.conversation_for_case(session, case_id=case.id, citizen_id=case.citizen_id)
        if conversation is None:
            conversation = await interactions.start_conversation(
                session, citizen_id=case.citizen_id, channel=Channel(case.opened_channel), case_id=case.id
            )
        body = f"Status changed from {previous.value} to {status.value}" + (f": {note}" if note else "")
        await interactions.record(
            session,
            conversation=conversation,
            channel=Channel.api if actor.kind == "api_key" else Channel.web,
            direction=Direction.internal,
            kind=InteractionKind.status_change,
            body=body,
            payload={"from": previous.value, "to": status.value, **({"note": note} if note else {})},
            staff_id=staff_id,
        )
    actor.audit(
        session,
        action="case.status",
        subject_kind="case",
        subject_id=str(case.id),
        citizen_id=case.citizen_id,
        agency_id=case.agency_id,
        detail={"from": previous.value, "to": status.value},
    )
    publish_after_commit(
        session, CaseStatusChanged(case_id=case.id, from_status=previous.value, to_status=status.value)
    )
    await case_events.status_changed(session, settings, case, note=note)
    await surveys.after_case_closed(session, settings, case)  # resolved or closed: how did we do?
    return case
