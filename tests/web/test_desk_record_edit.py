"""Correcting a person's record from the desk: the name, preferences, what we send them and their contacts, each
change kept with the value it replaced and audited; refused forms come back with every problem beside its field and
what was typed still in it; staff of an agency the person never dealt with are refused."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import count, create_agency, create_citizen, create_staff, desk_work_item
from tests.support.db import fresh
from tests.support.staff import sign_in_staff
from townsquare.cases import service as cases
from townsquare.citizens.models import Citizen, CitizenChange, Identity, IdentityKind
from townsquare.notify.kinds import MessageType
from townsquare.notify.models import NotificationOptOut
from townsquare.staff.models import AuditEntry, StaffRole


@dataclass
class World:
    maria: uuid.UUID
    ben: uuid.UUID  # someone else, whose number is his
    agent: uuid.UUID
    phone: uuid.UUID  # Maria's phone identity


async def _world(session: AsyncSession) -> World:
    roads = await create_agency(session, slug="roads", name="Roads")
    parks = await create_agency(session, slug="parks", name="Parks")
    agent = await create_staff(session, email="agent@city.example", agencies=[roads])
    await create_staff(session, email="parks@city.example", agencies=[parks])
    await create_staff(session, email="admin@city.example", role=StaffRole.admin, agencies=[parks])
    maria = await create_citizen(session, name="Maria Lopes", phone="+16135550142", phone_verified=True)
    ben = await create_citizen(session, name="Ben Roy", phone="+16135550199", email="ben@example.org")
    await cases.open_case(session, prefix="TS", agency_id=roads.id, title="Pothole", channel="sms", citizen_id=maria.id)
    await desk_work_item(session, agency=roads, citizen=ben, conversation_id=None, holder=None)
    phone = await session.scalar(select(Identity.id).where(Identity.citizen_id == maria.id))
    assert phone is not None
    await session.commit()
    return World(maria.id, ben.id, agent.id, phone)


async def _changes(session: AsyncSession, citizen_id: uuid.UUID) -> list[tuple[str, str | None, str | None, str]]:
    await fresh(session)
    rows = await session.execute(
        select(CitizenChange.field, CitizenChange.old_value, CitizenChange.new_value, CitizenChange.reason)
        .where(CitizenChange.citizen_id == citizen_id)
        .order_by(CitizenChange.created_at, CitizenChange.field)
    )
    return [tuple(r) for r in rows]  # type: ignore[misc]


async def _corrections(session: AsyncSession) -> list[AuditEntry]:
    stmt = select(AuditEntry).where(AuditEntry.action == "citizen.record_corrected").order_by(AuditEntry.occurred_at)
    return list((await session.execute(stmt)).scalars())


async def test_a_corrected_name_keeps_the_old_one_with_who_when_and_why(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await _world(session)
    await sign_in_staff(client, "agent@city.example")
    page = await client.get(f"/desk/citizens/{world.maria}")
    assert f'href="/desk/citizens/{world.maria}/record"' in page.text
    assert "Nobody has corrected this record yet." in page.text

    saved = await client.post(
        f"/desk/citizens/{world.maria}/record/name",
        data={"display_name": "Maria Lopez", "given_name": "Maria", "family_name": "", "reason": "Spelt on the phone"},
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/desk/citizens/{world.maria}/record?saved=name#name-title"
    assert await _changes(session, world.maria) == [
        ("display_name", "Maria Lopes", "Maria Lopez", "Spelt on the phone"),
        ("given_name", None, "Maria", "Spelt on the phone"),
    ]
    name = await session.scalar(select(Citizen.display_name).where(Citizen.id == world.maria))
    assert name == "Maria Lopez"
    logged = await _corrections(session)
    assert [(e.actor_id, e.citizen_id, e.detail["field"]) for e in logged] == [
        (str(world.agent), world.maria, "display_name"),
        (str(world.agent), world.maria, "given_name"),
    ]
    kept = set((await session.execute(select(CitizenChange.id))).scalars())
    assert {uuid.UUID(e.detail["change_id"]) for e in logged} == kept

    page = await client.get(f"/desk/citizens/{world.maria}")
    assert "Changes to this record" in page.text
    assert "<dd>Maria Lopes</dd>" in page.text
    assert "<dd>Spelt on the phone</dd>" in page.text
    again = await client.post(
        f"/desk/citizens/{world.maria}/record/name",
        data={"display_name": "Maria Lopez", "given_name": "Maria", "reason": "Checked again"},
    )
    assert again.headers["location"].endswith("saved=unchanged#name-title")
    assert len(await _changes(session, world.maria)) == 2


async def test_preferences_and_what_we_send_them_are_corrected_one_change_each(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await _world(session)
    await sign_in_staff(client, "agent@city.example")
    form = {"language": "fr", "channels": ["sms"], "quiet_start": "22:00", "quiet_end": "07:00", "reason": "Asked"}
    saved = await client.post(f"/desk/citizens/{world.maria}/record/preferences", data=form)
    assert saved.status_code == 303
    assert await _changes(session, world.maria) == [
        ("language", "en", "fr", "Asked"),
        ("preferred_channels", None, "sms", "Asked"),
        ("quiet_hours", None, "22:00-07:00", "Asked"),
    ]
    wanted = {"channels": ["sms"], "on-sms": ["acknowledgement", "agent_reply"], "reason": "No updates by text"}
    saved = await client.post(f"/desk/citizens/{world.maria}/record/notifications", data=wanted)
    assert saved.status_code == 303
    await fresh(session)
    off = await session.execute(
        select(NotificationOptOut.message_type).where(NotificationOptOut.citizen_id == world.maria)
    )
    assert MessageType.status_change in set(off.scalars())
    field, old, new, _why = (await _changes(session, world.maria))[-1]
    assert field == "notifications.sms"
    assert old is not None
    assert "status_change" in old
    assert new == "acknowledgement,agent_reply"
    assert len(await _corrections(session)) == 4  # one audit row per change, none from the opt-outs as the person's
    page = (await client.get(f"/desk/citizens/{world.maria}/record")).text
    assert "What we send by text message" in page
    assert "Updates when their request moves on" in page
    assert "status_change" not in page.replace('value="status_change"', "")


async def test_contacts_are_added_corrected_unverified_and_removed_only_knowingly(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await _world(session)
    await sign_in_staff(client, "agent@city.example")
    base = f"/desk/citizens/{world.maria}/record/contacts"
    fixed = await client.post(f"{base}/{world.phone}", data={"value": "613 555 0143", "reason": "Wrong digit"})
    assert fixed.status_code == 303
    await fresh(session)
    phone = (await session.execute(select(Identity).where(Identity.citizen_id == world.maria))).scalar_one()
    assert (phone.value, phone.verified, phone.verification_method) == ("+16135550143", False, None)
    phone_id = phone.id
    assert await _changes(session, world.maria) == [("phone", "+16135550142", "+16135550143", "Wrong digit")]

    refused = await client.post(f"{base}/{phone_id}/remove", data={"reason": "Not theirs"})
    assert refused.status_code == 422
    assert "This is the last way we have to reach them." in refused.text
    assert await count(session, Identity, Identity.citizen_id == world.maria) == 1

    added = await client.post(base, data={"kind": "email", "value": "Maria@Example.org ", "reason": "Gave it"})
    assert added.status_code == 303
    removed = await client.post(f"{base}/{phone_id}/remove", data={"reason": "Not theirs"})
    assert removed.status_code == 303
    await fresh(session)
    left = (await session.execute(select(Identity).where(Identity.citizen_id == world.maria))).scalars().all()
    assert [(i.kind, i.value, i.verified) for i in left] == [(IdentityKind.email, "maria@example.org", False)]
    assert [c[:3] for c in (await _changes(session, world.maria))[1:]] == [
        ("email", None, "maria@example.org"),
        ("phone", "+16135550143", None),
    ]
    page = (await client.get(f"/desk/citizens/{world.maria}")).text
    assert "+1 613-555-0143" in page  # the history writes a number as people do


async def test_refused_corrections_say_why_beside_each_field_and_keep_what_was_typed(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await _world(session)
    await sign_in_staff(client, "agent@city.example")
    base = f"/desk/citizens/{world.maria}/record"
    for data, says in [
        ({"kind": "email", "value": "maria@", "reason": "Gave it"}, "That is not an email address"),
        ({"kind": "phone", "value": "12", "reason": "Gave it"}, "That is not a phone number we can use"),
        ({"kind": "phone", "value": "613 555 0177", "reason": " "}, "Say why you are making this change."),
    ]:
        answer = await client.post(f"{base}/contacts", data=data)
        assert answer.status_code == 422, data
        assert says in answer.text
        assert f'value="{data["value"]}"' in answer.text  # what was typed is still in the form
        assert 'aria-invalid="true"' in answer.text

    theirs = await client.post(f"{base}/contacts", data={"kind": "phone", "value": "613-555-0199", "reason": "Gave it"})
    assert theirs.status_code == 409
    assert "already belongs to another person&#39;s record" in theirs.text
    assert "merge them" in theirs.text
    assert '<a href="/desk?q=613-555-0199">' in theirs.text
    assert "613-555-0199" in theirs.text

    names = await client.post(f"{base}/name", data={"display_name": "x" * 201, "reason": "r"})
    assert names.status_code == 422
    assert "at most 200 characters" in names.text
    hours = await client.post(f"{base}/preferences", data={"language": "de", "quiet_start": "22:00", "reason": "r"})
    assert hours.status_code == 422
    assert "Choose English or French." in hours.text
    assert "quiet hours end" in hours.text
    assert await _changes(session, world.maria) == []
    assert await count(session, Identity, Identity.citizen_id == world.maria) == 1
    assert await count(session, Identity, Identity.citizen_id == world.ben) == 2


async def test_staff_of_an_agency_the_person_never_dealt_with_may_not_correct_them(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await _world(session)
    await sign_in_staff(client, "parks@city.example")
    page = await client.get(f"/desk/citizens/{world.maria}")
    assert page.status_code == 200
    assert f"/desk/citizens/{world.maria}/record" not in page.text
    assert (await client.get(f"/desk/citizens/{world.maria}/record")).status_code == 403
    refused = await client.post(f"/desk/citizens/{world.maria}/record/name", data={"display_name": "X", "reason": "r"})
    assert refused.status_code == 403
    assert (await client.get(f"/desk/citizens/{uuid.uuid4()}/record")).status_code == 404
    await sign_in_staff(client, "admin@city.example")  # administrators may correct anyone's record
    assert (await client.get(f"/desk/citizens/{world.maria}/record")).status_code == 200
    assert await _changes(session, world.maria) == []
