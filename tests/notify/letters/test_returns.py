"""Returned letters: by the reference its QR code holds or by id, the interaction becomes failed (published after
commit), audited; another agency's letter answers as an unknown one; a letter not yet printed cannot come back."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency
from tests.notify.letters.factories import letter_to_send
from townsquare.app import Runtime
from townsquare.clock import utcnow
from townsquare.errors import Problem
from townsquare.events import DeliveryChanged
from townsquare.interactions.models import DeliveryStatus, Interaction
from townsquare.notify.letters.batches import build_batch
from townsquare.notify.letters.models import Letter, LetterStatus
from townsquare.notify.letters.provider import LetterProvider
from townsquare.notify.letters.returns import mark_returned
from townsquare.staff.auth import Principal
from townsquare.staff.models import AuditEntry, StaffRole


async def _printed(runtime: Runtime, session: AsyncSession) -> tuple[str, str, Principal]:
    roads = await create_agency(session, slug="roads", name="Roads")
    sent = await letter_to_send(session, agency=roads)
    provider = runtime.providers.for_channel("mail")
    assert isinstance(provider, LetterProvider)
    letter_id = await provider.send(sent.envelope)
    await build_batch(session, runtime.pipeline.store, utcnow().date())
    await session.commit()
    clerk = Principal("staff", roads.id, "Clerk", StaffRole.supervisor, frozenset({roads.id}))
    return letter_id, sent.reference, clerk


async def test_a_letter_found_by_its_reference_is_returned_and_its_delivery_failed(
    runtime: Runtime, session: AsyncSession
) -> None:
    letter_id, reference, clerk = await _printed(runtime, session)
    heard: list[DeliveryChanged] = []

    async def listen(event: DeliveryChanged) -> None:
        heard.append(event)

    runtime.bus.subscribe(DeliveryChanged, listen)
    letter = await mark_returned(session, code=reference.lower(), reason="  Addressee   unknown ", me=clerk)
    assert str(letter.id) == letter_id
    await session.commit()
    await runtime.bus.wait_idle()
    session.expire_all()
    row = (await session.execute(select(Letter))).scalar_one()
    assert row.status is LetterStatus.returned
    assert row.return_reason == "Addressee unknown"
    assert row.returned_at is not None
    interaction = (await session.execute(select(Interaction))).scalar_one()
    assert interaction.delivery_status is DeliveryStatus.failed
    assert [(e.interaction_id, e.status) for e in heard] == [(interaction.id, "failed")]
    (entry,) = (await session.execute(select(AuditEntry).where(AuditEntry.action == "letter.returned"))).scalars()
    assert (entry.subject_id, entry.citizen_id) == (letter_id, row.citizen_id)

    again = await mark_returned(session, code=f"L-{letter_id}", reason="Refused", me=clerk)
    assert again.return_reason == "Addressee unknown"  # marking it twice changes nothing


async def test_another_agencys_letter_answers_as_an_unknown_one(runtime: Runtime, session: AsyncSession) -> None:
    letter_id, reference, _ = await _printed(runtime, session)
    parks = await create_agency(session, slug="parks", name="Parks")
    outsider = Principal("api_key", parks.id, "Parks key", None, frozenset({parks.id}))
    for code in (letter_id, reference):
        with pytest.raises(Problem) as refused:
            await mark_returned(session, code=code, reason="Moved", me=outsider)
        assert refused.value.status == 404


async def test_a_letter_not_yet_printed_and_a_missing_reason_are_refused(
    runtime: Runtime, session: AsyncSession
) -> None:
    sent = await letter_to_send(session)
    provider = runtime.providers.for_channel("mail")
    assert isinstance(provider, LetterProvider)
    letter_id = await provider.send(sent.envelope)
    admin = Principal("staff", sent.citizen_id, "Admin", StaffRole.admin, None)
    with pytest.raises(Problem) as early:
        await mark_returned(session, code=letter_id, reason="Moved", me=admin)
    assert early.value.status == 409
    with pytest.raises(Problem) as blank:
        await mark_returned(session, code=letter_id, reason="   ", me=admin)
    assert blank.value.status == 422
