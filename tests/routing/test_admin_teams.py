"""Teams and wrap-up codes as administrators keep them: a team's slug from its name, members only of its agency,
and wrap-up codes once per agency with their French label."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_staff
from townsquare.errors import Problem
from townsquare.routing import admin_teams
from townsquare.routing.admin_teams import TeamForm, WrapUpForm
from townsquare.staff.auth import Principal
from townsquare.staff.models import StaffRole


async def test_teams_take_a_free_slug_and_members_of_their_agency(session: AsyncSession) -> None:
    roads = await create_agency(session, slug="roads", name="Roads")
    parks = await create_agency(session, slug="parks", name="Parks")
    ana = await create_staff(session, email="ana@city.example", agencies=[roads])
    pat = await create_staff(session, email="pat@city.example", agencies=[parks])
    me = Principal("staff", roads.id, "Admin", StaffRole.admin, None)
    first = await admin_teams.create_team(session, me=me, sent=TeamForm(str(roads.id), "Night crew", {str(ana.id)}))
    second = await admin_teams.create_team(session, me=me, sent=TeamForm(str(roads.id), "Night crew!"))
    assert (first.slug, second.slug) == ("night-crew", "night-crew-2")
    assert await admin_teams.member_ids(session, first.id) == {ana.id}
    with pytest.raises(Problem) as refused:
        await admin_teams.update_team(
            session, me=me, team_id=first.id, sent=TeamForm(str(roads.id), "Night crew", {str(pat.id)})
        )
    assert [e.field for e in refused.value.errors] == ["members"]


async def test_wrap_up_codes_once_per_agency(session: AsyncSession) -> None:
    roads = await create_agency(session, slug="roads", name="Roads")
    parks = await create_agency(session, slug="parks", name="Parks")
    me = Principal("staff", roads.id, "Admin", StaffRole.admin, None)
    row = await admin_teams.create_wrap_up(session, me=me, sent=WrapUpForm(str(roads.id), "Solved", "Solved", "Résolu"))
    assert (row.code, row.label_fr) == ("solved", "Résolu")
    await admin_teams.create_wrap_up(session, me=me, sent=WrapUpForm(str(parks.id), "solved", "Solved"))
    with pytest.raises(Problem) as twice:
        await admin_teams.create_wrap_up(session, me=me, sent=WrapUpForm(str(roads.id), "solved", "Again"))
    assert [e.field for e in twice.value.errors] == ["code"]
