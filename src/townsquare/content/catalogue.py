"""`townsquare catalogue import DIR`: reading every file under DIR (agencies' and the staff file) with every
problem's file, field and line, and putting one agency file into the database through the agencies and routing
services, reporting what was created, updated or left as it was.

All files are read and checked before anything is written; `catalogue_plan` compares them with the database and
orchestrates the writing. Nothing commits here: the caller commits the whole import or rolls it back.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import catalogue as agencies
from townsquare.agencies import service as agency_reads
from townsquare.content.catalogue_files import AgencyFile, ServiceIn
from townsquare.content.files import ContentError, ContentInvalid, ImportReport, files, parse, read_toml
from townsquare.content.staff_files import StaffFile
from townsquare.content.toml_lines import key_lines, line_of
from townsquare.notify import reminders
from townsquare.notify.kinds import MessageType
from townsquare.routing import setup as contact_centre
from townsquare.sharing import holdings


@dataclass(frozen=True)
class LoadedAgency:
    name: str  # the file, relative to the directory
    content: AgencyFile
    lines: dict[str, int] = field(default_factory=dict, compare=False)  # a field's path → its line


@dataclass(frozen=True)
class LoadedStaff:
    name: str
    content: StaffFile
    lines: dict[str, int] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Loaded:
    """Every file of a catalogue directory, checked: the agencies', and the staff file if there is one."""

    agencies: list[LoadedAgency]
    staff: LoadedStaff | None = None

    def lines(self, name: str) -> dict[str, int]:
        found = [i.lines for i in [*self.agencies, self.staff] if i is not None and i.name == name]
        return found[0] if found else {}


def placed(errors: list[ContentError], lines: dict[str, int]) -> list[ContentError]:
    """The errors with the line of the field each names (or of the nearest table around it)."""
    return [replace(e, line=e.line or line_of(lines, e.field)) for e in errors]


def load(root: Path) -> list[LoadedAgency]:
    """Every agency file under `root` (a staff file is read and checked, not returned); see `read`."""
    return read(root).agencies


def read(
    root: Path, *, services_elsewhere: frozenset[str] = frozenset(), agencies_elsewhere: frozenset[str] = frozenset()
) -> Loaded:
    """Every `*.toml` under `root`: each one agency, or the staff file (`[[staff]]` entries); raises
    `ContentInvalid` with every problem found, each with its file, field and line. `services_elsewhere`: codes the
    database holds, which the files may name; `agencies_elsewhere`: the database's agency slugs, for staff."""
    errors: list[ContentError] = []
    loaded: list[LoadedAgency] = []
    staff: LoadedStaff | None = None
    paths = files(root, "*.toml")
    if not paths:
        raise ContentInvalid([ContentError(str(root), "", "holds no .toml files")])
    for path in paths:
        name = path.relative_to(root).as_posix()
        try:
            data = read_toml(path, name)
        except ContentInvalid as invalid:
            errors.extend(invalid.errors)
            continue
        lines = key_lines(path.read_text(encoding="utf-8"))
        found: list[ContentError] = []
        if "staff" in data and "agency" not in data:
            people = parse(StaffFile, data, name, found)
            if staff is not None:
                found.append(ContentError(name, "staff", f"one staff file only: {staff.name} is another"))
            elif people is not None:
                staff = LoadedStaff(name, people, lines)
        else:
            content = parse(AgencyFile, data, name, found)
            if content is not None:
                loaded.append(LoadedAgency(name, content, lines))
        errors.extend(placed(found, lines))
    result = Loaded(loaded, staff)
    across = _across_files(loaded, services_elsewhere) + _staff_agencies(result, agencies_elsewhere)
    errors.extend(e for e in across for e in placed([e], result.lines(e.file)))
    if errors:
        raise ContentInvalid(errors)
    return result


def _staff_agencies(loaded: Loaded, elsewhere: frozenset[str]) -> list[ContentError]:
    """Staff named in agencies that neither the files nor the database define."""
    if loaded.staff is None:
        return []
    defined = elsewhere | {item.content.agency.slug for item in loaded.agencies}
    return [
        ContentError(loaded.staff.name, f"staff[{i}].agencies", f"no agency has slug {slug!r}")
        for i, person in enumerate(loaded.staff.content.staff)
        for slug in person.agencies
        if slug not in defined
    ]


def _across_files(loaded: list[LoadedAgency], services_elsewhere: frozenset[str]) -> list[ContentError]:
    """What no single file can tell: an agency or service defined twice, a service named but defined nowhere."""
    errors: list[ContentError] = []
    seen: dict[tuple[str, ...], str] = {}  # what is defined → the file that defined it first

    def once(item: LoadedAgency, key: tuple[str, ...], field: str, shown: str) -> None:
        if key in seen:
            errors.append(ContentError(item.name, field, f"{shown!r} is also in {seen[key]}"))
        seen.setdefault(key, item.name)

    for item in loaded:
        for index, point in enumerate(item.content.contact_points):
            key = ("address", point.channel.value, point.address.strip().lower())
            once(item, key, f"contact_points[{index}].address", point.address)
        once(item, ("agency", item.content.agency.slug), "agency.slug", item.content.agency.slug)
        for index, service in enumerate(item.content.services):
            once(item, ("service", service.code), f"services[{index}].code", service.code)
        for holding in item.content.holdings:
            seen.setdefault(("held", f"{item.content.agency.slug}.{holding.code}"), item.name)
    for item in loaded:
        teams = {t.slug for t in item.content.teams}
        errors += [
            ContentError(item.name, f"queues[{i}].team", f"names team {q.team!r}, which this file does not define")
            for i, q in enumerate(item.content.queues)
            if q.team is not None and q.team not in teams
        ]
        named = [(f"sla_targets[{i}].service", t.service) for i, t in enumerate(item.content.sla_targets)]
        named += [(f"queues[{i}].service_codes", c) for i, q in enumerate(item.content.queues) for c in q.service_codes]
        errors += [
            ContentError(item.name, field, f"no service has code {code!r}")
            for field, code in named
            if code is not None and ("service", code) not in seen and code not in services_elsewhere
        ]
        prefills = [
            (f"services[{i}].attributes[{j}].prefill_from", a.prefill_from)
            for i, service in enumerate(item.content.services)
            for j, a in enumerate(service.attributes)
            if a.prefill_from
        ]
        errors += [
            ContentError(item.name, field, f"no agency file declares the holding {held!r}")
            for field, held in prefills
            if ("held", held) not in seen
        ]
    return errors


def _service_spec(service: ServiceIn) -> agencies.ServiceSpec:
    return agencies.ServiceSpec(
        code=service.code,
        name=service.name,
        description=service.description,
        group=service.group,
        keywords=list(service.keywords),
        synonyms=list(service.synonyms),
        type=service.type,
        sla_target_hours=service.sla_hours,
        active=service.active,
        open311=service.open311,
        notice=service.notice,
        translations={lang: wording.stored() for lang, wording in service.translations.items()},
        attributes=[
            agencies.AttributeSpec(
                code=a.code,
                datatype=a.datatype,
                description=a.description,
                datatype_description=a.hint,
                required=a.required,
                values=[{"key": v.key, "name": v.name} for v in a.values],
                page=a.page,
                translations={lang: wording.stored() for lang, wording in a.translations.items()},
                prefill_from=a.prefill_from,
                condition=a.condition.model_dump() if a.condition else {},
            )
            for a in service.attributes
        ],
        sharing_purpose=service.sharing_purpose,
        form_pages={str(number): page.stored() for number, page in sorted(service.pages.items())},
    )


async def put_agency_file(session: AsyncSession, item: LoadedAgency, report: ImportReport) -> None:
    """One agency and everything of its file but its SLA targets (which may name any file's services)."""
    spec = item.content
    a = spec.agency
    agency, change = await agencies.put_agency(
        session,
        slug=a.slug,
        name=a.name,
        description=a.description,
        email=a.email,
        phone=a.phone,
        timezone=a.timezone,
        translations={lang: wording.model_dump() for lang, wording in a.translations.items()},
        active=a.active,
        short_name=a.short_name,
        accent_colour=a.accent_colour,
    )
    report.add("agencies", change, a.slug)
    points = [(p.channel.value, p.address) for p in spec.contact_points]
    report.add("contact points", await agencies.put_contact_points(session, agency_id=agency.id, points=points), a.slug)
    for held in spec.holdings:
        change = await holdings.put_attribute(
            session,
            agency_id=agency.id,
            code=held.code,
            name=held.name,
            description=held.description,
            value_type=held.value_type,
            classification=held.classification,
            verified=held.verified,
            active=held.active,
            translations={lang: wording.model_dump() for lang, wording in held.translations.items()},
        )
        report.add("holdings", change, f"{a.slug}.{held.code}")
    for service in spec.services:
        stored, change = await agencies.put_service(session, agency_id=agency.id, spec=_service_spec(service))
        report.add("services", change, service.code)
        for kind, rule_change in await reminders.put_rules(
            session,
            service_id=stored.id,
            rules=[
                reminders.RuleSpec(MessageType(r.type), r.days, r.date_question, r.active) for r in service.reminders
            ],
        ):
            report.add("reminder rules", rule_change, f"{service.code}/{kind.value}")
    calendars = await _calendars(session, agency.id, item, report)
    for skill in spec.skills:
        change = await contact_centre.put_skill(
            session,
            agency_id=None if skill.every_agency else agency.id,
            code=skill.code,
            label=skill.label,
            label_fr=skill.label_fr,
            active=skill.active,
        )
        report.add("skills", change, f"{'*' if skill.every_agency else a.slug}/{skill.code}")
    teams = {}
    for team_in in spec.teams:
        team, change = await contact_centre.put_team(
            session, agency_id=agency.id, slug=team_in.slug, name=team_in.name, active=team_in.active
        )
        teams[team.slug] = team.id
        report.add("teams", change, f"{a.slug}/{team.slug}")
    for queue in spec.queues:
        _, change = await contact_centre.put_queue(
            session,
            agency_id=agency.id,
            slug=queue.slug,
            name=queue.name,
            name_fr=queue.name_fr,
            channels=[c.value for c in queue.channels],
            service_codes=list(queue.service_codes),
            required_skills=dict(queue.required_skills),
            priority_boost=queue.priority_boost,
            team_id=teams[queue.team] if queue.team else None,
            calendar_id=calendars.get(queue.calendar) if queue.calendar else next(iter(calendars.values()), None),
            active=queue.active,
        )
        report.add("queues", change, f"{a.slug}/{queue.slug}")
    for code in spec.wrap_up_codes:
        change = await contact_centre.put_wrap_up_code(
            session, agency_id=agency.id, code=code.code, label=code.label, label_fr=code.label_fr, active=code.active
        )
        report.add("wrap-up codes", change, f"{a.slug}/{code.code}")
    for canned in spec.canned_responses:
        change = await agencies.put_canned_response(
            session,
            agency_id=agency.id,
            slug=canned.slug,
            language=canned.language,
            title=canned.title,
            body=canned.body,
            active=canned.active,
        )
        report.add("canned responses", change, f"{a.slug}/{canned.slug}.{canned.language}")


async def _calendars(
    session: AsyncSession, agency_id: uuid.UUID, item: LoadedAgency, report: ImportReport
) -> dict[str, uuid.UUID]:
    """The file's calendars (`[calendar]` and `[[calendars]]`), by name, in the order the file gives them."""
    found: dict[str, uuid.UUID] = {}
    a = item.content.agency
    for office in item.content.offices():
        calendar, change = await contact_centre.put_calendar(
            session,
            agency_id=agency_id,
            name=office.name,
            timezone=office.timezone or a.timezone,
            hours=office.by_weekday(),
            holidays=[(h.day, h.name) for h in office.holidays],
            active=office.active,
        )
        found[office.name] = calendar.id
        report.add("calendars", change, f"{a.slug}/{office.name}")
    return found


async def put_sla_targets(session: AsyncSession, item: LoadedAgency, report: ImportReport) -> None:
    """The agency's SLA targets, once every file's services exist."""
    agency = await agency_reads.get_agency(session, slug=item.content.agency.slug)
    for target in item.content.sla_targets:
        service_id = None
        if target.service is not None:
            service_id = (await agency_reads.get_service(session, code=target.service)).id
        change = await contact_centre.put_sla_target(
            session,
            agency_id=agency.id,
            service_id=service_id,
            channel=target.channel.value if target.channel else None,
            first_response_seconds=target.first_response_seconds,
            goal_percent=target.goal_percent,
            business_hours=target.business_hours,
            active=target.active,
        )
        what = "/".join(x for x in (target.service, target.channel.value if target.channel else None) if x)
        report.add("SLA targets", change, f"{agency.slug}/{what or 'default'}")
