"""`townsquare catalogue import DIR`: every agency file under DIR put into the database through the agencies and
routing services, in the caller's transaction, reporting what was created, updated or left as it was.

All files are read and checked before anything is written. Nothing commits here: the caller commits the whole
import, or rolls it back for a dry run or after an error. Nothing in the files is deleted from the database:
a service taken out of the catalogue is marked `active = false`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import catalogue as agencies
from townsquare.agencies import service as agency_reads
from townsquare.content.catalogue_files import AgencyFile, ServiceIn
from townsquare.content.files import ContentError, ContentInvalid, ImportReport, files, parse, read_toml, relative
from townsquare.notify import reminders
from townsquare.notify.kinds import MessageType
from townsquare.routing import setup as contact_centre
from townsquare.sharing import holdings


@dataclass(frozen=True)
class LoadedAgency:
    name: str  # the file, as the person named the directory
    content: AgencyFile


def load(root: Path) -> list[LoadedAgency]:
    """Every `*.toml` under `root`, each one agency; raises `ContentInvalid` with every problem found."""
    errors: list[ContentError] = []
    loaded: list[LoadedAgency] = []
    paths = files(root, "*.toml")
    if not paths:
        raise ContentInvalid([ContentError(str(root), "", "holds no .toml files")])
    for path in paths:
        name = relative(path, root)
        try:
            data = read_toml(path, name)
        except ContentInvalid as invalid:
            errors.extend(invalid.errors)
            continue
        content = parse(AgencyFile, data, name, errors)
        if content is not None:
            loaded.append(LoadedAgency(name, content))
    errors.extend(_across_files(loaded))
    if errors:
        raise ContentInvalid(errors)
    return loaded


def _across_files(loaded: list[LoadedAgency]) -> list[ContentError]:
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
        named = [(f"sla_targets[{i}].service", t.service) for i, t in enumerate(item.content.sla_targets)]
        named += [(f"queues[{i}].service_codes", c) for i, q in enumerate(item.content.queues) for c in q.service_codes]
        errors += [
            ContentError(item.name, field, f"no service has code {code!r}")
            for field, code in named
            if code is not None and ("service", code) not in seen
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


async def import_catalogue(session: AsyncSession, root: Path) -> ImportReport:
    """Put every agency file under `root` into the database; raises `ContentInvalid` (nothing written is kept
    once the caller rolls back) when a file or a value is refused."""
    loaded = load(root)
    report = ImportReport()
    for item in loaded:
        await _agency(session, item, report)
    # SLA targets may name any agency's service, so they come once every service exists.
    for item in loaded:
        await _sla_targets(session, item, report)
    return report


async def _agency(session: AsyncSession, item: LoadedAgency, report: ImportReport) -> None:
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
    calendar_id = None
    if spec.calendar is not None:
        calendar, change = await contact_centre.put_calendar(
            session,
            agency_id=agency.id,
            name=spec.calendar.name,
            timezone=spec.calendar.timezone or a.timezone,
            hours=spec.calendar.by_weekday(),
            holidays=[(h.day, h.name) for h in spec.calendar.holidays],
        )
        calendar_id = calendar.id
        report.add("calendars", change, f"{a.slug}/{spec.calendar.name}")
    teams = {}
    for team_in in spec.teams:
        team, change = await contact_centre.put_team(session, agency_id=agency.id, slug=team_in.slug, name=team_in.name)
        teams[team.slug] = team.id
        report.add("teams", change, f"{a.slug}/{team.slug}")
    for queue in spec.queues:
        _, change = await contact_centre.put_queue(
            session,
            agency_id=agency.id,
            slug=queue.slug,
            name=queue.name,
            channels=[c.value for c in queue.channels],
            service_codes=list(queue.service_codes),
            required_skills=dict(queue.required_skills),
            priority_boost=queue.priority_boost,
            team_id=teams[queue.team] if queue.team else None,
            calendar_id=calendar_id,
            active=queue.active,
        )
        report.add("queues", change, f"{a.slug}/{queue.slug}")
    for code in spec.wrap_up_codes:
        change = await contact_centre.put_wrap_up_code(
            session, agency_id=agency.id, code=code.code, label=code.label, active=code.active
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
        )
        report.add("canned responses", change, f"{a.slug}/{canned.slug}.{canned.language}")


async def _sla_targets(session: AsyncSession, item: LoadedAgency, report: ImportReport) -> None:
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
        )
        what = "/".join(x for x in (target.service, target.channel.value if target.channel else None) if x)
        report.add("SLA targets", change, f"{agency.slug}/{what or 'default'}")
