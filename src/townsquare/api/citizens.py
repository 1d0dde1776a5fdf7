"""/api/v1/citizens: the citizen record with identities and preferences, and the cross-channel timeline.

Every read of a citizen's data is written to the audit log the citizen can see.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query, Request, status
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.api.deps import SettingsDep
from townsquare.cases import service as cases
from townsquare.casework import finding
from townsquare.citizens import service as citizens
from townsquare.citizens.models import Citizen
from townsquare.citizens.schemas import CitizenIn, CitizenOut, IdentityIn, IdentityOut, PreferencesIn
from townsquare.db import keyset
from townsquare.db.deps import SessionDep
from townsquare.engagement.access import ReadableCitizen, Seen, TimelineCitizen, audit_reads
from townsquare.errors import FieldError, invalid
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Interaction
from townsquare.interactions.schemas import InteractionOut, TimelinePage
from townsquare.staff.auth import CurrentPrincipal, Principal

router = APIRouter(prefix="/api/v1/citizens", tags=["citizens"])


def _audit_read(session: AsyncSession, principal: Principal, citizen_id: uuid.UUID, action: str) -> None:
    principal.audit(
        session,
        action=action,
        subject_kind="citizen",
        subject_id=str(citizen_id),
        citizen_id=citizen_id,
    )


@router.get("", response_model=list[CitizenOut])
async def search_citizens(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: CurrentPrincipal,
    q: str | None = Query(default=None, max_length=320, description="Phone, email, case reference or name"),
    limit: int = Query(default=50, ge=1, le=200),
) -> list[CitizenOut]:
    """Find citizens by an exact phone number, email address or case reference, or by name (3 letters or more)."""
    found = await finding.find_citizens(
        session,
        query=q or "",
        region=settings.default_region,
        reference_prefix=settings.case_reference_prefix,
        agency_ids=principal.visible(),
        limit=limit,
    )
    await audit_reads(session, principal, request, "citizen.search", [_seen(c) for c in found])
    return [CitizenOut.model_validate(c) for c in found]


def _seen(citizen: Citizen) -> Seen:
    return Seen("citizen", str(citizen.id), citizen.id)


@router.post("", response_model=CitizenOut, status_code=status.HTTP_201_CREATED)
async def create_citizen(
    body: CitizenIn, session: SessionDep, settings: SettingsDep, principal: CurrentPrincipal
) -> CitizenOut:
    """Create a citizen record with its identities (for a counter visit, a letter, an agency import)."""
    citizen = await citizens.create(
        session,
        display_name=body.display_name,
        given_name=body.given_name,
        family_name=body.family_name,
        language=body.language,
    )
    for ident in body.identities:
        await citizens.add_identity(
            session,
            citizen_id=citizen.id,
            kind=ident.kind,
            value=ident.value,
            namespace=ident.namespace,
            region=settings.default_region,
            verification_method=ident.verified_by,
        )
    _audit_read(session, principal, citizen.id, "citizen.create")
    await session.commit()
    return CitizenOut.model_validate(await citizens.get(session, citizen_id=citizen.id))


@router.get("/{citizen_id}", response_model=CitizenOut)
async def get_citizen(citizen: ReadableCitizen) -> CitizenOut:
    """One citizen with every identity (and how each was verified) and their preferences."""
    return CitizenOut.model_validate(citizen)


@router.post("/{citizen_id}/identities", response_model=IdentityOut, status_code=status.HTTP_201_CREATED)
async def add_identity(
    citizen: ReadableCitizen, body: IdentityIn, session: SessionDep, settings: SettingsDep, principal: CurrentPrincipal
) -> IdentityOut:
    """Attach a phone, email or other identifier; 409 if it belongs to someone else."""
    citizen_id = citizen.id
    identity = await citizens.add_identity(
        session,
        citizen_id=citizen_id,
        kind=body.kind,
        value=body.value,
        namespace=body.namespace,
        region=settings.default_region,
        verification_method=body.verified_by,
    )
    _audit_read(session, principal, citizen_id, "identity.add")
    await session.commit()
    return IdentityOut.model_validate(identity)


@router.patch("/{citizen_id}/preferences", response_model=CitizenOut)
async def update_preferences(
    citizen: ReadableCitizen, body: PreferencesIn, session: SessionDep, principal: CurrentPrincipal
) -> CitizenOut:
    """Change language, preferred channels or quiet hours."""
    citizen_id = citizen.id
    if (body.quiet_hours_start is None) != (body.quiet_hours_end is None):
        raise invalid("Quiet hours need both a start and an end.", FieldError("quiet_hours_end", "missing pair"))
    quiet = (body.quiet_hours_start, body.quiet_hours_end) if body.quiet_hours_start and body.quiet_hours_end else None
    await citizens.update_preferences(
        session,
        citizen=citizen,
        language=body.language,
        preferred_channels=body.preferred_channels,
        quiet_hours=quiet,
    )
    _audit_read(session, principal, citizen_id, "citizen.preferences")
    await session.commit()
    return CitizenOut.model_validate(citizen)


def parse_cursor(cursor: str | None) -> keyset.Position | None:
    """A timeline cursor as handed out in `next_cursor`."""
    return keyset.read_token(cursor, field="cursor")


def timeline_page(items: list[Interaction], limit: int) -> TimelinePage:
    """A page of the timeline, with the cursor for the next one when this page is full."""
    last = items[-1] if len(items) == limit else None
    return TimelinePage(
        items=[InteractionOut.model_validate(i) for i in items],
        next_cursor=keyset.token((last.occurred_at, last.id)) if last else None,
    )


@router.get("/{citizen_id}/timeline", response_model=TimelinePage)
async def citizen_timeline(
    citizen: TimelineCitizen,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    cursor: str | None = None,
    limit: int = Query(default=100, ge=1, le=500),
) -> TimelinePage:
    """Every touchpoint of the citizen on every channel, newest first; page with `cursor`."""
    items = await interactions.timeline(
        session,
        citizen_id=citizen.id,
        before=parse_cursor(cursor),
        visible=cases.visible_case(Interaction.case_id, principal.visible()),
        limit=limit,
    )
    seen = [Seen("interaction", str(i.id), i.citizen_id) for i in items]
    await audit_reads(session, principal, request, "interaction.read", seen)
    return timeline_page(items, limit)
