"""calls' work items by state: the sweep for callers who hung up unheard reads the waiting ones, not every open item

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-06 13:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0041"
down_revision: str | None = "0040"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("work_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_work_items_calls",
            ["status", "conversation_id"],
            unique=False,
            sqlite_where=sa.text("kind = 'call'"),
            postgresql_where=sa.text("kind = 'call'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("work_items", schema=None) as batch_op:
        batch_op.drop_index("ix_work_items_calls")
