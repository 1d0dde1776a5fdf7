"""The city's answers on Mastodon: public once (redacted, with the offer to continue privately), private after; a
long private answer links to its full text; writing first is private; a private mention verifying a phone or an
email joins the account to the person who holds it, as a chat device is joined."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_citizen, create_staff
from tests.support.mastodon import mastodon_settings, opened, social
from townsquare.app import Runtime
from townsquare.channels.mastodon_poll import MastodonPoller
from townsquare.citizens import service as citizens
from townsquare.citizens.models import Citizen, Identity, IdentityKind
from townsquare.clock import utcnow
from townsquare.engagement import links, mastodon, replies
from townsquare.interactions.models import Channel, Conversation, Direction, Interaction
from townsquare.notify.rendering import Content
from townsquare.routing.models import WorkItem
from townsquare.settings import Settings
from townsquare.web.simulator.mastodon_fake import FakeMastodon

STATUSES = "/simulator/mastodon/api/v1/statuses"
MARIA = "maria@social.example"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return mastodon_settings(settings)


@pytest.fixture
async def staff_id(session: AsyncSession) -> uuid.UUID:
    agency = await create_agency(session, slug="city", name="City")
    account = await create_staff(session, email="wren@city.example", agencies=[agency])
    await session.commit()
    return account.id


@pytest.fixture
async def fake(app: FastAPI, runtime: Runtime, staff_id: uuid.UUID) -> FakeMastodon:
    return await opened(app, runtime)


@pytest.fixture
def poller(runtime: Runtime) -> MastodonPoller:
    assert runtime.mastodon is not None
    return runtime.mastodon


def posted(fake: FakeMastodon) -> list[dict[str, str]]:
    return [r["form"] for r in fake.requests if r["path"] == STATUSES]


async def mention(
    fake: FakeMastodon, poller: MastodonPoller, session: AsyncSession, text: str, visibility: str = "public"
) -> Interaction:
    fake.post(MARIA, text, display_name="Maria Lopez", visibility=visibility)
    assert len((await poller.run_once()).recorded) == 1
    return (await social(session, direction=Direction.inbound))[-1]


async def answer(runtime: Runtime, settings: Settings, contact: Interaction, text: str, staff: uuid.UUID) -> None:
    async with runtime.db.session() as s:
        await replies.reply(
            s,
            conversation_id=contact.conversation_id,
            content=Content(text=text),
            staff_id=staff,
            options=links.reply_options(settings),
        )
        await s.commit()
    await runtime.worker.drain()


async def test_after_the_public_first_answer_staff_answer_in_a_private_mention_with_everything_they_wrote(
    runtime: Runtime,
    settings: Settings,
    fake: FakeMastodon,
    poller: MastodonPoller,
    session: AsyncSession,
    staff_id: uuid.UUID,
) -> None:
    contact = await mention(fake, poller, session, "My bin was not collected")
    await runtime.worker.drain()
    await answer(runtime, settings, contact, "Hi Maria, call us on 613-555-0142 about TS-2026-000123.", staff_id)
    first, reply = posted(fake)
    assert first["visibility"] == "unlisted"
    assert reply["visibility"] == "direct"
    assert reply["in_reply_to_id"] == contact.payload["mastodon"]["status_id"]
    assert reply["status"] == "@maria@social.example Hi Maria, call us on 613-555-0142 about TS-2026-000123."
    said = (await social(session, direction=Direction.outbound))[-1]
    assert said.staff_id == staff_id
    assert said.body == reply["status"]
    assert said.payload["mastodon"]["visibility"] == "direct"
    item = (await session.execute(select(WorkItem))).scalar_one()
    assert item.first_answered_at is not None  # the reply answered the work


async def test_without_acknowledgements_staff_answer_first_in_public_with_nothing_personal(
    runtime: Runtime,
    settings: Settings,
    fake: FakeMastodon,
    poller: MastodonPoller,
    session: AsyncSession,
    staff_id: uuid.UUID,
) -> None:
    quiet = settings.model_copy(update={"mastodon_acknowledge": False})
    poller.settings = quiet
    contact = await mention(fake, poller, session, "Who fixes the light outside my house?")
    await runtime.worker.drain()
    assert posted(fake) == []
    words = "Hi Maria Lopez, call 613-555-0142 or write to a.b@example.org about TS-2026-000123 at 12 Elm Street."
    await answer(runtime, quiet, contact, words, staff_id)
    await answer(runtime, quiet, contact, "Call 613-555-0142, Maria.", staff_id)
    public, private = posted(fake)
    assert public["visibility"] == "unlisted"
    assert public["in_reply_to_id"] == contact.payload["mastodon"]["status_id"]
    first, offer = public["status"].split("\n\n")
    assert first == (
        "@maria@social.example Hi [removed], call [removed] or write to [removed] about [removed] at [removed]."
    )
    assert offer.endswith("http://testserver/#contact")
    said = (await social(session, direction=Direction.outbound))[0]
    assert said.body == public["status"]  # the record shows what went public, never the words before
    assert said.payload["mastodon"]["redacted"] == ["known", "phone", "email", "case_reference", "address"]
    assert "613-555-0142" not in str(said.payload)
    assert private["visibility"] == "direct"
    assert private["status"] == "@maria@social.example Call 613-555-0142, Maria."


async def test_a_long_private_answer_ends_with_a_link_to_its_full_text(
    runtime: Runtime,
    settings: Settings,
    fake: FakeMastodon,
    poller: MastodonPoller,
    session: AsyncSession,
    staff_id: uuid.UUID,
) -> None:
    contact = await mention(fake, poller, session, "Tell me everything", visibility="direct")
    long = " ".join(f"Step {n} of the procedure is explained here." for n in range(40))
    await answer(runtime, settings, contact, long, staff_id)
    reply = posted(fake)[-1]
    assert len(reply["status"]) <= settings.mastodon_max_characters
    assert re.search(r"…\n\nhttp://testserver/m/\S+$", reply["status"])
    said = (await social(session, direction=Direction.outbound))[-1]
    assert said.payload["full_text"] == long


async def test_writing_first_to_a_mastodon_account_is_a_private_mention(
    runtime: Runtime, settings: Settings, fake: FakeMastodon, session: AsyncSession, staff_id: uuid.UUID
) -> None:
    person = await create_citizen(session, name="Jean Roy")
    await citizens.add_identity(
        session,
        citizen_id=person.id,
        kind=IdentityKind.social,
        value="jean@social.example",
        namespace="mastodon",
        region="CA",
    )
    await session.commit()
    from townsquare.interactions import service as interactions

    async with runtime.db.session() as s:
        conversation = await interactions.start_conversation(s, citizen_id=person.id, channel=Channel.social)
        await replies.reply(
            s,
            conversation_id=conversation.id,
            content=Content(text="Your permit is ready."),
            channel=Channel.social,
            staff_id=staff_id,
            options=links.reply_options(settings),
        )
        await s.commit()
    await runtime.worker.drain()
    (reply,) = posted(fake)
    assert reply == {"status": "@jean@social.example Your permit is ready.", "visibility": "direct", "language": "en"}


async def test_another_network_s_account_is_answered_by_its_own_provider(
    runtime: Runtime, settings: Settings, fake: FakeMastodon, session: AsyncSession, staff_id: uuid.UUID
) -> None:
    person = await create_citizen(session, name="Jean Roy")
    account = await citizens.add_identity(
        session, citizen_id=person.id, kind=IdentityKind.social, value="12345", namespace="messenger", region="CA"
    )
    account.last_seen_at = utcnow()  # they wrote on Messenger a moment ago: Meta's window is open
    await session.commit()
    from townsquare.interactions import service as interactions

    async with runtime.db.session() as s:
        conversation = await interactions.start_conversation(s, citizen_id=person.id, channel=Channel.social)
        result = await replies.reply(
            s, conversation_id=conversation.id, content=Content(text="Hello"), channel=Channel.social, staff_id=staff_id
        )
        await s.commit()
    assert result.channel is Channel.social
    await runtime.worker.drain()
    assert posted(fake) == []
    assert [e.channel for e in runtime.recording.sent] == ["meta"]


def code_in(runtime: Runtime, address: str) -> str:
    (sent,) = [e for e in runtime.recording.sent if e.recipient == address]
    found = re.search(r"\b(\d{6})\b", str(sent.payload))
    assert found is not None
    return found.group(1)


async def test_a_private_mention_verifying_an_email_joins_the_account_to_the_person_who_holds_it(
    runtime: Runtime, fake: FakeMastodon, poller: MastodonPoller, session: AsyncSession
) -> None:
    maria = await create_citizen(session, name="Maria Lopez", email="maria@example.org")
    await session.commit()
    maria_id = maria.id
    asked = await mention(fake, poller, session, "verify maria@example.org", visibility="direct")
    provisional_id = asked.citizen_id  # the record the account made for itself
    await runtime.worker.drain()
    assert posted(fake)[-1]["status"] == (
        "@maria@social.example We sent a code to m•••@example.org. Send it to us here, in a private mention, "
        "within 10 minutes."
    )
    assert posted(fake)[-1]["visibility"] == "direct"
    code = code_in(runtime, "maria@example.org")
    wrong = "000000" if code != "000000" else "111111"
    await mention(fake, poller, session, wrong, visibility="direct")
    await runtime.worker.drain()
    assert posted(fake)[-1]["status"].endswith("That code is not right. You can try 4 more time(s).")
    await mention(fake, poller, session, code, visibility="direct")
    await runtime.worker.drain()
    assert posted(fake)[-1]["status"].endswith("this account is now joined to your record with us.")
    account = (await session.execute(select(Identity).where(Identity.kind == IdentityKind.social))).scalar_one()
    assert account.citizen_id == maria_id
    email = (await session.execute(select(Identity).where(Identity.kind == IdentityKind.email))).scalar_one()
    assert email.verified
    assert provisional_id != maria_id
    provisional = await session.get_one(Citizen, provisional_id)
    assert provisional.merged_into_id == maria_id  # the account's own record folded into hers, with its history
    assert (await session.execute(select(WorkItem))).first() is None  # verifying asks no one for anything
    everything = await social(session)
    assert len(everything) == 6  # three private mentions, three answers: all on her record now
    assert {i.citizen_id for i in everything} == {maria_id}


async def test_verify_in_a_public_post_is_an_ordinary_contact_and_sends_no_code(
    runtime: Runtime, fake: FakeMastodon, poller: MastodonPoller, session: AsyncSession
) -> None:
    await mention(fake, poller, session, "verify maria@example.org")
    await runtime.worker.drain()
    assert [e.channel for e in runtime.recording.sent] == []
    assert posted(fake)[-1]["visibility"] == "unlisted"
    assert (await session.execute(select(WorkItem))).scalar_one() is not None


async def test_an_answer_to_the_city_s_status_threads_back_into_its_conversation_days_later(
    runtime: Runtime, fake: FakeMastodon, poller: MastodonPoller, session: AsyncSession
) -> None:
    first = await mention(fake, poller, session, "Pothole on Elm St")
    conversation_id = first.conversation_id
    await runtime.worker.drain()
    (ack,) = fake.city_statuses()
    said = (await social(session, direction=Direction.outbound))[-1]
    assert said.external_id == f"mastodon:{ack['id']}"
    async with runtime.db.session() as s:  # long after: the conversation would not be found by recency
        await s.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id)
            .values(last_activity_at=utcnow() - timedelta(days=30))
        )
        await s.commit()
    fake.post(MARIA, "Thanks! Here are more details", visibility="direct", in_reply_to_id=ack["id"])
    assert len((await poller.run_once()).recorded) == 1
    later = (await social(session, direction=Direction.inbound))[-1]
    assert later.conversation_id == conversation_id


async def test_a_phone_is_not_flooded_with_codes_from_many_accounts(
    runtime: Runtime, fake: FakeMastodon, poller: MastodonPoller, session: AsyncSession
) -> None:
    for n in range(4):
        fake.post(f"troll{n}@social.example", "verify +1 613 555 0142", visibility="direct")
    assert len((await poller.run_once()).recorded) == 4
    await runtime.worker.drain()
    assert len([e for e in runtime.recording.sent if e.recipient == "+16135550142"]) == 3
    answers = [form["status"] for form in posted(fake)]
    assert answers[-1] == (
        "@troll3@social.example We could not send a code there: check the number or address, or wait an hour if "
        "codes were asked for it already."
    )
    assert all("•••0142" in a for a in answers[:3])


async def test_asking_a_code_for_something_that_is_no_contact_says_so(
    runtime: Runtime, fake: FakeMastodon, poller: MastodonPoller
) -> None:
    fake.post(MARIA, "vérifier pas-un-numéro", visibility="direct", language="fr")
    await poller.run_once()
    await runtime.worker.drain()
    assert posted(fake)[-1]["status"].startswith("@maria@social.example Nous n'avons pas pu y envoyer de code")
    assert runtime.recording.sent == []


@pytest.mark.parametrize(
    ("text", "visibility", "step"),
    [
        ("verify +1 613 555 0142", "direct", mastodon.Step(contact="+1 613 555 0142")),
        ("VÉRIFIER  marie@example.org ", "direct", mastodon.Step(contact="marie@example.org")),
        ("Verifier marie@example.org", "direct", mastodon.Step(contact="marie@example.org")),
        ("123 456", "direct", mastodon.Step(code="123456")),
        ("123456", "direct", mastodon.Step(code="123456")),
        ("verify +1 613 555 0142", "public", None),  # never in public
        ("123456", "private", None),
        ("verify", "direct", None),
        ("please verify my account", "direct", None),
        ("1234567", "direct", None),
    ],
)
def test_the_steps_of_verifying_a_contact(text: str, visibility: str, step: mastodon.Step | None) -> None:
    assert mastodon.verification_step(text, visibility) == step
