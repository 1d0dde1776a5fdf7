"""Case assignment, links and merges at the service level: who may be assigned, what may be linked."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_staff
from townsquare.cases import service as cases
from townsquare.cases.models import CaseStatus
from townsquare.errors import Problem
from townsquare.staff.models import StaffRole


async def test_a_case_is_assigned_only_to_its_agencys_staff_or_an_admin(session: AsyncSession) -> None:
    works = await create_agency(session)
    other = await create_agency(session, slug="licensing", name="Licensing")
    member = await create_staff(session, email="kim@city.example", agencies=[works])
    outsider = await create_staff(session, email="lee@city.example", agencies=[other])
    admin = await create_staff(session, email="root@city.example", role=StaffRole.admin)
    case = await cases.open_case(session, prefix="TS", agency_id=works.id, title="Pothole", channel="web")

    assert await cases.assign(session, case=case, staff_id=member.id) is None
    assert await cases.assign(session, case=case, staff_id=admin.id) == member.id
    with pytest.raises(Problem, match="active staff member of its agency"):
        await cases.assign(session, case=case, staff_id=outsider.id)
    assert case.assigned_to_id == admin.id
    assert await cases.assign(session, case=case, staff_id=None) == admin.id
    assert case.assigned_to_id is None


async def test_links_go_both_ways_and_are_never_doubled(session: AsyncSession) -> None:
    agency = await create_agency(session)
    one, two, three = [
        await cases.open_case(session, prefix="TS", agency_id=agency.id, title=t, channel="web") for t in "abc"
    ]
    await cases.link(session, case=one, other=two)
    await cases.link(session, case=three, other=one, kind="related")
    with pytest.raises(Problem, match="linked already"):
        await cases.link(session, case=two, other=one)
    with pytest.raises(Problem, match="itself"):
        await cases.link(session, case=one, other=one)
    with pytest.raises(Problem, match="related or duplicate"):
        await cases.link(session, case=two, other=three, kind="cousin")
    views = await cases.links_for(session, case_ids=[one.id])
    assert [(v.case_reference, v.linked_reference) for v in views] == [
        (one.reference, two.reference),
        (three.reference, one.reference),
    ]
    assert await cases.links_for(session, case_ids=[]) == []


async def test_merging_closes_the_duplicate_and_cannot_be_repeated(session: AsyncSession) -> None:
    agency = await create_agency(session)
    keep = await cases.open_case(session, prefix="TS", agency_id=agency.id, title="Keep", channel="web")
    dup = await cases.open_case(session, prefix="TS", agency_id=agency.id, title="Dup", channel="sms")
    third = await cases.open_case(session, prefix="TS", agency_id=agency.id, title="Third", channel="sms")
    row = await cases.merge(session, duplicate=dup, into=keep)
    assert (row.kind, row.case_id, row.linked_case_id) == ("duplicate", dup.id, keep.id)
    assert (dup.status, dup.merged_into_id) == (CaseStatus.closed, keep.id)
    assert dup.closed_at is not None
    assert keep.status is CaseStatus.new
    with pytest.raises(Problem, match="merged into another case already"):
        await cases.merge(session, duplicate=dup, into=third)
    with pytest.raises(Problem, match="merge into that one instead"):
        await cases.merge(session, duplicate=third, into=dup)
