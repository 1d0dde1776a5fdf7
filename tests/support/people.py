"""Two people with something in every table that names a citizen, and a snapshot of every such row, for merges.

`belongings` writes one row per table (real models, the factories where they exist); `snapshot` reads every row
that names either person, all columns as stored, so a test can say a row came back bit for bit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_citizen, desk_work_item
from townsquare.agencies.models import Agency, Service
from townsquare.analytics.models import Journey, Touch
from townsquare.analytics.surveys.models import Survey
from townsquare.appointments.kinds import BookedVia
from townsquare.appointments.models import Appointment, WaitlistEntry
from townsquare.cases.models import Case, CaseFollower
from townsquare.citizens.models import (
    Citizen,
    CitizenChange,
    CitizenSearch,
    CitizenSession,
    CitizenStatus,
    CitizenTotp,
    Identity,
    IdentityKind,
    SignInLink,
    VerificationChallenge,
)
from townsquare.clock import utcnow
from townsquare.counters.models import Ticket
from townsquare.db import Base
from townsquare.drafts.models import Draft
from townsquare.engagement import merge_rows
from townsquare.interactions.models import (
    Channel,
    Conversation,
    ConversationStatus,
    Direction,
    Interaction,
    InteractionKind,
)
from townsquare.matching.models import MatchDecision, MatchRejection, Outcome, SourceRecord
from townsquare.notify.kinds import MessageType
from townsquare.notify.letters.models import Letter
from townsquare.notify.models import Notification, NotificationOptOut, Reminder, ReminderRule
from townsquare.notify.push.models import PushSubscription
from townsquare.offices.models import Office
from townsquare.sharing.models import AgencyRecord, Consent, DeclaredValue, HeldAttribute

LONG_AGO = datetime(2026, 1, 5, 9, 30, 15, 123456, tzinfo=UTC)


@dataclass
class Shared:
    """What both people point at, so two rows can clash: one case to follow, one attribute, one service."""

    agency: Agency
    service: Service
    attribute: HeldAttribute
    rule: ReminderRule
    followed: Case
    stranger: Citizen  # a third person, someone staff said each of the two is not
    office: Office  # where each has an appointment, and waits for another


async def shared(session: AsyncSession, *, agency: Agency, service: Service) -> Shared:
    attribute = HeldAttribute(agency_id=agency.id, code="birth_date", name="Date of birth")
    rule = ReminderRule(service_id=service.id, message_type=MessageType.appointment_reminder, days=3)
    followed = Case(reference="CW-2026-900001", title="Streetlight out", agency_id=agency.id, opened_channel="web")
    stranger = Citizen(display_name="Someone Else", status=CitizenStatus.confirmed)
    office = Office(agency_id=agency.id, slug="front-desk", name="Front desk")
    session.add_all([attribute, rule, followed, stranger, office])
    await session.flush()
    return Shared(agency, service, attribute, rule, followed, stranger, office)


async def person(
    session: AsyncSession, where: Shared, *, name: str, phone: str, email: str, tag: str, number: int
) -> tuple[Citizen, dict[str, Any]]:
    """A confirmed person with a row in every table that names a citizen; returns them and the rows by table."""
    citizen = await create_citizen(session, name=name, phone=phone, email=email, phone_verified=True)
    citizen.status = CitizenStatus.confirmed
    device = Identity(citizen_id=citizen.id, kind=IdentityKind.device, value=f"device-{tag}")
    session.add(device)
    await session.flush()
    phone_identity = (
        await session.execute(
            select(Identity).where(Identity.citizen_id == citizen.id, Identity.kind == IdentityKind.phone)
        )
    ).scalar_one()
    conversation = Conversation(
        citizen_id=citizen.id, channel=Channel.sms, status=ConversationStatus.closed, last_activity_at=LONG_AGO
    )
    session.add(conversation)
    await session.flush()
    own_case = Case(
        reference=f"CW-2026-{number:06d}",
        title=f"Pothole {tag}",
        agency_id=where.agency.id,
        opened_channel="sms",
        citizen_id=citizen.id,
    )
    session.add(own_case)
    await session.flush()
    conversation.case_id = own_case.id
    interaction = Interaction(
        conversation_id=conversation.id,
        citizen_id=citizen.id,
        case_id=own_case.id,
        channel=Channel.sms,
        direction=Direction.inbound,
        kind=InteractionKind.message,
        body=f"hello from {tag}",
        identity_id=phone_identity.id,
        occurred_at=LONG_AGO,
        created_at=LONG_AGO,
    )
    session.add(interaction)
    await session.flush()
    later = utcnow() + timedelta(days=30)
    rows: dict[str, Any] = {
        "case_followers": CaseFollower(case_id=where.followed.id, citizen_id=citizen.id),
        "notifications": Notification(
            citizen_id=citizen.id,
            conversation_id=conversation.id,
            case_id=own_case.id,
            message_type=MessageType.acknowledgement,
            language="en",
        ),
        "reminders": Reminder(
            key=f"reminder-{tag}",
            rule_id=where.rule.id,
            citizen_id=citizen.id,
            case_id=own_case.id,
            message_type=MessageType.appointment_reminder,
            due_at=later,
            about="Report a pothole",
        ),
        "letters": Letter(
            idempotency_key=f"letter-{tag}",
            citizen_id=citizen.id,
            language="en",
            subject="Your report",
            pages=1,
            paper="A4",
            pdf_sha256="0" * 64,
            pdf_size_bytes=1000,
        ),
        "notification_opt_outs": NotificationOptOut(
            citizen_id=citizen.id, channel="sms", message_type=MessageType.status_change, source="portal"
        ),
        "push_subscriptions": PushSubscription(
            citizen_id=citizen.id, endpoint=f"https://push.example/{tag}", p256dh="k" * 20, auth="a" * 16
        ),
        "drafts": Draft(citizen_id=citizen.id, service_id=where.service.id, answers={"where": tag}),
        "citizen_searches": CitizenSearch(citizen_id=citizen.id, query=f"bins {tag}"),
        "citizen_changes": CitizenChange(
            citizen_id=citizen.id, field="display_name", old_value=f"{name} {tag}", new_value=name, reason="Spelling"
        ),
        "citizen_totp": CitizenTotp(citizen_id=citizen.id, secret=f"SECRET{tag.upper()}"),
        "agency_records": AgencyRecord(
            agency_id=where.agency.id,
            external_id=f"ext-{tag}",
            citizen_id=citizen.id,
            source="import",
            last_updated=LONG_AGO,
        ),
        "declared_values": DeclaredValue(citizen_id=citizen.id, attribute_id=where.attribute.id, value=f"1980-{tag}"),
        "sharing_consents": Consent(
            citizen_id=citizen.id,
            consumer_agency_id=where.agency.id,
            purpose="benefits",
            channel="web",
            expires_at=later,
        ),
        "citizen_sessions": CitizenSession(
            token_hash=f"{tag:0>64}"[:64], citizen_id=citizen.id, method="email_link", expires_at=later
        ),
        "sign_in_links": SignInLink(
            token_hash=f"{tag:1>64}"[:64], email=email, expires_at=later, citizen_id=citizen.id
        ),
        "satisfaction_surveys": Survey(
            subject_key=f"case:{own_case.id}",
            about="case",
            citizen_id=citizen.id,
            channel="sms",
            contact_channel="sms",
            case_id=own_case.id,
            agency_id=where.agency.id,
            expires_at=later,
            score=4,
            comment=f"fine {tag}",
        ),
        "verification_challenges": VerificationChallenge(
            citizen_id=citizen.id, kind=IdentityKind.email, value=email, code_hash="h" * 64, expires_at=later
        ),
        "appointments": Appointment(
            agency_id=where.agency.id,
            office_id=where.office.id,
            service_id=where.service.id,
            citizen_id=citizen.id,
            starts_at=later + timedelta(hours=number % 24),
            ends_at=later + timedelta(hours=number % 24, minutes=20),
            occupied_from=later + timedelta(hours=number % 24),
            occupied_until=later + timedelta(hours=number % 24, minutes=30),
            booked_via=BookedVia.portal,
        ),
        "counter_tickets": Ticket(
            office_id=where.office.id,
            service_id=where.service.id,
            service_day=LONG_AGO.date(),
            prefix="P",
            number=number,
            label=f"P-{number:03d}",
            citizen_id=citizen.id,
        ),
        "appointment_waitlist": WaitlistEntry(
            office_id=where.office.id, service_id=where.service.id, citizen_id=citizen.id, day=later.date()
        ),
        "analytics_touches": Touch(citizen_id=citizen.id, occurred_at=LONG_AGO, channel="sms", kind="message"),
        "analytics_journeys": Journey(
            citizen_id=citizen.id,
            need=f"subject:{tag}",
            day=LONG_AGO.date(),
            first_contact_at=LONG_AGO,
            last_contact_at=LONG_AGO,
            first_channel="sms",
            last_channel="sms",
        ),
    }
    session.add_all(rows.values())
    await session.flush()
    record = SourceRecord(
        source="register", source_key=f"reg-{tag}", digest=tag * 8, fields={"given_name": name}, citizen_id=citizen.id
    )
    session.add(record)
    await session.flush()
    decision = MatchDecision(source_record_id=record.id, citizen_id=citizen.id, outcome=Outcome.separate)
    session.add(decision)
    await session.flush()
    first, second = sorted((citizen.id, where.stranger.id))
    rejection = MatchRejection(first_citizen_id=first, second_citizen_id=second, decision_id=decision.id)
    session.add(rejection)
    await session.flush()
    rows |= {"source_records": record, "match_decisions": decision, "match_rejections": rejection}
    rows["work_items"] = await desk_work_item(
        session, agency=where.agency, citizen=citizen, conversation_id=conversation.id, holder=None, case_id=own_case.id
    )
    rows |= {"conversations": conversation, "cases": own_case, "interactions": interaction, "identities": device}
    return citizen, rows


async def give_fields(citizen: Citizen, session: AsyncSession, **values: Any) -> None:
    for key, value in values.items():
        setattr(citizen, key, value)
    await session.flush()


QUIET = (time(22, 0), time(7, 30))

Snapshot = dict[tuple[str, tuple[Any, ...]], dict[str, Any]]


async def snapshot(session: AsyncSession, *citizen_ids: uuid.UUID) -> Snapshot:
    """Every row, all columns as stored, of every table that names one of these citizens (and their own rows)."""
    found: Snapshot = {}
    by_table: dict[str, list[str]] = {}
    for name, column in merge_rows.references():
        by_table.setdefault(name, []).append(column)
    by_table.setdefault("citizens", []).append("id")
    for name, columns in sorted(by_table.items()):
        table = Base.metadata.tables[name]
        pk = [c.name for c in table.primary_key.columns]
        query = select(table).where(or_(*(table.c[c].in_(citizen_ids) for c in columns)))
        for row in (await session.execute(query)).mappings():
            found[(name, tuple(row[k] for k in pk))] = dict(row)
    return found


def owners(shot: Snapshot, table: str) -> dict[tuple[Any, ...], Any]:
    """Each row of a table in a snapshot, by key, with the citizen it names."""
    return {key[1]: row.get("citizen_id") for key, row in shot.items() if key[0] == table}
