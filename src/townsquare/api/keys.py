"""/api/v1/api-keys: administrators issue and revoke integration keys."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from townsquare.agencies import service as agencies
from townsquare.db.deps import SessionDep
from townsquare.errors import not_found
from townsquare.staff import service as staff
from townsquare.staff.auth import AdminPrincipal
from townsquare.staff.schemas import ApiKeyCreated, ApiKeyIn, ApiKeyOut

router = APIRouter(prefix="/api/v1/api-keys", tags=["integrations"])


@router.get("", response_model=list[ApiKeyOut])
async def list_keys(session: SessionDep, admin: AdminPrincipal) -> list[ApiKeyOut]:
    """Every key (never the secret itself)."""
    return [ApiKeyOut.model_validate(k) for k in await staff.list_api_keys(session)]


@router.post("", response_model=ApiKeyCreated, status_code=status.HTTP_201_CREATED)
async def create_key(body: ApiKeyIn, session: SessionDep, admin: AdminPrincipal) -> ApiKeyCreated:
    """Issue a key; the response is the only time the key is shown."""
    agency_id = (await agencies.get_agency(session, slug=body.agency_slug)).id if body.agency_slug else None
    key, row = await staff.create_api_key(
        session,
        name=body.name,
        agency_id=agency_id,
        created_by_id=admin.id,
        scope=body.scope,
        contact=body.contact,
        rate_limit_per_minute=body.rate_limit_per_minute,
    )
    admin.audit(
        session,
        action="api_key.create",
        subject_kind="api_key",
        subject_id=str(row.id),
        detail={"scope": row.scope.value},
    )
    await session.commit()
    return ApiKeyCreated(**ApiKeyOut.model_validate(row).model_dump(), key=key)


@router.delete("/{key_id}", response_model=ApiKeyOut)
async def revoke_key(key_id: uuid.UUID, session: SessionDep, admin: AdminPrincipal) -> ApiKeyOut:
    """Revoke a key at once."""
    row = await staff.revoke_api_key(session, key_id=key_id)
    if row is None:
        raise not_found("API key")
    admin.audit(
        session,
        action="api_key.revoke",
        subject_kind="api_key",
        subject_id=str(row.id),
    )
    await session.commit()
    return ApiKeyOut.model_validate(row)
