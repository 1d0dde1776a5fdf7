"""What the export reads, a page at a time (keyset, never OFFSET, never a whole table in memory): the public
requests with only the columns that may be published, the daily contact rollups, and the address register's
points for the density rules.

Selects no column that could name a person (no citizen, description, title, note, attribute or media).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, literal, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from townsquare.agencies.models import Agency, Service
from townsquare.analytics.models import ContactDay
from townsquare.analytics.open_data.generalise import Register
from townsquare.cases.models import Case
from townsquare.places.models import Place

CASE_PAGE = 1000
DAY_PAGE = 31  # days of rollups read at once (each day: a row per channel, agency and service seen)
PLACE_PAGE = 5000

_MERGED_INTO = aliased(Case, name="merged_into")
# What may leave about a public request: dates, status, service, agency, channel, the duplicate's reference and
# the place (to be generalised). Read by name in `export.request_row`.
PUBLIC_CASE_COLUMNS = (
    Case.id,
    Case.reference,
    Case.created_at,
    Case.updated_at,
    Case.sla_due_at,
    Case.closed_at,
    Case.status,
    Case.opened_channel,
    Case.lat,
    Case.long,
    Case.zipcode,
    Service.code.label("service_code"),
    Service.name.label("service_name"),
    Service.group.label("service_group"),
    Agency.slug.label("agency_code"),
    Agency.name.label("agency_name"),
    _MERGED_INTO.reference.label("duplicate_of"),
    Place.address.label("register_address"),
    Place.zipcode.label("register_zipcode"),
)


async def public_cases(session: AsyncSession, *, page: int = CASE_PAGE) -> AsyncIterator[Sequence[Any]]:
    """Every case of a service flagged `open311`, oldest first, `page` rows at a time."""
    position: tuple[datetime, uuid.UUID] | None = None
    while True:
        stmt = (
            select(*PUBLIC_CASE_COLUMNS)
            .join(Service, Service.id == Case.service_id)
            .join(Agency, Agency.id == Case.agency_id)
            .outerjoin(_MERGED_INTO, _MERGED_INTO.id == Case.merged_into_id)
            .outerjoin(Place, Place.address_id == Case.address_id)
            .where(Service.open311.is_(True))
        )
        if position is not None:
            at, last_id = position
            after = tuple_(literal(at, Case.created_at.type), literal(last_id, Case.id.type))
            stmt = stmt.where(tuple_(Case.created_at, Case.id) > after)
        rows = (await session.execute(stmt.order_by(Case.created_at, Case.id).limit(page))).all()  # ix_cases_created
        if rows:
            yield rows
        if len(rows) < page:
            return
        position = (rows[-1].created_at, rows[-1].id)


async def contact_days(session: AsyncSession, *, days: int = DAY_PAGE) -> AsyncIterator[Sequence[Any]]:
    """Contacts summed by day, channel, agency and service, oldest day first, `days` days at a time."""
    after: date | None = None
    while True:
        wanted = select(ContactDay.day).distinct().order_by(ContactDay.day).limit(days)
        if after is not None:
            wanted = wanted.where(ContactDay.day > after)
        chosen = list((await session.execute(wanted)).scalars())
        if not chosen:
            return
        contacts = func.sum(ContactDay.contacts)
        agency_code = func.coalesce(Agency.slug, "")
        service_code = func.coalesce(Service.code, "")
        stmt = (
            select(
                ContactDay.day,
                ContactDay.channel,
                agency_code.label("agency_code"),
                func.coalesce(Agency.name, "").label("agency_name"),
                service_code.label("service_code"),
                func.coalesce(Service.name, "").label("service_name"),
                contacts.label("contacts"),
            )
            .outerjoin(Agency, Agency.id == ContactDay.agency_id)
            .outerjoin(Service, Service.id == ContactDay.service_id)
            .where(ContactDay.day.in_(chosen))
            .group_by(ContactDay.day, ContactDay.channel, Agency.slug, Agency.name, Service.code, Service.name)
            .having(contacts > 0)
            .order_by(ContactDay.day, ContactDay.channel, agency_code, service_code)
        )
        yield (await session.execute(stmt)).all()
        if len(chosen) < days:
            return
        after = chosen[-1]


async def register(session: AsyncSession, *, page: int = PLACE_PAGE) -> Register:
    """How many register addresses each street and grid cell holds."""
    found = Register()
    last: uuid.UUID | None = None
    while True:
        stmt = select(Place.id, Place.address, Place.lat, Place.long).order_by(Place.id).limit(page)
        if last is not None:
            stmt = stmt.where(Place.id > last)
        rows = (await session.execute(stmt)).all()
        for row in rows:
            found.add(row.address, row.lat, row.long)
        if len(rows) < page:
            return found
        last = rows[-1].id
