"""A resident's recent searches: trimmed, the same words move to the top, the last ten kept, cleared on request."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import count, create_citizen
from townsquare.citizens import searches
from townsquare.citizens.models import CitizenSearch


async def _queries(session: AsyncSession, citizen_id: uuid.UUID) -> list[str]:
    return [s.query for s in await searches.recent(session, citizen_id=citizen_id)]


async def test_searches_are_trimmed_and_blank_ones_are_not_kept(session: AsyncSession) -> None:
    maria = await create_citizen(session)
    assert await searches.record(session, citizen_id=maria.id, query="   ") is None
    kept = await searches.record(session, citizen_id=maria.id, query="  missed \n  collection ")
    assert kept is not None
    assert kept.query == "missed collection"
    long = await searches.record(session, citizen_id=maria.id, query="x" * 500)
    assert long is not None
    assert len(long.query) == searches.MAX_QUERY_CHARS
    assert await _queries(session, maria.id) == ["x" * 200, "missed collection"]


async def test_the_same_search_moves_to_the_top_instead_of_repeating(session: AsyncSession) -> None:
    maria = await create_citizen(session)
    for query in ("pothole", "parking", "tax", "Pothole"):
        await searches.record(session, citizen_id=maria.id, query=query)
    assert await _queries(session, maria.id) == ["Pothole", "tax", "parking"]
    assert await count(session, CitizenSearch) == 3


async def test_only_the_last_ten_are_kept_per_person_and_clear_forgets_only_theirs(session: AsyncSession) -> None:
    maria = await create_citizen(session)
    sam = await create_citizen(session, name="Sam Lee")
    await searches.record(session, citizen_id=sam.id, query="tree")
    for n in range(15):
        await searches.record(session, citizen_id=maria.id, query=f"search {n}")
    assert await _queries(session, maria.id) == [f"search {n}" for n in range(14, 4, -1)]
    assert await count(session, CitizenSearch, CitizenSearch.citizen_id == maria.id) == searches.KEPT
    assert await _queries(session, sam.id) == ["tree"]

    assert await searches.clear(session, citizen_id=maria.id) == 10
    assert await _queries(session, maria.id) == []
    assert await _queries(session, sam.id) == ["tree"]
