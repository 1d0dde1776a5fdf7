"""The administrators' reads of the audit log: filters read from a query string (each bad one named), the export
bounded by its limit, and an agency administrator kept to its agencies' rows."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency
from townsquare.errors import Problem
from townsquare.staff import audit_reads, service
from townsquare.staff.auth import Principal
from townsquare.staff.models import StaffRole


def test_filters_are_read_and_each_bad_one_named() -> None:
    someone = uuid.uuid4()
    filters = audit_reads.read_filters({"staff": str(someone), "action": " case.read ", "from": "2026-01-02"})
    assert filters.used() == {"staff_id": str(someone), "action": "case.read", "since": "2026-01-02"}
    with pytest.raises(Problem) as refused:
        audit_reads.read_filters({"agency": "roads", "to": "soon", "from": "2026-01-02"})
    assert [e.field for e in refused.value.errors] == ["agency", "to"]


async def test_the_export_stops_at_its_limit_and_keeps_to_the_agencies(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    roads = await create_agency(session, slug="roads", name="Roads")
    parks = await create_agency(session, slug="parks", name="Parks")
    for n in range(5):
        for agency in (roads, parks):
            service.audit(
                session, actor_kind="system", actor_id=None, action="case.read", subject_kind="case",
                subject_id=str(n), agency_id=agency.id,
            )  # fmt: skip
    await session.commit()
    monkeypatch.setattr(audit_reads, "EXPORT_LIMIT", 3)
    monkeypatch.setattr(audit_reads, "EXPORT_BATCH", 2)
    boss = Principal("staff", uuid.uuid4(), "Boss", StaffRole.agency_admin, frozenset({roads.id}))
    got = [row async for row, _name in audit_reads.export_rows(session, me=boss, filters=audit_reads.AuditFilters())]
    assert len(got) == 3
    assert {r.agency_id for r in got} == {roads.id}
    admin = Principal("staff", uuid.uuid4(), "Admin", StaffRole.admin, None)
    monkeypatch.setattr(audit_reads, "EXPORT_LIMIT", 100)
    every = [r async for r, _n in audit_reads.export_rows(session, me=admin, filters=audit_reads.AuditFilters())]
    assert len(every) == 12  # ten rows and the two exports
