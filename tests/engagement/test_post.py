"""The post in: a scanned letter threads by our letter's QR code, by a reference in its text, or by its sender's
address; an unknown sender and an unreadable page become work for a person; the same file is recorded once; a
refused file writes nothing."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_citizen
from tests.notify.letters.factories import letter_to_send
from tests.support import scans
from townsquare.app import Runtime
from townsquare.cases import service as cases
from townsquare.citizens import service as citizens
from townsquare.citizens.models import Identity, IdentityKind
from townsquare.engagement import post
from townsquare.engagement.messages import Outcome
from townsquare.errors import Problem
from townsquare.interactions.models import Attachment, Channel, Interaction, InteractionKind
from townsquare.notify.letters.models import Letter
from townsquare.notify.letters.provider import LetterProvider
from townsquare.routing.models import WorkItem
from townsquare.settings import Settings
from townsquare.web.simulator.scanner import reply_on

MARIE = ["Marie Tremblay", "12 Elm Street", "Ottawa ON K1A 0B1"]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"mail_scan_dpi": 200})


async def _take(runtime: Runtime, session: AsyncSession, data: bytes, name: str = "scan.pdf") -> Outcome:
    outcome = await post.take(session, runtime.pipeline, post.Scan(data=data, filename=name, door="folder"))
    await session.commit()
    return outcome


async def _letter_context(session: AsyncSession, outcome: Outcome) -> dict[str, object]:
    assert outcome.work_item_id is not None
    item = await session.get_one(WorkItem, uuid.UUID(outcome.work_item_id))
    await session.refresh(item)
    letter = item.context["letter"]
    assert isinstance(letter, dict)
    return letter


async def _marie(session: AsyncSession) -> tuple[uuid.UUID, str]:
    agency = await create_agency(session)
    marie = await create_citizen(session, name="Marie Tremblay")
    await citizens.add_identity(
        session, citizen_id=marie.id, kind=IdentityKind.postal, value="\n".join(MARIE[1:]), region="CA"
    )
    case = await cases.open_case(
        session, prefix="TS", agency_id=agency.id, title="Streetlight out", channel="mail", citizen_id=marie.id
    )
    await session.commit()
    return marie.id, case.reference


async def test_a_reply_written_on_our_letter_threads_by_its_qr_code(runtime: Runtime, session: AsyncSession) -> None:
    sent = await letter_to_send(session)
    provider = runtime.providers.for_channel("mail")
    assert isinstance(provider, LetterProvider)
    letter_id = await provider.send(sent.envelope)
    letter = await session.get_one(Letter, uuid.UUID(letter_id))
    printed = runtime.pipeline.store.read(letter.pdf_sha256)
    scan = reply_on(printed, "The pothole is still there.\nPlease come back.")

    outcome = await _take(runtime, session, scan, "reply.pdf")

    assert outcome.case_reference == sent.reference
    assert outcome.citizen_id == str(sent.citizen_id)
    assert not outcome.citizen_created
    inbound = await session.get_one(Interaction, uuid.UUID(outcome.interaction_id))
    assert (inbound.channel, inbound.kind) == (Channel.mail, InteractionKind.letter)
    assert "still there" in inbound.body
    kept = (await session.execute(select(Attachment).where(Attachment.interaction_id == inbound.id))).scalars().all()
    assert [(a.filename, a.content_type) for a in kept] == [("reply.pdf", "application/pdf")]
    context = await _letter_context(session, outcome)
    assert (context["threaded_by"], context["code"], context["needs"]) == ("qr", sent.reference, None)
    item = await session.get_one(WorkItem, uuid.UUID(str(outcome.work_item_id)))
    assert item.channel == "mail"


async def test_a_reference_in_the_text_threads_a_letter_from_its_known_sender(
    runtime: Runtime, session: AsyncSession
) -> None:
    marie_id, reference = await _marie(session)
    page = scans.typed([*MARIE, "", "Dear City,", f"About my report {reference}:", "the streetlight is still out."])

    outcome = await _take(runtime, session, scans.png(page), "letter.png")

    assert (outcome.case_reference, outcome.citizen_id) == (reference, str(marie_id))
    assert not outcome.citizen_created
    context = await _letter_context(session, outcome)
    assert (context["threaded_by"], context["needs"]) == ("reference", None)
    assert context["sender"] == {"name": "Marie Tremblay", "address": MARIE[1:]}


async def test_an_unknown_sender_is_left_for_a_person_to_identify(runtime: Runtime, session: AsyncSession) -> None:
    marie_id, _ = await _marie(session)
    page = scans.typed(["Jean Tremblay", *MARIE[1:], "", "Hello,", "The bins were not collected on Monday."])

    outcome = await _take(runtime, session, scans.png(page), "bins.png")

    assert outcome.citizen_created
    assert outcome.citizen_id != str(marie_id)  # the same address under another name is never linked by itself
    context = await _letter_context(session, outcome)
    assert (context["threaded_by"], context["needs"]) == (None, "identify")
    assert {"citizen_id": str(marie_id), "why": "address"} in context["proposed"]  # type: ignore[operator]


async def test_a_new_sender_keeps_their_address_to_be_answered_by_post(runtime: Runtime, session: AsyncSession) -> None:
    await create_agency(session)
    await session.commit()
    page = scans.typed(["Paul Martin", "48 Bank Street", "Ottawa ON K2P 1A1", "", "Hello,", "Is the pool open?"])

    outcome = await _take(runtime, session, scans.pdf([page]), "pool.pdf")

    assert outcome.citizen_created
    postal = (
        await session.execute(select(Identity).where(Identity.citizen_id == uuid.UUID(outcome.citizen_id)))
    ).scalar_one()
    assert (postal.kind, postal.value, postal.verified) == (
        IdentityKind.postal,
        "48 Bank Street\nOttawa ON K2P 1A1",
        False,
    )
    assert (await _letter_context(session, outcome))["needs"] == "identify"


async def test_a_page_with_no_words_is_kept_for_a_person_to_look_at(runtime: Runtime, session: AsyncSession) -> None:
    await create_agency(session)
    await session.commit()
    outcome = await _take(runtime, session, scans.png(scans.typed([])), "blank.png")

    assert outcome.work_item_id is not None
    assert (await _letter_context(session, outcome))["needs"] == "look"
    inbound = await session.get_one(Interaction, uuid.UUID(outcome.interaction_id))
    assert inbound.body == ""
    assert await session.scalar(select(func.count()).select_from(Attachment)) == 1


async def test_the_same_file_again_is_recorded_once(runtime: Runtime, session: AsyncSession) -> None:
    await create_agency(session)
    await session.commit()
    data = scans.png(scans.typed(["Please call me back about my tax bill."]))
    first = await _take(runtime, session, data)
    again = await _take(runtime, session, data, "the-same-scan-renamed.png")

    assert (again.duplicate, again.interaction_id) == (True, first.interaction_id)
    assert await session.scalar(select(func.count()).select_from(Interaction)) == 1


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (b"Dear City, this is a text file.", 415, "unsupported-media-type"),
        (b"", 422, "empty"),
        (scans.with_script(), 422, "active-content"),
        (scans.with_attachment(), 422, "active-content"),
        (scans.written(scans.blank_pdf(21)), 413, "too-many-pages"),
        (scans.written(scans.blank_pdf(width=14_400, height=14_400)), 413, "too-many-pixels"),
        (scans.huge_image(), 413, "too-many-pixels"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog", 422, "unreadable"),
        (scans.png(scans.typed(["cut short"]))[:400], 422, "unreadable"),
    ],
    ids=["text", "empty", "script", "attachment", "pages", "page-size", "pixels", "broken-pdf", "cut-image"],
)
async def test_a_refused_file_is_named_and_writes_nothing(
    runtime: Runtime, session: AsyncSession, data: bytes, status: int, code: str
) -> None:
    with pytest.raises(Problem) as refused:
        await post.take(session, runtime.pipeline, post.Scan(data=data, filename="x", door="api"))
    assert (refused.value.status, refused.value.type_slug) == (status, code)
    await session.rollback()
    assert await session.scalar(select(func.count()).select_from(Interaction)) == 0
