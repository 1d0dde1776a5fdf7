"""Everything held about one resident, as one JSON-ready document they can download ("download your data").

Reads only rows of that citizen. Never includes secrets (token or code hashes, the authenticator secret) or what
staff wrote only for each other (internal notes); a fixed number of queries however long the record is.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Agency, Service
from townsquare.analytics.surveys.models import Survey
from townsquare.cases.models import Case
from townsquare.citizens.models import (
    Citizen,
    CitizenSearch,
    CitizenSession,
    CitizenTotp,
    Identity,
    SignInLink,
    VerificationChallenge,
)
from townsquare.clock import utcnow
from townsquare.drafts.models import Draft
from townsquare.interactions.models import Attachment, Conversation, Interaction, InteractionKind

FORMAT_VERSION = 1


def _plain(value: Any) -> Any:
    """A value JSON can carry: ids and times as ISO strings, enums by value, containers recursively."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _row(obj: Any, *fields: str) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name)) for name in fields}


async def _all(session: AsyncSession, stmt: Any) -> list[Any]:
    return list((await session.execute(stmt)).scalars())


async def export(session: AsyncSession, *, citizen_id: uuid.UUID) -> dict[str, Any]:
    """The citizen's whole record: profile, contacts, preferences, sessions, cases, contacts on every channel …"""
    citizen = await session.get_one(Citizen, citizen_id)
    identities = await _all(
        session, select(Identity).where(Identity.citizen_id == citizen_id).order_by(Identity.created_at)
    )
    devices = await _all(
        session,
        select(CitizenSession).where(CitizenSession.citizen_id == citizen_id).order_by(CitizenSession.created_at),
    )
    totp = await session.get(CitizenTotp, citizen_id)
    challenges = await _all(
        session,
        select(VerificationChallenge)
        .where(VerificationChallenge.citizen_id == citizen_id)
        .order_by(VerificationChallenge.created_at),
    )
    links = await _all(
        session, select(SignInLink).where(SignInLink.citizen_id == citizen_id).order_by(SignInLink.created_at)
    )
    case_rows = (
        await session.execute(
            select(Case, Service.code, Service.name, Agency.name)
            .outerjoin(Service, Service.id == Case.service_id)
            .join(Agency, Agency.id == Case.agency_id)
            .where(Case.citizen_id == citizen_id)
            .order_by(Case.created_at)
        )
    ).all()
    conversations = await _all(
        session, select(Conversation).where(Conversation.citizen_id == citizen_id).order_by(Conversation.created_at)
    )
    interactions = await _all(
        session,
        select(Interaction)
        .where(Interaction.citizen_id == citizen_id, Interaction.kind != InteractionKind.note)
        .order_by(Interaction.occurred_at, Interaction.created_at),
    )
    attachments = await _all(
        session,
        select(Attachment)
        .join(Interaction, Interaction.id == Attachment.interaction_id)
        .where(Interaction.citizen_id == citizen_id, Interaction.kind != InteractionKind.note)
        .order_by(Attachment.created_at),
    )
    draft_rows = (
        await session.execute(
            select(Draft, Service.code, Service.name)
            .join(Service, Service.id == Draft.service_id)
            .where(Draft.citizen_id == citizen_id)
            .order_by(Draft.created_at)
        )
    ).all()
    searches = await _all(
        session, select(CitizenSearch).where(CitizenSearch.citizen_id == citizen_id).order_by(CitizenSearch.created_at)
    )
    surveys = await _all(session, select(Survey).where(Survey.citizen_id == citizen_id).order_by(Survey.sent_at))

    files: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for a in attachments:
        files.setdefault(a.interaction_id, []).append(
            _row(a, "filename", "content_type", "size_bytes", "sha256", "created_at")
        )
    references = {case.id: case.reference for case, *_ in case_rows}
    history: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for i in interactions:
        if i.kind is InteractionKind.status_change and i.case_id is not None:
            history.setdefault(i.case_id, []).append(
                {"at": _plain(i.occurred_at), "text": i.body, "change": _plain(i.payload)}
            )

    return {
        "format_version": FORMAT_VERSION,
        "exported_at": _plain(utcnow()),
        "profile": _row(
            citizen, "id", "display_name", "given_name", "family_name", "status", "created_at", "updated_at"
        ),
        "preferences": {
            "language": citizen.language,
            "preferred_channels": list(citizen.preferred_channels),
            "quiet_hours": (
                {"start": _plain(citizen.quiet_hours_start), "end": _plain(citizen.quiet_hours_end)}
                if citizen.quiet_hours_start is not None and citizen.quiet_hours_end is not None
                else None
            ),
        },
        "identities": [
            _row(
                i,
                "id",
                "kind",
                "namespace",
                "value",
                "verified",
                "verification_method",
                "verified_at",
                "last_seen_at",
                "opted_out_at",
                "created_at",
            )
            for i in identities
        ],
        "security": {"authenticator_app_enabled": totp is not None and totp.confirmed_at is not None},
        "sessions": [
            _row(s, "device", "method", "created_at", "last_seen_at", "expires_at", "revoked_at") for s in devices
        ],
        "verification_codes": [
            _row(c, "kind", "value", "attempts", "created_at", "expires_at", "verified_at") for c in challenges
        ],
        "email_confirmation_links": [_row(link, "email", "created_at", "expires_at", "used_at") for link in links],
        "cases": [
            {
                **_row(
                    case,
                    "reference",
                    "title",
                    "description",
                    "status",
                    "priority",
                    "opened_channel",
                    "address_string",
                    "lat",
                    "long",
                    "attributes",
                    "sla_due_at",
                    "created_at",
                    "updated_at",
                    "closed_at",
                ),
                "service": {"code": code, "name": name} if code else None,
                "agency": agency,
                "status_history": history.get(case.id, []),
            }
            for case, code, name, agency in case_rows
        ],
        "conversations": [
            _row(c, "id", "channel", "subject", "status", "created_at", "last_activity_at") for c in conversations
        ],
        "interactions": [
            {
                **_row(
                    i,
                    "id",
                    "conversation_id",
                    "channel",
                    "direction",
                    "kind",
                    "body",
                    "payload",
                    "delivery_status",
                    "duration_seconds",
                    "occurred_at",
                ),
                "case_reference": references.get(i.case_id) if i.case_id else None,
                "attachments": files.get(i.id, []),
            }
            for i in interactions
        ],
        "drafts": [
            {
                **_row(d, "answers", "step", "version", "created_at", "updated_at", "submitted_at"),
                "service": {"code": code, "name": name},
                "case_reference": references.get(d.case_id) if d.case_id else None,
            }
            for d, code, name in draft_rows
        ],
        "recent_searches": [_row(s, "query", "created_at") for s in searches],
        "satisfaction_surveys": [
            {
                **_row(v, "about", "channel", "language", "sent_at", "expires_at", "answered_at", "score", "comment"),
                "case_reference": references.get(v.case_id) if v.case_id else None,
            }
            for v in surveys
        ],
    }
