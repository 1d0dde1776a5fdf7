"""`townsquare catalogue export DIR`: the database's catalogue as the files `catalogue import` reads — one TOML
file per agency and a staff file — built as the import's own models, so what is written is what import accepts.

Only reads. Each model field is read from the row's attribute of the same name; a field named or shaped
differently is given by hand (`_fields(..., name=value)`), so a new field of the same name on both needs no
line here. Orders and dictionaries are sorted, so the same database always writes the same bytes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

import tomlkit
from pydantic import BaseModel
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from townsquare.agencies.models import Agency, CannedResponse, ContactPoint, Service, ServiceAttribute
from townsquare.content.catalogue_files import (
    WEEKDAYS,
    AgencyFile,
    AgencyIn,
    AttributeIn,
    AttributeWordingIn,
    CalendarIn,
    CannedResponseIn,
    ConditionIn,
    ContactPointIn,
    HoldingIn,
    HolidayIn,
    PageIn,
    QueueIn,
    ServiceIn,
    SkillIn,
    SlaTargetIn,
    TeamIn,
    WrapUpCodeIn,
)
from townsquare.content.staff_files import STAFF_FILE, RoutingIn, StaffFile, StaffIn
from townsquare.notify.models import ReminderRule
from townsquare.routing.agents import DEFAULT_CAPACITY
from townsquare.routing.models import (
    Agent,
    AgentSkill,
    BusinessCalendar,
    Holiday,
    Queue,
    Skill,
    SlaTarget,
    Team,
    WrapUpCode,
)
from townsquare.sharing.models import HeldAttribute
from townsquare.staff import roster

M = TypeVar("M", bound=BaseModel)
HEADER = "# Exported by `townsquare catalogue export`; `townsquare catalogue import` reads it back.\n\n"


class NotEmpty(Exception):
    """The export's directory already holds files (and `--force` was not given)."""


def _fields(model: type[M], row: object, **given: Any) -> M:
    """`model` from the row's attributes of the same names, `given` overriding (or adding) the others."""
    values = {name: getattr(row, name) for name in model.model_fields if name not in given and hasattr(row, name)}
    return model.model_validate(values | given)


def _sorted(mapping: dict[str, Any]) -> dict[str, Any]:
    return {key: mapping[key] for key in sorted(mapping)}


@dataclass(frozen=True)
class Exported:
    """One file of the export: its name in the directory and what it says."""

    name: str
    content: AgencyFile | StaffFile

    def text(self) -> str:
        return render(self.content)


def render(content: BaseModel) -> str:
    """A model as the TOML file import reads: defaults left out, keys in the model's order."""
    data = content.model_dump(exclude_defaults=True, exclude_none=True)
    if isinstance(content, StaffFile):
        data.setdefault("staff", [])  # how import tells the staff file, even with nobody in it
    return HEADER + tomlkit.dumps(_plain(data))


def _plain(value: Any) -> Any:
    """Enumerations as their values, for the writer."""
    if isinstance(value, dict):  # TOML's keys are text: a form's pages are numbered "1", "2"…
        return {str(_plain(key)): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value.value if isinstance(value, Enum) else value


def _attribute(row: ServiceAttribute) -> AttributeIn:
    translations = {
        lang: AttributeWordingIn(
            description=wording.get("description"),
            hint=wording.get("datatype_description"),
            values=_sorted(wording.get("values", {})),
        )
        for lang, wording in _sorted(row.translations).items()
    }
    condition = ConditionIn.model_validate(row.condition) if row.condition else None
    return _fields(AttributeIn, row, hint=row.datatype_description, translations=translations, condition=condition)


def _service(row: Service, reminders: list[ReminderRule]) -> ServiceIn:
    rules = [
        {"type": r.message_type.value, "days": r.days, "date_question": r.attribute_code, "active": r.active}
        for r in sorted(reminders, key=lambda r: r.message_type.value)
    ]
    return _fields(
        ServiceIn,
        row,
        sla_hours=row.sla_target_hours,
        translations=_sorted(row.translations),
        attributes=[_attribute(a) for a in sorted(row.attributes, key=lambda a: a.order)],
        reminders=rules,
        pages={int(n): PageIn.model_validate(row.form_pages[n]) for n in sorted(row.form_pages, key=int)},
    )


async def _rows(session: AsyncSession, model: type[Any], agency_id: uuid.UUID, *order: Any) -> list[Any]:
    return list((await session.scalars(select(model).where(model.agency_id == agency_id).order_by(*order))).all())


async def _calendar(
    session: AsyncSession, row: BusinessCalendar, agency: Agency
) -> tuple[BusinessCalendar, CalendarIn]:
    holidays = await session.scalars(select(Holiday).where(Holiday.calendar_id == row.id).order_by(Holiday.day))
    office = _fields(
        CalendarIn,
        row,
        timezone=None if row.timezone == agency.timezone else row.timezone,
        hours={
            WEEKDAYS[int(day)]: ["-".join(period) for period in row.hours[day]] for day in sorted(row.hours, key=int)
        },
        holidays=[_fields(HolidayIn, h) for h in holidays],
    )
    return row, office


async def _skills(session: AsyncSession, agency: Agency) -> list[SkillIn]:
    """The agency's own skills; every agency's skills go in the file of the agency first by slug."""
    first = await session.scalar(select(Agency.slug).order_by(Agency.slug).limit(1))
    owners = [Skill.agency_id == agency.id] + ([Skill.agency_id.is_(None)] if first == agency.slug else [])
    rows = (await session.scalars(select(Skill).where(or_(*owners)).order_by(Skill.code, Skill.agency_id))).all()
    return [_fields(SkillIn, s, every_agency=s.agency_id is None) for s in rows]


async def agency_file(session: AsyncSession, agency: Agency) -> AgencyFile:
    """Everything of one agency, as its file says it."""
    services = list(
        (
            await session.scalars(
                select(Service)
                .where(Service.agency_id == agency.id)
                .options(selectinload(Service.attributes))
                .order_by(Service.code)
            )
        ).all()
    )
    codes = {s.id: s.code for s in (await session.execute(select(Service.id, Service.code))).all()}
    rules = list(
        (await session.scalars(select(ReminderRule).where(ReminderRule.service_id.in_([s.id for s in services])))).all()
    )
    teams = await _rows(session, Team, agency.id, Team.slug)
    team_slugs = {t.id: t.slug for t in teams}
    offices = [
        await _calendar(session, c, agency)
        for c in await _rows(session, BusinessCalendar, agency.id, BusinessCalendar.name)
    ]
    office_names = {row.id: office.name for row, office in offices}
    first_office = offices[0][0].id if offices else None
    targets = [
        _fields(SlaTargetIn, t, service=codes.get(t.service_id) if t.service_id else None)
        for t in await _rows(session, SlaTarget, agency.id)
    ]
    queues = await _rows(session, Queue, agency.id, Queue.slug)
    canned = await _rows(session, CannedResponse, agency.id, CannedResponse.slug, CannedResponse.language)
    return AgencyFile(
        agency=_fields(AgencyIn, agency, translations=_sorted(agency.translations)),
        contact_points=[
            _fields(ContactPointIn, p)
            for p in await _rows(session, ContactPoint, agency.id, ContactPoint.channel, ContactPoint.address)
        ],
        calendar=offices[0][1] if offices else None,
        calendars=[office for _, office in offices[1:]],
        skills=await _skills(session, agency),
        teams=[_fields(TeamIn, t) for t in teams],
        queues=[
            _fields(
                QueueIn,
                q,
                team=team_slugs.get(q.team_id),
                required_skills=_sorted(q.required_skills),
                calendar=None if q.calendar_id in (None, first_office) else office_names[q.calendar_id],
            )
            for q in queues
        ],
        sla_targets=sorted(targets, key=lambda t: (t.service or "", t.channel.value if t.channel else "")),
        wrap_up_codes=[_fields(WrapUpCodeIn, w) for w in await _rows(session, WrapUpCode, agency.id, WrapUpCode.code)],
        canned_responses=[_fields(CannedResponseIn, c) for c in canned],
        services=[_service(s, [r for r in rules if r.service_id == s.id]) for s in services],
        holdings=[
            _fields(HoldingIn, h, translations=_sorted(h.translations))
            for h in await _rows(session, HeldAttribute, agency.id, HeldAttribute.code)
        ],
    )


async def staff_file(session: AsyncSession) -> StaffFile:
    """Every staff account with its role, agencies and routing profile; never a password or a session."""
    slugs = {a.id: a.slug for a in (await session.scalars(select(Agency))).all()}
    agents = {a.staff_id: a for a in (await session.scalars(select(Agent))).all()}
    skills: dict[uuid.UUID, dict[str, int]] = {}
    for skill in (await session.scalars(select(AgentSkill).order_by(AgentSkill.skill))).all():
        skills.setdefault(skill.staff_id, {})[skill.skill] = skill.level
    people = []
    for account, agency_ids in await roster.roster(session):
        agent = agents.get(account.id)
        routing = (
            RoutingIn(capacity=dict(sorted(DEFAULT_CAPACITY.items())))  # what routing gives a profile it makes
            if agent is None
            else _fields(RoutingIn, agent, capacity=_sorted(agent.capacity), skills=skills.get(account.id, {}))
        )
        people.append(
            _fields(
                StaffIn,
                account,
                name=account.display_name,
                agencies=sorted(slugs[a] for a in agency_ids),
                routing=routing,
            )
        )
    return StaffFile(staff=people)


async def export(
    session: AsyncSession, *, agency_ids: set[uuid.UUID] | None = None, staff: bool = True
) -> list[Exported]:
    """The catalogue as files, by name: every agency's (or those of `agency_ids`), then the staff file."""
    stmt = select(Agency).order_by(Agency.slug)
    if agency_ids is not None:
        stmt = stmt.where(Agency.id.in_(agency_ids))
    out = [Exported(f"{a.slug}.toml", await agency_file(session, a)) for a in (await session.scalars(stmt)).all()]
    if staff:
        out.append(Exported(STAFF_FILE, await staff_file(session)))
    return out


def write(root: Path, files: list[Exported], *, force: bool = False) -> list[Path]:
    """The files written into `root` (created if missing); refuses a directory that holds anything unless
    `force`, which replaces the files of the same names and leaves the others."""
    if root.exists() and any(root.iterdir()) and not force:
        raise NotEmpty(str(root))
    root.mkdir(parents=True, exist_ok=True)
    written = []
    for item in files:
        path = root / item.name
        path.write_text(item.text(), encoding="utf-8")
        written.append(path)
    return written
