"""The skills catalogue: every agency's skills for administrators only, choices for an agency's queues, and skills
in use that the catalogue does not hold yet."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_agent
from townsquare.errors import Problem
from townsquare.routing import admin_skills, setup
from townsquare.routing.admin_skills import SkillForm
from townsquare.staff.auth import Principal
from townsquare.staff.models import StaffRole


async def test_every_agencys_skills_are_for_administrators_and_skills_in_use_are_listed(session: AsyncSession) -> None:
    roads = await create_agency(session, slug="roads", name="Roads")
    parks = await create_agency(session, slug="parks", name="Parks")
    await create_agent(session, email="ana@city.example", agencies=[roads], skills={"ramps": 2})
    await setup.put_queue(session, agency_id=parks.id, slug="q", name="Trees", required_skills={"trees": 1})
    admin = Principal("staff", roads.id, "Admin", StaffRole.admin, None)
    boss = Principal("staff", parks.id, "Boss", StaffRole.agency_admin, frozenset({roads.id}))
    assert (await admin_skills.skills_view(session, admin)).uncatalogued == {"ramps": ["agents"], "trees": ["Trees"]}
    assert (await admin_skills.skills_view(session, boss)).uncatalogued == {"ramps": ["agents"]}
    everyone = await admin_skills.create(session, me=admin, sent=SkillForm("", "french", "French", "Français"))
    assert everyone.agency_id is None
    with pytest.raises(Problem) as refused:
        await admin_skills.create(session, me=boss, sent=SkillForm("", "sign", "Sign language"))
    assert [e.field for e in refused.value.errors] == ["agency_id"]
    with pytest.raises(Problem):
        await admin_skills.skill_in_scope(session, boss, everyone.id)
    with pytest.raises(Problem) as twice:
        await admin_skills.create(session, me=boss, sent=SkillForm(str(roads.id), "french", "French again"))
    assert [e.field for e in twice.value.errors] == ["code"]
    await admin_skills.create(session, me=boss, sent=SkillForm(str(roads.id), "ramps", "Ramps", active=True))
    choices = await admin_skills.choices(session, me=boss, keep=["typed"])
    assert [(c.code, c.label_in("fr")) for c in choices] == [
        ("french", "Français"),
        ("ramps", "Ramps"),
        ("typed", "typed"),
    ]
