"""Finding a person: a phone number in any format, an email address, a case reference the caller may see, or
part of a name; a reference or an identifier is never looked for in names."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_citizen
from townsquare.cases import service as cases
from townsquare.casework.finding import find_citizens
from townsquare.citizens import service as citizens
from townsquare.citizens.models import IdentityKind


async def _find(session: AsyncSession, query: str, agency_ids: set[uuid.UUID] | None = None) -> list[str]:
    found = await find_citizens(
        session, query=query, region="CA", reference_prefix="TS", agency_ids=agency_ids, limit=50
    )
    return sorted(c.display_name or "" for c in found)


@pytest.fixture
async def people(session: AsyncSession) -> None:
    await create_citizen(session, name="Maria Lopez", phone="+16135550142", email="maria@example.org")
    await create_citizen(session, name="Amaria Field", phone="+16135550199")
    await create_citizen(session, name="Sam 100% Lopez_Jones")
    # Names that hold digits and an @ must not be found by a phone number or address that only looks alike.
    await create_citizen(session, name="6135550142 maria@example.org")
    await session.flush()


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize(
    "query",
    ["+16135550142", "613-555-0142", "(613) 555-0142", "613.555.0142", " 1 613 555 0142 ", "6135550142"],
)
async def test_a_phone_number_in_any_format_finds_its_holder_only(session: AsyncSession, query: str) -> None:
    assert await _find(session, query) == ["Maria Lopez"]


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize("query", ["maria@example.org", "MARIA@Example.ORG", "  maria@example.org"])
async def test_an_email_address_finds_its_holder_only(session: AsyncSession, query: str) -> None:
    assert await _find(session, query) == ["Maria Lopez"]


@pytest.mark.usefixtures("people")
async def test_part_of_a_name_finds_every_name_that_holds_it(session: AsyncSession) -> None:
    assert await _find(session, "maria") == ["6135550142 maria@example.org", "Amaria Field", "Maria Lopez"]
    assert await _find(session, "LOPEZ") == ["Maria Lopez", "Sam 100% Lopez_Jones"]


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize(("query", "expected"), [("00%", ["Sam 100% Lopez_Jones"]), ("z_J", ["Sam 100% Lopez_Jones"])])
async def test_percent_and_underscore_are_letters_not_wildcards(
    session: AsyncSession, query: str, expected: list[str]
) -> None:
    assert await _find(session, query) == expected
    assert await _find(session, "%%%") == []
    assert await _find(session, "___") == []


@pytest.mark.usefixtures("people")
async def test_under_three_letters_matches_only_an_exact_identifier(session: AsyncSession) -> None:
    assert await _find(session, "ma") == []
    handle = await create_citizen(session, name="Short Handle")
    await citizens.add_identity(session, citizen_id=handle.id, kind=IdentityKind.social, value="ab", region="CA")
    assert await _find(session, "AB") == ["Short Handle"]


async def test_a_case_reference_finds_its_citizen_when_the_caller_may_see_the_case(session: AsyncSession) -> None:
    works = await create_agency(session, slug="works")
    tax = await create_agency(session, slug="tax")
    maria = await create_citizen(session, name="Maria Lopez")
    await create_citizen(session, name=None)  # type: ignore[arg-type]
    case = await cases.open_case(
        session, prefix="TS", agency_id=works.id, title="Pothole", channel="web", citizen_id=maria.id
    )
    nobody = await cases.open_case(session, prefix="TS", agency_id=works.id, title="Anonymous", channel="web")
    await session.flush()

    assert await _find(session, case.reference) == ["Maria Lopez"]
    assert await _find(session, case.reference.lower(), {works.id}) == ["Maria Lopez"]
    assert await _find(session, case.reference, {tax.id}) == []  # another agency's case is not a way in
    assert await _find(session, nobody.reference) == []
    assert await _find(session, "TS-1999-000001") == []
