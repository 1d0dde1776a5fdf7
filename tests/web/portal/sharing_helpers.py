"""A "tell us once" world with Pat signed in to the portal: her consents, and reads of her data by a member of
staff and an agency's system, a refusal, and a read of another person's data."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.sharing.world import EMAIL, PURPOSE, World, sharing_world, verified_person
from tests.web.portal.conftest import Resident
from townsquare.app import Runtime
from townsquare.citizens import sessions
from townsquare.errors import Problem
from townsquare.sharing import access, agreements, consents
from townsquare.staff import service as staff
from townsquare.staff.models import AuditEntry

INCOME_KEY = "revenue.household_income"
ADDRESS_KEY = "licensing.home_address"
ORIGIN = {"Origin": "http://testserver"}


@dataclass
class Seeded:
    world: World
    pat: Resident
    other_id: uuid.UUID
    pat_consent: uuid.UUID
    other_consent: uuid.UUID
    key_id: uuid.UUID
    staff_read: uuid.UUID  # audit entries about Pat
    api_read: uuid.UUID
    refusal: uuid.UUID
    other_read: uuid.UUID  # about the other person


def staff_reader(world: World) -> access.Reader:
    return access.Reader("staff", str(world.consumer_approver.id), world.benefits.id, "desk", "GET /desk/citizens")


async def read(
    session: AsyncSession, world: World, reader: access.Reader, citizen_id: uuid.UUID, keys: list[str]
) -> None:
    await access.read(
        session, reader=reader, consumer=world.benefits, citizen_id=citizen_id, keys=keys, purpose=PURPOSE
    )


async def _last(session: AsyncSession, citizen_id: uuid.UUID, action: str) -> uuid.UUID:
    query = (
        select(AuditEntry.id)
        .where(AuditEntry.citizen_id == citizen_id, AuditEntry.action == action)
        .order_by(AuditEntry.occurred_at.desc())
    )
    return (await session.execute(query)).scalars().first() or uuid.uuid4()


async def seed(runtime: Runtime) -> Seeded:
    async with runtime.db.session() as s:
        world = await sharing_world(s)
        other = await verified_person(s, email="sam@example.org", name="Sam Other")
        labels = [agreements.label(a) for a in world.agreements]
        mine = await consents.give(s, citizen_id=world.person.id, consumer_agency_id=world.benefits.id,
                                   purpose=PURPOSE, attributes=[INCOME_KEY, ADDRESS_KEY], agreements=labels,
                                   channel="web")  # fmt: skip
        theirs = await consents.give(s, citizen_id=other.id, consumer_agency_id=world.benefits.id, purpose=PURPOSE,
                                     attributes=[INCOME_KEY], agreements=labels, channel="voice",
                                     recorded_by_id=world.consumer_approver.id)  # fmt: skip
        _token, key = await staff.create_api_key(s, name="Benefits intake system", agency_id=world.benefits.id)
        token = await sessions.start(s, citizen_id=world.person.id, method="email_link", hours=24, device="test")
        await s.commit()
        ids = (world.person.id, other.id, mine.id, theirs.id, key.id)
    person, other_id, mine_id, theirs_id, key_id = ids
    async with runtime.db.session() as s:
        await read(s, world, staff_reader(world), person, [INCOME_KEY])
        system = access.Reader("api_key", str(key_id), world.benefits.id, "api", "GET /api/v1/people/{person_id}")
        await read(s, world, system, person, [ADDRESS_KEY])
        with pytest.raises(Problem):
            await read(s, world, system, person, ["licensing.date_of_birth"])
        await read(s, world, staff_reader(world), other_id, [INCOME_KEY])
        staff_read = (
            await s.execute(
                select(AuditEntry.id).where(
                    AuditEntry.citizen_id == person, AuditEntry.action == access.READ, AuditEntry.actor_kind == "staff"
                )
            )
        ).scalar_one()
        api_read = (
            await s.execute(
                select(AuditEntry.id).where(
                    AuditEntry.citizen_id == person,
                    AuditEntry.action == access.READ,
                    AuditEntry.actor_kind == "api_key",
                )
            )
        ).scalar_one()
        refusal = await _last(s, person, access.REFUSED)
        other_read = await _last(s, other_id, access.READ)
    return Seeded(world, Resident(person, EMAIL, token), other_id, mine_id, theirs_id, key_id, staff_read, api_read,
                  refusal, other_read)  # fmt: skip
