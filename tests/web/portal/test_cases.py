"""My cases: the resident's cases and one case's timeline across every channel, in their language, never
someone else's case and never a staff-internal entry."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_citizen, create_service, create_staff, desk_citizen_with_history
from tests.web.portal.conftest import Resident, make_resident, sign_in
from townsquare.app import Runtime
from townsquare.cases import service as cases
from townsquare.cases.models import Case, CaseStatus
from townsquare.casework import cases as casework
from townsquare.casework import desk
from townsquare.citizens import sessions
from townsquare.engagement.messages import InboundMessage
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel, Direction, InteractionKind
from townsquare.staff.auth import Principal
from townsquare.staff.models import StaffRole

SIZES = {
    "code": "SIZE",
    "datatype": "singlevaluelist",
    "description": "How big is it?",
    "values": [{"key": "small", "name": "Smaller than a plate"}, {"key": "large", "name": "Larger than a tyre"}],
    "translations": {"fr": {"description": "Quelle taille fait-il ?", "values": {"small": "Petit comme une assiette"}}},
}


@dataclass(frozen=True)
class Seeded:
    resident: Resident
    reference: str
    case_id: uuid.UUID
    conversation_id: uuid.UUID


async def _seed(runtime: Runtime, *, touchpoints: int = 5) -> Seeded:
    """A resident who reported a pothole online, then texted, phoned and emailed about it; staff answered by text,
    noted something internal, assigned the case and moved it along."""
    async with runtime.db.session() as s:
        works = await create_agency(s)
        await create_service(
            s,
            agency=works,
            attributes=[SIZES],
            translations={"fr": {"name": "Signaler un nid-de-poule"}},
        )
        wren = await create_staff(s, email="wren@city.example", agencies=[works])
        citizen = await create_citizen(s, name="Maria Lopez", email="maria@example.org")
        token = await sessions.start(s, citizen_id=citizen.id, method="email_link", hours=24)
        await s.commit()
        citizen_id, wren_id, works_id = citizen.id, wren.id, works.id
    async with runtime.db.session() as s:
        submitted = await runtime.pipeline.ingest(
            s,
            InboundMessage(
                channel=Channel.web,
                kind=InteractionKind.form_submission,
                text="Deep hole outside number 12",
                citizen_id=citizen_id,
                service_code="POTHOLE",
                metadata={"attributes": {"SIZE": "small"}},
            ),
        )
    assert submitted.case_reference is not None
    reference = submitted.case_reference
    async with runtime.db.session() as s:
        case = await cases.require(s, reference=reference)
        conversation = await interactions.get_conversation(s, conversation_id=uuid.UUID(submitted.conversation_id))
        for channel, kind, direction, body in (
            (Channel.voice, InteractionKind.call, Direction.inbound, "call record by the agent"),
            (Channel.sms, InteractionKind.message, Direction.inbound, "Is anyone coming?"),
            (Channel.sms, InteractionKind.message, Direction.outbound, "A crew comes on Tuesday."),
            (Channel.email, InteractionKind.message, Direction.inbound, "Here is a photo."),
            (Channel.counter, InteractionKind.visit, Direction.inbound, ""),
        )[:touchpoints]:
            await interactions.record(
                s,
                conversation=conversation,
                channel=channel,
                direction=direction,
                kind=kind,
                body=body,
                staff_id=wren_id if direction is Direction.outbound else None,
            )
        me = Principal("staff", wren_id, "Wren", StaffRole.agent, frozenset({works_id}))
        await desk.add_note(
            s,
            actor=me,
            body="STAFF ONLY: neighbour dispute",
            conversation_id=conversation.id,
            citizen_id=citizen_id,
            case_id=case.id,
        )
        await desk.assign_case(s, actor=me, case=case, staff_id=wren_id)
        await casework.change_status(
            s,
            settings=runtime.settings,
            actor=me,
            case=case,
            status=CaseStatus.in_progress,
            note="Crew booked for Friday",
        )
        await s.commit()
        case_id = case.id
    email = "maria@example.org"
    return Seeded(Resident(citizen_id, email, token), reference, case_id, uuid.UUID(submitted.conversation_id))


def _main(page: str) -> str:
    found = re.search(r"<main.*</main>", page, re.DOTALL)
    assert found is not None
    return found.group(0)


async def test_signed_out_residents_are_sent_to_sign_in_and_come_back(client: httpx.AsyncClient) -> None:
    page = await client.get("/account/cases")
    assert page.status_code == 303
    assert page.headers["location"] == "/account/sign-in?next=%2Faccount%2Fcases"


async def test_a_resident_without_cases_is_pointed_to_the_services(
    client: httpx.AsyncClient, resident: Resident
) -> None:
    sign_in(client, resident)
    page = await client.get("/account/cases")
    assert page.status_code == 200
    assert "You have no cases yet" in page.text
    assert 'href="/services"' in page.text


async def test_the_list_shows_each_case_with_its_status_in_plain_words_in_either_language(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    seeded = await _seed(runtime)
    sign_in(client, seeded.resident)
    page = await client.get("/account/cases")
    assert page.status_code == 200
    assert seeded.reference in page.text
    assert f'href="/account/cases/{seeded.reference}"' in page.text
    assert "Report a pothole" in page.text
    assert '<strong class="govuk-tag govuk-tag--light-blue">In progress</strong>' in page.text

    client.cookies.set("ts_lang", "fr")
    french = await client.get("/account/cases")
    assert '<html lang="fr"' in french.text
    assert "Vos dossiers" in french.text
    assert "Signaler un nid-de-poule" in french.text
    assert ">En cours</strong>" in french.text
    messages = await client.get("/account/messages")
    assert f"Signaler un nid-de-poule (dossier {seeded.reference})" in messages.text


async def test_a_case_shows_its_answers_and_a_cross_channel_timeline_newest_first_without_internal_entries(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    seeded = await _seed(runtime)
    sign_in(client, seeded.resident)
    page = await client.get(f"/account/cases/{seeded.reference.lower()}")
    assert page.status_code == 200
    text = page.text
    assert "How big is it?" in text
    assert "Smaller than a plate" in text
    assert "We aim to respond by" in text
    said = [
        "Status changed to: In progress",
        "You visited us in person",
        "You emailed us",
        "We sent you a text message",
        "You sent us a text message",
        "You phoned us",
        "You submitted the form online",
    ]
    positions = [text.index(words) for words in said]
    assert positions == sorted(positions), "the timeline is newest first"
    assert "A crew comes on Tuesday." in text
    assert "Crew booked for Friday" in text  # a status change's note is public
    assert "from Wren" in text  # the staff member's first name only
    for internal in ("STAFF ONLY", "neighbour dispute", "assigned to", "call record by the agent"):
        assert internal not in text
    assert f'href="/account/messages/{seeded.conversation_id}"' in text

    client.cookies.set("ts_lang", "fr")
    french = (await client.get(f"/account/cases/{seeded.reference}")).text
    assert "Quelle taille fait-il ?" in french
    assert "Petit comme une assiette" in french
    assert "Vous nous avez téléphoné" in french
    assert "Nous vous avons envoyé un texto" in french


async def test_someone_elses_case_is_the_same_404_as_a_case_that_does_not_exist(
    client: httpx.AsyncClient, runtime: Runtime, session: AsyncSession
) -> None:
    seeded = await _seed(runtime)
    sam = await make_resident(session, name="Sam Stranger", email="sam@example.org")
    sign_in(client, sam)
    theirs = await client.get(f"/account/cases/{seeded.reference}")
    missing = await client.get("/account/cases/TS-1999-000001")
    assert theirs.status_code == missing.status_code == 404
    assert _main(theirs.text) == _main(missing.text)
    assert seeded.reference not in _main(theirs.text)
    assert "Report a pothole" not in _main(theirs.text)
    listed = await client.get("/account/cases")
    assert seeded.reference not in listed.text


async def test_a_long_timeline_comes_a_hundred_entries_at_a_time(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    works = await create_agency(session)
    case = await cases.open_case(session, prefix="TS", agency_id=works.id, title="Pothole", channel="web")
    citizen, _ = await desk_citizen_with_history(session, touchpoints=130, case_id=case.id)
    case.citizen_id = citizen.id
    token = await sessions.start(session, citizen_id=citizen.id, method="email_link", hours=24)
    await session.commit()
    reference = case.reference
    sign_in(client, Resident(citizen.id, "maria@example.org", token))

    first = await client.get(f"/account/cases/{reference}")
    shown = re.findall(r"touchpoint (\d+)<", first.text)
    assert shown == [str(n) for n in range(129, 29, -1)]
    earlier = re.search(r'href="(/account/cases/[^"]+\?before=[^"#]+)', first.text)
    assert earlier is not None
    second = await client.get(earlier.group(1))
    assert re.findall(r"touchpoint (\d+)<", second.text) == [str(n) for n in range(29, -1, -1)]
    assert "Earlier updates" not in second.text
    assert (await client.get(f"/account/cases/{reference}?before=nonsense")).status_code == 422


async def test_a_case_without_a_citizen_page_is_nobodys(client: httpx.AsyncClient, session: AsyncSession) -> None:
    works = await create_agency(session)
    orphan: Case = await cases.open_case(session, prefix="TS", agency_id=works.id, title="Streetlight", channel="api")
    reference = orphan.reference
    resident = await make_resident(session)
    sign_in(client, resident)
    assert (await client.get(f"/account/cases/{reference}")).status_code == 404
