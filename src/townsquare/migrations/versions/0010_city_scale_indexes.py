"""Indexes for a city of a million: keyset pages of cases, timelines by (time, id), search by identifier value
and by name (pg_trgm on PostgreSQL), the citizens changed last, the wallboard's answered-today and due-today

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 06:00:00

On PostgreSQL the trigram indexes need the pg_trgm extension (a trusted extension: a database owner may create
it); the migration creates it when it is missing.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CITIZEN_TIME = ["citizen_id", "occurred_at"]
# (table, name, columns before, columns after); None before: a new index, None after: dropped.
CHANGED: list[tuple[str, str, list[str] | None, list[str] | None]] = [
    ("cases", "ix_cases_agency_status", ["agency_id", "status"], ["agency_id", "status", "created_at", "id"]),
    ("cases", "ix_cases_agency_created", None, ["agency_id", "created_at", "id"]),
    ("cases", "ix_cases_status_created", None, ["status", "created_at", "id"]),
    ("cases", "ix_cases_created", ["created_at"], ["created_at", "id"]),
    (
        "interactions",
        "ix_interactions_citizen_time",
        ["citizen_id", "occurred_at"],
        ["citizen_id", "occurred_at", "id"],
    ),
    ("interactions", "ix_interactions_case_time", ["case_id", "occurred_at"], ["case_id", "occurred_at", "id"]),
    ("identities", "ix_identities_value_kind", None, ["value", "kind"]),
    ("citizens", "ix_citizens_updated", None, ["updated_at"]),
    ("work_items", "ix_work_items_first_answered", None, ["first_answered_at"]),
    ("work_items", "ix_work_items_sla_due", None, ["sla_due_at"]),
]
TRIGRAM = [("ix_citizens_display_name_trgm", "display_name"), ("ix_citizens_family_name_trgm", "family_name")]


def _swap(before: int, after: int) -> None:
    for table, name, *columns in CHANGED:
        old, new = columns[before], columns[after]
        with op.batch_alter_table(table) as batch_op:
            if old is not None:
                batch_op.drop_index(name)
            if new is not None:
                batch_op.create_index(name, new, unique=False)


def upgrade() -> None:
    _swap(0, 1)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, column in TRIGRAM:
            op.create_index(name, "citizens", [column], postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"})


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, _column in TRIGRAM:
            op.drop_index(name, table_name="citizens")
    _swap(1, 0)
