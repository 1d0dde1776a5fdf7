"""The public list of reports (Open311's `requests.json`): cases of the services offered on Open311, from any
channel, newest first, one page, as plain values — never who reported them.

Most of a city's cases are for services Open311 does not offer. Walking every case by date and skipping those
reads several cases for each one shown (three for one in the benchmark's city). Instead each offered service's
own index (`ix_cases_service_created`) is read from its newest end and the database merges them, so about as many
cases are read as shown. A catalogue of more than MERGE_MAX offered services is read by date with the services as
a filter. The service and agency on each row come from the remembered catalogue (`agencies.offered`), not a join.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, CompoundSelect, Select, bindparam, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from townsquare.agencies import offered as catalogue
from townsquare.cases.models import Case, CaseStatus, CaseUpdate
from townsquare.cases.workflow import OPEN_STATUSES

Rows = Select[*tuple[Any, ...]]
Page = Rows | CompoundSelect[*tuple[Any, ...]]
MERGE_MAX = 64  # offered services merged index by index; beyond, one walk by date
_MERGED_INTO = aliased(Case, name="merged_into")
_COLUMNS = (
    Case.id,
    Case.reference,
    Case.status,
    Case.description,
    Case.created_at,
    Case.updated_at,
    Case.sla_due_at,
    Case.address_string,
    Case.address_id,
    Case.zipcode,
    Case.lat,
    Case.long,
    Case.media_url,
    Case.merged_into_id,
    Case.service_id,
    Case.agency_id,
)
# What the page gives back (not the ids it joins by): the report's own columns, then service, agency, the
# merged-into reference and the newest note; `_report` reads them by position.
_SHOWN = tuple(column.key for column in _COLUMNS if column.key not in ("id", "merged_into_id"))


class PublicReport(NamedTuple):
    """What the public may know about one report (a tuple: a page holds up to 1,000)."""

    reference: str
    status: CaseStatus
    description: str | None
    created_at: datetime
    updated_at: datetime
    sla_due_at: datetime | None
    address: str | None
    address_id: str | None
    zipcode: str | None
    lat: float | None
    long: float | None
    media_url: str | None
    merged_into: str | None  # the reference of the case it was merged into
    latest_note: str | None  # the note of its newest update
    service: catalogue.OfferedService
    agency_name: str


async def public_list(
    session: AsyncSession,
    *,
    references: Collection[str] | None = None,
    service_codes: Collection[str] | None = None,
    status: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 1000,
    offset: int = 0,
) -> list[PublicReport]:
    """One page of public reports, newest first. `references` overrides every other filter; `status` is "open"
    or "closed" (None: both)."""
    offered = await catalogue.open311_offered(session)
    wanted = set(service_codes) if service_codes is not None else None
    services = [s.id for s in offered.values() if wanted is None or s.code in wanted]
    if not services or limit <= 0:
        return []
    params: dict[str, object] = {"limit": limit, "offset": offset}
    if references is not None:
        shape = Shape(by_reference=True)
        params.update(references=list(references), services=services)
    else:
        merged = len(services) <= MERGE_MAX
        shape = Shape(len(services) if merged else 0, since is not None, until is not None, status or "")
        params.update(since=since, until=until, depth=offset + limit)
        params.update({f"s{n}": id for n, id in enumerate(services)} if merged else {"services": services})
    connection = await session.connection()  # Core rows: no ORM loading for a list of plain values
    rows = (await connection.execute(_statement(shape), params)).all()
    names = await catalogue.agency_names(session)
    return [_report(tuple(row), offered, names) for row in rows]  # every path binds offered services only


class Shape(NamedTuple):
    """What a page's statement depends on besides its values: built once per shape, then only bound (building
    and keying a statement of a few merged services costs more than running it)."""

    branches: int = 0  # services merged index by index; 0: one walk by date with the services as a filter
    since: bool = False
    until: bool = False
    status: str = ""  # "open", "closed" or "" (both)
    by_reference: bool = False


@lru_cache(maxsize=256)
def _statement(shape: Shape) -> Rows:
    """The page's statement, its values as parameters: services (s0, s1, … or services), since, until, depth,
    references, limit and offset."""
    if shape.by_reference:
        page: Page = select(*_COLUMNS).where(
            Case.reference.in_(bindparam("references", expanding=True)),
            Case.service_id.in_(bindparam("services", expanding=True)),
        )
        return _with_notes(page)
    conditions: list[ColumnElement[bool]] = []
    if shape.since:
        conditions.append(Case.created_at >= bindparam("since"))
    if shape.until:
        conditions.append(Case.created_at <= bindparam("until"))
    if shape.status == "open":
        conditions.append(Case.status.in_(OPEN_STATUSES))
    elif shape.status == "closed":
        conditions.append(Case.status.not_in(OPEN_STATUSES))
    if not shape.branches:
        return _with_notes(
            select(*_COLUMNS).where(Case.service_id.in_(bindparam("services", expanding=True)), *conditions)
        )
    branches = [
        select(*_COLUMNS)
        .where(Case.service_id == bindparam(f"s{n}"), *conditions)
        .order_by(Case.created_at.desc(), Case.id.desc())  # ix_cases_service_created, read from its end
        .limit(bindparam("depth"))
        .subquery()
        for n in range(shape.branches)
    ]
    if len(branches) == 1:
        return _with_notes(select(branches[0]))
    return _with_notes(union_all(*(select(branch) for branch in branches)))


def _with_notes(page: Page) -> Rows:
    """The page, newest first, with each case's newest note and the reference it was merged into."""
    cases = page.subquery("page")
    newest_note = (
        select(CaseUpdate.note)
        .where(CaseUpdate.case_id == cases.c.id)
        .order_by(CaseUpdate.created_at.desc(), CaseUpdate.id.desc())  # ix_case_updates_case, read from its end
        .limit(1)
        .scalar_subquery()
    )
    return (
        select(*(cases.c[key] for key in _SHOWN), _MERGED_INTO.reference, newest_note)
        .outerjoin(_MERGED_INTO, _MERGED_INTO.id == cases.c.merged_into_id)
        .order_by(cases.c.created_at.desc(), cases.c.id.desc())
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


def _report(
    row: tuple[Any, ...], offered: Mapping[uuid.UUID, catalogue.OfferedService], names: Mapping[uuid.UUID, str]
) -> PublicReport:
    # by position (_SHOWN): the report's twelve columns, service, agency, merged-into reference, newest note
    return PublicReport._make((*row[:12], row[14], row[15], offered[row[12]], names.get(row[13], "")))
