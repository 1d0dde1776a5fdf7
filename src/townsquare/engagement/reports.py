"""A report the assistant guided to the end (`assistant.reporting`) opened as a case, the way a web form is.

The confirmed report becomes a form submission for its service on the contact's own channel: the case is opened
by `placing.open_case_for_form` (location completed from the register, likely duplicates linked; the assistant's
answer is the resident's acknowledgement), the person's messages in the report — the photo among them — join
the case, and the case goes to its agency's queue as any form does. In the caller's transaction; never commits.
"""

from __future__ import annotations

import dataclasses
import logging

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import forms
from townsquare.agencies import service as agencies
from townsquare.assistant.turns import Report
from townsquare.cases.models import Case
from townsquare.engagement import placing, queueing
from townsquare.engagement.placing import Placed
from townsquare.interactions.models import Interaction, InteractionKind
from townsquare.routing.models import WorkItem
from townsquare.settings import Settings

log = logging.getLogger(__name__)


async def open_case(session: AsyncSession, settings: Settings, placed: Placed, report: Report) -> tuple[Case, WorkItem]:
    """The report's case and the work item that puts it in front of its agency."""
    service = await agencies.get_service(session, code=report.service_code)
    # Each answer was checked against the form when given; should the form change meanwhile, what still fits
    # is kept and staff ask for the rest rather than the report being lost.
    attributes, errors = forms.validate_attributes(service, report.attributes)
    if errors:
        log.info("reported case for %s opened with %d answer(s) not fitting its form", service.code, len(errors))
    message = dataclasses.replace(
        placed.message,
        kind=InteractionKind.form_submission,
        text=report.description,
        subject=None,
        metadata={"location": report.location, "attributes": attributes},
    )
    # The assistant's answer gives the reference on the spot: a notification would only say it again.
    case = await placing.open_case_for_form(
        session, settings, message, placed.citizen, service, placed.conversation, placed.interaction, acknowledge=False
    )
    if report.interaction_ids:
        await session.execute(
            update(Interaction)
            .where(
                Interaction.id.in_(report.interaction_ids),
                Interaction.conversation_id == placed.conversation.id,
                Interaction.case_id.is_(None),
            )
            .values(case_id=case.id)
            .execution_options(synchronize_session="fetch")
        )
    placed.case, placed.service = case, service
    item = await queueing.to_person(
        session, settings, message, placed.conversation, case, service, placed.identity, placed.interaction
    )
    return case, item
