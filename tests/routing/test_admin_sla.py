"""SLA targets as administrators keep them: a target in the unit that says it exactly, and one target per agency,
service and channel (any channel and any service count as their own)."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency
from townsquare.errors import Problem
from townsquare.routing import admin_sla
from townsquare.routing.admin_sla import SlaForm
from townsquare.staff.auth import Principal
from townsquare.staff.models import StaffRole


def test_a_target_is_shown_in_the_largest_unit_that_says_it_exactly() -> None:
    assert admin_sla.in_units(172_800) == (2, "days")
    assert admin_sla.in_units(5_400) == (90, "minutes")
    assert admin_sla.in_units(7_200) == (2, "hours")
    assert admin_sla.in_units(90) == (2, "minutes")


async def test_one_target_per_agency_service_and_channel(session: AsyncSession) -> None:
    roads = await create_agency(session, slug="roads", name="Roads")
    me = Principal("staff", roads.id, "Boss", StaffRole.agency_admin, frozenset({roads.id}))
    sent = SlaForm(agency_id=str(roads.id), amount="4", unit="hours")
    any_channel = await admin_sla.create(session, me=me, sent=sent)
    assert (any_channel.channel, any_channel.service_id, any_channel.first_response_seconds) == (None, None, 14_400)
    email = await admin_sla.create(session, me=me, sent=SlaForm(**{**vars(sent), "channel": "email"}))
    assert email.channel == "email"
    with pytest.raises(Problem) as twice:
        await admin_sla.create(session, me=me, sent=sent)
    assert [e.field for e in twice.value.errors] == ["channel"]
    with pytest.raises(Problem) as zero:
        await admin_sla.update(session, me=me, target_id=email.id, sent=SlaForm(**{**vars(sent), "amount": "0"}))
    assert [e.field for e in zero.value.errors] == ["amount"]
