"""The demo city's service offices: written from demo/content/offices.toml with their counters and services, the
licensing centre open whenever the demo runs (its kiosk takes tickets), City Hall on the agency's office hours."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.clock import utcnow
from townsquare.content.catalogue_plan import import_catalogue
from townsquare.counters import tickets
from townsquare.counters.hours import hours_of
from townsquare.counters.kinds import CheckIn
from townsquare.demo.city import CATALOGUE_DIR
from townsquare.demo.offices import seed_offices
from townsquare.offices import service as offices


async def test_the_demo_city_has_offices_with_counters_and_services(session: AsyncSession) -> None:
    await import_catalogue(session, CATALOGUE_DIR)
    assert await seed_offices(session) == 2
    found = {o.slug: o for o in await offices.list_offices(session)}
    assert sorted(found) == ["city-hall", "licensing-centre"]
    centre, hall = found["licensing-centre"], found["city-hall"]
    assert [c.label for c in await offices.counters(session, office_id=centre.id)] == ["1", "2", "3"]
    walk_ins = [s.code for _, s in await offices.offered(session, office_id=hall.id, walk_in=True)]
    assert sorted(walk_ins) == ["PROP-TAX", "TAX-INSTAL"]  # a business licence is by appointment only
    assert (await hours_of(session, office=centre)).is_open(utcnow())
    assert (await hours_of(session, office=hall)).hours is not None  # the agency's office hours
    place = await tickets.walk_in(session, office=centre, service_code="DL-RENEW", now=utcnow())
    made = await tickets.issue(session, walk_in=place, via=CheckIn.kiosk)
    assert made.label == "D-001"
