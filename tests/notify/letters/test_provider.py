"""The letter provider: a letter row and its PDF on the interaction's timeline, once per idempotency key; a bad
address is a permanent failure; through the outbox the letter's id becomes the interaction's provider id."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import count
from tests.notify.letters.factories import letter_to_send
from tests.notify.letters.pdfs import text_of
from townsquare.app import Runtime
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Attachment, DeliveryStatus
from townsquare.notify import service as outbox
from townsquare.notify.letters.models import Letter, LetterStatus
from townsquare.notify.letters.provider import LetterProvider
from townsquare.notify.providers import Envelope, PermanentFailure


def _provider(runtime: Runtime) -> LetterProvider:
    provider = runtime.providers.for_channel("mail")
    assert isinstance(provider, LetterProvider)
    return provider


async def test_a_letter_is_rendered_kept_on_the_timeline_and_accepted(runtime: Runtime, session: AsyncSession) -> None:
    sent = await letter_to_send(session)
    letter_id = await _provider(runtime).send(sent.envelope)
    letter = (await session.execute(select(Letter))).scalar_one()
    assert str(letter.id) == letter_id
    assert letter.status is LetterStatus.accepted
    assert letter.batch_id is None
    assert letter.address_lines == ["Élodie Côté", "12 rue de l'Œuvre", "Montréal QC H2X 1Y4"]
    assert (letter.reference, letter.language, letter.citizen_id) == (sent.reference, "fr", sent.citizen_id)
    interaction = await interactions.get_interaction(session, interaction_id=sent.interaction_id)
    (attachment,) = interaction.attachments
    assert (attachment.content_type, attachment.sha256) == ("application/pdf", letter.pdf_sha256)
    pdf = runtime.pipeline.store.read(letter.pdf_sha256)
    assert attachment.size_bytes == len(pdf) == letter.pdf_size_bytes
    assert sent.reference in text_of(pdf)[0]
    assert "décembre" in text_of(pdf)[0]


async def test_a_retry_with_the_same_key_makes_no_second_letter(runtime: Runtime, session: AsyncSession) -> None:
    sent = await letter_to_send(session)
    first = await _provider(runtime).send(sent.envelope)
    again = await _provider(runtime).send(sent.envelope)
    assert first == again
    assert await count(session, Letter) == 1
    assert await count(session, Attachment) == 1


async def test_the_addressee_heads_the_address_and_the_platform_signs_without_an_agency(
    runtime: Runtime, session: AsyncSession
) -> None:
    sent = await letter_to_send(session, recipient="12 Main Street\nSpringfield ON K1A 0B1")
    payload = {**sent.envelope.payload, "name": "Maria Lopez", "agency": None, "language": "de"}
    await _provider(runtime).send(Envelope("mail", sent.envelope.recipient, payload, "k-1"))
    letter = (await session.execute(select(Letter))).scalar_one()
    assert letter.address_lines == ["Maria Lopez", "12 Main Street", "Springfield ON K1A 0B1"]
    assert letter.language == "en"  # a language letters are not written in falls back to English
    page = text_of(runtime.pipeline.store.read(letter.pdf_sha256))[0]
    assert runtime.settings.brand_name in page
    assert "Reply by post" in page


@pytest.mark.parametrize("recipient", ["", "Only one line", "\n \n"])
async def test_an_address_of_fewer_than_two_lines_is_a_permanent_failure(
    runtime: Runtime, session: AsyncSession, recipient: str
) -> None:
    sent = await letter_to_send(session)
    with pytest.raises(PermanentFailure):
        await _provider(runtime).send(Envelope("mail", recipient, sent.envelope.payload, "bad"))
    assert await count(session, Letter) == 0


async def test_through_the_outbox_the_letter_id_is_the_interactions_provider_id(
    runtime: Runtime, session: AsyncSession
) -> None:
    sent = await letter_to_send(session)
    await outbox.enqueue(
        session,
        channel="mail",
        recipient=sent.envelope.recipient,
        payload=sent.envelope.payload,
        idempotency_key=sent.envelope.idempotency_key,
        interaction_id=sent.interaction_id,
    )
    await session.commit()
    assert await runtime.worker.drain() == 1
    assert runtime.recording.sent == []  # letters never fall through to the recording provider
    session.expire_all()
    letter = (await session.execute(select(Letter))).scalar_one()
    interaction = await interactions.get_interaction(session, interaction_id=sent.interaction_id)
    assert interaction.external_id == str(letter.id)
    assert interaction.delivery_status is DeliveryStatus.queued  # accepted: it is sent when a print batch takes it
