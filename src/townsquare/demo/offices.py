"""The demo city's service offices, read from `demo/content/offices.toml`: each office with its address and
hours, its counters and the services it offers to walk-ins and bookings, written through the offices' own service.

Demo data only; runs inside the seed's transaction and never commits.
"""

from __future__ import annotations

import tomllib
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import service as agencies
from townsquare.demo.city import CONTENT
from townsquare.offices import service as offices
from townsquare.offices.models import Counter, OfficeService
from townsquare.routing import setup as routing_setup
from townsquare.routing.models import BusinessCalendar

ALL_DAY = [["00:00", "23:59"]]


def _specs() -> list[dict[str, Any]]:
    return list(tomllib.loads((CONTENT / "offices.toml").read_text(encoding="utf-8"))["offices"])


async def _calendar(session: AsyncSession, spec: dict[str, Any], agency_id: Any, timezone: str) -> Any:
    if spec.get("always_open"):
        calendar, _ = await routing_setup.put_calendar(
            session,
            agency_id=agency_id,
            name=f"{spec['name']} (demo: open every day)",
            timezone=timezone,
            hours={str(day): ALL_DAY for day in range(7)},
            holidays=[],
        )
        return calendar.id
    stmt = select(BusinessCalendar.id).where(
        BusinessCalendar.agency_id == agency_id, BusinessCalendar.name == spec.get("calendar", "")
    )
    return await session.scalar(stmt)


async def seed_offices(session: AsyncSession) -> int:
    """Write the demo's offices; returns how many."""
    specs = _specs()
    for spec in specs:
        agency = await agencies.get_agency(session, slug=spec["agency"])
        office = await offices.put_office(
            session,
            agency_id=agency.id,
            slug=spec["slug"],
            name=spec["name"],
            name_fr=spec.get("name_fr", ""),
            address=list(spec["address"]),
            calendar_id=await _calendar(session, spec, agency.id, agency.timezone),
        )
        session.add_all(Counter(office_id=office.id, label=str(label)) for label in spec["counters"])
        for offered in spec["services"]:
            service = await agencies.get_service(session, code=offered["code"])
            session.add(
                OfficeService(
                    office_id=office.id,
                    service_id=service.id,
                    ticket_prefix=offered["prefix"],
                    duration_minutes=int(offered["duration"]),
                    buffer_before_minutes=int(offered.get("buffer_before", 0)),
                    buffer_after_minutes=int(offered.get("buffer_after", 0)),
                    walk_in=bool(offered.get("walk_in", True)),
                    bookable=bool(offered.get("bookable", True)),
                )
            )
        await session.flush()
    return len(specs)
