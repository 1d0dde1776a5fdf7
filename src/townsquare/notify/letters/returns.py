"""Returned letters: the post brought a letter back. The letter becomes returned and its interaction `failed`.

Found by the letter's id or by the case reference its QR code holds; only by callers of the letter's agency.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.clock import utcnow
from townsquare.errors import FieldError, conflict, invalid, not_found
from townsquare.events import DeliveryChanged, publish_after_commit
from townsquare.interactions import service as interactions
from townsquare.interactions.models import DeliveryStatus
from townsquare.notify.letters.models import Letter, LetterStatus
from townsquare.staff.auth import Principal

MAX_REASON = 200


def _letter_id(code: str) -> uuid.UUID | None:
    """The letter id in a scanned code: a bare id, or "L-<id>" as a QR code without a case reference holds it."""
    try:
        return uuid.UUID(code.removeprefix("L-"))
    except ValueError:
        return None


async def find_letter(session: AsyncSession, *, code: str, me: Principal) -> Letter:
    """The letter a scanned code or a typed id or reference names, within the caller's agencies, else a 404.

    A reference names the case: its newest printed letter (a returned one only if none other is left).
    """
    code = code.strip()
    letter_id = _letter_id(code)
    if letter_id is not None:
        stmt = select(Letter).where(Letter.id == letter_id)
    else:
        stmt = (
            select(Letter)
            .where(Letter.reference.in_({code[:40], code.upper()[:40]}))  # as printed, or typed in lower case
            .order_by((Letter.status == LetterStatus.printed).desc(), Letter.created_at.desc())
        )
    for letter in (await session.execute(stmt)).scalars():
        if me.may_see_any({letter.agency_id} if letter.agency_id else set()):
            return letter
    raise not_found("Letter", f"No letter {code[:60]} is known.")


async def mark_returned(session: AsyncSession, *, code: str, reason: str, me: Principal) -> Letter:
    """Mark the letter returned (its interaction `failed`), audited; marking it again changes nothing."""
    reason = " ".join(reason.split())
    if not reason:
        raise invalid("Say why the letter came back.", FieldError("reason", "required"))
    if not code.strip():
        raise invalid("Give the letter's id or its case reference.", FieldError("code", "required"))
    letter = await find_letter(session, code=code, me=me)
    if letter.status is LetterStatus.returned:
        return letter
    if letter.status is not LetterStatus.printed:
        raise conflict("That letter has not been printed yet, so it cannot have come back.")
    letter.status = LetterStatus.returned
    letter.returned_at = utcnow()
    letter.return_reason = reason[:MAX_REASON]
    if letter.interaction_id is not None:
        await interactions.set_delivery(session, interaction_id=letter.interaction_id, status=DeliveryStatus.failed)
        publish_after_commit(
            session, DeliveryChanged(interaction_id=letter.interaction_id, status=DeliveryStatus.failed.value)
        )
    me.audit(
        session,
        action="letter.returned",
        subject_kind="letter",
        subject_id=str(letter.id),
        citizen_id=letter.citizen_id,
        agency_id=letter.agency_id,
        purpose="returned letter",
    )
    await session.flush()
    return letter
