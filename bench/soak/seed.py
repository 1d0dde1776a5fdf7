"""What the soak's traffic needs in a freshly migrated database: one agency with its phone number and mailbox, an
Open311 service, a queue for every channel, keys for the REST API and Open311, and agents available to take work,
each already signed in (a staff session whose token is the desk's cookie).

Written through the platform's own service functions, in one transaction, before any app process starts.
"""

from __future__ import annotations

from dataclasses import dataclass

from townsquare.agencies.models import Agency, ContactPoint, Service, ServiceType
from townsquare.db import Database
from townsquare.events import EventBus
from townsquare.routing import agents as routing_agents
from townsquare.routing import setup as routing_setup
from townsquare.routing.models import Presence
from townsquare.staff import service as staff
from townsquare.staff.models import ApiKeyScope, StaffRole

AGENCY = "soak-city"
SMS_NUMBER = "+16135550100"
MAILBOX = "contact@soak-city.example"
SERVICE_CODE = "SOAK-REPORT"
CHANNELS = ["sms", "voice", "email", "chat", "social", "api", "web"]
CAPACITY = {"voice": 0, "chat": 3, "async": 6}
PASSWORD = "soak agents' long passphrase"  # noqa: S105 - throwaway accounts in a throwaway database
SESSION_HOURS = 4


@dataclass(frozen=True)
class Seeded:
    """What the traffic presents: the keys, the addresses it writes to, and each agent's desk cookie."""

    api_key: str
    open311_key: str
    agent_tokens: tuple[str, ...]


async def seed(database_url: str, *, agents: int) -> Seeded:
    """Seed the soak's city into the empty, migrated database at `database_url`."""
    db = Database(database_url, EventBus(), pool=False)
    try:
        async with db.session() as session:
            agency = Agency(slug=AGENCY, name="Soak City", email=MAILBOX, phone=SMS_NUMBER)
            session.add(agency)
            await session.flush()
            session.add_all(
                [
                    ContactPoint(agency_id=agency.id, channel="sms", address=SMS_NUMBER),
                    ContactPoint(agency_id=agency.id, channel="email", address=MAILBOX),
                    Service(
                        code=SERVICE_CODE,
                        name="Report a problem in the street",
                        agency_id=agency.id,
                        type=ServiceType.realtime,
                        sla_target_hours=72,
                        open311=True,
                    ),
                ]
            )
            await routing_setup.put_queue(
                session, agency_id=agency.id, slug="everything", name="Everything", channels=CHANNELS
            )
            api_key, _ = await staff.create_api_key(
                session, name="soak integration", rate_limit_per_minute=staff.MAX_RATE_LIMIT_PER_MINUTE
            )
            open311_key, _ = await staff.create_api_key(
                session,
                name="soak open311 client",
                scope=ApiKeyScope.open311,
                rate_limit_per_minute=staff.MAX_RATE_LIMIT_PER_MINUTE,
            )
            tokens = []
            for n in range(agents):
                account = await staff.create_staff(
                    session,
                    email=f"agent{n}@soak-city.example",
                    display_name=f"Soak Agent {n}",
                    password=PASSWORD,
                    role=StaffRole.agent,
                    agency_ids=[agency.id],
                )
                agent = await routing_agents.ensure_agent(
                    session, staff_id=account.id, capacity=CAPACITY, languages=["en", "fr"], wrap_up_seconds=0
                )
                agent.presence = Presence.available
                tokens.append(await staff.start_session(session, staff_id=account.id, hours=SESSION_HOURS))
            await session.commit()
        return Seeded(api_key=api_key, open311_key=open311_key, agent_tokens=tuple(tokens))
    finally:
        await db.dispose()
