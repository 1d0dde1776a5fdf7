"""An import in two steps: `plan` reads the files and compares them with what the database holds (the diff a
person reviews, nothing written), `apply` writes the plan through the domains' put functions.

Never commits: the caller applies in one transaction, or throws the plan away. An entry the files leave out is
deactivated where it has an `active` flag (services, queues, wrap-up codes, reminders, holdings, staff), removed
where the import writes the list exactly (contact points, holidays, form questions and choices), otherwise left
alone (teams, SLA targets, canned replies, whole agencies whose file is absent).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Agency, Service
from townsquare.content import catalogue
from townsquare.content.catalogue_diff import Comparer, Diff, DiffLine, identity
from townsquare.content.catalogue_export import agency_file, staff_file
from townsquare.content.catalogue_files import AgencyFile
from townsquare.content.files import ContentError, ContentInvalid, ImportReport
from townsquare.content.staff_files import StaffFile, StaffIn
from townsquare.db import Change
from townsquare.routing import agents
from townsquare.routing.models import CapacityClass
from townsquare.staff import roster
from townsquare.staff.models import StaffAccount

M = TypeVar("M", bound=BaseModel)
STEP = re.compile(r"([a-z_]+)(?:\[([^\]]*)\])?")


@dataclass
class Plan:
    """The diff to show, and the files as they will be written (with what they leave out deactivated)."""

    diff: Diff
    agencies: list[catalogue.LoadedAgency] = field(default_factory=list)
    staff: StaffFile | None = None
    current_staff: dict[str, StaffIn] = field(default_factory=dict)


def with_deactivated(model: M, path: str, items: list[Any]) -> M:
    """`model` with `items` (entries the file left out) added back, inactive, to the list at `path`."""
    steps = [(m.group(1), m.group(2)) for m in STEP.finditer(path)]
    name, key = steps[0]
    if len(steps) == 1:
        off = [item.model_copy(update={"active": False}) for item in items]
        return model.model_copy(update={name: [*getattr(model, name), *off]})
    rest = path[path.index("]") + 2 :]
    entries = [with_deactivated(e, rest, items) if identity(name, e) == key else e for e in getattr(model, name)]
    return model.model_copy(update={name: entries})


def _normalised(content: AgencyFile) -> AgencyFile:
    """The file as the database will hold it, so a difference the import would not make is not shown."""
    points = [p.model_copy(update={"address": p.address.strip().lower()}) for p in content.contact_points]
    calendar = content.calendar
    if calendar is not None and calendar.timezone == content.agency.timezone:
        calendar = calendar.model_copy(update={"timezone": None})
    return content.model_copy(update={"contact_points": points, "calendar": calendar})


def _normalised_staff(content: StaffFile) -> StaffFile:
    """Routing profiles as `routing.agents` stores them: default capacity when none is given, languages sorted."""
    people = []
    for person in content.staff:
        routing = person.routing
        capacity = routing.capacity or {CapacityClass(c): n for c, n in agents.DEFAULT_CAPACITY.items()}
        routing = routing.model_copy(
            update={
                "capacity": dict(sorted(capacity.items())),
                "languages": sorted(set(routing.languages)),
                "skills": {k.lower(): v for k, v in sorted(routing.skills.items())},
            }
        )
        people.append(person.model_copy(update={"routing": routing}))
    return content.model_copy(update={"staff": people})


async def plan(
    session: AsyncSession,
    root: Path,
    *,
    agency_ids: set[uuid.UUID] | None = None,
    actor_id: uuid.UUID | None = None,
) -> Plan:
    """The files under `root` compared with the database. `agency_ids`: the only agencies the files may describe
    (an agency administrator's; no staff file then); `actor_id`: the staff account importing, which may not
    deactivate or demote itself. Raises `ContentInvalid` with every problem, nothing written."""
    agencies = {a.slug: a for a in (await session.scalars(select(Agency))).all()}
    codes = frozenset((await session.scalars(select(Service.code))).all())
    loaded = catalogue.read(root, services_elsewhere=codes, agencies_elsewhere=frozenset(agencies))
    actor = (
        None
        if actor_id is None
        else await session.scalar(select(StaffAccount.email).where(StaffAccount.id == actor_id))
    )
    errors = _scope(loaded, agencies, agency_ids, actor)
    if errors:
        raise ContentInvalid(errors)
    result = Plan(Diff())
    in_files = {s.code for item in loaded.agencies for s in item.content.services}
    for item in loaded.agencies:
        content = _normalised(item.content)
        agency = agencies.get(content.agency.slug)
        if agency is None:
            result.diff.lines.append(DiffLine(item.name, f"agency[{content.agency.slug}]", "+"))
            result.agencies.append(item)
            continue
        current = await agency_file(session, agency)
        comparer = Comparer(
            item.name, result.diff.lines, keep=lambda kind, e: kind == "services" and e.code in in_files
        )
        comparer.models("", current, content)
        for path, items in comparer.deactivated.items():
            content = with_deactivated(content, path, items)
        result.agencies.append(catalogue.LoadedAgency(item.name, content, item.lines))
    if loaded.staff is not None:
        current_staff = await staff_file(session)
        comparer = Comparer(loaded.staff.name, result.diff.lines)
        wanted = _normalised_staff(loaded.staff.content)
        comparer.models("", current_staff, wanted)
        for path, items in comparer.deactivated.items():
            wanted = with_deactivated(wanted, path, items)
        result.staff = wanted
        result.current_staff = {s.email: s for s in current_staff.staff}
    return result


def _scope(
    loaded: catalogue.Loaded, agencies: dict[str, Agency], agency_ids: set[uuid.UUID] | None, actor: str | None
) -> list[ContentError]:
    """Files outside what the importer administers, and a staff file that would lock the importer out."""
    errors: list[ContentError] = []
    if agency_ids is not None:
        for item in loaded.agencies:
            known = agencies.get(item.content.agency.slug)
            if known is None or known.id not in agency_ids:
                errors.append(ContentError(item.name, "agency.slug", "is not an agency you administer"))
        if loaded.staff is not None:
            errors.append(ContentError(loaded.staff.name, "staff", "only an administrator imports the staff file"))
    if loaded.staff is not None:
        people = loaded.staff.content.staff
        for i, person in enumerate(people):
            if actor is not None and person.email == actor and (not person.active or person.role.value != "admin"):
                errors.append(
                    ContentError(loaded.staff.name, f"staff[{i}]", "you cannot demote or deactivate yourself")
                )
        if actor is not None and actor not in {p.email for p in people}:
            errors.append(
                ContentError(loaded.staff.name, "staff", f"leaves you ({actor}) out: you would be deactivated")
            )
    return [catalogue.placed([e], loaded.lines(e.file))[0] for e in errors]


async def apply(session: AsyncSession, planned: Plan) -> ImportReport:
    """Write the plan (in the caller's transaction); the report tallies what each put created or updated."""
    report = ImportReport()
    for item in planned.agencies:
        await catalogue.put_agency_file(session, item, report)
    for item in planned.agencies:
        await catalogue.put_sla_targets(session, item, report)
    if planned.staff is not None:
        await _staff(session, planned, report)
    return report


async def _staff(session: AsyncSession, planned: Plan, report: ImportReport) -> None:
    assert planned.staff is not None
    ids = {a.slug: a.id for a in (await session.scalars(select(Agency))).all()}
    for person in planned.staff.staff:
        before = planned.current_staff.get(person.email)
        if before == person:
            report.add("staff", Change.unchanged, person.email)
            continue
        account, change = await roster.put_staff(
            session,
            email=person.email,
            display_name=person.name,
            role=person.role,
            agency_ids=[ids[slug] for slug in person.agencies],
            active=person.active,
        )
        if before is None or before.routing != person.routing:
            await agents.ensure_agent(
                session,
                staff_id=account.id,
                capacity={c.value: n for c, n in person.routing.capacity.items()} or None,
                languages=list(person.routing.languages),
                skills=dict(person.routing.skills),
            )
        report.add("staff", change, person.email)


async def import_catalogue(session: AsyncSession, root: Path) -> ImportReport:
    """Plan and apply in one go (the caller commits)."""
    return await apply(session, await plan(session, root))
