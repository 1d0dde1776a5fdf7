"""a case's updates indexed in order: its history and its newest note read from the index, not sorted

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-06 12:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0040"
down_revision: str | None = "0039"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("case_updates", schema=None) as batch_op:
        batch_op.create_index("ix_case_updates_case", ["case_id", "created_at", "id"], unique=False)
        batch_op.drop_index("ix_case_updates_case_id")


def downgrade() -> None:
    with op.batch_alter_table("case_updates", schema=None) as batch_op:
        batch_op.create_index("ix_case_updates_case_id", ["case_id"], unique=False)
        batch_op.drop_index("ix_case_updates_case")
