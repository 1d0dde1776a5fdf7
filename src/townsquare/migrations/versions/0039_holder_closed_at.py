"""the holder index keeps when work closed (an agent's work finished lately, read as a range)

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-06 09:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0039"
down_revision: str | None = "0038"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("work_items", schema=None) as batch_op:
        batch_op.drop_index("ix_work_items_holder")
        batch_op.create_index("ix_work_items_holder", ["assigned_to_id", "status", "closed_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("work_items", schema=None) as batch_op:
        batch_op.drop_index("ix_work_items_holder")
        batch_op.create_index("ix_work_items_holder", ["assigned_to_id", "status"], unique=False)
