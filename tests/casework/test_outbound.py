"""Which conversation a message written first goes in: the case's, else the person's recent one unless it is about
another agency's case, else a new one; and the ways to write to someone."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_citizen, create_staff
from townsquare.cases import service as cases
from townsquare.casework import outbound
from townsquare.citizens import service as citizens
from townsquare.citizens.models import Citizen, Identity, IdentityKind
from townsquare.clock import utcnow
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel, Interaction
from townsquare.settings import Settings
from townsquare.staff.auth import Principal
from townsquare.staff.models import StaffRole


async def test_the_ways_to_write_are_the_persons_contacts_chats_and_devices() -> None:
    person = await _unsaved_person()
    ways = outbound.ways_to_write(person, push_on=True)
    assert [w.key.split(":")[0] for w in ways] == ["sms", "email", "social", "chat", "push"]
    assert [w.stopped for w in ways] == [True, False, False, False, False]


async def _unsaved_person() -> Citizen:
    person = Citizen(id=uuid.uuid4(), display_name="Ana")
    person.identities = [
        Identity(id=uuid.uuid4(), kind=IdentityKind.phone, value="+16135550142", opted_out_at=utcnow()),
        Identity(id=uuid.uuid4(), kind=IdentityKind.email, value="ana@example.org"),
        Identity(id=uuid.uuid4(), kind=IdentityKind.social, namespace="mastodon", value="@ana"),
        Identity(id=uuid.uuid4(), kind=IdentityKind.device, namespace="chat", value="ab" * 32),
        Identity(id=uuid.uuid4(), kind=IdentityKind.sso, namespace="https://id.example", value="sub-1"),
    ]
    return person


async def test_a_recent_conversation_about_another_agencys_case_is_not_written_into(
    session: AsyncSession, settings: Settings
) -> None:
    roads = await create_agency(session, slug="roads", name="Roads")
    parks = await create_agency(session, slug="parks", name="Parks")
    account = await create_staff(session, email="agent@city.example", agencies=[roads])
    me = Principal("staff", account.id, "Wren", StaffRole.agent, frozenset({roads.id}))
    ana = await create_citizen(session, name="Ana", email="ana@example.org")
    await cases.open_case(session, prefix="TS", agency_id=roads.id, title="Hole", channel="web", citizen_id=ana.id)
    theirs = await cases.open_case(
        session, prefix="TS", agency_id=parks.id, title="Bench", channel="web", citizen_id=ana.id
    )
    other = await interactions.start_conversation(session, citizen_id=ana.id, channel=Channel.web, case_id=theirs.id)
    email = await citizens.contact_for(session, citizen_id=ana.id, kind=IdentityKind.email)
    assert email is not None

    async def write(text: str) -> Interaction:
        sent = await outbound.send(
            session,
            me=me,
            settings=settings,
            citizen_id=ana.id,
            way=f"email:{email.id}",
            case_reference="",
            subject="",
            text=text,
        )
        return await session.get_one(Interaction, uuid.UUID(sent.interaction_id))

    written = await write("Hi")
    assert written.conversation_id != other.id
    assert written.case_id is None
    again = await write("Again")
    assert again.conversation_id == written.conversation_id  # the thread just begun is continued
