"""Identity normalisation and resolution."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.db import record_statements
from townsquare.app import Runtime
from townsquare.citizens import service as citizens
from townsquare.citizens.models import IdentityKind
from townsquare.clock import utcnow
from townsquare.errors import Problem


@pytest.mark.parametrize("raw", ["(613) 555-0142", "613.555.0142", "+1 613 555 0142", "1-613-555-0142", "+16135550142"])
def test_phone_numbers_normalise_to_e164(raw: str) -> None:
    assert citizens.normalise_phone(raw, region="CA") == "+16135550142"


def test_phone_numbers_from_other_countries_keep_their_country() -> None:
    assert citizens.normalise_phone("+33 1 42 68 53 00", region="CA") == "+33142685300"
    assert citizens.normalise_phone("020 7946 0018", region="GB") == "+442079460018"


@pytest.mark.parametrize("raw", ["", "hello", "12", "+1 613 555 01422 999 77"])
def test_impossible_phone_numbers_are_refused(raw: str) -> None:
    with pytest.raises(Problem) as info:
        citizens.normalise_phone(raw, region="CA")
    assert info.value.status == 422


def test_emails_normalise_and_bad_ones_are_refused() -> None:
    assert citizens.normalise_email("  Maria.Lopez@Example.ORG ") == "maria.lopez@example.org"
    for bad in ("maria", "maria@", "@example.org", "a b@example.org"):
        with pytest.raises(Problem):
            citizens.normalise_email(bad)


async def test_resolve_makes_one_provisional_citizen_per_identifier(session: AsyncSession) -> None:
    first, identity, created = await citizens.resolve(session, kind=IdentityKind.phone, value="+16135550142")
    again, same, created_again = await citizens.resolve(session, kind=IdentityKind.phone, value="+16135550142")
    assert created
    assert not created_again
    assert first.id == again.id
    assert identity.id == same.id
    other, _, _ = await citizens.resolve(session, kind=IdentityKind.email, value="+16135550142")
    assert other.id != first.id  # same text, different kind of identifier: no link


async def test_an_identity_is_seen_at_first_contact_without_a_second_write(runtime: Runtime) -> None:
    at = utcnow()
    async with runtime.db.session() as s:
        with record_statements(runtime.db.engine) as seen:
            _, identity, created = await citizens.resolve(s, kind=IdentityKind.phone, value="+16135550142", seen_at=at)
            await s.flush()
        assert created
        assert identity.last_seen_at == at
        assert not [q for q in seen.queries if q.lstrip().upper().startswith("UPDATE")], seen.queries


@pytest.mark.parametrize(
    ("kind", "value", "moves"),
    [(IdentityKind.phone, "+16135550142", False), (IdentityKind.social, "messenger:psid-1", True)],
)
async def test_last_seen_moves_by_more_than_a_minute_except_for_social_accounts(
    session: AsyncSession, kind: IdentityKind, value: str, moves: bool
) -> None:
    first = utcnow()
    _, identity, _ = await citizens.resolve(session, kind=kind, value=value, seen_at=first)
    soon = first + timedelta(seconds=30)
    await citizens.resolve(session, kind=kind, value=value, seen_at=soon)
    assert identity.last_seen_at == (soon if moves else first)  # Meta's window is counted from a social one
    later = first + citizens.LAST_SEEN_RESOLUTION + timedelta(seconds=1)
    await citizens.resolve(session, kind=kind, value=value, seen_at=later)
    assert identity.last_seen_at == later
    await citizens.resolve(session, kind=kind, value=value, seen_at=first)
    assert identity.last_seen_at == later  # never backwards


def test_a_postal_address_is_kept_as_trimmed_lines() -> None:
    raw = "  Ada  Lovelace \r\n\n 110 Laurier Ave W \n Ottawa ON  K1P 1J1 "
    expected = "Ada Lovelace\n110 Laurier Ave W\nOttawa ON K1P 1J1"
    assert citizens.normalise(IdentityKind.postal, raw, region="CA") == expected


@pytest.mark.parametrize("raw", ["one line only", "\n".join(["a line"] * 7), "name\n" + "x" * 61])
def test_a_postal_address_that_cannot_be_written_on_an_envelope_is_refused(raw: str) -> None:
    with pytest.raises(Problem) as refused:
        citizens.normalise(IdentityKind.postal, raw, region="CA")
    assert refused.value.status == 422


async def test_get_reads_a_person_once_per_session_and_with_every_identity(runtime: Runtime) -> None:
    async with runtime.db.session() as s:
        person = await citizens.create(s, display_name="Ana")
        await citizens.add_identity(s, citizen_id=person.id, kind=IdentityKind.phone, value="6135550142", region="CA")
        await citizens.add_identity(
            s, citizen_id=person.id, kind=IdentityKind.email, value="ana@example.org", region="CA"
        )
        await s.commit()
    async with runtime.db.session() as s:
        with record_statements(runtime.db.engine) as seen:
            first = await citizens.get(s, citizen_id=person.id)
            again = await citizens.get(s, citizen_id=person.id)
        assert len(seen.selects) == 1  # the person and her identities joined; the second read is the session's
        assert again is first
        assert sorted(i.kind for i in first.identities) == [IdentityKind.email, IdentityKind.phone]
    async with runtime.db.session() as s:
        s.add(await s.get_one(type(person), person.id))  # in the session without her identities
        with record_statements(runtime.db.engine) as seen:
            found = await citizens.get(s, citizen_id=person.id)
        assert len(seen.selects) == 1
        assert len(found.identities) == 2
        with pytest.raises(Problem):
            await citizens.get(s, citizen_id=uuid.uuid4())
