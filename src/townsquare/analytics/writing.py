"""Writing a folded batch back: the new and changed journeys, and what folding set on each touch.

A batch is thousands of rows. The unit of work would send an UPDATE per row, and an executemany is still a round
trip's worth of protocol per row, so on PostgreSQL each write is ONE statement that takes every row's values as
arrays (`unnest`); elsewhere (SQLite, in process) bulk statements by primary key do it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import JSON, Table, insert, text, update
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import TextClause

from townsquare.analytics.folding import JOURNEY_COLUMNS, FoldJourney, FoldTouch, as_row
from townsquare.analytics.models import Journey, Touch

# What folding sets on a touch (the rest of its row is what the flow wrote).
MARKS = ("day", "journey_id", "contact_start", "repeat", "avoidable", "switched", "age_band", "area")


async def write_journeys(session: AsyncSession, created: Sequence[FoldJourney], changed: Sequence[FoldJourney]) -> None:
    """Insert the batch's new journeys and write the changed ones back whole."""
    dialect = session.get_bind().dialect
    if dialect.name == "postgresql":
        rows = [*created, *changed]
        if rows:
            await session.execute(_journeys_upsert(dialect), _arrays(_table(Journey), JOURNEY_COLUMNS, rows, dialect))
        return
    if created:
        await session.execute(insert(Journey), [as_row(j) for j in created])
    if changed:
        await session.execute(update(Journey), [as_row(j) for j in changed])


async def write_marks(session: AsyncSession, touches: Sequence[FoldTouch]) -> None:
    """Write what folding set on each touch."""
    if not touches:
        return
    dialect = session.get_bind().dialect
    if dialect.name == "postgresql":
        await session.execute(_marks_update(dialect), _arrays(_table(Touch), ("id", *MARKS), touches, dialect))
        return
    await session.execute(update(Touch), [{name: getattr(t, name) for name in ("id", *MARKS)} for t in touches])


@cache
def _journeys_upsert(dialect: Dialect) -> TextClause:
    """INSERT … SELECT FROM unnest(…) ON CONFLICT (id) DO UPDATE: new journeys and changed ones in one go."""
    table = _table(Journey)
    names = ", ".join(JOURNEY_COLUMNS)
    values = ", ".join(_from_array(table, name, dialect) for name in JOURNEY_COLUMNS)
    changes = ", ".join(f"{name} = EXCLUDED.{name}" for name in JOURNEY_COLUMNS if name != "id")
    rows = _unnest(table, JOURNEY_COLUMNS, dialect)
    return text(
        f"INSERT INTO {table.name} ({names}) SELECT {values} FROM {rows}"  # noqa: S608 - the model's names
        f" ON CONFLICT (id) DO UPDATE SET {changes}"
    )


@cache
def _marks_update(dialect: Dialect) -> TextClause:
    table = _table(Touch)
    changes = ", ".join(f"{name} = v.{name}" for name in MARKS)
    rows = _unnest(table, ("id", *MARKS), dialect)
    return text(f"UPDATE {table.name} AS t SET {changes} FROM {rows} WHERE t.id = v.id")  # noqa: S608 - the model's names


def _table(model: type[Journey] | type[Touch]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _unnest(table: Table, names: Sequence[str], dialect: Dialect) -> str:
    """`unnest(CAST(:a AS type[]), …) AS v(a, …)`: one array parameter per column (JSON travels as text)."""
    arrays = ", ".join(f"CAST(:{name} AS {_array_type(table, name, dialect)}[])" for name in names)
    return f"unnest({arrays}) AS v({', '.join(names)})"


def _from_array(table: Table, name: str, dialect: Dialect) -> str:
    return f"CAST(v.{name} AS jsonb)" if _is_json(table, name, dialect) else f"v.{name}"


def _array_type(table: Table, name: str, dialect: Dialect) -> str:
    if _is_json(table, name, dialect):
        return "text"
    return str(table.c[name].type.compile(dialect=dialect))


def _is_json(table: Table, name: str, dialect: Dialect) -> bool:
    return isinstance(table.c[name].type.dialect_impl(dialect), JSON)


def _arrays(
    table: Table, names: Sequence[str], rows: Sequence[FoldTouch | FoldJourney], dialect: Dialect
) -> dict[str, list[Any]]:
    """Each column's values across the rows, as the statement's array parameters."""
    arrays: dict[str, list[Any]] = {}
    for name in names:
        values = [getattr(row, name) for row in rows]
        arrays[name] = [json.dumps(v) for v in values] if _is_json(table, name, dialect) else values
    return arrays
