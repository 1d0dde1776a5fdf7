"""GET /api/v1/agencies and /api/v1/services: the public directory and service catalogue."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from townsquare.agencies import service as agencies
from townsquare.agencies.schemas import AgencyOut, ServiceOut
from townsquare.db.deps import SessionDep
from townsquare.staff.auth import public

router = APIRouter(prefix="/api/v1", tags=["catalogue"], dependencies=[Depends(public)])


@router.get("/agencies", response_model=list[AgencyOut])
async def list_agencies(session: SessionDep) -> list[AgencyOut]:
    """Every agency."""
    return [AgencyOut.model_validate(a) for a in await agencies.list_agencies(session)]


@router.get("/agencies/{slug}", response_model=AgencyOut)
async def get_agency(slug: str, session: SessionDep) -> AgencyOut:
    """One agency."""
    return AgencyOut.model_validate(await agencies.get_agency(session, slug=slug))


@router.get("/services", response_model=list[ServiceOut])
async def list_services(session: SessionDep, agency: str | None = None) -> list[ServiceOut]:
    """The service catalogue with each service's form, optionally for one agency (by slug)."""
    agency_id = (await agencies.get_agency(session, slug=agency)).id if agency else None
    return [ServiceOut.model_validate(s) for s in await agencies.list_services(session, agency_id=agency_id)]


@router.get("/services/{code}", response_model=ServiceOut)
async def get_service(code: str, session: SessionDep) -> ServiceOut:
    """One service and its form."""
    return ServiceOut.model_validate(await agencies.get_service(session, code=code))
