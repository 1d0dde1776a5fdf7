"""Keyword-only helpers that create real rows through the same service functions the app uses."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Agency, AttributeDatatype, ContactPoint, Service, ServiceAttribute, ServiceType
from townsquare.citizens import service as citizens
from townsquare.citizens.models import Citizen, IdentityKind, VerificationMethod
from townsquare.db import Base
from townsquare.places import service as places
from townsquare.places.models import Place
from townsquare.staff import service as staff
from townsquare.staff.models import StaffAccount, StaffRole

PASSWORD = "correct horse battery"


async def create_agency(
    session: AsyncSession, *, slug: str = "city-works", name: str = "City Works", contact: tuple[str, str] | None = None
) -> Agency:
    agency = Agency(slug=slug, name=name)
    session.add(agency)
    await session.flush()
    if contact:
        session.add(ContactPoint(agency_id=agency.id, channel=contact[0], address=contact[1]))
        await session.flush()
    return agency


async def create_service(
    session: AsyncSession,
    *,
    agency: Agency,
    code: str = "POTHOLE",
    name: str = "Report a pothole",
    sla_target_hours: int | None = 72,
    attributes: list[dict[str, Any]] | None = None,
    description: str = "",
    keywords: list[str] | None = None,
    translations: dict[str, Any] | None = None,
    open311: bool = False,
    notice: str = "",
    type: ServiceType = ServiceType.realtime,
    group: str = "",
) -> Service:
    """A service; each attribute spec may give code, datatype, required, description, values, page, translations,
    condition."""
    service = Service(
        code=code,
        name=name,
        agency_id=agency.id,
        sla_target_hours=sla_target_hours,
        keywords=keywords or [],
        description=description,
        translations=translations or {},
        open311=open311,
        notice=notice,
        type=type,
        group=group,
    )
    session.add(service)
    await session.flush()
    for order, spec in enumerate(attributes or []):
        session.add(
            ServiceAttribute(
                service_id=service.id,
                code=spec["code"],
                order=order,
                datatype=AttributeDatatype(spec.get("datatype", "string")),
                required=spec.get("required", False),
                description=spec.get("description", spec["code"]),
                values=spec.get("values", []),
                page=spec.get("page", 0),
                translations=spec.get("translations", {}),
                condition=spec.get("condition", {}),
            )
        )
    await session.flush()
    return service


async def create_citizen(
    session: AsyncSession,
    *,
    name: str = "Maria Lopez",
    phone: str | None = None,
    email: str | None = None,
    phone_verified: bool = False,
) -> Citizen:
    citizen = await citizens.create(session, display_name=name)
    if phone:
        await citizens.add_identity(
            session,
            citizen_id=citizen.id,
            kind=IdentityKind.phone,
            value=phone,
            region="CA",
            verification_method=VerificationMethod.sms_code if phone_verified else None,
        )
    if email:
        await citizens.add_identity(session, citizen_id=citizen.id, kind=IdentityKind.email, value=email, region="CA")
    return citizen


async def create_staff(
    session: AsyncSession,
    *,
    email: str = "agent@city.example",
    role: StaffRole = StaffRole.agent,
    agencies: list[Agency] | None = None,
) -> StaffAccount:
    return await staff.create_staff(
        session,
        email=email,
        display_name=email.split("@")[0].title(),
        password=PASSWORD,
        role=role,
        agency_ids=[a.id for a in agencies or []],
    )


async def create_agent(
    session: AsyncSession,
    *,
    email: str = "agent@city.example",
    agencies: list[Agency] | None = None,
    role: StaffRole = StaffRole.agent,
    presence: str = "available",
    capacity: dict[str, int] | None = None,
    languages: list[str] | None = None,
    skills: dict[str, int] | None = None,
    wrap_up_seconds: int = 0,
) -> StaffAccount:
    """A staff account with a routing profile, present as asked (available by default)."""
    from townsquare.routing import agents
    from townsquare.routing.models import Presence

    account = await create_staff(session, email=email, role=role, agencies=agencies)
    agent = await agents.ensure_agent(
        session,
        staff_id=account.id,
        capacity=capacity,
        languages=languages or ["en"],
        skills=skills or {},
        wrap_up_seconds=wrap_up_seconds,
    )
    agent.presence = Presence(presence)
    await session.flush()
    return account


async def api_key_headers(session: AsyncSession, *, agency: Agency | None = None) -> dict[str, str]:
    key, _ = await staff.create_api_key(session, name="test integration", agency_id=agency.id if agency else None)
    return {"Authorization": f"Bearer {key}"}


async def create_place(
    session: AsyncSession,
    *,
    address_id: str,
    address: str,
    lat: float,
    long: float,
    zipcode: str = "",
) -> Place:
    """An address point in the register."""
    place = Place(
        address_id=address_id,
        address=address,
        normalised=places.normalise(address),
        lat=lat,
        long=long,
        zipcode=zipcode,
    )
    session.add(place)
    await session.flush()
    return place


async def count(session: AsyncSession, model: type[Base], *where: Any) -> int:
    stmt = select(func.count()).select_from(model)
    for clause in where:
        stmt = stmt.where(clause)
    return int((await session.execute(stmt)).scalar_one())


async def counts(session: AsyncSession) -> dict[str, int]:
    """Rows in every table: to prove a refused request stored nothing."""
    return {
        t.name: int((await session.execute(select(func.count()).select_from(t))).scalar_one())
        for t in Base.metadata.sorted_tables
    }


def new_uuid() -> str:
    return str(uuid.uuid4())


async def desk_citizen_with_history(
    session: AsyncSession,
    *,
    touchpoints: int,
    name: str = "Maria Lopez",
    phone: str | None = "+16135550142",
    email: str | None = "maria@example.org",
    staff_id: uuid.UUID | None = None,
    case_id: uuid.UUID | None = None,
) -> tuple[Citizen, Any]:
    """A citizen with a verified phone, an email and an SMS conversation holding `touchpoints` interactions
    on every channel (bulk-inserted; every tenth has an attachment, every fifth is a staff member's reply)."""
    from datetime import timedelta

    from sqlalchemy import insert

    from townsquare.clock import utcnow
    from townsquare.db.base import new_id
    from townsquare.interactions import service as interactions
    from townsquare.interactions.models import Attachment, Channel, Direction, Interaction, InteractionKind

    citizen = await create_citizen(session, name=name, phone=phone, email=email, phone_verified=True)
    conversation = await interactions.start_conversation(
        session, citizen_id=citizen.id, channel=Channel.sms, case_id=case_id
    )
    start = utcnow() - timedelta(days=30)
    channels = [Channel.sms, Channel.voice, Channel.email, Channel.chat, Channel.web]
    rows: list[dict[str, Any]] = []
    files: list[dict[str, Any]] = []
    for i in range(touchpoints):
        outbound = i % 5 == 4
        row_id = new_id()
        rows.append(
            {
                "id": row_id,
                "conversation_id": conversation.id,
                "citizen_id": citizen.id,
                "case_id": case_id,
                "channel": channels[i % len(channels)],
                "direction": Direction.outbound if outbound else Direction.inbound,
                "kind": InteractionKind.message,
                "body": f"touchpoint {i}",
                "payload": {},
                "staff_id": staff_id if outbound else None,
                "occurred_at": start + timedelta(seconds=i),
                "created_at": start + timedelta(seconds=i),
            }
        )
        if i % 10 == 0:
            files.append(
                {
                    "id": new_id(),
                    "interaction_id": row_id,
                    "filename": f"photo{i}.jpg",
                    "content_type": "image/jpeg",
                    "size_bytes": 10,
                }
            )
    if rows:
        await session.execute(insert(Interaction), rows)
    if files:
        await session.execute(insert(Attachment), files)
    conversation.last_activity_at = start + timedelta(seconds=touchpoints)
    await session.flush()
    return citizen, conversation


async def desk_work_item(
    session: AsyncSession,
    *,
    agency: Agency,
    citizen: Citizen,
    conversation_id: uuid.UUID | None,
    holder: StaffAccount | None,
    channel: str = "sms",
    case_id: uuid.UUID | None = None,
    context: dict[str, Any] | None = None,
) -> Any:
    """A work item on the conversation, assigned to `holder` (queued when None)."""
    from townsquare.clock import utcnow
    from townsquare.routing import service as routing
    from townsquare.routing.models import WorkItemStatus

    item = await routing.create(
        session,
        channel=channel,
        kind="message",
        agency_id=agency.id,
        received_at=utcnow(),
        conversation_id=conversation_id,
        citizen_id=citizen.id,
        case_id=case_id,
        context=context or {"identified_by": {"how": "phone", "verified": True, "verification_method": "sms_code"}},
    )
    if holder is not None:
        item.status = WorkItemStatus.assigned
        item.assigned_to_id = holder.id
    await session.flush()
    return item


async def create_article(
    session: AsyncSession,
    *,
    slug: str = "report-a-pothole",
    title: str = "Report a pothole",
    language: str = "en",
    agency: Agency | None = None,
    summary: str = "",
    body: str = "",
    short_answer: str = "",
    voice_script: str = "",
    keywords: str = "",
    service_codes: tuple[str, ...] = (),
    effective_from: Any = None,
    effective_until: Any = None,
    variant_of: uuid.UUID | None = None,
    author_id: uuid.UUID | None = None,
    publish: bool = True,
) -> Any:
    """An article through the knowledge workflow; published by the system by default.

    Returns the `LiveArticle` when published and in effect today, else the newest `ArticleVersion`."""
    from townsquare.knowledge import service as knowledge
    from townsquare.knowledge.models import VersionStatus

    if agency is None:
        agency = await session.scalar(select(Agency).order_by(Agency.created_at).limit(1))
        if agency is None:
            agency = await create_agency(session)
    fields = knowledge.ArticleFields(
        title=title,
        summary=summary,
        body=body,
        short_answer=short_answer,
        voice_script=voice_script,
        keywords=keywords,
        service_codes=service_codes,
        effective_from=effective_from,
        effective_until=effective_until,
    )
    version = await knowledge.create_article(
        session,
        agency_id=agency.id,
        language=language,
        slug=slug,
        fields=fields,
        author_id=author_id,
        change_note="First version",
        variant_of=variant_of,
    )
    if not publish:
        return version
    version.status = VersionStatus.review  # the system's own import skips the review step
    await session.flush()
    await knowledge.publish(session, version_id=version.id, staff_id=None)
    live = await knowledge.live(session, article_id=version.article_id)
    return live if live is not None else version
