"""Opening a person's draft from the desk: only an unsent one of theirs, for a service of the reader's agencies."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_citizen, create_service
from townsquare.cases import service as cases
from townsquare.casework import open_drafts
from townsquare.drafts import service as drafts
from townsquare.errors import Problem
from townsquare.staff.auth import Principal
from townsquare.staff.models import StaffRole


async def test_only_an_unsent_draft_of_theirs_for_a_service_of_the_readers_agencies_opens(
    session: AsyncSession,
) -> None:
    roads = await create_agency(session, slug="roads", name="Roads")
    parks = await create_agency(session, slug="parks", name="Parks")
    service = await create_service(session, agency=roads)
    ana = await create_citizen(session, name="Ana")
    ben = await create_citizen(session, name="Ben")
    draft = await drafts.start_or_resume(session, citizen_id=ana.id, service_id=service.id)
    ours = Principal("staff", uuid.uuid4(), "Wren", StaffRole.agent, frozenset({roads.id}))
    theirs = Principal("staff", uuid.uuid4(), "Pat", StaffRole.agent, frozenset({parks.id}))
    found = await open_drafts.draft_in_scope(session, me=ours, citizen_id=ana.id, draft_id=draft.id)
    assert found.id == draft.id
    for me, citizen_id in ((theirs, ana.id), (ours, ben.id)):
        with pytest.raises(Problem) as refused:
            await open_drafts.draft_in_scope(session, me=me, citizen_id=citizen_id, draft_id=draft.id)
        assert refused.value.status == 404
    case = await cases.open_case(session, prefix="TS", agency_id=roads.id, title="Hole", channel="web")
    await drafts.mark_submitted(session, draft_id=draft.id, citizen_id=ana.id, case_id=case.id)
    with pytest.raises(Problem):
        await open_drafts.draft_in_scope(session, me=ours, citizen_id=ana.id, draft_id=draft.id)
