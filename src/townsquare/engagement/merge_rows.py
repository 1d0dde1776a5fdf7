"""Which rows are a person's, and how they move between two citizens with nothing but the citizen id changing.

Every foreign key to citizens.id is classified here; a test fails when one appears that is not. Rows move by Core
UPDATEs that set the citizen column alone (a table's `updated_at` keeps its stored value); a row that would
break a unique key is not moved. Never commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, ColumnElement, Index, Table, UniqueConstraint, Uuid, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapper
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

# Registers every table that names a citizen, so the metadata below is whole in any process.
import townsquare.analytics.models
import townsquare.analytics.surveys.models
import townsquare.appointments.models
import townsquare.cases.models
import townsquare.citizens.models
import townsquare.counters.models
import townsquare.drafts.models
import townsquare.interactions.models
import townsquare.matching.models
import townsquare.notify.letters.models
import townsquare.notify.models
import townsquare.notify.push.models
import townsquare.routing.models
import townsquare.sharing.models  # noqa: F401
from townsquare.db import Base

CITIZENS = "citizens.id"
_CHUNK = 500
_DIALECTS = ("postgresql", "sqlite")  # the databases whose partial unique indexes are read


class Rule(StrEnum):
    """What a merge does with a row that names the merged citizen."""

    moves = "moves"  # the person's own: it moves to the survivor, unless a unique key clashes (kept side by side)
    stays = "stays"  # names a browser, a sign-in or the merge itself, and is resolved through merges already


REFERENCES: dict[tuple[str, str], Rule] = {
    # A person's history and belongings.
    ("identities", "citizen_id"): Rule.moves,
    ("conversations", "citizen_id"): Rule.moves,
    ("interactions", "citizen_id"): Rule.moves,
    ("cases", "citizen_id"): Rule.moves,
    ("case_followers", "citizen_id"): Rule.moves,  # unique (case, citizen): both following one case clash
    ("work_items", "citizen_id"): Rule.moves,
    ("notifications", "citizen_id"): Rule.moves,
    ("reminders", "citizen_id"): Rule.moves,
    ("letters", "citizen_id"): Rule.moves,
    ("notification_opt_outs", "citizen_id"): Rule.moves,  # unique (citizen, channel, type)
    ("push_subscriptions", "citizen_id"): Rule.moves,
    ("drafts", "citizen_id"): Rule.moves,  # one open draft per person and service
    ("analytics_touches", "citizen_id"): Rule.moves,  # counted as they were folded; joined at the next refold
    ("analytics_journeys", "citizen_id"): Rule.moves,
    ("citizen_searches", "citizen_id"): Rule.moves,
    ("citizen_totp", "citizen_id"): Rule.moves,  # the primary key: a survivor's own authenticator clashes
    ("agency_records", "citizen_id"): Rule.moves,
    ("declared_values", "citizen_id"): Rule.moves,  # unique (citizen, attribute)
    ("sharing_consents", "citizen_id"): Rule.moves,
    ("source_records", "citizen_id"): Rule.moves,  # what each system said about the person
    ("satisfaction_surveys", "citizen_id"): Rule.moves,  # what they were asked and answered
    ("citizen_changes", "citizen_id"): Rule.moves,  # corrections staff made to the record, with the old values
    ("appointments", "citizen_id"): Rule.moves,  # one live appointment per person and start: both at once clash
    ("appointment_waitlist", "citizen_id"): Rule.moves,
    ("counter_tickets", "citizen_id"): Rule.moves,  # the visits they made to an office
    # A browser's sign-in and one-time proofs: `sessions.citizen_for` and the claims follow `merged_into_id`, so
    # they reach the survivor while the merge holds and the merged person again once it is undone.
    ("citizen_sessions", "citizen_id"): Rule.stays,
    ("sign_in_links", "citizen_id"): Rule.stays,
    ("verification_challenges", "citizen_id"): Rule.stays,
    # The merge itself.
    ("citizens", "merged_into_id"): Rule.stays,
    ("citizen_merges", "survivor_id"): Rule.stays,
    ("citizen_merges", "merged_id"): Rule.stays,
    # Link decisions and rejections name the two people as they were when decided: history, never rewritten.
    ("match_decisions", "citizen_id"): Rule.stays,
    ("match_decisions", "candidate_citizen_id"): Rule.stays,
    ("match_rejections", "first_citizen_id"): Rule.stays,
    ("match_rejections", "second_citizen_id"): Rule.stays,
}


def references() -> list[tuple[str, str]]:
    """Every (table, column) with a foreign key to citizens.id in the metadata."""
    return sorted(
        (table.name, column.name)
        for table in Base.metadata.tables.values()
        for column in table.columns
        if any(fk.target_fullname == CITIZENS for fk in column.foreign_keys)
    )


def moving() -> list[tuple[str, str]]:
    """The (table, column) pairs a merge moves, in a fixed order."""
    return sorted(ref for ref, rule in REFERENCES.items() if rule is Rule.moves)


@dataclass
class Rows:
    """Some rows of one table, by primary key (JSON-ready values), whose `column` names a citizen."""

    table: str
    column: str
    primary_key: list[str]
    keys: list[list[Any]]

    def as_dict(self) -> dict[str, Any]:
        return {"table": self.table, "column": self.column, "primary_key": self.primary_key, "rows": self.keys}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Rows:
        return cls(str(data["table"]), str(data["column"]), list(data["primary_key"]), [list(k) for k in data["rows"]])


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _encode(value: Any) -> Any:
    return str(value) if isinstance(value, uuid.UUID) else value


def _decode(column: Column[Any], value: Any) -> Any:
    return uuid.UUID(str(value)) if isinstance(column.type, Uuid) and value is not None else value


def _predicate(index: Index, dialect: str) -> ColumnElement[bool] | None:
    where: ColumnElement[bool] | None = index.dialect_options[dialect].get("where") if dialect in _DIALECTS else None
    return where


def unique_keys(table: Table, column: str, dialect: str) -> list[tuple[list[str], ColumnElement[bool] | None]]:
    """The other columns of every unique key that holds `column` (primary key, constraints, unique indexes), each
    with the partial index's condition where it has one."""
    keys: list[tuple[list[str], ColumnElement[bool] | None]] = []
    candidates: list[tuple[Iterable[Column[Any]], ColumnElement[bool] | None]] = [(table.primary_key.columns, None)]
    candidates += [(c.columns, None) for c in table.constraints if isinstance(c, UniqueConstraint)]
    candidates += [(index.columns, _predicate(index, dialect)) for index in table.indexes if index.unique]
    for columns, where in candidates:
        names = [c.name for c in columns]
        if column in names:
            keys.append(([n for n in names if n != column], where))
    return keys


async def rows_of(session: AsyncSession, name: str, column: str, citizen_id: uuid.UUID) -> Rows:
    """Every row of a table whose `column` names the citizen, by primary key."""
    table = _table(name)
    pk = [c.name for c in table.primary_key.columns]
    query = select(*(table.c[n] for n in pk)).where(table.c[column] == citizen_id)
    return Rows(name, column, pk, [[_encode(v) for v in r] for r in (await session.execute(query)).all()])


async def clashing(session: AsyncSession, rows: Rows, *, from_id: uuid.UUID, to_id: uuid.UUID) -> Rows:
    """Those of `rows` (still `from_id`'s) that would break a unique key if they were `to_id`'s."""
    table = _table(rows.table)
    pk = rows.primary_key
    current = {tuple(_now(rows, key, from_id)): key for key in rows.keys}
    found = Rows(rows.table, rows.column, pk, [])
    if not current:
        return found
    for others, where in unique_keys(table, rows.column, session.get_bind().dialect.name):
        condition = where if where is not None else true()
        picked = [table.c[n] for n in others] or [table.c[rows.column]]  # a key of the citizen alone: any row clashes
        theirs = select(*picked).where(table.c[rows.column] == to_id, condition)
        taken = {tuple(r)[: len(others)] for r in (await session.execute(theirs)).all()}
        if not taken:
            continue
        columns = [table.c[n] for n in pk] + [table.c[n] for n in others]
        mine = select(*columns).where(table.c[rows.column] == from_id, condition)
        for row in (await session.execute(mine)).all():
            key = tuple(_encode(v) for v in row[: len(pk)])
            theirs_too = tuple(row[len(pk) :])
            if None in theirs_too:
                continue  # NULLs never clash in a unique key
            if key in current and theirs_too in taken and current[key] not in found.keys:
                found.keys.append(current[key])
    return found


def without(rows: Rows, taken_out: Rows) -> Rows:
    """`rows` less those in `taken_out`."""
    out = {tuple(k) for k in taken_out.keys}
    return Rows(rows.table, rows.column, rows.primary_key, [k for k in rows.keys if tuple(k) not in out])


def _now(rows: Rows, key: list[Any], owner: uuid.UUID) -> list[Any]:
    """A recorded key as the row's key reads now: a primary key that holds the citizen column holds `owner`."""
    return [_encode(owner) if n == rows.column else v for n, v in zip(rows.primary_key, key, strict=True)]


async def move(session: AsyncSession, rows: Rows, *, from_id: uuid.UUID, to_id: uuid.UUID) -> Rows:
    """Give `rows` (recorded while they were `from_id`'s) to `to_id`, changing only the citizen column; returns the
    rows actually moved (one deleted since is left out)."""
    table = _table(rows.table)
    column = table.c[rows.column]
    values: dict[str, Any] = {rows.column: to_id}
    if "updated_at" in table.c:
        values["updated_at"] = table.c.updated_at  # keeps its stored value: only the citizen changes
    moved = Rows(rows.table, rows.column, rows.primary_key, [])
    pk_columns = [table.c[n] for n in rows.primary_key]
    for key in rows.keys:
        match = [c == _decode(c, v) for c, v in zip(pk_columns, key, strict=True) if c.name != rows.column]
        stmt = update(table).where(column == from_id, *match).values(values)
        result = await session.execute(stmt.execution_options(synchronize_session=False))
        if int(getattr(result, "rowcount", 0) or 0):
            moved.keys.append(key)
    _sync(session, table, moved, from_id, to_id)
    return moved


async def move_many(session: AsyncSession, rows: Rows, *, from_id: uuid.UUID, to_id: uuid.UUID) -> Rows:
    """`move`, in chunks of one statement each where the primary key is a single column other than the citizen's."""
    if len(rows.primary_key) != 1 or rows.primary_key[0] == rows.column:
        return await move(session, rows, from_id=from_id, to_id=to_id)
    table = _table(rows.table)
    column, key_column = table.c[rows.column], table.c[rows.primary_key[0]]
    values: dict[str, Any] = {rows.column: to_id}
    if "updated_at" in table.c:
        values["updated_at"] = table.c.updated_at
    moved = Rows(rows.table, rows.column, rows.primary_key, [])
    for start in range(0, len(rows.keys), _CHUNK):
        chunk = [_decode(key_column, k[0]) for k in rows.keys[start : start + _CHUNK]]
        still = select(key_column).where(key_column.in_(chunk), column == from_id)
        present = list((await session.execute(still)).scalars())
        if present:
            stmt = update(table).where(key_column.in_(present), column == from_id).values(values)
            await session.execute(stmt.execution_options(synchronize_session=False))
        moved.keys += [[_encode(k)] for k in present]
    _sync(session, table, moved, from_id, to_id)
    return moved


def _mapper(table: Table) -> Mapper[Any] | None:
    for mapper in Base.registry.mappers:
        if mapper.local_table is table:
            return mapper
    return None


def _sync(session: AsyncSession, table: Table, rows: Rows, from_id: uuid.UUID, to_id: uuid.UUID) -> None:
    """Tell objects already loaded in the session where their row went, so no one reads a stale citizen id."""
    mapper = _mapper(table)
    if mapper is None or not rows.keys:
        return
    attribute = mapper.get_property_by_column(table.c[rows.column]).key
    order = [c.name for c in mapper.primary_key]
    identity_map = session.sync_session.identity_map
    for key in rows.keys:
        now = _now(rows, key, from_id)
        by_name = {n: _decode(table.c[n], v) for n, v in zip(rows.primary_key, now, strict=True)}
        loaded = identity_map.get(identity_key(mapper.class_, tuple(by_name[n] for n in order)))
        if loaded is None:
            continue
        if rows.column in order:  # its identity changed with it: let the session load it afresh
            session.expunge(loaded)
        else:
            set_committed_value(loaded, attribute, to_id)


def flatten(groups: Sequence[dict[str, Any]]) -> list[Rows]:
    """Recorded groups of rows (a merge's detail) back as `Rows`."""
    return [Rows.from_dict(g) for g in groups]
