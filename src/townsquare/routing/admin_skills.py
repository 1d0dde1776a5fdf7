"""The skills catalogue: the skills agents have and queues ask for, with labels in English and French, one agency's
own or every agency's, so profiles and queues pick skills from a list instead of typing codes.

Skills typed before the catalogue existed keep working: they are listed as "not in the catalogue yet" with the
agents and queues that use them, and can be added to it. Never committing; every change audited.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Agency
from townsquare.errors import not_found
from townsquare.routing.admin_common import (
    Refusals,
    agencies_of,
    audit_change,
    chosen_agency,
    in_scope,
    name,
    plain,
)
from townsquare.routing.models import AgentSkill, Queue, Skill
from townsquare.staff.auth import Principal
from townsquare.staff.models import StaffAgency

SKILL_CODE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


@dataclass
class SkillForm:
    agency_id: str = ""  # "": every agency (administrators only)
    code: str = ""
    label: str = ""
    label_fr: str = ""
    active: bool = True


@dataclass(frozen=True)
class SkillChoice:
    code: str
    label: str
    label_fr: str

    def label_in(self, language: str) -> str:
        return (self.label_fr if language == "fr" else "") or self.label


@dataclass
class SkillsView:
    skills: list[Skill]
    agencies: list[Agency]
    agency_names: dict[uuid.UUID, str]
    uncatalogued: dict[str, list[str]] = field(default_factory=dict)  # code → where it is used


def _visible(me: Principal) -> list[ColumnElement[bool]]:
    scope = me.visible()
    return [] if scope is None else [or_(Skill.agency_id.is_(None), Skill.agency_id.in_(scope))]


async def skills_view(session: AsyncSession, me: Principal) -> SkillsView:
    """The catalogue as the administrator may see it, and codes in use that it does not hold yet."""
    choices = await agencies_of(session, me)
    rows = list((await session.scalars(select(Skill).where(*_visible(me)).order_by(Skill.code))).all())
    known = {s.code for s in rows}
    used: dict[str, list[str]] = {}
    scope = me.visible()
    agents = select(AgentSkill.skill).distinct()
    if scope is not None:
        agents = agents.where(
            AgentSkill.staff_id.in_(select(StaffAgency.staff_id).where(StaffAgency.agency_id.in_(scope)))
        )
    for code in (await session.scalars(agents)).all():
        if code not in known:
            used.setdefault(code, []).append("agents")
    queues = select(Queue.name, Queue.required_skills)
    if scope is not None:
        queues = queues.where(Queue.agency_id.in_(scope))
    for queue_name, required in (await session.execute(queues)).all():
        for code in required or {}:
            if code not in known:
                used.setdefault(code, []).append(queue_name)
    names = {a.id: a.name for a in choices}
    return SkillsView(rows, choices, names, dict(sorted(used.items())))


async def choices(session: AsyncSession, *, me: Principal, keep: Collection[str] = ()) -> list[SkillChoice]:
    """The active skills the administrator's queues and agents pick from (its agencies' own and every agency's),
    by label; codes in `keep` (a queue's skills typed before the catalogue) are offered as they are."""
    where: list[ColumnElement[bool]] = [Skill.active.is_(True), *_visible(me)]
    rows = await session.scalars(select(Skill).where(*where).order_by(Skill.label))
    seen: dict[str, SkillChoice] = {}
    for s in rows:
        seen.setdefault(s.code, SkillChoice(s.code, s.label, s.label_fr))
    for code in keep:
        seen.setdefault(code, SkillChoice(code, code, ""))
    return list(seen.values())


async def skill_in_scope(session: AsyncSession, me: Principal, skill_id: uuid.UUID) -> Skill:
    """The skill, if the administrator may change it (every agency's: administrators only); else 404."""
    skill = await session.get(Skill, skill_id)
    if skill is None or (skill.agency_id is None and me.agency_ids is not None):
        raise not_found("Skill")
    if skill.agency_id is not None:
        in_scope(me, skill.agency_id, "Skill")
    return skill


def _values(skill: Skill) -> dict[str, object]:
    return plain(
        {
            "agency_id": skill.agency_id,
            "code": skill.code,
            "label": skill.label,
            "label_fr": skill.label_fr,
            "active": skill.active,
        }
    )


async def _checked(
    session: AsyncSession, me: Principal, sent: SkillForm, *, skill_id: uuid.UUID | None
) -> tuple[uuid.UUID | None, str, str, str]:
    refusals = Refusals()
    agency_id: uuid.UUID | None = None
    if sent.agency_id or me.agency_ids is not None:
        agency_id = chosen_agency(me, sent.agency_id, await agencies_of(session, me), refusals)
    code = sent.code.strip().lower()
    if not SKILL_CODE.fullmatch(code):
        refusals.add(
            "code", "Enter a code of lower-case letters, digits, dots, dashes or underscores, like accessibility."
        )
    else:
        clash = select(Skill.id).where(
            Skill.code == code,
            or_(Skill.agency_id.is_(None), Skill.agency_id == agency_id) if agency_id else Skill.agency_id.is_(None),
        )
        if skill_id is not None:
            clash = clash.where(Skill.id != skill_id)
        if await session.scalar(clash.limit(1)) is not None:
            refusals.add("code", f"The catalogue already has the skill {code}.")
    label = name(sent.label, "label", refusals)
    label_fr = name(sent.label_fr, "label_fr", refusals, required=False)
    refusals.check()
    return agency_id, code, label, label_fr


async def create(session: AsyncSession, *, me: Principal, sent: SkillForm) -> Skill:
    """Add a skill to the catalogue (audited)."""
    agency_id, code, label, label_fr = await _checked(session, me, sent, skill_id=None)
    skill = Skill(agency_id=agency_id, code=code, label=label, label_fr=label_fr, active=sent.active)
    session.add(skill)
    await session.flush()
    audit_change(
        session,
        me,
        action="skill.create",
        kind="skill",
        subject_id=skill.id,
        agency_id=agency_id,
        before=None,
        after=_values(skill),
    )
    return skill


async def update(session: AsyncSession, *, me: Principal, skill_id: uuid.UUID, sent: SkillForm) -> Skill:
    """Change a skill's code, labels, agency or whether it is offered (audited)."""
    skill = await skill_in_scope(session, me, skill_id)
    before = _values(skill)
    agency_id, code, label, label_fr = await _checked(session, me, sent, skill_id=skill.id)
    skill.agency_id, skill.code, skill.label, skill.label_fr, skill.active = (
        agency_id,
        code,
        label,
        label_fr,
        sent.active,
    )
    await session.flush()
    audit_change(
        session,
        me,
        action="skill.update",
        kind="skill",
        subject_id=skill.id,
        agency_id=agency_id,
        before=before,
        after=_values(skill),
    )
    return skill


def form_of(skill: Skill) -> SkillForm:
    return SkillForm(
        agency_id=str(skill.agency_id or ""),
        code=skill.code,
        label=skill.label,
        label_fr=skill.label_fr,
        active=skill.active,
    )
