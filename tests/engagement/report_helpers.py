"""A small city for guided reports: City Works with two report services (one with a form) and one address."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_place, create_service
from townsquare.agencies.models import Agency

CITY = "+16135550100"
SPOT = (43.64800, -79.38400)  # 120 King Street West in the register

POTHOLE_FORM: list[dict[str, Any]] = [
    {
        "code": "size",
        "datatype": "singlevaluelist",
        "description": "How big is it?",
        "required": True,
        "values": [
            {"key": "small", "name": "Smaller than a dinner plate"},
            {"key": "medium", "name": "Up to a tyre"},
            {"key": "large", "name": "Bigger than a tyre"},
        ],
        "translations": {
            "fr": {
                "description": "Quelle est sa taille?",
                "values": {
                    "small": "Plus petit qu'une assiette",
                    "medium": "Jusqu'à la taille d'un pneu",
                    "large": "Plus grand qu'un pneu",
                },
            }
        },
    },
    {
        "code": "in_bike_lane",
        "datatype": "singlevaluelist",
        "description": "Is it in a bike lane?",
        "values": [{"key": "yes", "name": "Yes"}, {"key": "no", "name": "No"}],
        "translations": {
            "fr": {"description": "Est-il dans une piste cyclable?", "values": {"yes": "Oui", "no": "Non"}}
        },
    },
]


async def report_city(session: AsyncSession) -> Agency:
    """City Works, its POTHOLE and STREETLIGHT report services, a service that is not a report, and 120 King St W."""
    works = await create_agency(session, slug="city-works", name="City Works", contact=("sms", CITY))
    await create_service(
        session,
        agency=works,
        code="POTHOLE",
        name="Report a pothole",
        open311=True,
        keywords=["pothole", "road", "street", "hole"],
        translations={"fr": {"name": "Signaler un nid-de-poule", "keywords": ["nid-de-poule", "chaussée", "trou"]}},
        attributes=POTHOLE_FORM,
    )
    await create_service(
        session,
        agency=works,
        code="STREETLIGHT",
        name="Street light out",
        open311=True,
        keywords=["light", "lamp", "streetlight", "dark"],
        translations={"fr": {"name": "Lampadaire éteint", "keywords": ["lampadaire", "réverbère"]}},
        attributes=[{"code": "pole_number", "description": "Number on the pole, if you can see it"}],
    )
    await create_service(session, agency=works, code="PARK-PERMIT", name="Street parking permit", keywords=["park"])
    await create_place(
        session, address_id="A-120", address="120 King Street West", lat=SPOT[0], long=SPOT[1], zipcode="M5H 1J9"
    )
    await session.commit()
    return works
