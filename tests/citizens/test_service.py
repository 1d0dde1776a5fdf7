"""Identity normalisation and resolution."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.citizens import service as citizens
from townsquare.citizens.models import IdentityKind
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


def test_a_postal_address_is_kept_as_trimmed_lines() -> None:
    raw = "  Ada  Lovelace \r\n\n 110 Laurier Ave W \n Ottawa ON  K1P 1J1 "
    expected = "Ada Lovelace\n110 Laurier Ave W\nOttawa ON K1P 1J1"
    assert citizens.normalise(IdentityKind.postal, raw, region="CA") == expected


@pytest.mark.parametrize("raw", ["one line only", "\n".join(["a line"] * 7), "name\n" + "x" * 61])
def test_a_postal_address_that_cannot_be_written_on_an_envelope_is_refused(raw: str) -> None:
    with pytest.raises(Problem) as refused:
        citizens.normalise(IdentityKind.postal, raw, region="CA")
    assert refused.value.status == 422
