"""citizen changes: corrections staff make to a person's record, with the value each replaced; work items by
person (the agencies a person has dealt with decide who may correct their record)

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-05 16:26:26.202038
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "citizen_changes",
        sa.Column("citizen_id", sa.Uuid(), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["citizen_id"], ["citizens.id"], name=op.f("fk_citizen_changes_citizen_id_citizens"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_accounts.id"], name=op.f("fk_citizen_changes_staff_id_staff_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citizen_changes")),
    )
    with op.batch_alter_table("citizen_changes", schema=None) as batch_op:
        batch_op.create_index("ix_citizen_changes_citizen", ["citizen_id", "created_at"], unique=False)

    with op.batch_alter_table("work_items", schema=None) as batch_op:
        batch_op.create_index("ix_work_items_citizen", ["citizen_id", "agency_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("work_items", schema=None) as batch_op:
        batch_op.drop_index("ix_work_items_citizen")

    with op.batch_alter_table("citizen_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_citizen_changes_citizen")

    op.drop_table("citizen_changes")
