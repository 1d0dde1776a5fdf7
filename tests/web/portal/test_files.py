"""/account/files/{id}: a resident downloads a file of their own timeline, such as the PDF of a letter we posted."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_citizen
from tests.web.portal.conftest import Resident, sign_in
from townsquare.app import Runtime
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Attachment, Channel, Direction, InteractionKind

PDF = b"%PDF-1.4\n% a letter\n"


async def _file(session: AsyncSession, runtime: Runtime, citizen_id: object, direction: Direction) -> Attachment:
    conversation = await interactions.start_conversation(session, citizen_id=citizen_id, channel=Channel.mail)  # type: ignore[arg-type]
    sha = runtime.pipeline.store.save(PDF)
    letter = Attachment(
        filename="Letter TS-2026-000123.pdf", content_type="application/pdf", size_bytes=len(PDF), sha256=sha
    )
    await interactions.record(
        session,
        conversation=conversation,
        channel=Channel.mail,
        direction=direction,
        kind=InteractionKind.letter,
        body="Your request",
        attachments=[letter],
    )
    await session.commit()
    return letter


async def test_a_resident_downloads_the_letter_we_posted_them(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime, resident: Resident
) -> None:
    letter = await _file(session, runtime, resident.citizen_id, Direction.outbound)
    sign_in(client, resident)
    got = await client.get(f"/account/files/{letter.id}")
    assert got.status_code == 200
    assert got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert got.headers["x-content-type-options"] == "nosniff"


async def test_another_persons_file_a_staff_note_s_and_a_made_up_one_are_the_same_404(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime, resident: Resident
) -> None:
    other = await create_citizen(session, name="Someone Else")
    theirs = await _file(session, runtime, other.id, Direction.outbound)
    internal = await _file(session, runtime, resident.citizen_id, Direction.internal)
    sign_in(client, resident)
    for target in (str(theirs.id), str(internal.id), "not-an-id"):
        refused = await client.get(f"/account/files/{target}")
        assert refused.status_code == 404
        assert "File not found" in refused.text
    client.cookies.clear()
    signed_out = await client.get(f"/account/files/{theirs.id}")
    assert signed_out.status_code in (302, 303)
