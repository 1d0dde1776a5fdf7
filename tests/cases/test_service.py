"""Case references and the status workflow."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.cases import service as cases
from townsquare.cases.models import CaseStatus
from townsquare.errors import Problem


async def test_references_count_per_year(session: AsyncSession) -> None:
    assert await cases.next_reference(session, prefix="TS", year=2026) == "TS-2026-000001"
    assert await cases.next_reference(session, prefix="TS", year=2026) == "TS-2026-000002"
    assert await cases.next_reference(session, prefix="TS", year=2027) == "TS-2027-000001"


def test_references_are_found_in_text_as_people_type_them() -> None:
    assert cases.find_reference("re: ts-2026-000123 please", prefix="TS") == "TS-2026-000123"
    assert cases.find_reference("ticket TS-2026-12", prefix="TS") is None
    assert cases.find_reference("XTS-2026-000123", prefix="TS") is None


def test_the_workflow_refuses_impossible_moves() -> None:
    cases.check_transition(CaseStatus.new, CaseStatus.in_progress)
    cases.check_transition(CaseStatus.closed, CaseStatus.open)  # reopening is allowed
    for current, target in [
        (CaseStatus.new, CaseStatus.closed),
        (CaseStatus.cancelled, CaseStatus.open),
        (CaseStatus.open, CaseStatus.open),
    ]:
        with pytest.raises(Problem) as info:
            cases.check_transition(current, target)
        assert info.value.status == 409
