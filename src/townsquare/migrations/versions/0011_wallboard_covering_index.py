"""A covering index for the wallboard: every column it reads of an open work item, status first, so a city's
backlog is counted from the index alone

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 07:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = [
    "status",
    "agency_id",
    "queue_id",
    "channel",
    "not_before",
    "created_at",
    "sla_due_at",
    "first_answered_at",
    "sla_goal_percent",
]


def upgrade() -> None:
    with op.batch_alter_table("work_items") as batch_op:
        batch_op.create_index("ix_work_items_board", COLUMNS, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("work_items") as batch_op:
        batch_op.drop_index("ix_work_items_board")
