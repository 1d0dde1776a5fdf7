"""Finding a person from the desk or the API: by a case reference, a phone number, an email address or a name.

A case reference finds the person whose case it is, when the caller's agencies may see that case; anything else
goes to the citizen search (an exact identifier, else names). Neither ever scans names for a reference.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.cases import service as cases
from townsquare.citizens import service as citizens
from townsquare.citizens.models import Citizen


async def find_citizens(
    session: AsyncSession,
    *,
    query: str,
    region: str,
    reference_prefix: str,
    agency_ids: set[uuid.UUID] | None,
    limit: int,
) -> list[Citizen]:
    """The citizens a search names, best first; at most `limit`."""
    query = query.strip()
    if not query:
        return await citizens.recent(session, limit=limit)
    reference = cases.find_reference(query, prefix=reference_prefix)
    if reference is not None and reference == query.upper():
        case = await cases.get_by_reference(session, reference=reference)
        visible = case is not None and (agency_ids is None or case.agency_id in agency_ids)
        if not visible or case is None or case.citizen_id is None:
            return []
        return [await citizens.get(session, citizen_id=case.citizen_id)]
    return await citizens.search(session, query=query, region=region, limit=limit)
