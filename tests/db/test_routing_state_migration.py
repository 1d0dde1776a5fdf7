"""Migration 0009 moves routing state out of work_items.context into tables, and back on the way down."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import cast

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare import migrations
from townsquare.agencies.models import Agency
from townsquare.app import Runtime
from townsquare.clock import utcnow
from townsquare.routing.models import TransferKind, WorkItem, WorkTransfer


def _transfer(hour: str, by: uuid.UUID, note: str, **to: str) -> dict[str, str]:
    return {"at": f"2026-01-05T{hour}:00+00:00", "from_staff_id": str(by), "note": note, **to}


GATHERED = {"identified_by": {"how": "phone", "verified": True}, "service_code": "POTHOLE", "menu_path": ["main"]}


def _on_sqlite(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "sqlite"


async def _old_agency(session: AsyncSession, slug: str, name: str) -> Agency:
    """An agency row as revision 0008 knew it (later columns, such as its translations, did not exist yet)."""
    agency_id = uuid.uuid4()
    await session.execute(
        text(
            "INSERT INTO agencies (id, slug, name, description, timezone, created_at, updated_at) "
            "VALUES (:id, :slug, :name, '', 'America/Toronto', :now, :now)"
        ),
        {"id": agency_id.hex if _on_sqlite(session) else agency_id, "slug": slug, "name": name, "now": utcnow()},
    )
    return cast(Agency, SimpleNamespace(id=agency_id, slug=slug, name=name))


async def _old_team(session: AsyncSession, agency_id: uuid.UUID) -> SimpleNamespace:
    """A team row as revision 0008 knew it (it could not be deactivated yet)."""
    team_id = uuid.uuid4()
    sqlite = _on_sqlite(session)
    await session.execute(
        text("INSERT INTO teams (id, agency_id, slug, name) VALUES (:id, :agency, 'roads', 'Roads')"),
        {"id": team_id.hex if sqlite else team_id, "agency": agency_id.hex if sqlite else agency_id},
    )
    return SimpleNamespace(id=team_id)


async def _old_staff(session: AsyncSession, email: str, agency: Agency) -> SimpleNamespace:
    """A staff account as revision 0008 knew it (later columns, such as its single sign-on link, did not exist)."""
    staff_id = uuid.uuid4()
    key = staff_id.hex if _on_sqlite(session) else staff_id
    agency_key = agency.id.hex if _on_sqlite(session) else agency.id
    await session.execute(
        text(
            "INSERT INTO staff_accounts (id, email, display_name, password_hash, role, active, failed_sign_ins, "
            "created_at, updated_at) VALUES (:id, :email, 'Agent', '', 'agent', :yes, 0, :now, :now)"
        ),
        {"id": key, "email": email, "yes": True, "now": utcnow()},
    )
    await session.execute(
        text("INSERT INTO staff_agencies (staff_id, agency_id) VALUES (:s, :a)"), {"s": key, "a": agency_key}
    )
    return SimpleNamespace(id=staff_id)


async def test_transfers_and_escalations_move_to_their_table_and_back(runtime: Runtime) -> None:
    await migrations.downgrade_engine(runtime.db.engine, "0008")
    async with runtime.db.session() as s:
        works = await _old_agency(s, "city-works", "City Works")
        revenue = await _old_agency(s, "revenue", "Revenue")
        agent = await _old_staff(s, "agent@city.example", works)
        boss = await _old_staff(s, "boss@city.example", works)
        team = await _old_team(s, works.id)
        old = {
            **GATHERED,
            "transfers": [
                {
                    "at": "2026-01-05T10:00:00+00:00",
                    "from_staff_id": str(agent.id),
                    "note": "roads",
                    "to_team_id": str(team.id),
                },
                {
                    "at": "2026-01-05T11:00:00+00:00",
                    "from_staff_id": str(boss.id),
                    "note": "",
                    "to_agency_id": str(revenue.id),
                },
                {
                    "at": "2026-01-05T12:00:00+00:00",
                    "from_staff_id": str(uuid.uuid4()),
                    "note": "gone",
                    "to_staff_id": str(agent.id),
                },
            ],
            "escalations": [{"at": "2026-01-05T10:30:00+00:00", "by_staff_id": str(agent.id), "reason": "legal"}],
            "declined": {str(boss.id): "2026-01-05T09:00:00+00:00"},
        }
        item = WorkItem(channel="email", kind="message", agency_id=revenue.id, context=old)
        plain = WorkItem(channel="sms", kind="message", agency_id=works.id, context=dict(GATHERED))
        s.add_all([item, plain])
        await s.commit()
        item_id, plain_id = item.id, plain.id

    await migrations.upgrade_engine(runtime.db.engine)
    async with runtime.db.session(deferred=True) as s:
        moved = await s.get_one(WorkItem, item_id)
        assert moved.context == GATHERED  # only what is shown stays
        assert (await s.get_one(WorkItem, plain_id)).context == GATHERED
        rows = (await s.execute(select(WorkTransfer).order_by(WorkTransfer.at))).scalars().all()
        assert [
            (r.kind, r.from_staff_id, r.to_team_id, r.to_agency_id, r.to_staff_id, r.to_role, r.note) for r in rows
        ] == [
            (TransferKind.transfer, agent.id, team.id, None, None, None, "roads"),
            (TransferKind.escalation, agent.id, None, None, None, "supervisor", "legal"),
            (TransferKind.transfer, boss.id, None, revenue.id, None, None, ""),
            (TransferKind.transfer, None, None, None, agent.id, None, "gone"),  # an unknown agent is not invented
        ]
        assert {r.work_item_id for r in rows} == {item_id}
        assert rows[0].at.isoformat() == "2026-01-05T10:00:00+00:00"

    await migrations.downgrade_engine(runtime.db.engine, "0008")
    async with runtime.db.session(deferred=True) as s:
        back = (await s.get_one(WorkItem, item_id)).context
        assert {k: back[k] for k in GATHERED} == GATHERED
        assert [t["note"] for t in back["transfers"]] == ["roads", "", "gone"]
        assert back["transfers"][0]["to_team_id"] == str(team.id)
        assert back["escalations"] == [
            {"at": "2026-01-05T10:30:00+00:00", "by_staff_id": str(agent.id), "reason": "legal"}
        ]
    await migrations.upgrade_engine(runtime.db.engine)
