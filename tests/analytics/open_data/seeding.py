"""A small city to export: a public and a private service, a register street, a lone house, a resident whose
every personal value must stay out of the files, and a few days of contact rollups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_citizen, create_place, create_service
from townsquare.analytics.models import ContactDay
from townsquare.cases import service as cases
from townsquare.cases.links import merge
from townsquare.cases.models import CaseStatus
from townsquare.cases.workflow import change_status

ELM = [(f"{n} Elm Street", 43.65012 + n * 0.000004, -79.38012) for n in (12, 14, 16, 18, 20, 22)]
LONE = ("1 Lonely Road", 43.71234, -79.51234)
# Every value below names, reaches or describes the resident; none may appear in any published file.
PERSONAL = [
    "Zelda",
    "Quux",
    "4165550199",
    "zelda.quux@example.org",
    "Deep hole outside my door",
    "Pothole by my house",
    "thanks Zelda",
    "secret-attribute-answer",
    "photo-secret.jpg",
    "My benefits claim",
    "12 Elm Street",  # the full address: the house number must go
    "M5V 2T6",  # the full postal code: only its area is published
]
DAY_ONE, DAY_TWO = date(2026, 11, 30), date(2026, 12, 1)


@dataclass(frozen=True)
class Seeded:
    fixed: str  # a resolved report at 12 Elm Street, from SMS
    lone: str  # a report at a lone house, merged into `fixed`
    nowhere: str  # a report without a place, by phone
    private: str  # a case of a service that is not public
    citizen_id: str
    exact: tuple[float, float]  # where `fixed` really is


async def seed_city(session: AsyncSession) -> Seeded:
    roads = await create_agency(session, slug="roads", name="Roads")
    social = await create_agency(session, slug="social", name="Social Services")
    pothole = await create_service(session, agency=roads, code="POTHOLE", name="Pothole", open311=True, group="Streets")
    benefits = await create_service(session, agency=social, code="BENEFITS", name="Benefits")
    for n, (address, lat, long) in enumerate([*ELM, LONE]):
        await create_place(session, address_id=f"A{n}", address=address, lat=lat, long=long, zipcode="M5V 2T6")
    zelda = await create_citizen(session, name="Zelda Quux", phone="+14165550199", email="zelda.quux@example.org")
    elm_address, elm_lat, elm_long = ELM[0]
    fixed = await cases.open_case(
        session,
        prefix="TS",
        agency_id=roads.id,
        title="Pothole by my house",
        channel="sms",
        description="Deep hole outside my door",
        service_id=pothole.id,
        citizen_id=zelda.id,
        location={"lat": elm_lat, "long": elm_long, "address_string": elm_address, "address_id": "A0"},
        attributes={"depth": "secret-attribute-answer"},
        media_url="https://example.org/photo-secret.jpg",
    )
    fixed.zipcode = "M5V 2T6"
    await change_status(session, case=fixed, status=CaseStatus.resolved, note="Filled, thanks Zelda")
    lone = await cases.open_case(
        session,
        prefix="TS",
        agency_id=roads.id,
        title="Pothole by my house",
        channel="web",
        service_id=pothole.id,
        citizen_id=zelda.id,
        location={"lat": LONE[1], "long": LONE[2], "address_string": LONE[0], "address_id": "A6"},
    )
    await merge(session, duplicate=lone, into=fixed)
    nowhere = await cases.open_case(
        session, prefix="TS", agency_id=roads.id, title="Pothole", channel="voice", service_id=pothole.id
    )
    private = await cases.open_case(
        session,
        prefix="TS",
        agency_id=social.id,
        title="My benefits claim",
        channel="counter",
        service_id=benefits.id,
        citizen_id=zelda.id,
    )
    session.add_all(
        [
            ContactDay(day=DAY_ONE, agency_id=roads.id, service_id=pothole.id, channel="sms", contacts=7),
            ContactDay(day=DAY_ONE, agency_id=roads.id, service_id=pothole.id, channel="web", contacts=3),
            ContactDay(day=DAY_ONE, agency_id=social.id, service_id=benefits.id, channel="counter", contacts=0),
            ContactDay(day=DAY_TWO, agency_id=None, service_id=None, channel="voice", contacts=12),
        ]
    )
    await session.commit()
    return Seeded(
        fixed=fixed.reference,
        lone=lone.reference,
        nowhere=nowhere.reference,
        private=private.reference,
        citizen_id=str(zelda.id),
        exact=(elm_lat, elm_long),
    )
