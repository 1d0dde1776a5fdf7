"""A reply a person at the agency writes, dressed for a letter-like channel: the greeting, the words, the case
reference and a signature with the writer's first name and the agency, from the `agent_reply` template.

Only where such a frame is expected (email); a text message or a chat line goes as typed. Without a template for
the person's language (or English), the words go as typed too. Never commits.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import service as agencies
from townsquare.agencies.models import Agency
from townsquare.cases.models import Case
from townsquare.citizens.models import Citizen
from townsquare.notify import templates
from townsquare.notify.kinds import MessageType
from townsquare.notify.notifications import GREETING, named
from townsquare.settings import Settings
from townsquare.staff.models import StaffAccount

DRESSED = frozenset({"email"})


async def dressed(
    session: AsyncSession,
    settings: Settings,
    *,
    channel: str,
    text: str,
    staff_id: uuid.UUID,
    citizen_id: uuid.UUID,
    case: Case | None,
) -> str | None:
    """The reply in its frame, or None when the channel takes no frame or there is no template."""
    if channel not in DRESSED:
        return None
    citizen = await session.get(Citizen, citizen_id)
    writer = await session.get(StaffAccount, staff_id)
    if citizen is None or writer is None:
        return None
    template = await templates.for_person(
        session, message_type=MessageType.agent_reply, channel=channel, language=citizen.language
    )
    if template is None:
        return None
    if case is not None:
        agency = await session.get_one(Agency, case.agency_id)
    else:
        agency = await agencies.default_agency(session, slug=settings.default_agency)
    base = settings.public_url.rstrip("/")
    values = {
        "name": citizen.given_name or citizen.display_name or GREETING.get(citizen.language, GREETING["en"]),
        "agency": named(agency, citizen.language),
        "reference": case.reference if case else "",
        "url": f"{base}/account/cases/{case.reference}" if case else f"{base}/account",
        "message": text.strip(),
        "signature": f"{(writer.display_name.split() or [''])[0]}, {named(agency, citizen.language)}",
    }
    if templates.missing(template, values):
        return None
    return templates.fill(template, values).body
