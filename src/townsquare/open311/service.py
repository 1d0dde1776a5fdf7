"""What Open311 shows: the offered services, their forms, and the public view of requests and their updates.

Only active services flagged `open311` are shown; a request never carries personal data (no name, email, phone,
account or device), whichever channel it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import service as agencies
from townsquare.agencies.models import AttributeDatatype, Service
from townsquare.cases import service as cases
from townsquare.cases.models import Case, CaseStatus, CaseUpdate, Open311Submission
from townsquare.open311.formats import Items

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
MAX_DESCRIPTION = 4000
LIST_TYPES = (AttributeDatatype.singlevaluelist, AttributeDatatype.multivaluelist)
OPEN311_KIND = {  # the form builder's kinds as the GeoReport v2 datatypes closest to them
    AttributeDatatype.date: AttributeDatatype.datetime,
    AttributeDatatype.address: AttributeDatatype.text,
    AttributeDatatype.consent: AttributeDatatype.singlevaluelist,
}
# The mySociety extended statuses an update may carry, lower-case.
EXTENDED_STATUS = {
    CaseStatus.new: "open",
    CaseStatus.open: "open",
    CaseStatus.in_progress: "in_progress",
    CaseStatus.waiting_on_citizen: "investigating",
    CaseStatus.resolved: "fixed",
    CaseStatus.closed: "closed",
    CaseStatus.cancelled: "no_further_action",
}
UPDATE_STATUSES = frozenset(
    {
        "open",
        "closed",
        "fixed",
        "in_progress",
        "action_scheduled",
        "investigating",
        "duplicate",
        "not_councils_responsibility",
        "no_further_action",
        "internal_referral",
        "reopen",
    }
)


def public_status(status: CaseStatus) -> str:
    """GeoReport's two states."""
    return "open" if status in cases.OPEN_STATUSES else "closed"


async def offered_services(session: AsyncSession) -> list[Service]:
    """Active services offered through Open311, with their forms, by group and name."""
    return await agencies.open311_services(session)


async def offered_service(session: AsyncSession, *, code: str) -> Service | None:
    """One offered service by its code, with its form; None when it is not offered."""
    found = await agencies.open311_services(session, code=code)
    return found[0] if found else None


def service_entry(service: Service) -> dict[str, Any]:
    """One `<service>` of the service list."""
    return {
        "service_code": service.code,
        "service_name": service.name,
        "description": service.description,
        "metadata": any(a.variable for a in service.attributes),
        "type": service.type.value,
        "keywords": ", ".join(service.keywords),
        "group": service.group,
    }


def definition(service: Service) -> dict[str, Any]:
    """The `<service_definition>`: the service's form in Open311 datatypes. The builder's own kinds are mapped
    (date: datetime, address: text, consent: a one-choice list) or left out (file: Open311 posts no files); a
    question with a condition is never required here, as Open311 has no conditions (docs/forms.md)."""
    attributes = []
    asked = [a for a in service.attributes if a.datatype is not AttributeDatatype.file]
    for order, attr in enumerate(asked, start=1):
        datatype = OPEN311_KIND.get(attr.datatype, attr.datatype)
        values = attr.values if datatype in LIST_TYPES else []
        if attr.datatype is AttributeDatatype.consent:
            values = [{"key": "yes", "name": "I agree"}]
        attributes.append(
            {
                "variable": attr.variable,
                "code": attr.code,
                "datatype": datatype.value,
                "required": attr.required and not (attr.condition or {}).get("field"),
                "datatype_description": attr.datatype_description,
                "order": order,
                "description": attr.description,
                "values": Items("value", [{"key": str(v.get("key")), "name": str(v.get("name", ""))} for v in values]),
            }
        )
    return {"service_code": service.code, "attributes": Items("attribute", attributes)}


@dataclass(frozen=True)
class RequestQuery:
    """GET requests: ids override every other filter."""

    ids: list[str]
    codes: list[str]
    start: datetime
    end: datetime
    statuses: list[str]
    page: int = 1
    page_size: int = 1000


async def find_requests(session: AsyncSession, query: RequestQuery) -> list[dict[str, Any]]:
    """The public view of matching requests, newest first, one page."""
    found = await cases.public_list(
        session,
        references=query.ids or None,
        service_codes=query.codes or None,
        status=query.statuses[0] if len(query.statuses) == 1 else None,
        since=query.start,
        until=query.end,
        limit=query.page_size,
        offset=(query.page - 1) * query.page_size,
    )
    return [_entry(report) for report in found]


async def get_request(session: AsyncSession, *, reference: str) -> dict[str, Any] | None:
    """One request by its id, when it is a public one."""
    found = await cases.public_list(session, references=[reference], limit=1)
    return _entry(found[0]) if found else None


def _entry(report: cases.PublicReport) -> dict[str, Any]:
    """One `<request>`: what the public may know about a case, never who reported it; JSON-ready values (see
    `Items.plain`)."""
    service = report.service
    return {
        "service_request_id": report.reference,
        "status": public_status(report.status),
        "status_notes": (f"Duplicate of {report.merged_into}" if report.merged_into else report.latest_note) or None,
        "service_name": service.name or None,
        "service_code": service.code,
        "description": (report.description or "")[:MAX_DESCRIPTION] or None,
        "agency_responsible": report.agency_name or None,
        "service_notice": service.notice or None,
        "requested_datetime": report.created_at,
        "updated_datetime": report.updated_at,
        "expected_datetime": report.sla_due_at,
        "address": report.address or None,
        "address_id": report.address_id or None,
        "zipcode": report.zipcode or None,
        "lat": report.lat,
        "long": report.long,
        "media_url": report.media_url or None,
    }


async def by_token(session: AsyncSession, *, token: str) -> tuple[str, str] | None:
    """(service_request_id, token) for a batch token."""
    stmt = select(Case.reference, Open311Submission.token).join(Case, Case.id == Open311Submission.case_id)
    row = (await session.execute(stmt.where(Open311Submission.token == token))).first()
    return (row[0], str(row[1])) if row else None


async def public_case(session: AsyncSession, *, reference: str) -> Case | None:
    """A case of an offered service by its reference (what updates may be posted to)."""
    found = await cases.public_reports(session, references=[reference], limit=1)
    return found[0][0] if found else None


def update_status(update: CaseUpdate, case: Case) -> str:
    """The extended status of one update: duplicate for a merge, else the case status's nearest word."""
    if update.status is CaseStatus.closed and (case.merged_into_id is not None or update.note.startswith("Duplicate")):
        return "duplicate"
    return EXTENDED_STATUS.get(update.status, public_status(update.status))


async def updates(session: AsyncSession, *, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """The servicerequestupdates feed: staff and system changes on public cases, oldest first."""
    rows = await cases.updates_between(session, start=start, end=end)
    return [
        {
            "update_id": str(update.id),
            "service_request_id": case.reference,
            "status": update_status(update, case),
            "updated_datetime": update.created_at,
            "description": update.note,
            "media_url": update.media_url,
        }
        for update, case in rows
    ]
