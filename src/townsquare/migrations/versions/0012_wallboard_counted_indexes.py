"""The wallboard's answered-today and due-today indexes carry every column it counts, so today's closed items are
counted from the indexes alone instead of one heap page per item

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 14:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTED = ["status", "agency_id", "queue_id", "channel", "sla_goal_percent"]
# name: (columns before, columns after)
CHANGED = {
    "ix_work_items_first_answered": (["first_answered_at"], ["first_answered_at", "sla_due_at", *COUNTED]),
    "ix_work_items_sla_due": (["sla_due_at"], ["sla_due_at", "first_answered_at", *COUNTED]),
}


def _rebuild(which: int) -> None:
    with op.batch_alter_table("work_items") as batch_op:
        for name, columns in CHANGED.items():
            batch_op.drop_index(name)
            batch_op.create_index(name, columns[which], unique=False)


def upgrade() -> None:
    _rebuild(1)


def downgrade() -> None:
    _rebuild(0)
