"""Who sent a scanned letter and what it continues: the QR code of our own letter (its case and its person),
else the name and address block, looked up exactly as an identity. Anything less than exact is only proposed,
for a person to confirm (the records team's review, or the agent who opens the letter). Never commits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.cases import service as cases
from townsquare.cases.models import Case
from townsquare.citizens import service as citizens
from townsquare.citizens.models import Citizen, IdentityKind
from townsquare.engagement import record_intake
from townsquare.engagement.messages import Sender
from townsquare.errors import Problem
from townsquare.interactions.models import Interaction
from townsquare.matching.model import Thresholds
from townsquare.matching.models import Outcome
from townsquare.notify.letters.models import Letter
from townsquare.scans.ocr import Reading
from townsquare.scans.sender import SenderBlock, fold, sender_block
from townsquare.settings import Settings

SOURCE = "letter"  # the matcher's source for a letter's name and address block
NEVER = 2.0  # a link threshold no probability reaches: a letter's sender is never linked without a person


@dataclass(frozen=True)
class Threading:
    """What the scan says about where it belongs. `how` is "qr" when our own letter's code names it."""

    how: str | None = None
    code: str | None = None
    letter_id: uuid.UUID | None = None
    citizen_id: uuid.UUID | None = None
    conversation_id: uuid.UUID | None = None
    case_reference: str | None = None
    sender: Sender | None = None
    block: SenderBlock | None = None
    holder_id: uuid.UUID | None = None  # who already has the block's address, when the names differ


def _in_scope(scope: frozenset[uuid.UUID] | None, agency_id: uuid.UUID | None) -> bool:
    return scope is None or (agency_id is not None and agency_id in scope)


async def _current(session: AsyncSession, citizen_id: uuid.UUID | None) -> uuid.UUID | None:
    """The record a citizen id stands for today (a merged record's survivor)."""
    citizen = await session.get(Citizen, citizen_id) if citizen_id else None
    while citizen is not None and citizen.merged_into_id is not None:
        citizen = await session.get(Citizen, citizen.merged_into_id)
    return citizen.id if citizen else None


async def _by_letter(session: AsyncSession, code: str, scope: frozenset[uuid.UUID] | None) -> Threading | None:
    try:
        letter = await session.get(Letter, uuid.UUID(code.removeprefix("L-")))
    except ValueError:
        return None
    if letter is None or not _in_scope(scope, letter.agency_id):
        return None
    citizen_id = await _current(session, letter.citizen_id)
    sent = await session.get(Interaction, letter.interaction_id) if letter.interaction_id else None
    case = await session.get(Case, sent.case_id) if sent is not None and sent.case_id else None
    same = sent is not None and sent.citizen_id == citizen_id and case is None
    return Threading(
        how="qr",
        code=code,
        letter_id=letter.id,
        citizen_id=citizen_id,
        conversation_id=sent.conversation_id if same and sent is not None else None,
        case_reference=case.reference if case else None,
    )


async def _ours(
    session: AsyncSession, settings: Settings, code: str, scope: frozenset[uuid.UUID] | None
) -> Threading | None:
    """What one of our letters' QR codes names ("L-<letter id>", or the case reference), if it is ours."""
    if code.upper().startswith("L-"):
        return await _by_letter(session, code, scope)
    reference = cases.find_reference(code, prefix=settings.case_reference_prefix)
    if reference is None or reference != code.upper():
        return None
    case = await cases.get_by_reference(session, reference=reference)
    if case is None or not _in_scope(scope, case.agency_id):
        return None
    citizen_id = await _current(session, case.citizen_id)
    return Threading(how="qr", code=reference, citizen_id=citizen_id, case_reference=case.reference)


def _letterhead(settings: Settings) -> list[str]:
    return [settings.letter_sender_name or settings.brand_name, *settings.letter_sender_address]


async def _same_name(session: AsyncSession, citizen_id: uuid.UUID, name: str | None) -> bool:
    citizen = await session.get(Citizen, citizen_id)
    if name is None or citizen is None:
        return True
    known = {fold(n) for n in (citizen.display_name or "", f"{citizen.given_name or ''} {citizen.family_name or ''}")}
    known.discard("")
    return not known or fold(name) in known


async def find(
    session: AsyncSession, settings: Settings, reading: Reading, scope: frozenset[uuid.UUID] | None
) -> Threading:
    """Our letter's QR code, else the sender's block as an exact postal identity (unless another name holds it)."""
    for code in reading.codes:
        found = await _ours(session, settings, code.strip()[:80], scope)
        if found is not None:
            return found
    block = sender_block(reading.pages[0] if reading.pages else "", ignore=_letterhead(settings))
    if block is None:
        return Threading()
    try:
        value = citizens.normalise_postal("\n".join(block.address))
    except Problem:
        return Threading(block=block)
    holder = await citizens.find_identity(session, kind=IdentityKind.postal, value=value)
    if holder is not None and not await _same_name(session, holder.citizen_id, block.name):
        return Threading(block=block, holder_id=await _current(session, holder.citizen_id))
    return Threading(block=block, sender=Sender(IdentityKind.postal, value, display_name=block.name))


async def propose(
    session: AsyncSession, settings: Settings, threading: Threading, *, citizen_id: uuid.UUID, key: str
) -> list[dict[str, Any]]:
    """People the letter may be from, for a person to confirm: who holds its address under another name, and the
    matcher's best candidate from the name and address (kept as a source record; a likely pair goes to the records
    team's review, never merged by the model)."""
    proposed: list[dict[str, Any]] = []
    if threading.holder_id is not None:
        proposed.append({"citizen_id": str(threading.holder_id), "why": "address"})
    fields = threading.block.fields() if threading.block else {}
    if not fields:
        return proposed
    version, model = await record_intake.model_in_force(session, settings)
    cautious = replace(model, thresholds=Thresholds(link=NEVER, review=model.thresholds.review))
    taken = await record_intake.take_in(
        session,
        settings,
        source=SOURCE,
        source_key=key,
        raw=fields,
        unlinked_citizen_id=citizen_id,
        model=(version, cautious),
    )
    best, decision = taken.best, taken.decision
    new = best is not None and all(p["citizen_id"] != str(best.citizen_id) for p in proposed)
    if best is not None and decision is not None and decision.outcome is Outcome.review and new:
        proposed.append(
            {
                "citizen_id": str(best.citizen_id),
                "why": "records",
                "probability": round(best.probability, 3),
                "match_decision_id": str(decision.id),
            }
        )
    return proposed
