"""/api/v1/letters/returned: a mail room scans a returned letter's QR code (or types its id) to mark it returned.

Staff or an API key; a key of one agency reaches only that agency's letters. Audited.
"""

from __future__ import annotations

from fastapi import APIRouter

from townsquare.db.deps import SessionDep
from townsquare.notify.letters import returns
from townsquare.notify.letters.schemas import LetterOut, ReturnedIn
from townsquare.staff.auth import CurrentPrincipal

router = APIRouter(prefix="/api/v1/letters", tags=["letters"])


@router.post("/returned", response_model=LetterOut)
async def returned(body: ReturnedIn, session: SessionDep, me: CurrentPrincipal) -> LetterOut:
    """Mark a printed letter returned; its interaction's delivery becomes `failed`. Marking it again is harmless."""
    letter = await returns.mark_returned(session, code=body.code, reason=body.reason, me=me)
    await session.commit()
    return LetterOut.model_validate(letter)
