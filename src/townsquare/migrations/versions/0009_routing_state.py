"""Routing state in tables: transfers and escalations move from work_items.context to work_item_transfers;
declines and missed offers are read from work_offers, so context keeps only what is shown

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 02:30:00

Downgrading writes transfers and escalations back into context as they were. It does not write `declined` back:
that only kept an agent from the same item for two minutes, and work_offers still holds every decline.
"""

import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
import uuid6
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MOVED = ("transfers", "escalations", "declined")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
work_items = sa.table("work_items", sa.column("id", sa.Uuid()), sa.column("context", JSON))
transfers = sa.table(
    "work_item_transfers",
    sa.column("id", sa.Uuid()),
    sa.column("work_item_id", sa.Uuid()),
    sa.column("kind", sa.String()),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("from_staff_id", sa.Uuid()),
    sa.column("to_staff_id", sa.Uuid()),
    sa.column("to_team_id", sa.Uuid()),
    sa.column("to_agency_id", sa.Uuid()),
    sa.column("to_role", sa.String()),
    sa.column("note", sa.Text()),
)


def upgrade() -> None:
    op.create_table(
        "work_item_transfers",
        sa.Column("work_item_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("from_staff_id", sa.Uuid(), nullable=True),
        sa.Column("to_staff_id", sa.Uuid(), nullable=True),
        sa.Column("to_team_id", sa.Uuid(), nullable=True),
        sa.Column("to_agency_id", sa.Uuid(), nullable=True),
        sa.Column("to_role", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["from_staff_id"],
            ["staff_accounts.id"],
            name=op.f("fk_work_item_transfers_from_staff_id_staff_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["to_agency_id"],
            ["agencies.id"],
            name=op.f("fk_work_item_transfers_to_agency_id_agencies"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["to_staff_id"],
            ["staff_accounts.id"],
            name=op.f("fk_work_item_transfers_to_staff_id_staff_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["to_team_id"], ["teams.id"], name=op.f("fk_work_item_transfers_to_team_id_teams"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["work_item_id"],
            ["work_items.id"],
            name=op.f("fk_work_item_transfers_work_item_id_work_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_item_transfers")),
    )
    with op.batch_alter_table("work_item_transfers", schema=None) as batch_op:
        batch_op.create_index("ix_work_item_transfers_item", ["work_item_id", "at"], unique=False)

    bind = op.get_bind()
    known = {
        "staff": _ids(bind, "staff_accounts"),
        "team": _ids(bind, "teams"),
        "agency": _ids(bind, "agencies"),
    }
    for item_id, context in _items_with(bind, MOVED):
        rows = [
            *(_transfer_row(item_id, t, known) for t in context.get("transfers") or () if isinstance(t, dict)),
            *(_escalation_row(item_id, e, known) for e in context.get("escalations") or () if isinstance(e, dict)),
        ]
        if rows:
            bind.execute(transfers.insert(), rows)
        kept = {k: v for k, v in context.items() if k not in MOVED}
        bind.execute(work_items.update().where(work_items.c.id == item_id).values(context=kept))


def downgrade() -> None:
    bind = op.get_bind()
    history: dict[uuid.UUID, dict[str, list[dict[str, Any]]]] = {}
    for row in bind.execute(sa.select(transfers).order_by(transfers.c.at, transfers.c.id)).mappings():
        moved = history.setdefault(row["work_item_id"], {})
        at = _aware(row["at"]).isoformat()
        if row["kind"] == "escalation":
            entry = {"at": at, "by_staff_id": _text(row["from_staff_id"]), "reason": row["note"]}
            moved.setdefault("escalations", []).append(entry)
        else:
            entry = {"at": at, "from_staff_id": _text(row["from_staff_id"]), "note": row["note"]}
            for key in ("to_staff_id", "to_team_id", "to_agency_id"):
                if row[key] is not None:
                    entry[key] = str(row[key])
            moved.setdefault("transfers", []).append(entry)
    for item_id, moved in history.items():
        context = bind.execute(sa.select(work_items.c.context).where(work_items.c.id == item_id)).scalar_one()
        bind.execute(work_items.update().where(work_items.c.id == item_id).values(context={**(context or {}), **moved}))
    with op.batch_alter_table("work_item_transfers", schema=None) as batch_op:
        batch_op.drop_index("ix_work_item_transfers_item")
    op.drop_table("work_item_transfers")


def _ids(bind: sa.Connection, table: str) -> set[uuid.UUID]:
    return set(bind.execute(sa.select(sa.table(table, sa.column("id", sa.Uuid())).c.id)).scalars())


def _items_with(bind: sa.Connection, keys: Sequence[str]) -> Iterator[tuple[uuid.UUID, dict[str, Any]]]:
    """Work items whose context holds any of `keys`, read a page at a time so a large queue fits in memory."""
    last: uuid.UUID | None = None
    while True:
        stmt = sa.select(work_items.c.id, work_items.c.context).order_by(work_items.c.id).limit(1000)
        if last is not None:
            stmt = stmt.where(work_items.c.id > last)
        page = bind.execute(stmt).all()
        if not page:
            return
        for item_id, context in page:
            if isinstance(context, dict) and any(k in context for k in keys):
                yield item_id, context
        last = page[-1][0]


def _transfer_row(item_id: uuid.UUID, old: dict[str, Any], known: dict[str, set[uuid.UUID]]) -> dict[str, Any]:
    return {
        "id": uuid6.uuid7(),
        "work_item_id": item_id,
        "kind": "transfer",
        "at": _when(old.get("at")),
        "from_staff_id": _known(old.get("from_staff_id"), known["staff"]),
        "to_staff_id": _known(old.get("to_staff_id"), known["staff"]),
        "to_team_id": _known(old.get("to_team_id"), known["team"]),
        "to_agency_id": _known(old.get("to_agency_id"), known["agency"]),
        "to_role": None,
        "note": str(old.get("note") or "")[:1000],
    }


def _escalation_row(item_id: uuid.UUID, old: dict[str, Any], known: dict[str, set[uuid.UUID]]) -> dict[str, Any]:
    return {
        "id": uuid6.uuid7(),
        "work_item_id": item_id,
        "kind": "escalation",
        "at": _when(old.get("at")),
        "from_staff_id": _known(old.get("by_staff_id"), known["staff"]),
        "to_staff_id": None,
        "to_team_id": None,
        "to_agency_id": None,
        "to_role": "supervisor",
        "note": str(old.get("reason") or "")[:1000],
    }


def _known(value: object, ids: set[uuid.UUID]) -> uuid.UUID | None:
    """The id if it is one and still names a row (a record of a deleted row keeps its text, not a dangling id)."""
    try:
        parsed = uuid.UUID(str(value))
    except ValueError:
        return None
    return parsed if parsed in ids else None


def _when(value: object) -> datetime:
    try:
        return _aware(datetime.fromisoformat(str(value)))
    except ValueError:
        return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _text(value: uuid.UUID | None) -> str | None:
    return str(value) if value is not None else None
