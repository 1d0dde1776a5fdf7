"""An office that takes appointments, for tests: an agency with a calendar (weekdays 9:00-12:00 in Toronto, a
holiday), an office with counters, and a bookable service there; plus the notification templates of the demo city.

Times in the tests are written in Toronto's local time (`local`) and the clock is the test's own (`AT`: a Monday
morning before the office opens).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_citizen, create_service
from townsquare.agencies.models import Agency, Service
from townsquare.appointments import offering
from townsquare.appointments.offering import Offer
from townsquare.appointments.refusals import reason_of
from townsquare.citizens.models import Citizen
from townsquare.content.notification_templates import import_notification_templates
from townsquare.demo.city import NOTIFICATIONS_DIR
from townsquare.errors import Problem
from townsquare.offices import service as offices
from townsquare.offices.models import Counter, Office, OfficeService
from townsquare.routing import setup as routing_setup
from townsquare.settings import Settings

ZONE = ZoneInfo("America/Toronto")
MONDAY = date(2026, 12, 7)
HOLIDAY = date(2026, 12, 25)  # a Friday
AT = datetime(2026, 12, 7, 8, 0, tzinfo=ZONE).astimezone(UTC)  # Monday, 8:00 in Toronto
WEEKDAYS = {str(d): [["09:00", "12:00"]] for d in range(5)}


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """A local Toronto time, as an aware UTC datetime."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE).astimezone(UTC)


@dataclass
class Place:
    agency: Agency
    office: Office
    service: Service
    counters: list[Counter]

    async def offer(self, session: AsyncSession) -> Offer:
        return await offering.offer(session, office_id=self.office.id, service_code=self.service.code)


async def make_office(
    session: AsyncSession,
    *,
    counters: int = 1,
    duration: int = 20,
    before: int = 0,
    after: int = 10,
    hours: dict[str, list[list[str]]] | None = None,
    agency: Agency | None = None,
    code: str = "LICENCE",
    slug: str = "service-centre",
) -> Place:
    """An office open weekday mornings with `counters` counters and a bookable service of `duration` minutes."""
    agency = agency or await create_agency(session, slug="licensing", name="Licensing")
    calendar, _ = await routing_setup.put_calendar(
        session,
        agency_id=agency.id,
        name=f"Hours of {slug}",
        timezone="America/Toronto",
        hours=hours if hours is not None else WEEKDAYS,
        holidays=[(HOLIDAY, "Christmas Day")],
    )
    office = await offices.put_office(
        session,
        agency_id=agency.id,
        slug=slug,
        name="Service Centre",
        name_fr="Centre de services",
        address=["100 Queen St W", "Toronto ON"],
        calendar_id=calendar.id,
    )
    service = await create_service(
        session,
        agency=agency,
        code=code,
        name="Renew a driver's licence",
        translations={"fr": {"name": "Renouveler un permis de conduire"}},
    )
    session.add(
        OfficeService(
            office_id=office.id,
            service_id=service.id,
            ticket_prefix=code[0],
            duration_minutes=duration,
            buffer_before_minutes=before,
            buffer_after_minutes=after,
        )
    )
    made = [Counter(office_id=office.id, label=str(n + 1)) for n in range(counters)]
    session.add_all(made)
    await session.flush()
    return Place(agency, office, service, made)


async def person(
    session: AsyncSession, name: str = "Rose Gagnon", *, phone: str | None = None, email: str | None = None
) -> Citizen:
    """A resident reachable on the contacts given (none: a phone made up from the name)."""
    if phone is None and email is None:
        phone = "+1613555" + str(sum(ord(c) * (i + 1) for i, c in enumerate(name)) % 10_000).zfill(4)
    return await create_citizen(session, name=name, phone=phone, email=email, phone_verified=True)


async def with_templates(session: AsyncSession) -> None:
    """The demo city's notification templates (appointments among them)."""
    await import_notification_templates(session, NOTIFICATIONS_DIR)


def quiet(settings: Settings) -> Settings:
    """Settings where a slot may be booked right up to its start (the tests' clock decides what is past)."""
    return settings.model_copy(update={"appointment_min_notice_minutes": 0})


@contextmanager
def refused(reason: str) -> Iterator[None]:
    """The block must be refused with a problem of this reason."""
    with pytest.raises(Problem) as caught:
        yield
    assert reason_of(caught.value) == reason, caught.value
